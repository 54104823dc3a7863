package config

import (
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(c *Config)
		wantErr []string // nil: valid
	}{
		{name: "defaults", edit: func(*Config) {}},
		{name: "all interfaces", edit: func(c *Config) { c.Listen = ":7800" }},
		{name: "ipv6", edit: func(c *Config) { c.Listen = "[::1]:7800" }},
		{name: "random ports", edit: func(c *Config) { c.Listen, c.MediaPort = "127.0.0.1:0", 0 }},
		{name: "hostname", edit: func(c *Config) { c.Listen = "localhost:80" }},
		{name: "apps", edit: func(c *Config) {
			c.Apps = []App{{ID: id1, Certificate: cert1}, {ID: strings.ToUpper(id2), Certificate: strings.ToUpper(cert2)}}
		}},
		{name: "testing mode on loopback", edit: func(c *Config) { c.Apps = []App{{ID: id1}} }},
		{name: "testing mode allowed", edit: func(c *Config) {
			c.Listen, c.AllowTestingMode, c.Apps = "0.0.0.0:7800", true, []App{{ID: id1}}
		}},
		{name: "tls", edit: func(c *Config) { c.TLSCert, c.TLSKey = "c.pem", "k.pem" }},
		{name: "advertise ipv6", edit: func(c *Config) { c.AdvertiseIP = "2001:db8::1" }},
		{name: "private candidates refused", edit: func(c *Config) { c.ICE.AllowPrivateCandidates = "false" }},
		{name: "private candidates allowed", edit: func(c *Config) { c.ICE.AllowPrivateCandidates = "true" }},
		{name: "private candidates auto", edit: func(c *Config) { c.ICE.AllowPrivateCandidates = "auto" }},
		{name: "private candidates unknown", edit: func(c *Config) { c.ICE.AllowPrivateCandidates = "sometimes" },
			wantErr: []string{`ice.allowPrivateCandidates: "sometimes" is not true, false or auto`}},
		{name: "log level any case", edit: func(c *Config) { c.LogLevel, c.LogFormat = "DEBUG", "JSON" }},
		{name: "no data dir but apps", edit: func(c *Config) { c.DataDir, c.Apps = "", []App{{ID: id1, Certificate: cert1}} }},

		{name: "listen without port", edit: func(c *Config) { c.Listen = "127.0.0.1" },
			wantErr: []string{`listen: "127.0.0.1" is not host:port`}},
		{name: "listen bad port", edit: func(c *Config) { c.Listen = "127.0.0.1:http" },
			wantErr: []string{`listen: "127.0.0.1:http": port "http"`}},
		{name: "listen port too big", edit: func(c *Config) { c.Listen = ":65536" },
			wantErr: []string{"listen:", "65536"}},
		{name: "listen signed port", edit: func(c *Config) { c.Listen = ":+80" },
			wantErr: []string{"listen:"}},
		{name: "media port negative", edit: func(c *Config) { c.MediaPort = -1 },
			wantErr: []string{"mediaPort: -1 is out of range"}},
		{name: "media port too big", edit: func(c *Config) { c.MediaPort = 70000 },
			wantErr: []string{"mediaPort: 70000"}},
		{name: "short app id", edit: func(c *Config) { c.Apps = []App{{ID: "abc", Certificate: cert1}} },
			wantErr: []string{`apps[0].id: "abc" is not 32 hex characters`}},
		{name: "non-hex app id", edit: func(c *Config) { c.Apps = []App{{ID: strings.Repeat("g", 32)}} },
			wantErr: []string{"apps[0].id"}},
		{name: "bad certificate", edit: func(c *Config) { c.Apps = []App{{ID: id1, Certificate: "secret"}} },
			wantErr: []string{"apps[0].certificate: is not 32 hex characters"}},
		{name: "duplicate app", edit: func(c *Config) {
			c.Apps = []App{{ID: id1, Certificate: cert1}, {ID: id2}, {ID: strings.ToUpper(id1)}}
		}, wantErr: []string{"apps[2].id: " + strings.ToUpper(id1) + " is already apps[0].id"}},
		{name: "testing mode not on loopback", edit: func(c *Config) { c.Listen, c.Apps = ":7800", []App{{ID: id1}} },
			wantErr: []string{"apps[0].certificate: app " + id1 + " has no certificate", "allowTestingMode"}},
		{name: "tls cert alone", edit: func(c *Config) { c.TLSCert = "c.pem" },
			wantErr: []string{"tlsCert: tlsCert and tlsKey must be given together"}},
		{name: "tls key alone", edit: func(c *Config) { c.TLSKey = "k.pem" },
			wantErr: []string{"tlsKey must be given together"}},
		{name: "bad advertise ip", edit: func(c *Config) { c.AdvertiseIP = "example.com" },
			wantErr: []string{`advertiseIP: "example.com" is not an IP address`}},
		{name: "unspecified advertise ip", edit: func(c *Config) { c.AdvertiseIP = "0.0.0.0" },
			wantErr: []string{"advertiseIP:"}},
		{name: "no data dir and no apps", edit: func(c *Config) { c.DataDir = "" },
			wantErr: []string{"dataDir: must be set"}},
		{name: "zero timer", edit: func(c *Config) { c.Timers.TokenWarning = 0 },
			wantErr: []string{"timers.tokenWarning: must be positive, got 0s"}},
		{name: "negative timer", edit: func(c *Config) { c.Timers.RequestTimeout = -1 },
			wantErr: []string{"timers.requestTimeout: must be positive"}},
		{name: "keep-alive not shorter than drop timeout", edit: func(c *Config) { c.Timers.KeepAlive = c.Timers.DropTimeout },
			wantErr: []string{"timers.keepAlive: 20s must be shorter than timers.dropTimeout (20s)"}},
		{name: "zero limit", edit: func(c *Config) { c.Limits.MaxSubscriptionsPerUser = 0 },
			wantErr: []string{"limits.maxSubscriptionsPerUser: must be positive, got 0"}},
		{name: "bad log level", edit: func(c *Config) { c.LogLevel = "verbose" },
			wantErr: []string{`logLevel: "verbose" is not debug, info, warn or error`}},
		{name: "bad log format", edit: func(c *Config) { c.LogFormat = "xml" },
			wantErr: []string{`logFormat: "xml" is not text or json`}},
		{name: "every error reported", edit: func(c *Config) {
			c.MediaPort, c.Timers.DropTimeout, c.Limits.MaxChannels, c.LogFormat = -5, 0, 0, ""
		}, wantErr: []string{"mediaPort", "timers.dropTimeout", "limits.maxChannels", "logFormat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.edit(&c)
			err := c.Validate()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: no error, want %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Validate error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestLoopback(t *testing.T) {
	tests := []struct {
		listen string
		want   bool
	}{
		{"127.0.0.1:7800", true},
		{"127.1.2.3:7800", true},
		{"[::1]:7800", true},
		{"localhost:7800", true},
		{"LocalHost:7800", true},
		{"[::ffff:127.0.0.1]:7800", true},
		{":7800", false},
		{"0.0.0.0:7800", false},
		{"[::]:7800", false},
		{"192.168.1.10:7800", false},
		{"example.com:7800", false},
		{"localhost.example.com:7800", false},
		{"127.0.0.1", false}, // not host:port
	}
	for _, tt := range tests {
		c := Config{Listen: tt.listen}
		if got := c.Loopback(); got != tt.want {
			t.Errorf("Loopback(%q) = %v, want %v", tt.listen, got, tt.want)
		}
	}
}

func TestSlogLevel(t *testing.T) {
	for level, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "INFO": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError, "bogus": slog.LevelInfo,
	} {
		if got := (Config{LogLevel: level}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%q) = %v, want %v", level, got, want)
		}
	}
	if !(Config{LogFormat: "json"}).JSONLogs() || (Config{LogFormat: "text"}).JSONLogs() {
		t.Error("JSONLogs")
	}
}

func TestAppTestingMode(t *testing.T) {
	no := false
	tests := []struct {
		app         App
		testing, ca bool
	}{
		{App{ID: id1, Certificate: cert1}, false, true},
		{App{ID: id1, Certificate: cert1, CohostAuth: &no}, false, false},
		{App{ID: id1}, true, false},
	}
	for _, tt := range tests {
		if tt.app.TestingMode() != tt.testing || tt.app.CohostAuthEnabled() != tt.ca {
			t.Errorf("%+v: TestingMode %v CohostAuthEnabled %v", tt.app, tt.app.TestingMode(), tt.app.CohostAuthEnabled())
		}
	}
}

func TestValidateACME(t *testing.T) {
	ok := Default()
	ok.Listen = "0.0.0.0:443"
	ok.ACME.Domains = "live.example.com, www.example.com."
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid ACME configuration refused: %v", err)
	}
	if got, want := ok.ACME.DomainList(), []string{"live.example.com", "www.example.com"}; !reflect.DeepEqual(got, want) {
		t.Errorf("DomainList = %q, want %q", got, want)
	}
	if !ok.TLS() || ok.ACMECacheDir() != filepath.Join(ok.DataDir, "acme") {
		t.Errorf("TLS() = %v, ACMECacheDir() = %q", ok.TLS(), ok.ACMECacheDir())
	}
	if got := ok.AdvertisedURL("443"); !strings.HasPrefix(got, "https://") {
		t.Errorf("AdvertisedURL = %q, want https", got)
	}
	for name, mut := range map[string]func(c *Config){
		"acme.domains":      func(c *Config) { c.TLSCert, c.TLSKey = "a.pem", "b.pem" },
		"acme.directoryURL": func(c *Config) { c.ACME.DirectoryURL = "http://ca.example/dir" },
		"acme.httpListen":   func(c *Config) { c.ACME.HTTPListen = "80" },
		"acme.cacheDir": func(c *Config) {
			c.DataDir = ""
			c.Apps = []App{{ID: strings.Repeat("a", 32), Certificate: strings.Repeat("b", 32)}}
		},
	} {
		c := ok
		mut(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("%s: Validate() = %v, want an error naming it", name, err)
		}
	}
	for _, d := range []string{"localhost", "192.0.2.1", "*.example.com"} {
		c := ok
		c.ACME.Domains = d
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "acme.domains:") {
			t.Errorf("domain %q: Validate() = %v, want an acme.domains error", d, err)
		}
	}
}
