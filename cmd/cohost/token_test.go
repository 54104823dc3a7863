package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/token"
)

// tokenVectors are the tokens of token/testdata/agora-accesstoken2.json.
type tokenVectors struct {
	appID, cert string
	byName      map[string]string
}

func loadTokenVectors(t *testing.T) tokenVectors {
	t.Helper()
	data, err := os.ReadFile("../../token/testdata/agora-accesstoken2.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		AppID          string `json:"appId"`
		AppCertificate string `json:"appCertificate"`
		Vectors        []struct{ Name, Token string }
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	v := tokenVectors{appID: f.AppID, cert: f.AppCertificate, byName: map[string]string{}}
	for _, vec := range f.Vectors {
		v.byName[vec.Name] = vec.Token
	}
	return v
}

// runToken runs "cohost token args..." in process and returns the exit code
// main would use, stdout, and the error text.
func runToken(t *testing.T, args ...string) (code int, stdout, errText string) {
	t.Helper()
	cmd := newTokenCmd()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	var ee *exitError
	switch {
	case err == nil:
		code = exitOK
	case errors.As(err, &ee):
		code = ee.code
	default:
		code = exitUsage
	}
	if err != nil {
		errText = err.Error()
	}
	return code, out.String(), errText
}

// clearAppEnv keeps the developer's environment out of the test.
func clearAppEnv(t *testing.T) {
	t.Setenv(envAppID, "")
	t.Setenv(envAppCertificate, "")
}

const vectorIssue = 1795315650

func unixArg(offset int64) string { return time.Unix(vectorIssue+offset, 0).UTC().Format(time.RFC3339) }

func TestTokenInspectExitCodes(t *testing.T) {
	clearAppEnv(t)
	v := loadTokenVectors(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings of stdout
	}{
		{"valid", []string{"--app-certificate", v.cert, "--now", "1795315655", v.byName["rtc_uid_publisher"]}, exitOK,
			[]string{"app id       " + v.appID, `channel "pk-room_1", uid "2882341273"`, "joinChannel", "publishDataStream", "+3600 s)  valid", "signature    valid"}},
		{"valid with app id", []string{"--app-id", v.appID, "--app-certificate", v.cert, "--now", unixArg(5), v.byName["rtm_user"]}, exitOK,
			[]string{`service      rtm  user id "host-1"`, "login"}},
		{"uid 0", []string{"--app-certificate", v.cert, "--now", unixArg(5), v.byName["rtc_uid_zero"]}, exitOK,
			[]string{`uid "" (any uid)`}},
		{"other certificate", []string{"--app-certificate", v.cert, "--now", unixArg(5), v.byName["rtc_other_certificate"]}, exitSignature,
			[]string{"signature    does not hold"}},
		{"other app id", []string{"--app-id", "0123456789abcdef0123456789abcdef", "--now", unixArg(5), v.byName["rtc_uid_publisher"]}, exitSignature,
			[]string{"another app id"}},
		{"token expired", []string{"--app-certificate", v.cert, "--now", unixArg(3600), v.byName["rtc_uid_publisher"]}, exitExpired,
			[]string{"(+3600 s)  expired", "signature    valid"}},
		{"every privilege expired", []string{"--app-certificate", v.cert, "--now", unixArg(700), v.byName["rtc_privileges"]}, exitExpired,
			[]string{"(+900 s)  valid", "joinChannel          2026-11-22T02:57:30Z (+600 s)  expired"}},
		{"some privileges valid", []string{"--app-certificate", v.cert, "--now", unixArg(150), v.byName["rtc_privileges"]}, exitOK,
			[]string{"(+200 s)  valid", "(+100 s)  expired"}},
		{"not checked", []string{"--now", unixArg(5), v.byName["rtc_other_certificate"]}, exitOK,
			[]string{"signature    not checked"}},
		{"not checked, expired", []string{"--now", unixArg(86400), v.byName["rtc_uid_publisher"]}, exitOK,
			[]string{"expired", "signature    not checked"}},
		{"tampered", []string{"--app-certificate", v.cert, v.byName["rtc_tampered"]}, exitUsage, nil},
		{"not a token", []string{"hello"}, exitUsage, nil},
		{"bad certificate", []string{"--app-certificate", "secret", v.byName["rtc_uid_publisher"]}, exitUsage, nil},
		{"bad --now", []string{"--now", "yesterday", v.byName["rtc_uid_publisher"]}, exitUsage, nil},
		{"no token", nil, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errText := runToken(t, append([]string{"inspect"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit code %d (%s), want %d\n%s", code, errText, tt.code, out)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if code == exitUsage && out != "" {
				t.Errorf("usage error printed a report:\n%s", out)
			}
		})
	}
}

func TestTokenInspectFromEnv(t *testing.T) {
	v := loadTokenVectors(t)
	t.Setenv(envAppID, v.appID)
	t.Setenv(envAppCertificate, v.cert)
	if code, _, err := runToken(t, "inspect", "--now", unixArg(5), v.byName["rtc_other_certificate"]); code != exitSignature {
		t.Fatalf("exit code %d (%s), want %d", code, err, exitSignature)
	}
	if code, _, err := runToken(t, "inspect", "--now", unixArg(5), v.byName["rtc_account"]); code != exitOK {
		t.Fatalf("exit code %d (%s), want %d", code, err, exitOK)
	}
}

// mint runs a token command that prints a token and checks it.
func mint(t *testing.T, v tokenVectors, args ...string) *token.AccessToken {
	t.Helper()
	code, out, errText := runToken(t, args...)
	if code != exitOK {
		t.Fatalf("%q: exit code %d: %s", args, code, errText)
	}
	tok, err := token.Check(strings.TrimSpace(out), v.appID, v.cert, time.Now())
	if err != nil {
		t.Fatalf("%q printed %q: %v", args, out, err)
	}
	return tok
}

func TestTokenRTC(t *testing.T) {
	clearAppEnv(t)
	v := loadTokenVectors(t)
	app := []string{"rtc", "--app-id", v.appID, "--app-certificate", v.cert, "--channel", "demo"}
	check := func(tok *token.AccessToken, uid string, expire uint32, privileges map[token.Privilege]uint32) {
		t.Helper()
		rtc, ok := tok.Service(token.ServiceRTC)
		if !ok || rtc.Channel != "demo" || rtc.UID != uid || tok.Expire != expire || len(rtc.Privileges) != len(privileges) {
			t.Fatalf("token %+v", tok)
		}
		for p, seconds := range privileges {
			if rtc.Privileges[p] != seconds {
				t.Errorf("%v: %d s, want %d", p, rtc.Privileges[p], seconds)
			}
		}
	}
	all := func(s uint32) map[token.Privilege]uint32 { return map[token.Privilege]uint32{1: s, 2: s, 3: s, 4: s} }

	check(mint(t, v, append(app, "--uid", "1001")...), "1001", 3600, all(3600))
	check(mint(t, v, append(app, "--uid", "0", "--expire", "600")...), "", 600, all(600))
	check(mint(t, v, append(app, "--account", "alice", "--role", "subscriber", "--privilege-expire", "60")...), "alice", 3600, map[token.Privilege]uint32{1: 60})
	check(mint(t, v, append(app, "--uid", "7", "--expire", "900", "--privilege-expire", "500", "--join-expire", "600", "--publish-audio-expire", "300")...),
		"7", 900, map[token.Privilege]uint32{1: 600, 2: 300, 3: 500, 4: 500})

	tok := mint(t, v, append(app, "--account", "host-1", "--with-rtm", "--expire", "1200", "--privilege-expire", "600")...)
	check(tok, "host-1", 1200, all(600))
	if rtm, ok := tok.Service(token.ServiceRTM); !ok || rtm.UserID != "host-1" || rtm.Privileges[token.PrivLogin] != 1200 {
		t.Errorf("RTM service %+v", rtm)
	}

	t.Setenv(envAppID, v.appID)
	t.Setenv(envAppCertificate, v.cert)
	check(mint(t, v, "rtc", "--channel", "demo", "--uid", "5"), "5", 3600, all(3600))
}

func TestTokenRTCUsageErrors(t *testing.T) {
	clearAppEnv(t)
	v := loadTokenVectors(t)
	app := []string{"rtc", "--app-id", v.appID, "--app-certificate", v.cert}
	tests := [][]string{
		append(app, "--uid", "1"),        // no channel
		append(app, "--channel", "demo"), // no uid or account
		append(app, "--channel", "demo", "--uid", "1", "--account", "a"),
		append(app, "--channel", "demo", "--uid", "1", "--role", "admin"),
		append(app, "--channel", "demo", "--uid", "1", "--role", "subscriber", "--join-expire", "5"),
		append(app, "--channel", "demo", "--uid", "0", "--with-rtm"),
		append(app, "--channel", "demo", "--uid", "-1"),
		{"rtc", "--app-id", v.appID, "--channel", "demo", "--uid", "1"}, // no certificate
		{"rtc", "--app-id", "abc", "--app-certificate", v.cert, "--channel", "demo", "--uid", "1"},
		append(app, "--channel", "demo", "--uid", "1", "extra"),
	}
	for _, args := range tests {
		if code, out, errText := runToken(t, args...); code != exitUsage || out != "" {
			t.Errorf("%q: exit code %d, stdout %q, error %q; want %d", args, code, out, errText, exitUsage)
		}
	}
}

func TestTokenRTM(t *testing.T) {
	clearAppEnv(t)
	v := loadTokenVectors(t)
	tok := mint(t, v, "rtm", "--app-id", v.appID, "--app-certificate", v.cert, "--user-id", "host-1", "--expire", "60")
	rtm, ok := tok.Service(token.ServiceRTM)
	if !ok || rtm.UserID != "host-1" || tok.Expire != 60 || rtm.Privileges[token.PrivLogin] != 60 || len(tok.Services) != 1 {
		t.Fatalf("token %+v", tok)
	}
	if code, _, _ := runToken(t, "rtm", "--app-id", v.appID, "--app-certificate", v.cert); code != exitUsage {
		t.Errorf("no --user-id: exit code %d", code)
	}
}
