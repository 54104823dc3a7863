package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/server"
)

func newServeCmd(getenv func(string) string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (the default command)",
		Long:  serveLong(),
	}
	setupServe(cmd, getenv)
	return cmd
}

// setupServe makes cmd run the server: it binds every configuration flag
// and sets the action. Used for "cohost serve" and for "cohost" alone.
func setupServe(cmd *cobra.Command, getenv func(string) string) {
	cmd.Args = cobra.NoArgs
	fs := cmd.Flags()
	fs.SortFlags = false // in the order of the documentation
	defaults := config.Default()
	config.BindFlags(fs, &defaults)
	fs.String(flagReadyFile, "", "once listening, write the bound addresses (http, signalling, rtm, metrics, media) as JSON to this file, removed at exit")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return runServe(cmd.Context(), cmd, getenv)
	}
}

// serveLong is the long help of serve: precedence, YAML keys and their
// flags and variables.
func serveLong() string {
	var b strings.Builder
	b.WriteString(`Run the cohost server: HTTP and WebSocket signalling on the listen address,
all media on one UDP port.

Configuration comes from, lowest precedence first: built-in defaults, a YAML
file (--config or $COHOST_CONFIG), COHOST_* environment variables, and the
flags given on the command line. Durations are Go durations: 20s, 500ms, 1m.

With no app configured, cohost creates a development app (random App ID and
App Certificate), keeps it in <data dir>/dev-app.json for later starts and
prints it. An app without certificate is in testing mode (joins need no
token), allowed only on a loopback address unless allowTestingMode is on.

Configuration file keys, with their flag and environment variable:

`)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  YAML key\tflag\tenvironment\tdefault")
	for _, o := range config.Options() {
		key, flag, env, def := o.Key, "--"+o.Flag, o.Env, o.Default
		if key == "" {
			continue // the file itself
		}
		if o.Flag == "" {
			flag = "-"
		}
		if env == "" {
			env = "-"
		}
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", key, flag, env, def)
	}
	tw.Flush()
	b.WriteString(`
--app-id / COHOST_APP_ID (with --app-certificate / COHOST_APP_CERTIFICATE)
replace the apps of the file with that one app. --ready-file PATH writes the
bound addresses as JSON once the server listens (useful with port 0). See
docs/configuration.md.`)
	return b.String()
}

// runServe builds the configuration, starts the server and serves until ctx
// is cancelled, SIGINT/SIGTERM arrives or the node is drained (cohost
// drain). A cluster node drains before it stops; a second signal stops the
// process at once.
func runServe(ctx context.Context, cmd *cobra.Command, getenv func(string) string) error {
	cfg, err := config.Resolve(cmd.Flags(), getenv)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("invalid configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	var dev *devApp
	if len(cfg.Apps) == 0 {
		app, created, err := config.EnsureDevApp(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.Apps = []config.App{app}
		dev = &devApp{app: app, created: created, path: config.DevAppPath(cfg.DataDir)}
	}

	logger := newLogger(cfg, cmd.ErrOrStderr())
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv, err := server.New(cfg, logger)
	if err != nil {
		return err
	}
	printBanner(cmd.OutOrStdout(), cfg, srv.HTTPAddr(), srv.Endpoints(), dev)
	if path, _ := cmd.Flags().GetString(flagReadyFile); path != "" {
		if err := writeReadyFile(path, srv.Endpoints()); err != nil {
			_ = srv.Close()
			return err
		}
		defer os.Remove(path)
	}
	if !cfg.Loopback() && !cfg.TLS() {
		logger.Warn("serving plain HTTP on a non-loopback address: browsers allow camera and microphone " +
			"only on HTTPS pages or localhost; set acme.domains, or tlsCert and tlsKey, or put a TLS proxy in front")
	}

	// Serve's context ends once the shutdown is logged.
	serveCtx, cancelServe := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelServe()
	served := make(chan struct{})
	defer close(served)
	go func() {
		select {
		case <-ctx.Done():
			stop() // from now on a second signal kills the process
			if cfg.Cluster.Clustered() || cfg.NATS.URL != "" {
				logger.Info("draining: moving members to other nodes, then shutting down; interrupt again to stop at once",
					"drainTimeout", cfg.Cluster.DrainTimeout)
			} else {
				logger.Info("shutting down; interrupt again to stop at once")
			}
			cancelServe()
		case <-served:
		}
	}()
	return srv.Serve(serveCtx)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.JSONLogs() {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// devApp is the development app in use, if any.
type devApp struct {
	app     config.App
	created bool
	path    string
}

// printBanner prints where the server is reachable and, for the
// development app, its credentials: the App Certificate only while bound to
// loopback.
func printBanner(w io.Writer, cfg config.Config, httpAddr net.Addr, e server.Endpoints, dev *devApp) {
	fmt.Fprintf(w, "cohost %s\n", moduleVersion())
	if ip := addrIP(httpAddr); ip != nil && ip.IsUnspecified() {
		fmt.Fprintf(w, "  Listening:   %s (every interface)\n", httpAddr)
	}
	fmt.Fprintf(w, "  Demo page:   %s/\n", e.HTTP)
	fmt.Fprintf(w, "  Signalling:  %s\n", e.Signalling)
	fmt.Fprintf(w, "  Messaging:   %s\n", e.RTM)
	fmt.Fprintf(w, "  Metrics:     %s\n", e.Metrics)
	media := e.Media
	if e.MediaAdvertised != "" {
		media += " (advertised as " + e.MediaAdvertised + ")"
	}
	fmt.Fprintf(w, "  Media (UDP): %s\n", media)
	if e.TURN != "" {
		tls := ""
		if cfg.TLS() && cfg.TURN.TLS {
			tls = "; TLS on the HTTPS port"
		}
		fmt.Fprintf(w, "  TURN:        %s (UDP and TCP%s)\n", e.TURN, tls)
	}

	if dev != nil {
		verb := "kept in"
		if dev.created {
			verb = "created in"
		}
		fmt.Fprintf(w, "\nDevelopment app (%s %s):\n", verb, dev.path)
		fmt.Fprintf(w, "  App ID:          %s\n", dev.app.ID)
		if cfg.Loopback() {
			fmt.Fprintf(w, "  App Certificate: %s\n", dev.app.Certificate)
		} else {
			// Off loopback the banner may end up in shared logs.
			fmt.Fprintf(w, "  App Certificate: (not printed off loopback; see %s)\n", dev.path)
		}
	} else {
		fmt.Fprintln(w, "\nApps:")
		for _, a := range cfg.Apps {
			mode := ""
			if a.TestingMode() {
				mode = " (testing mode: no token needed)"
			}
			fmt.Fprintf(w, "  App ID:          %s%s\n", a.ID, mode)
		}
	}
	if cfg.DevTokens && cfg.Loopback() {
		fmt.Fprintf(w, "  Dev token:       %s/v1/dev/token?channel=test&uid=0\n", e.HTTP)
	}
	fmt.Fprintln(w)
}

func addrIP(a net.Addr) net.IP {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP
	case *net.UDPAddr:
		return a.IP
	}
	return nil
}
