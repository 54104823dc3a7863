package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

const (
	id1   = "0123456789abcdef0123456789abcdef"
	cert1 = "fedcba9876543210fedcba9876543210"
	id2   = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	cert2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cohost.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	yes := true
	tests := []struct {
		name    string
		yaml    string
		want    func(c *Config) // applied to Default()
		wantErr []string        // substrings of the error
	}{
		{name: "empty file", yaml: "", want: func(*Config) {}},
		{name: "comments only", yaml: "# nothing\n", want: func(*Config) {}},
		{name: "top-level settings", yaml: `
listen: 0.0.0.0:8000
mediaPort: 9000
advertiseIP: 203.0.113.7
dataDir: /var/lib/cohost
tlsCert: /etc/cohost/cert.pem
tlsKey: /etc/cohost/key.pem
allowTestingMode: true
devTokens: false
pprof: true
logLevel: debug
logFormat: json
`, want: func(c *Config) {
			c.Listen = "0.0.0.0:8000"
			c.MediaPort = 9000
			c.AdvertiseIP = "203.0.113.7"
			c.DataDir = "/var/lib/cohost"
			c.TLSCert = "/etc/cohost/cert.pem"
			c.TLSKey = "/etc/cohost/key.pem"
			c.AllowTestingMode = true
			c.DevTokens = false
			c.Pprof = true
			c.LogLevel = "debug"
			c.LogFormat = "json"
		}},
		{name: "timers and limits overlay", yaml: `
timers:
  dropTimeout: 45s
  keyframeInterval: 250ms
limits:
  maxHostsPerChannel: 4
`, want: func(c *Config) {
			c.Timers.DropTimeout = 45 * time.Second
			c.Timers.KeyframeInterval = 250 * time.Millisecond
			c.Limits.MaxHostsPerChannel = 4
		}},
		{name: "YAML 1.1 booleans", yaml: "pprof: yes\ndevTokens: off\n", want: func(c *Config) {
			c.Pprof, c.DevTokens = true, false
		}},
		{name: "anchors and aliases", yaml: "x-timeout: &t 7s\n", wantErr: []string{`unknown key "x-timeout"`}},
		{name: "alias value", yaml: "timers:\n  dropTimeout: &t 7s\n  requestTimeout: *t\n", want: func(c *Config) {
			c.Timers.DropTimeout, c.Timers.RequestTimeout = 7*time.Second, 7*time.Second
		}},
		{name: "empty values keep defaults", yaml: "timers:\nlimits:\n  maxChannels:\nlisten:\n", want: func(*Config) {}},
		{name: "apps", yaml: `
apps:
  - id: ` + id1 + `
    certificate: ` + cert1 + `
    cohostAuth: true
  - id: ` + id2 + `
`, want: func(c *Config) {
			c.Apps = []App{{ID: id1, Certificate: cert1, CohostAuth: &yes}, {ID: id2}}
		}},
		{name: "all-digit app id stays text", yaml: "apps:\n  - id: 01234567890123456789012345678901\n", want: func(c *Config) {
			c.Apps = []App{{ID: "01234567890123456789012345678901"}}
		}},
		{name: "unknown top-level key", yaml: "listen: :1\nlisten_addr: :2\n",
			wantErr: []string{`line 2: unknown key "listen_addr"`}},
		{name: "unknown nested key with suggestion", yaml: "timers:\n  dropTimout: 3s\n",
			wantErr: []string{`line 2: unknown key "timers.dropTimout"`, `did you mean "timers.dropTimeout"?`}},
		{name: "wrong case suggested", yaml: "advertiseIp: 1.2.3.4\n",
			wantErr: []string{`unknown key "advertiseIp"`, `did you mean "advertiseIP"?`}},
		{name: "unknown app key", yaml: "apps:\n  - id: " + id1 + "\n    cert: x\n",
			wantErr: []string{`line 3: unknown key "apps[0].cert"`}},
		{name: "every unknown key reported", yaml: "foo: 1\nbar: 2\n",
			wantErr: []string{`unknown key "foo"`, `unknown key "bar"`}},
		{name: "duration as number", yaml: "timers:\n  keepAlive: 2\n",
			wantErr: []string{`line 2: timers.keepAlive: invalid duration "2"`}},
		{name: "bad duration", yaml: "timers:\n  dropTimeout: soon\n",
			wantErr: []string{`timers.dropTimeout: invalid duration "soon"`}},
		{name: "bad int", yaml: "limits:\n  maxChannels: many\n",
			wantErr: []string{`line 2: limits.maxChannels: "many" is not an integer`}},
		{name: "float for int", yaml: "mediaPort: 80.5\n",
			wantErr: []string{`line 1: mediaPort: "80.5" is not an integer`}},
		{name: "int out of range", yaml: "mediaPort: 99999999999999999999\n",
			wantErr: []string{"line 1", "99999999999999999999"}},
		{name: "bad bool", yaml: "pprof: maybe\n",
			wantErr: []string{`line 1: pprof: "maybe" is not true or false`}},
		{name: "list for string", yaml: "listen: [a, b]\n",
			wantErr: []string{"line 1: listen: expected a single value"}},
		{name: "mapping expected", yaml: "timers: 5s\n",
			wantErr: []string{"line 1: timers: expected a mapping"}},
		{name: "list expected", yaml: "apps:\n  id: " + id1 + "\n",
			wantErr: []string{"apps: expected a list"}},
		{name: "not a mapping", yaml: "- a\n- b\n",
			wantErr: []string{"the top level: expected a mapping"}},
		{name: "two documents", yaml: "listen: :1\n---\nlisten: :2\n",
			wantErr: []string{"more than one YAML document"}},
		{name: "duplicate key", yaml: "listen: :1\nlisten: :2\n",
			wantErr: []string{"listen"}},
		{name: "syntax error", yaml: "listen: [\n",
			wantErr: []string{"cohost.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.yaml)
			got, err := Load(path)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Load: no error, want %q", tt.wantErr)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("Load error %q does not contain %q", err, s)
					}
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("Load error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("Load of a missing file: %v", err)
	}
}

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(c *Config)
		wantErr []string
	}{
		{name: "nothing", env: nil, want: func(*Config) {}},
		{name: "empty values ignored", env: map[string]string{"COHOST_LISTEN": "", "COHOST_DROP_TIMEOUT": ""}, want: func(*Config) {}},
		{name: "every plain setting", env: map[string]string{
			"COHOST_LISTEN":                     "0.0.0.0:80",
			"COHOST_MEDIA_PORT":                 "9999",
			"COHOST_ADVERTISE_IP":               "198.51.100.1",
			"COHOST_DATA_DIR":                   "/data",
			"COHOST_TLS_CERT":                   "c.pem",
			"COHOST_TLS_KEY":                    "k.pem",
			"COHOST_ALLOW_TESTING_MODE":         "1",
			"COHOST_DEV_TOKENS":                 "false",
			"COHOST_PPROF":                      "true",
			"COHOST_LOG_LEVEL":                  "warn",
			"COHOST_LOG_FORMAT":                 "json",
			"COHOST_DROP_TIMEOUT":               "1m",
			"COHOST_KEEPALIVE":                  "5s",
			"COHOST_TOKEN_WARNING":              "1m30s",
			"COHOST_SHUTDOWN_GRACE":             "9s",
			"COHOST_KEYFRAME_INTERVAL":          "1s",
			"COHOST_REQUEST_TIMEOUT":            "3s",
			"COHOST_RELAY_MIN_INTERVAL":         "2s",
			"COHOST_MAX_RELAY_DESTINATIONS":     "6",
			"COHOST_MAX_USERS_PER_CHANNEL":      "100",
			"COHOST_MAX_HOSTS_PER_CHANNEL":      "3",
			"COHOST_MAX_CHANNELS":               "7",
			"COHOST_MAX_TRACKS_PER_USER":        "4",
			"COHOST_MAX_MESSAGE_BYTES":          "1024",
			"COHOST_MAX_SUBSCRIPTIONS_PER_USER": "8",
			"COHOST_MAX_REQUESTS_PER_SECOND":    "9",
		}, want: func(c *Config) {
			c.Listen = "0.0.0.0:80"
			c.MediaPort = 9999
			c.AdvertiseIP = "198.51.100.1"
			c.DataDir = "/data"
			c.TLSCert = "c.pem"
			c.TLSKey = "k.pem"
			c.AllowTestingMode = true
			c.DevTokens = false
			c.Pprof = true
			c.LogLevel = "warn"
			c.LogFormat = "json"
			c.Timers = Timers{
				DropTimeout:      time.Minute,
				KeepAlive:        5 * time.Second,
				TokenWarning:     90 * time.Second,
				ShutdownGrace:    9 * time.Second,
				KeyframeInterval: time.Second,
				RequestTimeout:   3 * time.Second,
				RelayMinInterval: 2 * time.Second,
			}
			c.Limits = Limits{
				MaxUsersPerChannel:      100,
				MaxHostsPerChannel:      3,
				MaxChannels:             7,
				MaxTracksPerUser:        4,
				MaxMessageBytes:         1024,
				MaxSubscriptionsPerUser: 8,
				MaxRequestsPerSecond:    9,
				MaxRelayDestinations:    6,
			}
		}},
		{name: "app with certificate", env: map[string]string{"COHOST_APP_ID": id1, "COHOST_APP_CERTIFICATE": cert1},
			want: func(c *Config) { c.Apps = []App{{ID: id1, Certificate: cert1}} }},
		{name: "app in testing mode", env: map[string]string{"COHOST_APP_ID": id1},
			want: func(c *Config) { c.Apps = []App{{ID: id1}} }},
		{name: "certificate without id", env: map[string]string{"COHOST_APP_CERTIFICATE": cert1},
			wantErr: []string{"COHOST_APP_CERTIFICATE is set without COHOST_APP_ID"}},
		{name: "bad duration", env: map[string]string{"COHOST_DROP_TIMEOUT": "20"},
			wantErr: []string{`COHOST_DROP_TIMEOUT: invalid duration "20"`}},
		{name: "bad int", env: map[string]string{"COHOST_MAX_USERS_PER_CHANNEL": "lots"},
			wantErr: []string{`COHOST_MAX_USERS_PER_CHANNEL: invalid integer "lots"`}},
		{name: "bad bool", env: map[string]string{"COHOST_PPROF": "yes please"},
			wantErr: []string{`COHOST_PPROF: invalid boolean "yes please"`}},
		{name: "every error reported", env: map[string]string{"COHOST_MEDIA_PORT": "x", "COHOST_KEEPALIVE": "y"},
			wantErr: []string{"COHOST_MEDIA_PORT", "COHOST_KEEPALIVE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Default()
			err := ApplyEnv(&got, env(tt.env))
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("ApplyEnv: no error, want %q", tt.wantErr)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("ApplyEnv error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ApplyEnv: %v", err)
			}
			want := Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ApplyEnv:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestEveryEnvVar checks that each setting's variable reaches its field.
func TestEveryEnvVar(t *testing.T) {
	samples := map[kind]string{kindString: "x", kindInt: "12345", kindBool: "true", kindDuration: "1h2m3s"}
	for _, s := range settings {
		c := Default()
		if s.kind == kindBool {
			// Start from the opposite so that a change shows.
			s.assign(&c, false)
		}
		if err := ApplyEnv(&c, env(map[string]string{s.env: samples[s.kind]})); err != nil {
			t.Fatalf("%s: %v", s.env, err)
		}
		if got := s.format(&c); got != samples[s.kind] {
			t.Errorf("%s: %s = %q, want %q", s.env, s.key, got, samples[s.kind])
		}
	}
}

func newFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("cohost", pflag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	bound := Default()
	BindFlags(fs, &bound)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return fs
}

func TestFlagNames(t *testing.T) {
	want := []string{
		"config", "listen", "media-port", "media-tcp", "advertise-ip", "pion-downstream", "congestion-pause", "data-dir", "tls-cert", "tls-key",
		"app-id", "app-certificate", "allow-testing-mode", "dev-tokens", "pprof", "log-level", "log-format",
		"drop-timeout", "keepalive", "token-warning", "shutdown-grace", "keyframe-interval", "request-timeout", "relay-min-interval",
		"max-users-per-channel", "max-hosts-per-channel", "max-channels", "max-tracks-per-user",
		"max-message-bytes", "max-subscriptions-per-user", "max-requests-per-second", "max-relay-destinations",
		"acme-domain", "acme-email", "acme-directory-url", "acme-cache-dir", "acme-http-listen", "acme-ca-file",
		"join-timeout", "max-connections", "max-connections-per-ip", "trusted-proxies", "allow-private-candidates",
	}
	want = append(want, rtmFlagNames...)
	want = append(want, "allowed-origins", "dev-tokens-per-second", "metrics-token", "metrics-listen")
	want = append(want, "turn", "turn-port", "turn-tls", "turn-secret", "turn-credential-ttl", "turn-relay-ip",
		"turn-allowed-peers", "turn-host", "turn-max-allocations", "turn-urls", "turn-username", "turn-credential")
	fs := newFlags(t)
	fs.SortFlags = false
	var got []string
	fs.VisitAll(func(f *pflag.Flag) { got = append(got, f.Name) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flags:\n got %q\nwant %q", got, want)
	}
	// Options lists the same flags, in the same order.
	var fromOptions []string
	for _, o := range Options() {
		if o.Flag != "" {
			fromOptions = append(fromOptions, o.Flag)
		}
	}
	if !reflect.DeepEqual(fromOptions, want) {
		t.Errorf("Options flags:\n got %q\nwant %q", fromOptions, want)
	}
}

func TestFlagHelp(t *testing.T) {
	fs := newFlags(t)
	usage := fs.FlagUsages()
	d := Default()
	for _, s := range settings {
		f := fs.Lookup(s.flag)
		if !strings.Contains(f.Usage, "env "+s.env) {
			t.Errorf("--%s help %q does not name %s", s.flag, f.Usage, s.env)
		}
		if def := s.format(&d); def != "" && def != "false" && def != "0" && !strings.Contains(usage, "(default "+def) &&
			!strings.Contains(usage, `(default "`+def+`")`) {
			t.Errorf("--%s help does not state its default %s", s.flag, def)
		}
	}
	for _, want := range []string{"COHOST_CONFIG", "COHOST_APP_ID", "COHOST_APP_CERTIFICATE", "--drop-timeout duration", "(default 20s)", "(default true)"} {
		if !strings.Contains(usage, want) {
			t.Errorf("flag usages do not contain %q:\n%s", want, usage)
		}
	}
}

func TestBindFlagsWritesBoundConfig(t *testing.T) {
	fs := pflag.NewFlagSet("cohost", pflag.ContinueOnError)
	c := Default()
	BindFlags(fs, &c)
	if err := fs.Parse([]string{"--media-port", "1234", "--pprof", "--dev-tokens=false", "--app-id", id1, "--app-certificate", cert1}); err != nil {
		t.Fatal(err)
	}
	if c.MediaPort != 1234 || !c.Pprof || c.DevTokens || !reflect.DeepEqual(c.Apps, []App{{ID: id1, Certificate: cert1}}) {
		t.Errorf("bound config = %+v", c)
	}
}

func TestFlagParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--drop-timeout", "20"},
		{"--max-channels", "1.5"},
		{"--pprof=maybe"},
	} {
		fs := pflag.NewFlagSet("cohost", pflag.ContinueOnError)
		fs.SetOutput(new(strings.Builder))
		c := Default()
		BindFlags(fs, &c)
		err := fs.Parse(args)
		if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(strings.SplitN(args[0], "=", 2)[0], "--")) {
			t.Errorf("Parse(%q) error = %v, want one naming the flag", args, err)
		}
	}
}

// TestPrecedence checks defaults < file < environment < flags, one setting
// at a time, with every combination of sources.
func TestPrecedence(t *testing.T) {
	file := writeFile(t, `
listen: 127.0.0.1:1001
mediaPort: 1001
pprof: true
timers:
  dropTimeout: 11s
limits:
  maxChannels: 11
`)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(c *Config)
	}{
		{name: "defaults only", want: func(*Config) {}},
		{name: "file via COHOST_CONFIG", env: map[string]string{"COHOST_CONFIG": file}, want: func(c *Config) {
			c.Listen, c.MediaPort, c.Pprof = "127.0.0.1:1001", 1001, true
			c.Timers.DropTimeout, c.Limits.MaxChannels = 11*time.Second, 11
		}},
		{name: "file via --config", args: []string{"--config", file}, want: func(c *Config) {
			c.Listen, c.MediaPort, c.Pprof = "127.0.0.1:1001", 1001, true
			c.Timers.DropTimeout, c.Limits.MaxChannels = 11*time.Second, 11
		}},
		{name: "--config wins over COHOST_CONFIG", env: map[string]string{"COHOST_CONFIG": "/does/not/exist.yaml"},
			args: []string{"--config=" + file}, want: func(c *Config) {
				c.Listen, c.MediaPort, c.Pprof = "127.0.0.1:1001", 1001, true
				c.Timers.DropTimeout, c.Limits.MaxChannels = 11*time.Second, 11
			}},
		{name: "env over file", env: map[string]string{
			"COHOST_CONFIG": file, "COHOST_MEDIA_PORT": "2002", "COHOST_DROP_TIMEOUT": "22s", "COHOST_PPROF": "false",
		}, want: func(c *Config) {
			c.Listen, c.MediaPort, c.Pprof = "127.0.0.1:1001", 2002, false
			c.Timers.DropTimeout, c.Limits.MaxChannels = 22*time.Second, 11
		}},
		{name: "flags over env over file", env: map[string]string{
			"COHOST_CONFIG": file, "COHOST_MEDIA_PORT": "2002", "COHOST_DROP_TIMEOUT": "22s", "COHOST_MAX_CHANNELS": "22",
		}, args: []string{"--media-port", "3003", "--max-channels=33"}, want: func(c *Config) {
			c.Listen, c.MediaPort, c.Pprof = "127.0.0.1:1001", 3003, true
			c.Timers.DropTimeout, c.Limits.MaxChannels = 22*time.Second, 33
		}},
		{name: "flag set to the default value still wins", env: map[string]string{
			"COHOST_CONFIG": file, "COHOST_MEDIA_PORT": "2002",
		}, args: []string{"--media-port", "7801", "--pprof=false", "--drop-timeout", "20s"}, want: func(c *Config) {
			c.Listen, c.MediaPort, c.Pprof = "127.0.0.1:1001", 7801, false
			c.Timers.DropTimeout, c.Limits.MaxChannels = 20*time.Second, 11
		}},
		{name: "bool flag without value", env: map[string]string{"COHOST_PPROF": "false"}, args: []string{"--pprof"},
			want: func(c *Config) { c.Pprof = true }},
		{name: "unset flags change nothing", env: map[string]string{"COHOST_LISTEN": "127.0.0.1:4004"}, args: []string{"--pprof"},
			want: func(c *Config) { c.Listen, c.Pprof = "127.0.0.1:4004", true }},
		{name: "last flag wins", args: []string{"--max-channels", "1", "--max-channels", "2"},
			want: func(c *Config) { c.Limits.MaxChannels = 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlags(t, tt.args...)
			got, err := Resolve(fs, env(tt.env))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			want := Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Resolve:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestPrecedenceApps(t *testing.T) {
	file := writeFile(t, "apps:\n  - id: "+id1+"\n    certificate: "+cert1+"\n  - id: "+id2+"\n")
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    []App
		wantErr string
	}{
		{name: "file apps", want: []App{{ID: id1, Certificate: cert1}, {ID: id2}}},
		{name: "env app replaces file apps", env: map[string]string{"COHOST_APP_ID": id2, "COHOST_APP_CERTIFICATE": cert2},
			want: []App{{ID: id2, Certificate: cert2}}},
		{name: "flag app replaces env app", env: map[string]string{"COHOST_APP_ID": id2, "COHOST_APP_CERTIFICATE": cert2},
			args: []string{"--app-id", id1, "--app-certificate", cert1}, want: []App{{ID: id1, Certificate: cert1}}},
		{name: "flag app without certificate", env: map[string]string{"COHOST_APP_ID": id2, "COHOST_APP_CERTIFICATE": cert2},
			args: []string{"--app-id", id1}, want: []App{{ID: id1}}},
		{name: "flag certificate alone", args: []string{"--app-certificate", cert1},
			wantErr: "--app-certificate is set without --app-id"},
		{name: "env certificate alone", env: map[string]string{"COHOST_APP_CERTIFICATE": cert2},
			wantErr: "COHOST_APP_CERTIFICATE is set without COHOST_APP_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlags(t, append([]string{"--config", file}, tt.args...)...)
			got, err := Resolve(fs, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if !reflect.DeepEqual(got.Apps, tt.want) {
				t.Errorf("apps = %+v, want %+v", got.Apps, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	bad := writeFile(t, "nope: 1\n")
	for _, tt := range []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{name: "missing file", args: []string{"--config", "/does/not/exist.yaml"}, wantErr: "exist.yaml"},
		{name: "bad file", env: map[string]string{"COHOST_CONFIG": bad}, wantErr: `unknown key "nope"`},
		{name: "bad env", env: map[string]string{"COHOST_KEEPALIVE": "often"}, wantErr: "environment: COHOST_KEEPALIVE: invalid duration"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(newFlags(t, tt.args...), env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Resolve error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestResolveNilFlags(t *testing.T) {
	got, err := Resolve(nil, env(map[string]string{"COHOST_MAX_CHANNELS": "5"}))
	if err != nil || got.Limits.MaxChannels != 5 {
		t.Fatalf("Resolve(nil) = %+v, %v", got.Limits, err)
	}
}

func TestOptions(t *testing.T) {
	opts := Options()
	keys := map[string]bool{}
	for _, o := range opts {
		if o.Key != "" {
			if keys[o.Key] {
				t.Errorf("key %s listed twice", o.Key)
			}
			keys[o.Key] = true
		}
		if o.Flag != "" && o.Env == "" {
			t.Errorf("--%s has no environment variable", o.Flag)
		}
	}
	// Every yaml key of Config is an option.
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, prefix string) {
		for name, ft := range yamlFields(typ) {
			key := prefix + name
			switch {
			case ft.Kind() == reflect.Struct:
				walk(ft, key+".")
			case ft.Kind() == reflect.Slice:
				walk(ft.Elem(), key+"[].")
			default:
				if !keys[key] {
					t.Errorf("YAML key %s is missing from Options", key)
				}
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
}
