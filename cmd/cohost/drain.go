package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cohost-rtc/cohost/internal/server"
)

func newDrainCmd(getenv func(string) string) *cobra.Command {
	var url, token string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "drain",
		Short: "Drain a running node: move its members to other nodes, then stop it",
		Long: `Ask a running cohost node to drain, as SIGTERM does: it takes no new members
(joins go to other nodes, placement skips it), moves its RTC members to
other nodes of the cluster (their SDKs join again there with their uid and
role, hosts publish again), releases its channels, ends its RTM sessions
(their SDKs reconnect through another node) and exits 0, within its
cluster.drainTimeout. A single node just shuts down.

--url is where the node serves /metrics: its listen address, or
security.metricsListen when set. Off loopback the request needs the metrics
token (--metrics-token or COHOST_METRICS_TOKEN). With --wait, the command
waits until the node no longer answers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				token = getenv("COHOST_METRICS_TOKEN")
			}
			return runDrain(cmd.Context(), cmd.OutOrStdout(), url, token, wait)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&url, "url", "http://127.0.0.1:7800", "base URL where the node serves /metrics (listen, or security.metricsListen)")
	fs.StringVar(&token, "metrics-token", "", "the node's security.metricsToken (default $COHOST_METRICS_TOKEN)")
	fs.DurationVar(&wait, "wait", 0, "wait up to this long for the node to stop answering (0: do not wait)")
	return cmd
}

// runDrain posts the drain request and, with wait, waits for the node to
// stop.
func runDrain(ctx context.Context, out io.Writer, base, token string, wait time.Duration) error {
	base = strings.TrimRight(base, "/")
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, base+server.DrainPath, nil)
	if err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("drain: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var st server.DrainStatus
	if err := json.Unmarshal(body, &st); err != nil {
		return fmt.Errorf("drain: undecodable answer %q: %w", body, err)
	}
	if st.Clustered {
		fmt.Fprintln(out, "draining: members move to other nodes, then the node stops")
	} else {
		fmt.Fprintln(out, "not in a cluster: the node shuts down")
	}
	if wait <= 0 {
		return nil
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		hctx, cancel := context.WithTimeout(ctx, time.Second)
		req, _ := http.NewRequestWithContext(hctx, http.MethodGet, base+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err != nil {
			fmt.Fprintln(out, "stopped")
			return nil
		}
		_ = resp.Body.Close()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("drain: the node still answers after %v", wait)
}
