package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
)

// LetsEncryptURL is the ACME directory of Let's Encrypt's production CA,
// the default of ACME.DirectoryURL.
const LetsEncryptURL = "https://acme-v02.api.letsencrypt.org/directory"

// ACME configures automatic TLS certificates: with Domains set, the server
// obtains a certificate for them from an ACME CA (Let's Encrypt by default)
// on the first TLS handshake naming one, keeps it in CacheDir and renews it
// before it expires. TLS-ALPN-01 challenges are answered on the listen
// address (it must be port 443 as the CA sees it); HTTP-01 challenges on
// HTTPListen when set (port 80 as the CA sees it).
type ACME struct {
	// Domains are the host names, comma-separated, the certificate is for.
	// Handshakes naming another host are refused.
	Domains string `yaml:"domains"`
	// Email is the contact address given to the CA (optional).
	Email string `yaml:"email"`
	// DirectoryURL is the ACME directory of the CA.
	DirectoryURL string `yaml:"directoryURL"`
	// CacheDir keeps the account key and the certificates across restarts;
	// empty means <dataDir>/acme.
	CacheDir string `yaml:"cacheDir"`
	// HTTPListen, when set, serves HTTP-01 challenges there and redirects
	// every other plain HTTP request to HTTPS.
	HTTPListen string `yaml:"httpListen"`
	// CAFile is a PEM file of roots trusted for the ACME directory's HTTPS,
	// for a private CA; empty trusts the system's roots.
	CAFile string `yaml:"caFile"`
}

// DefaultACME returns the ACME defaults: off, Let's Encrypt when on.
func DefaultACME() ACME { return ACME{DirectoryURL: LetsEncryptURL} }

// Enabled reports whether certificates are obtained automatically.
func (a ACME) Enabled() bool { return strings.TrimSpace(a.Domains) != "" }

// DomainList returns Domains split on commas, trimmed, without empties.
func (a ACME) DomainList() []string {
	var out []string
	for _, d := range strings.Split(a.Domains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, strings.ToLower(strings.TrimSuffix(d, ".")))
		}
	}
	return out
}

// ACMECacheDir is where ACME state is kept: acme.cacheDir, else
// <dataDir>/acme.
func (c Config) ACMECacheDir() string {
	if c.ACME.CacheDir != "" {
		return c.ACME.CacheDir
	}
	return filepath.Join(c.DataDir, "acme")
}

// TLS reports whether the server serves HTTPS and WSS: certificate files
// or ACME.
func (c Config) TLS() bool { return c.TLSCert != "" || c.ACME.Enabled() }

func (c Config) validateACME() error {
	if !c.ACME.Enabled() {
		return nil
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.TLSCert != "" {
		bad("acme.domains", "set together with tlsCert: use certificate files or ACME, not both")
	}
	for _, d := range c.ACME.DomainList() {
		if net.ParseIP(d) != nil || strings.ContainsAny(d, " /:*") || !strings.Contains(d, ".") {
			bad("acme.domains", "%q is not a fully qualified host name", d)
		}
	}
	if u, err := url.Parse(c.ACME.DirectoryURL); err != nil || u.Scheme != "https" || u.Host == "" {
		bad("acme.directoryURL", "%q is not an https URL", c.ACME.DirectoryURL)
	}
	if c.ACME.CacheDir == "" && c.DataDir == "" {
		bad("acme.cacheDir", "must be set when dataDir is empty")
	}
	if c.ACME.HTTPListen != "" {
		if _, _, err := net.SplitHostPort(c.ACME.HTTPListen); err != nil {
			bad("acme.httpListen", "%q is not host:port (e.g. :80)", c.ACME.HTTPListen)
		}
	}
	return errors.Join(errs...)
}

func init() {
	settings = append(settings, acmeSettings()...)
}

func acmeSettings() []setting {
	return []setting{
		{"acme.domains", "acme-domain", "COHOST_ACME_DOMAIN", kindString,
			"host names (comma-separated) to obtain and renew a TLS certificate for from an ACME CA; turns on HTTPS and WSS",
			func(c *Config) any { return &c.ACME.Domains }},
		{"acme.email", "acme-email", "COHOST_ACME_EMAIL", kindString,
			"contact e-mail address given to the ACME CA",
			func(c *Config) any { return &c.ACME.Email }},
		{"acme.directoryURL", "acme-directory-url", "COHOST_ACME_DIRECTORY_URL", kindString,
			"ACME directory URL of the CA",
			func(c *Config) any { return &c.ACME.DirectoryURL }},
		{"acme.cacheDir", "acme-cache-dir", "COHOST_ACME_CACHE_DIR", kindString,
			"directory keeping the ACME account key and certificates (default <dataDir>/acme)",
			func(c *Config) any { return &c.ACME.CacheDir }},
		{"acme.httpListen", "acme-http-listen", "COHOST_ACME_HTTP_LISTEN", kindString,
			"host:port answering HTTP-01 challenges and redirecting plain HTTP to HTTPS (e.g. :80); empty: TLS-ALPN-01 only",
			func(c *Config) any { return &c.ACME.HTTPListen }},
		{"acme.caFile", "acme-ca-file", "COHOST_ACME_CA_FILE", kindString,
			"PEM roots trusted for the ACME directory's HTTPS (a private CA); default: the system's",
			func(c *Config) any { return &c.ACME.CAFile }},
	}
}
