package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// vectorFile is testdata/agora-accesstoken2.json: tokens minted by Agora's
// npm package agora-token.
type vectorFile struct {
	AppID          string   `json:"appId"`
	AppCertificate string   `json:"appCertificate"`
	Vectors        []vector `json:"vectors"`
}

type vector struct {
	Name    string `json:"name"`
	Token   string `json:"token"`
	Decoded *struct {
		AppID    string `json:"appId"`
		IssueTs  uint32 `json:"issueTs"`
		Expire   uint32 `json:"expire"`
		Salt     uint32 `json:"salt"`
		Services []struct {
			Type       ServiceType       `json:"type"`
			Privileges map[string]uint32 `json:"privileges"`
			Channel    string            `json:"channel"`
			UID        string            `json:"uid"`
			UserID     string            `json:"userId"`
		} `json:"services"`
		Verifies bool `json:"verifiesWithCertificate"`
	} `json:"decoded"`
}

var vectorsPath = flag.String("vectors", "testdata/agora-accesstoken2.json",
	"the file of Agora-minted token vectors the vector tests read")

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	data, err := os.ReadFile(*vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func vectorByName(t testing.TB, f vectorFile, name string) vector {
	t.Helper()
	for _, v := range f.Vectors {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no vector %q", name)
	return vector{}
}

// expected returns the token a vector's "decoded" describes.
func (v vector) expected(t *testing.T) *AccessToken {
	t.Helper()
	d := v.Decoded
	want := &AccessToken{AppID: d.AppID, IssueTs: d.IssueTs, Expire: d.Expire, Salt: d.Salt}
	for _, s := range d.Services {
		svc := Service{Type: s.Type, Channel: s.Channel, UID: s.UID, UserID: s.UserID, Privileges: map[Privilege]uint32{}}
		for id, seconds := range s.Privileges {
			n, err := strconv.ParseUint(id, 10, 16)
			if err != nil {
				t.Fatal(err)
			}
			svc.Privileges[Privilege(n)] = seconds
		}
		want.Services = append(want.Services, svc)
	}
	return want
}

func TestVectors(t *testing.T) {
	f := loadVectors(t)
	for _, v := range f.Vectors {
		if v.Decoded == nil {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			got, err := Parse(v.Token)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := v.expected(t)
			fields := *got
			fields.Signature, fields.body = nil, nil
			if !reflect.DeepEqual(&fields, want) {
				t.Fatalf("Parse:\n got %+v\nwant %+v", &fields, want)
			}
			if len(got.Signature) != 32 {
				t.Errorf("signature of %d bytes", len(got.Signature))
			}

			now := got.IssuedAt().Add(5 * time.Second)
			verr := got.Verify(f.AppCertificate)
			_, cerr := Check(v.Token, f.AppID, f.AppCertificate, now)
			if v.Decoded.Verifies {
				if verr != nil || cerr != nil {
					t.Fatalf("Verify: %v, Check: %v", verr, cerr)
				}
			} else if !errors.Is(verr, ErrSignature) || !errors.Is(cerr, ErrSignature) {
				t.Fatalf("Verify: %v, Check: %v; want ErrSignature", verr, cerr)
			}

			// Encoding the parsed fields gives back the body.
			body, err := want.encodeBody()
			if err != nil || !bytes.Equal(body, got.body) {
				t.Fatalf("encodeBody differs from the token's body (%v)", err)
			}
			if !v.Decoded.Verifies {
				return
			}
			// Building with the same issue time and salt gives the same
			// token: the same fields and signature (the compressed bytes
			// may differ from Agora's zlib).
			rebuilt, err := want.Build(f.AppCertificate)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want.Signature, got.Signature) {
				t.Fatal("Build set another signature")
			}
			sameToken(t, rebuilt, v.Token, f.AppCertificate)
		})
	}
}

// TestBuildersReproduceVectors calls each builder the way the vector was
// minted, with the vector's issue time and salt: the token decodes to the
// vector's fields and carries its signature.
func TestBuildersReproduceVectors(t *testing.T) {
	f := loadVectors(t)
	id, cert := f.AppID, f.AppCertificate
	builders := map[string]func() (string, error){
		"rtc_uid_publisher": func() (string, error) {
			return BuildRTCWithUID(id, cert, "pk-room_1", 2882341273, RolePublisher, 3600, 3600)
		},
		"rtc_uid_subscriber": func() (string, error) {
			return BuildRTCWithUID(id, cert, "pk-room_1", 1001, RoleSubscriber, 3600, 3600)
		},
		"rtc_uid_zero": func() (string, error) { return BuildRTCWithUID(id, cert, "lobby", 0, RolePublisher, 600, 600) },
		"rtc_account": func() (string, error) {
			return BuildRTCWithAccount(id, cert, "lobby", "alice@example.com", RolePublisher, 3600, 3600)
		},
		"rtc_privileges": func() (string, error) {
			return BuildRTCWithPrivileges(id, cert, "stage", "42", 900, 600, 300, 200, 100)
		},
		"rtc_with_rtm": func() (string, error) {
			return BuildRTCWithRTM(id, cert, "stage", "host-1", RolePublisher, 3600, 3600)
		},
		"rtm_user": func() (string, error) { return BuildRTM(id, cert, "host-1", 3600) },
	}
	defer func(now func() time.Time, salt func() uint32) { timeNow, randomSalt = now, salt }(timeNow, randomSalt)
	for name, buildFn := range builders {
		v := vectorByName(t, f, name)
		timeNow = func() time.Time { return time.Unix(int64(v.Decoded.IssueTs), 0) }
		randomSalt = func() uint32 { return v.Decoded.Salt }
		got, err := buildFn()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Run(name, func(t *testing.T) { sameToken(t, got, v.Token, cert) })
	}
}

// sameToken checks that the token got decodes to the fields, body and
// signature of the token want, and that its signature verifies.
func sameToken(t *testing.T, got, want, cert string) {
	t.Helper()
	g, err := Parse(got)
	if err != nil {
		t.Fatalf("Parse(%s): %v", got, err)
	}
	w, err := Parse(want)
	if err != nil {
		t.Fatalf("Parse(%s): %v", want, err)
	}
	if !reflect.DeepEqual(normalised(g), normalised(w)) {
		t.Fatalf("decoded tokens differ:\n got %+v\nwant %+v", normalised(g), normalised(w))
	}
	if !bytes.Equal(g.body, w.body) || !bytes.Equal(g.Signature, w.Signature) {
		t.Fatal("the tokens' bodies or signatures differ")
	}
	if err := g.Verify(cert); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestOtherCertificate(t *testing.T) {
	f := loadVectors(t)
	tok, err := Parse(vectorByName(t, f, "rtc_other_certificate").Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Verify(f.AppCertificate); !errors.Is(err, ErrSignature) {
		t.Fatalf("Verify = %v, want ErrSignature", err)
	}
}

func TestTampered(t *testing.T) {
	f := loadVectors(t)
	v := vectorByName(t, f, "rtc_tampered")
	_, err := Check(v.Token, f.AppID, f.AppCertificate, time.Unix(1795315655, 0))
	if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrSignature) {
		t.Fatalf("Check = %v, want ErrMalformed or ErrSignature", err)
	}
	t.Logf("rejected with: %v", err)
}

// TestBuildIsRandom checks that the builders use the clock and a fresh salt.
func TestBuildIsRandom(t *testing.T) {
	f := loadVectors(t)
	before := time.Now().Unix()
	a, err := BuildRTCWithUID(f.AppID, f.AppCertificate, "c", 1, RolePublisher, 60, 60)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BuildRTCWithUID(f.AppID, f.AppCertificate, "c", 1, RolePublisher, 60, 60)
	if a == b {
		t.Fatal("two builds gave the same token")
	}
	tok, err := Check(a, f.AppID, f.AppCertificate, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ts := int64(tok.IssueTs); ts < before || ts > time.Now().Unix() {
		t.Errorf("issue time %d not now", ts)
	}
	if tok.Salt < 1 || tok.Salt > maxSalt {
		t.Errorf("salt %d out of 1..%d", tok.Salt, maxSalt)
	}
}
