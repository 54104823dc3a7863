package turnsrv

import (
	"errors"
	"testing"
	"time"
)

func TestCredentials(t *testing.T) {
	sec, err := NewSecret("0123456789abcdef-secret")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSecret("another-secret-of-16+")
	now := time.Unix(1_800_000_000, 0)
	good := sec.Issue("sess-A", now.Add(time.Hour))
	expiredCred := sec.Issue("sess-A", now.Add(-time.Second))
	for _, tc := range []struct {
		name      string
		user, pwd string
		at        time.Time
		session   string
		err       error
	}{
		{"valid", good.Username, good.Password, now, "sess-A", nil},
		{"valid until the last second", good.Username, good.Password, now.Add(time.Hour - time.Second), "sess-A", nil},
		{"expired at its expiry", good.Username, good.Password, now.Add(time.Hour), "", ErrCredentialExpired},
		{"issued expired", expiredCred.Username, expiredCred.Password, now, "", ErrCredentialExpired},
		{"another session's name with this password", good.Username[:len(good.Username)-1] + "B", good.Password, now, "", ErrWrongPassword},
		{"a later expiry with the same password", "1900000000:sess-A", good.Password, now, "", ErrWrongPassword},
		{"signed by another secret", good.Username, other.Issue("sess-A", now.Add(time.Hour)).Password, now, "", ErrWrongPassword},
		{"no session", "1900000000:", "x", now, "", ErrMalformedUsername},
		{"no expiry", "sess-A", "x", now, "", ErrMalformedUsername},
		{"expiry not a number", "soon:sess-A", "x", now, "", ErrMalformedUsername},
	} {
		t.Run(tc.name, func(t *testing.T) {
			session, err := sec.Verify(tc.user, tc.pwd, tc.at)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Verify: err %v, want %v", err, tc.err)
			}
			if session != tc.session {
				t.Fatalf("session %q, want %q", session, tc.session)
			}
		})
	}
}

func TestExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name  string
		token time.Time
		ttl   time.Duration
		want  time.Time
	}{
		{"token without expiry: the TTL", time.Time{}, 24 * time.Hour, now.Add(24 * time.Hour)},
		{"token expiring first", now.Add(time.Hour), 24 * time.Hour, now.Add(time.Hour)},
		{"TTL ending first", now.Add(48 * time.Hour), 24 * time.Hour, now.Add(24 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Expiry(now, tc.token, tc.ttl); !got.Equal(tc.want) {
				t.Fatalf("Expiry = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestIssueFormat(t *testing.T) {
	sec, _ := NewSecret("0123456789abcdef-secret")
	c := sec.Issue("s1", time.Unix(1_800_000_000, 0))
	if c.Username != "1800000000:s1" {
		t.Fatalf("username %q, want expiry:session", c.Username)
	}
	// coturn's use-auth-secret: base64(HMAC-SHA1(secret, username)).
	// Computed with: printf 1800000000:s1 | openssl dgst -sha1 -hmac 0123456789abcdef-secret -binary | base64
	if c.Password != "MJthLjYmX5mCm2DExtolcgYP/yo=" {
		t.Fatalf("password %q is not a base64 HMAC-SHA1", c.Password)
	}
}
