// Package turnsrv is cohost's embedded TURN server (pion/turn) and the
// TURN REST credentials it hands to clients: a username "expiry:session"
// (expiry in Unix seconds) and a password, the base64 HMAC-SHA1 of the
// username under a secret the node knows (the cluster secret or a
// generated one), as coturn's use-auth-secret expects.
package turnsrv

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // TURN REST credentials are HMAC-SHA1 by definition.
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Credential is a TURN username and password.
type Credential struct {
	Username string
	Password string
	// Expires is when the credential stops opening new allocations.
	Expires time.Time
}

// Secret signs and checks TURN REST credentials.
type Secret struct {
	key []byte
}

// NewSecret returns a Secret with key; an empty key is ErrNoSecret.
func NewSecret(key string) (Secret, error) {
	if key == "" {
		return Secret{}, ErrNoSecret
	}
	return Secret{key: []byte(key)}, nil
}

// GenerateSecret returns a Secret of 32 random bytes, for a node that has
// no configured one: its credentials are valid on that node only.
func GenerateSecret() (Secret, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Secret{}, fmt.Errorf("turn: secret: %w", err)
	}
	return Secret{key: []byte(base64.RawStdEncoding.EncodeToString(b))}, nil
}

// Issue returns the credential of session valid until expires (rounded
// down to the second).
func (s Secret) Issue(session string, expires time.Time) Credential {
	user := strconv.FormatInt(expires.Unix(), 10) + ":" + session
	return Credential{Username: user, Password: s.password(user), Expires: time.Unix(expires.Unix(), 0)}
}

// Password is the password of username.
func (s Secret) password(username string) string {
	m := hmac.New(sha1.New, s.key)
	m.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Parse splits a username into its expiry and session; it does not check
// the password (TURN checks it through the message integrity).
func Parse(username string) (expires time.Time, session string, err error) {
	exp, session, ok := strings.Cut(username, ":")
	if !ok || session == "" {
		return time.Time{}, "", fmt.Errorf("%w: %q", ErrMalformedUsername, username)
	}
	sec, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}, "", fmt.Errorf("%w: %q", ErrMalformedUsername, username)
	}
	return time.Unix(sec, 0), session, nil
}

// Verify reports whether password is username's under s and the
// credential is unexpired at now, returning its session.
func (s Secret) Verify(username, password string, now time.Time) (string, error) {
	exp, session, err := Parse(username)
	if err != nil {
		return "", err
	}
	if !hmac.Equal([]byte(s.password(username)), []byte(password)) {
		return "", ErrWrongPassword
	}
	if !now.Before(exp) {
		return "", fmt.Errorf("%w at %s", ErrCredentialExpired, exp.UTC().Format(time.RFC3339))
	}
	return session, nil
}

// Expiry is when a credential issued at now for a session whose join
// privilege ends at tokenExpiry (zero: never) expires: the earlier of
// tokenExpiry and now+ttl.
func Expiry(now, tokenExpiry time.Time, ttl time.Duration) time.Time {
	exp := now.Add(ttl)
	if !tokenExpiry.IsZero() && tokenExpiry.Before(exp) {
		exp = tokenExpiry
	}
	return exp
}
