package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/cohost-rtc/cohost/internal/config"
)

// tlsSetup is how the server serves TLS: nothing, certificate files, or
// ACME (an autocert manager, with an optional HTTP-01 listener).
type tlsSetup struct {
	config *tls.Config
	// acmeLn and acmeSrv answer HTTP-01 challenges (acme.httpListen).
	acmeLn  net.Listener
	acmeSrv *http.Server
	// acmeTransport carries the requests to the CA.
	acmeTransport *http.Transport
}

// newTLS builds the TLS configuration of cfg and binds the HTTP-01
// listener if one is configured.
func newTLS(cfg config.Config, logger *slog.Logger) (*tlsSetup, error) {
	switch {
	case cfg.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("server: TLS certificate: %w", err)
		}
		return &tlsSetup{config: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}, nil
	case cfg.ACME.Enabled():
		return newACME(cfg, logger)
	}
	return &tlsSetup{}, nil
}

// newACME returns a TLS setup whose certificates come from the ACME CA of
// cfg.ACME: obtained on the first handshake naming one of its domains,
// cached in the ACME cache directory, renewed before they expire.
func newACME(cfg config.Config, logger *slog.Logger) (*tlsSetup, error) {
	dir := cfg.ACMECacheDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server: ACME cache directory: %w", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.ACME.CAFile != "" {
		pem, err := os.ReadFile(cfg.ACME.CAFile)
		if err != nil {
			return nil, fmt.Errorf("server: acme.caFile: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("server: acme.caFile %s: %w", cfg.ACME.CAFile, ErrNoCertificates)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	allowed := autocert.HostWhitelist(cfg.ACME.DomainList()...)
	m := &autocert.Manager{
		Prompt: autocert.AcceptTOS,
		// HTTP-01 requests name the host with the port when the CA
		// validates on another port than 80 (a private CA): ignore it.
		HostPolicy: func(ctx context.Context, host string) error {
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			return allowed(ctx, host)
		},
		Cache: autocert.DirCache(dir),
		Email: cfg.ACME.Email,
		Client: &acme.Client{
			DirectoryURL: cfg.ACME.DirectoryURL,
			HTTPClient:   &http.Client{Transport: transport, Timeout: time.Minute},
			UserAgent:    "cohost",
		},
	}
	ts := &tlsSetup{config: m.TLSConfig(), acmeTransport: transport}
	ts.config.MinVersion = tls.VersionTLS12
	getCert := ts.config.GetCertificate
	ts.config.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := getCert(hello)
		if err != nil {
			logger.Warn("ACME certificate", "serverName", hello.ServerName, "err", err)
		}
		return c, err
	}
	if cfg.ACME.HTTPListen != "" {
		ln, err := net.Listen("tcp", cfg.ACME.HTTPListen)
		if err != nil {
			return nil, fmt.Errorf("server: acme.httpListen: %w", err)
		}
		ts.acmeLn = ln
		// A nil fallback redirects every other request to HTTPS.
		ts.acmeSrv = &http.Server{Handler: m.HTTPHandler(nil), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug)}
	}
	return ts, nil
}

// serveACMEHTTP serves HTTP-01 challenges until the listener closes.
func (t *tlsSetup) serveACMEHTTP() error {
	if t.acmeSrv == nil {
		return nil
	}
	err := t.acmeSrv.Serve(t.acmeLn)
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// close stops the HTTP-01 listener and the idle connections to the CA.
func (t *tlsSetup) close() {
	if t.acmeTransport != nil {
		t.acmeTransport.CloseIdleConnections()
	}
	if t.acmeSrv != nil {
		_ = t.acmeSrv.Close()
	}
	if t.acmeLn != nil {
		_ = t.acmeLn.Close()
	}
}

// ACMEHTTPAddr is the bound HTTP-01 challenge address, or nil.
func (s *Server) ACMEHTTPAddr() net.Addr {
	if s.tls == nil || s.tls.acmeLn == nil {
		return nil
	}
	return s.tls.acmeLn.Addr()
}
