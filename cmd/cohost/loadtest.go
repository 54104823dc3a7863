package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/cohost-rtc/cohost/internal/loadtest"
)

func newLoadtestCmd(getenv func(string) string) *cobra.Command {
	var cfg loadtest.Config
	var jsonPath, cpuProfile string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "Load a cohost server with channels, hosts and audience, and measure it",
		Long: `Load a running cohost server and measure it: N channels with P hosts and S
audience members each, joined through the Go SDK. Hosts publish synthetic
audio and video at the given bitrates and packet rates; with --relay every
host also relays into every other channel. After everyone joined and
received media, the test measures for --duration and reports users
connected, join and first-media times, packet rates, loss, end-to-end
latency (from the abs-capture-time header extension the hosts stamp) and
the server's CPU and memory from its /metrics.

Audience members are receive-only probes: media is counted and timed from
the RTP header, which SRTP leaves in clear, and never decrypted, so the load
tester spends less per packet than the server.

--baseline also measures the least work any SFU must do for the same
traffic (SRTP AES-128-GCM encryption once per subscriber and a UDP send on
loopback), once with a sendto per packet and once batched with sendmmsg as
the server sends (the true floor). The window is split into --rounds
slices; after each, the hosts pause while both baselines run, so server and
baselines alternate under the same disturbance, and the report gives the
median of the rounds' ratios with their spread. See docs/benchmarks.md.

The load tester only talks to the server at --url: signalling, tokens and
metrics go there, media only to its host's addresses. --url may list the
nodes of one cluster, separated by commas: members join through them in
turn (each given the others to fail over to, and following the cluster's
redirects among them), tokens come from the first, and the server figures
are the sum of every node's /metrics. Tokens come from
--app-id and --app-certificate, from --app-id alone for an app in testing
mode, or else from the server's development token endpoint (loopback only).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.AppID == "" {
				cfg.AppID = getenv(envAppID)
			}
			if cfg.AppCertificate == "" && cfg.AppID != "" {
				cfg.AppCertificate = getenv(envAppCertificate)
			}
			if cfg.MetricsToken == "" {
				cfg.MetricsToken = getenv("COHOST_METRICS_TOKEN")
			}
			if !quiet {
				cfg.Progress = cmd.ErrOrStderr()
				if f, ok := cfg.Progress.(*os.File); ok {
					if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
						cfg.Terminal = true
					}
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			rep, err := loadtest.Run(ctx, cfg)
			if rep != nil {
				if terr := rep.WriteTable(cmd.OutOrStdout()); terr != nil && err == nil {
					err = terr
				}
				if jsonPath != "" {
					b, jerr := json.MarshalIndent(rep, "", "  ")
					if jerr == nil {
						b = append(b, '\n')
						if jsonPath == "-" {
							_, jerr = cmd.OutOrStdout().Write(b)
						} else {
							jerr = os.WriteFile(jsonPath, b, 0o644)
						}
					}
					if jerr != nil && err == nil {
						err = fmt.Errorf("write JSON report: %w", jerr)
					}
				}
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:7800", "the server's HTTP address, or the nodes of one cluster separated by commas (members spread over them): the only servers contacted")
	fs.StringVar(&cfg.AppID, "app-id", "", "App ID (default $"+envAppID+"; none: the development token endpoint)")
	fs.StringVar(&cfg.AppCertificate, "app-certificate", "", "App Certificate to mint tokens (default $"+envAppCertificate+"; none with --app-id: testing mode)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "bearer token of the server's /metrics off loopback (default $COHOST_METRICS_TOKEN)")
	fs.IntVarP(&cfg.Channels, "channels", "n", 1, "channels")
	fs.IntVarP(&cfg.Hosts, "hosts", "p", 1, "hosts per channel, each publishing audio and video")
	fs.IntVarP(&cfg.Audience, "audience", "s", 10, "audience members per channel, subscribed to every host")
	fs.BoolVar(&cfg.Relay, "relay", false, "every host relays into every other channel (2–5 channels)")
	fs.BoolVar(&cfg.AudienceOnAnyNode, "audience-on-any-node", false, "with several --url nodes: audience members stay on the node they reach, which carries the channel's media from the channel's node (default: all sent to the channel's node)")
	fs.IntVar(&cfg.VideoKbps, "video-kbps", 1500, "video bitrate per host (0: no video)")
	fs.IntVar(&cfg.VideoPPS, "video-pps", 160, "video packets per second per host")
	fs.IntVar(&cfg.VideoFPS, "video-fps", 0, "send video in frame bursts at this frame rate (0: packets evenly spaced)")
	fs.IntVar(&cfg.AudioKbps, "audio-kbps", 32, "audio bitrate per host (0: no audio)")
	fs.IntVar(&cfg.AudioPPS, "audio-pps", 50, "audio packets per second per host")
	fs.Float64Var(&cfg.JoinRate, "join-rate", 50, "audience joins per second")
	fs.DurationVarP(&cfg.Duration, "duration", "d", 0, "measurement window after everyone joined (default 30s)")
	fs.DurationVar(&cfg.Settle, "settle", 0, "longest wait for the hosts' media to reach the server before the audience joins, and for the audience's first media after the last join (default 10s)")
	fs.BoolVar(&cfg.Baseline, "baseline", false, "also measure the SRTP-encrypt-and-send baselines (sendto and sendmmsg) for the same traffic, alternating with the server, and report the ratios")
	fs.DurationVar(&cfg.BaselineDuration, "baseline-duration", 0, "baselines' total length, each (default 10s)")
	fs.IntVar(&cfg.Rounds, "rounds", 0, "measurement slices, each followed by the baselines (default 4 with --baseline, else 1)")
	fs.StringVar(&cfg.Prefix, "prefix", "lt", "channel name prefix: <prefix>0, <prefix>1, …")
	fs.StringVar(&jsonPath, "json", "", "also write the report as JSON to this file (- for stdout)")
	fs.BoolVarP(&quiet, "quiet", "q", false, "no progress line")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write the load tester's own CPU profile to this file")
	return cmd
}
