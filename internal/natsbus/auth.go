package natsbus

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// Credentials authenticate NATS clients. At most one kind is set: a
// token, a user with its password, or an NKey seed file; CredsFile (a
// JWT .creds file) is for an external NATS only.
type Credentials struct {
	Token        string
	User         string
	Password     string
	NKeySeedFile string
	CredsFile    string
}

// empty reports whether no credential is set.
func (c Credentials) empty() bool {
	return c.Token == "" && c.User == "" && c.Password == "" && c.NKeySeedFile == "" && c.CredsFile == ""
}

// check refuses a mix of kinds and a user without password.
func (c Credentials) check() error {
	kinds := 0
	for _, set := range []bool{c.Token != "", c.User != "" || c.Password != "", c.NKeySeedFile != "", c.CredsFile != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return fmt.Errorf("%w: give one of token, user and password, NKey seed, creds file", ErrCredentials)
	case (c.User == "") != (c.Password == ""):
		return fmt.Errorf("%w: user and password go together", ErrCredentials)
	}
	return nil
}

// clientOptions are the nats.go options presenting c.
func (c Credentials) clientOptions() ([]nats.Option, error) {
	switch {
	case c.Token != "":
		return []nats.Option{nats.Token(c.Token)}, nil
	case c.User != "":
		return []nats.Option{nats.UserInfo(c.User, c.Password)}, nil
	case c.NKeySeedFile != "":
		o, err := nats.NkeyOptionFromSeed(c.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("natsbus: NKey seed: %w", err)
		}
		return []nats.Option{o}, nil
	case c.CredsFile != "":
		return []nats.Option{nats.UserCredentials(c.CredsFile)}, nil
	}
	return nil, nil
}

// serverOptions makes the embedded server require c from every client.
func (c Credentials) serverOptions(o *server.Options) error {
	switch {
	case c.Token != "":
		o.Authorization = c.Token
	case c.User != "":
		o.Username, o.Password = c.User, c.Password
	case c.NKeySeedFile != "":
		seed, err := os.ReadFile(c.NKeySeedFile)
		if err != nil {
			return fmt.Errorf("natsbus: NKey seed: %w", err)
		}
		kp, err := nkeys.ParseDecoratedNKey(seed)
		if err != nil {
			return fmt.Errorf("natsbus: NKey seed %s: %w", c.NKeySeedFile, err)
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return fmt.Errorf("natsbus: NKey seed %s: %w", c.NKeySeedFile, err)
		}
		o.Nkeys = []*server.NkeyUser{{Nkey: pub}}
	case c.CredsFile != "":
		return fmt.Errorf("%w: a creds file is for an external NATS; the embedded server takes a token, user and password, or NKey seed", ErrCredentials)
	default:
		return fmt.Errorf("%w: the embedded server never runs without credentials", ErrCredentials)
	}
	return nil
}

// TLS is the NATS TLS setting: for an embedded server, its certificate
// for clients and routes (CA then verifies the peers' route
// certificates); for a client, the CA that signed the server's
// certificate and an optional client certificate.
type TLS struct {
	Cert, Key, CA string
}

func (t TLS) enabled() bool { return t.Cert != "" || t.CA != "" }

func (t TLS) pool() (*x509.CertPool, error) {
	if t.CA == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(t.CA)
	if err != nil {
		return nil, fmt.Errorf("natsbus: TLS CA: %w", err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("natsbus: TLS CA %s holds no PEM certificate", t.CA)
	}
	return p, nil
}

// serverConfigs are the embedded server's TLS configurations for clients
// and for routes (nil, nil without a certificate).
func (t TLS) serverConfigs() (clients, routes *tls.Config, err error) {
	if t.Cert == "" {
		return nil, nil, nil
	}
	cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("natsbus: TLS certificate: %w", err)
	}
	pool, err := t.pool()
	if err != nil {
		return nil, nil, err
	}
	clients = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	routes = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, RootCAs: pool, ClientCAs: pool}
	if pool != nil {
		routes.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return clients, routes, nil
}

// clientOptions are the nats.go options of t.
func (t TLS) clientOptions() ([]nats.Option, error) {
	if !t.enabled() {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	pool, err := t.pool()
	if err != nil {
		return nil, err
	}
	cfg.RootCAs = pool
	if t.Cert != "" {
		cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, fmt.Errorf("natsbus: TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return []nats.Option{nats.Secure(cfg)}, nil
}

// EnsureServerName returns the embedded server's name kept in
// storeDir/server-name, creating it ("cohost-" and 12 random hex digits)
// on first use: JetStream knows its cluster peers by name, so a node keeps
// its name across restarts.
func EnsureServerName(storeDir string) (string, error) {
	return ensureFile(filepath.Join(storeDir, "server-name"), "cohost-", 6)
}

// EnsureToken returns the token kept in path, creating it (32 random
// bytes, hex, mode 0600) on first use: the embedded server of a single node
// without configured credentials uses it, so it keeps the same token
// across restarts and external tools can read it.
func EnsureToken(path string) (string, error) { return ensureFile(path, "", 32) }

// ensureFile returns the text kept in path, creating it (prefix and n
// random bytes in hex, mode 0600) on first use.
func ensureFile(path, prefix string, n int) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		tok := strings.TrimSpace(string(b))
		if len(tok) < len(prefix)+12 {
			return "", fmt.Errorf("natsbus: %s holds fewer than %d characters", path, len(prefix)+12)
		}
		return tok, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("natsbus: %s: %w", path, err)
	}
	raw := make([]byte, n)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("natsbus: %s: %w", path, err)
	}
	tok := prefix + hex.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("natsbus: %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ensureFile(path, prefix, n) // created meanwhile by another process
		}
		return "", fmt.Errorf("natsbus: %s: %w", path, err)
	}
	_, werr := f.WriteString(tok + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", fmt.Errorf("natsbus: %s: %w", path, werr)
	}
	return tok, nil
}
