package loadtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a load test measured. Rates, loss, latency and server
// figures cover the measurement window, after every audience member joined
// and received media.
type Report struct {
	Config ReportConfig `json:"config"`
	Users  struct {
		Hosts             int `json:"hosts"`
		HostsJoined       int `json:"hostsJoined"`
		Audience          int `json:"audience"`
		AudienceJoined    int `json:"audienceJoined"`
		AudienceReceiving int `json:"audienceReceiving"` // got every stream in the window
	} `json:"users"`
	Join       Quantiles `json:"joinMs"`       // JoinChannel call to its return
	FirstMedia Quantiles `json:"firstMediaMs"` // JoinChannel call to the first media packet
	FirstVideo Quantiles `json:"firstVideoMs"` // JoinChannel call to the first video packet
	Window     struct {
		Seconds float64 `json:"seconds"`
	} `json:"window"`
	Client struct {
		SentPacketsPerSec      float64 `json:"sentPacketsPerSecond"`
		SentBytesPerSec        float64 `json:"sentBytesPerSecond"` // RTP header + payload
		ReceivedPacketsPerSec  float64 `json:"receivedPacketsPerSecond"`
		ReceivedBytesPerSec    float64 `json:"receivedBytesPerSecond"` // SRTP packets as received
		CPUSeconds             float64 `json:"cpuSeconds"`
		NsCPUPerReceivedPacket float64 `json:"nsCpuPerReceivedPacket"`
	} `json:"client"`
	Loss struct {
		Expected uint64  `json:"expected"`
		Received uint64  `json:"received"`
		Lost     uint64  `json:"lost"`
		Percent  float64 `json:"percent"`
	} `json:"loss"`
	// Latency: abs-capture-time stamped by the publishing SDK to the probe's
	// receive time, both on this machine's clock.
	Latency struct {
		Samples   uint64  `json:"samples"`
		Unstamped uint64  `json:"unstamped"`
		P50Ms     float64 `json:"p50"`
		P99Ms     float64 `json:"p99"`
		P999Ms    float64 `json:"p999"`
		MaxMs     float64 `json:"max"`
		MeanMs    float64 `json:"mean"`
	} `json:"latencyMs"`
	Server struct {
		CPUSeconds              float64 `json:"cpuSeconds"`
		CPUPercent              float64 `json:"cpuPercent"` // of one core
		RSSIdleMB               float64 `json:"rssIdleMB"`
		RSSMB                   float64 `json:"rssMB"`
		RSSPerAudienceKB        float64 `json:"rssPerAudienceKB"`
		PacketsInPerSec         float64 `json:"packetsInPerSecond"`
		PacketsOutPerSec        float64 `json:"packetsOutPerSecond"`
		BytesInPerSec           float64 `json:"bytesInPerSecond"`
		BytesOutPerSec          float64 `json:"bytesOutPerSecond"`
		NsCPUPerForwardedPacket float64 `json:"nsCpuPerForwardedPacket"`
		NACKs                   float64 `json:"nacks"`
		PLIs                    float64 `json:"plis"`
		Retransmits             float64 `json:"retransmits"`
		WriteErrors             float64 `json:"writeErrors"`
		EgressDropped           float64 `json:"egressDropped"` // subscribers' full send queues
		// Nodes, with several URLs, is each node's share, in their order.
		Nodes []NodeTraffic `json:"nodes,omitempty"`
	} `json:"server"`
	// Kernel UDP counters of the whole machine over the window (meaningful
	// when the server runs on this machine).
	Kernel UDPStats `json:"kernelUdp"`
	// Machine is this machine's CPU use over the window, in cores: all of
	// it, and what neither the server nor the load tester used (other
	// processes disturb a measurement on a small machine).
	Machine struct {
		Cores     int     `json:"cores"`
		BusyCores float64 `json:"busyCores"`
		Others    float64 `json:"otherProcessesCores"`
	} `json:"machine"`

	Errors      int      `json:"errors"`
	FirstErrors []string `json:"firstErrors,omitempty"`
	// Baseline and BatchedBaseline sum the baselines' rounds: one sendto
	// per packet, and sendmmsg batches as the server sends them (the true
	// floor).
	Baseline        *BaselineResult `json:"baseline,omitempty"`
	BatchedBaseline *BaselineResult `json:"batchedBaseline,omitempty"`
	// Rounds are the alternating measurements: each server slice and the
	// baselines measured right after it.
	Rounds []Round `json:"rounds,omitempty"`
	// Ratio and RatioBatched are the medians over the rounds of the
	// server's CPU per forwarded packet over each baseline's; the spread
	// is the smallest and largest round.
	Ratio              float64    `json:"ratioToBaseline,omitempty"`
	RatioBatched       float64    `json:"ratioToBatchedBaseline,omitempty"`
	RatioSpread        [2]float64 `json:"ratioToBaselineSpread,omitzero"`
	RatioBatchedSpread [2]float64 `json:"ratioToBatchedBaselineSpread,omitzero"`
}

// Round is one server slice and the two baselines measured after it.
type Round struct {
	ServerNsPerPacket   float64 `json:"serverNsPerPacket"`
	BaselineNsPerPacket float64 `json:"baselineNsPerPacket"`
	BatchedNsPerPacket  float64 `json:"batchedBaselineNsPerPacket"`
	baseline, batched   *BaselineResult
}

// summariseRounds sums the rounds' baselines and takes the median ratios.
func (rep *Report) summariseRounds() {
	var plain, batched []float64
	for _, r := range rep.Rounds {
		rep.Baseline = rep.Baseline.plus(r.baseline)
		rep.BatchedBaseline = rep.BatchedBaseline.plus(r.batched)
		if r.ServerNsPerPacket > 0 && r.BaselineNsPerPacket > 0 && r.BatchedNsPerPacket > 0 {
			plain = append(plain, r.ServerNsPerPacket/r.BaselineNsPerPacket)
			batched = append(batched, r.ServerNsPerPacket/r.BatchedNsPerPacket)
		}
	}
	rep.Ratio, rep.RatioSpread = medianSpread(plain)
	rep.RatioBatched, rep.RatioBatchedSpread = medianSpread(batched)
}

// medianSpread returns the median of xs and its smallest and largest.
func medianSpread(xs []float64) (float64, [2]float64) {
	if len(xs) == 0 {
		return 0, [2]float64{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return m, [2]float64{s[0], s[len(s)-1]}
}

// ReportConfig is the configuration a report was made with.
type ReportConfig struct {
	URL         string  `json:"url"`
	Tokens      string  `json:"tokens"`
	Channels    int     `json:"channels"`
	Hosts       int     `json:"hostsPerChannel"`
	Audience    int     `json:"audiencePerChannel"`
	Relay       bool    `json:"relay"`
	VideoKbps   int     `json:"videoKbps"`
	VideoPPS    int     `json:"videoPps"`
	VideoFPS    int     `json:"videoFps"`
	AudioKbps   int     `json:"audioKbps"`
	AudioPPS    int     `json:"audioPps"`
	VideoBytes  int     `json:"videoPayloadBytes"`
	AudioBytes  int     `json:"audioPayloadBytes"`
	JoinRate    float64 `json:"joinRate"`
	DurationSec float64 `json:"durationSeconds"`
	Started     string  `json:"started"`
}

func (c Config) reportConfig(tk *tokens) ReportConfig {
	src := "minted with the app certificate"
	switch {
	case tk.dev:
		src = "development token endpoint"
	case tk.cert == "":
		src = "none (testing mode)"
	}
	rc := ReportConfig{URL: c.URL, Tokens: src, Channels: c.Channels, Hosts: c.Hosts, Audience: c.Audience, Relay: c.Relay,
		VideoKbps: c.VideoKbps, VideoPPS: c.VideoPPS, VideoFPS: c.VideoFPS, AudioKbps: c.AudioKbps, AudioPPS: c.AudioPPS,
		JoinRate: c.JoinRate, DurationSec: c.Duration.Seconds(), Started: time.Now().UTC().Format(time.RFC3339)}
	if c.VideoKbps > 0 {
		rc.VideoBytes = c.videoPayload()
	}
	if c.AudioKbps > 0 {
		rc.AudioBytes = c.audioPayload()
	}
	return rc
}

// Quantiles of a set of durations, in milliseconds.
type Quantiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func quantilesOf(ds []time.Duration) Quantiles {
	if len(ds) == 0 {
		return Quantiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) float64 {
		i := int(q*float64(len(s))+0.5) - 1
		return ms(s[min(max(i, 0), len(s)-1)])
	}
	return Quantiles{N: len(s), P50: at(0.5), P99: at(0.99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// UDPStats are kernel UDP counters (/proc/net/snmp).
type UDPStats struct {
	RcvbufErrors uint64 `json:"rcvbufErrors"`
	SndbufErrors uint64 `json:"sndbufErrors"`
	InErrors     uint64 `json:"inErrors"`
}

// readCPUBusy returns the machine's busy CPU seconds (all CPUs) from
// /proc/stat.
func readCPUBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 7 { // steal, guest (already counted in user)
			break
		}
		x, _ := strconv.ParseFloat(v, 64)
		busy += x
	}
	return busy / 100 // USER_HZ
}

func readUDPStats() UDPStats {
	f, err := os.Open("/proc/net/snmp")
	if err != nil {
		return UDPStats{}
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "Udp:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		var s UDPStats
		for i := 1; i < len(fields) && i < len(names); i++ {
			v, _ := strconv.ParseUint(fields[i], 10, 64)
			switch names[i] {
			case "RcvbufErrors":
				s.RcvbufErrors = v
			case "SndbufErrors":
				s.SndbufErrors = v
			case "InErrors":
				s.InErrors = v
			}
		}
		return s
	}
	return UDPStats{}
}

// WriteTable writes the report as a table.
func (rep *Report) WriteTable(w io.Writer) error {
	c := rep.Config
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, a...)) }
	relay := ""
	if c.Relay {
		relay = ", mutual relays"
	}
	p("target", "%s (tokens: %s)", c.URL, c.Tokens)
	p("load", "%d channel(s) × %d host(s) × %d audience%s", c.Channels, c.Hosts, c.Audience, relay)
	media := []string{}
	if c.VideoKbps > 0 {
		burst := "evenly spaced"
		if c.VideoFPS > 0 {
			burst = fmt.Sprintf("%d fps bursts", c.VideoFPS)
		}
		media = append(media, fmt.Sprintf("video %d kbps, %d pkt/s of %d B, %s", c.VideoKbps, c.VideoPPS, c.VideoBytes, burst))
	}
	if c.AudioKbps > 0 {
		media = append(media, fmt.Sprintf("audio %d kbps, %d pkt/s of %d B", c.AudioKbps, c.AudioPPS, c.AudioBytes))
	}
	p("media per host", "%s", strings.Join(media, "; "))
	p("users connected", "hosts %d/%d, audience %d/%d joined, %d receiving every stream",
		rep.Users.HostsJoined, rep.Users.Hosts, rep.Users.AudienceJoined, rep.Users.Audience, rep.Users.AudienceReceiving)
	q := func(x Quantiles) string {
		return fmt.Sprintf("p50 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%d)", x.P50, x.P99, x.Max, x.N)
	}
	p("join time", "%s", q(rep.Join))
	p("join to first media", "%s", q(rep.FirstMedia))
	p("join to first video", "%s", q(rep.FirstVideo))
	p("window", "%.1f s", rep.Window.Seconds)
	p("client send", "%.0f pkt/s  %.2f Mbit/s", rep.Client.SentPacketsPerSec, rep.Client.SentBytesPerSec*8/1e6)
	p("client receive", "%.0f pkt/s  %.2f Mbit/s", rep.Client.ReceivedPacketsPerSec, rep.Client.ReceivedBytesPerSec*8/1e6)
	p("loss", "%.3f %%  (%d of %d packets)", rep.Loss.Percent, rep.Loss.Lost, rep.Loss.Expected)
	p("end-to-end latency", "p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms  (n=%d)",
		rep.Latency.P50Ms, rep.Latency.P99Ms, rep.Latency.P999Ms, rep.Latency.MaxMs, rep.Latency.Samples)
	s := rep.Server
	p("server packets", "in %.0f pkt/s  out %.0f pkt/s  (%.2f Mbit/s out)", s.PacketsInPerSec, s.PacketsOutPerSec, s.BytesOutPerSec*8/1e6)
	for _, n := range s.Nodes {
		p("node packets out", "%.0f pkt/s  %s", n.PacketsOutPerSec, n.URL)
	}
	p("server CPU", "%.2f s  (%.1f %% of a core)  %.0f ns per forwarded packet", s.CPUSeconds, s.CPUPercent, s.NsCPUPerForwardedPacket)
	p("server RSS", "%.1f MB (idle %.1f MB)  %.0f KB per audience member", s.RSSMB, s.RSSIdleMB, s.RSSPerAudienceKB)
	p("server feedback", "NACKs %.0f  retransmits %.0f  PLIs %.0f  write errors %.0f  dropped on full queues %.0f", s.NACKs, s.Retransmits, s.PLIs, s.WriteErrors, s.EgressDropped)
	p("load tester CPU", "%.2f s  %.0f ns per received packet", rep.Client.CPUSeconds, rep.Client.NsCPUPerReceivedPacket)
	p("kernel UDP drops", "receive buffer %d  send buffer %d", rep.Kernel.RcvbufErrors, rep.Kernel.SndbufErrors)
	p("machine CPU", "%.2f of %d cores busy, %.2f used by other processes", rep.Machine.BusyCores, rep.Machine.Cores, rep.Machine.Others)
	if b := rep.Baseline; b != nil {
		p("baseline", "%.0f ns CPU per packet (%d packets to %d receivers in %.1f s, AES-128-GCM + sendto)",
			b.NsPerPacket, b.Packets, b.Receivers, b.Seconds)
	}
	if b := rep.BatchedBaseline; b != nil {
		p("batched baseline", "%.0f ns CPU per packet (%d packets to %d receivers in %.1f s, AES-128-GCM + sendmmsg)",
			b.NsPerPacket, b.Packets, b.Receivers, b.Seconds)
	}
	if len(rep.Rounds) > 0 {
		p("server / baseline", "%.2f× (median of %d rounds, %.2f–%.2f)", rep.Ratio, len(rep.Rounds), rep.RatioSpread[0], rep.RatioSpread[1])
		p("server / batched baseline", "%.2f× (median of %d rounds, %.2f–%.2f)", rep.RatioBatched, len(rep.Rounds), rep.RatioBatchedSpread[0], rep.RatioBatchedSpread[1])
		for i, r := range rep.Rounds {
			p(fmt.Sprintf("round %d", i+1), "server %.0f ns  baseline %.0f ns  batched %.0f ns per packet", r.ServerNsPerPacket, r.BaselineNsPerPacket, r.BatchedNsPerPacket)
		}
	}
	p("errors", "%d", rep.Errors)
	for _, e := range rep.FirstErrors {
		p("", "%s", e)
	}
	return tw.Flush()
}

// BaselineResult is the least work any SFU does for the test's traffic:
// SRTP-encrypt (AES-128-GCM) each packet once per subscriber and send it
// over UDP on loopback, with no SFU logic, from one thread whose CPU time is
// measured.
type BaselineResult struct {
	Batched       bool    `json:"batched"` // sendmmsg instead of sendto
	Seconds       float64 `json:"seconds"`
	Receivers     int     `json:"receivers"`
	Packets       uint64  `json:"packets"`
	Received      uint64  `json:"received"`
	CPUSeconds    float64 `json:"cpuSeconds"`
	NsPerPacket   float64 `json:"nsPerPacket"`
	PacketsPerSec float64 `json:"packetsPerSecond"`
}

// plus sums two baseline results (either may be nil).
func (b *BaselineResult) plus(o *BaselineResult) *BaselineResult {
	switch {
	case o == nil:
		return b
	case b == nil:
		c := *o
		return &c
	}
	c := *b
	c.Seconds += o.Seconds
	c.Packets += o.Packets
	c.Received += o.Received
	c.CPUSeconds += o.CPUSeconds
	if c.Packets > 0 {
		c.NsPerPacket = c.CPUSeconds * 1e9 / float64(c.Packets)
	}
	if c.Seconds > 0 {
		c.PacketsPerSec = float64(c.Packets) / c.Seconds
	}
	return &c
}

// NodeTraffic is what one node of a cluster sent over the window.
type NodeTraffic struct {
	URL              string  `json:"url"`
	PacketsOutPerSec float64 `json:"packetsOutPerSecond"`
}
