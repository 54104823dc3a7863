// Package loadtest is cohost's load tester: it joins N channels with P
// hosts and S audience members each through the Go SDK (rtc), publishes
// synthetic audio and video at a given bitrate and packet rate, optionally
// relays every channel's hosts into every other channel, and measures what
// the audience receives and what the server spends.
//
// The audience members are receive-only probes: their peer connections
// are real (ICE, DTLS, SRTP keys, RTCP to the server), but media packets
// are counted and timed from their RTP headers (sequence number, SSRC,
// abs-capture-time), which SRTP does not encrypt, and dropped before
// Pion decrypts them. That keeps the load tester cheaper per packet than
// the server it measures.
//
// The load tester only ever talks to the server it is given: signalling,
// tokens and metrics go to that URL alone, and media only to the IP
// addresses of its host.
package loadtest

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Config is one load test.
type Config struct {
	// URL is the server's HTTP address (default http://127.0.0.1:7800),
	// or several nodes of one cluster separated by commas: members are
	// spread over them in turn (each given the others to fail over to),
	// and the server figures sum every node's /metrics.
	URL string
	// AppID and AppCertificate mint tokens locally. With AppID alone the
	// app must be in testing mode (no tokens). Without either, tokens come
	// from the server's development token endpoint (loopback servers only).
	AppID, AppCertificate string
	// MetricsToken is the bearer token the server's /metrics requires off
	// loopback (its security.metricsToken); empty sends none.
	MetricsToken string

	Channels int  // channels (default 1)
	Hosts    int  // hosts per channel, each publishing audio and video (default 1)
	Audience int  // audience members per channel (default 10)
	Relay    bool // every host relays into every other channel (at most 5 channels)
	// AudienceOnAnyNode lets the cluster node an audience member reaches
	// serve it, carrying the channel's media from the channel's node (the
	// Go SDK's EngineConfig.AudienceOnAnyNode); otherwise every member is
	// sent to the channel's node.
	AudienceOnAnyNode bool

	// Video: bitrate and packet rate; FPS > 0 sends each frame's packets
	// back to back, FPS = 0 spaces packets evenly. VideoKbps = 0: no video.
	VideoKbps, VideoPPS, VideoFPS int
	// Audio: bitrate and packet rate. AudioKbps = 0: no audio.
	AudioKbps, AudioPPS int

	JoinRate float64       // audience joins per second (default 50)
	Duration time.Duration // measurement window after everyone joined (default 30 s)
	// Settle bounds the wait for the hosts' media to reach the server
	// before the audience joins, and for every audience member's first
	// media after the last join (default 10 s).
	Settle time.Duration

	// Baseline also measures the least work any SFU does for the same
	// traffic: SRTP-encrypt each packet once per subscriber and send it on
	// UDP, once with a sendto per packet and once batched with sendmmsg as
	// the server sends. The window is split into Rounds slices (default 4
	// with the baseline, else 1); after each, the hosts pause while both
	// baselines run, BaselineDuration/Rounds each (BaselineDuration
	// default 10 s), so that server and baselines alternate.
	Baseline         bool
	BaselineDuration time.Duration
	Rounds           int

	// Prefix names the channels: Prefix0, Prefix1, … (default "lt").
	Prefix string
	// Progress receives a progress line every second (nil: none); Terminal
	// rewrites one line in place instead of writing new lines.
	Progress io.Writer
	Terminal bool
	// RequestTimeout bounds each join, publish and relay request (default 15 s).
	RequestTimeout time.Duration
}

// maxPayload bounds a synthetic packet's payload: an RTP packet must fit
// the receivers' MTU (Pion reads at most 1460 bytes), as browsers' packets
// of about 1200 bytes do.
const maxPayload = 1200

// URLs is URL split at its commas, spaces trimmed, empty parts dropped.
func (c Config) URLs() []string {
	var out []string
	for _, u := range strings.Split(c.URL, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// withDefaults fills unset fields and checks the configuration.
func (c Config) withDefaults() (Config, error) {
	if c.URL == "" {
		c.URL = "http://127.0.0.1:7800"
	}
	if c.Channels == 0 {
		c.Channels = 1
	}
	if c.Hosts == 0 {
		c.Hosts = 1
	}
	if c.JoinRate == 0 {
		c.JoinRate = 50
	}
	if c.Duration == 0 {
		c.Duration = 30 * time.Second
	}
	if c.Settle == 0 {
		c.Settle = 10 * time.Second
	}
	if c.BaselineDuration == 0 {
		c.BaselineDuration = 10 * time.Second
	}
	if c.Rounds == 0 {
		c.Rounds = 1
		if c.Baseline {
			c.Rounds = 4
		}
	}
	if c.Prefix == "" {
		c.Prefix = "lt"
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 15 * time.Second
	}
	if len(c.URLs()) == 0 {
		return c, fmt.Errorf("loadtest: URL %q: want http:// or https:// and a host", c.URL)
	}
	for _, raw := range c.URLs() {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("loadtest: URL %q: want http:// or https:// and a host", raw)
		}
	}
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.Channels >= 1, "channels must be at least 1")
	check(c.Hosts >= 1 && c.Hosts <= 17, "hosts per channel must be 1..17")
	check(c.Audience >= 0, "audience must not be negative")
	check(!c.Relay || (c.Channels >= 2 && c.Channels <= 5), "relay needs 2..5 channels (a relay has at most 4 destinations)")
	check(c.VideoKbps >= 0 && c.AudioKbps >= 0, "bitrates must not be negative")
	check(c.VideoKbps > 0 || c.AudioKbps > 0, "no media: set a video or an audio bitrate")
	check(c.VideoKbps == 0 || c.VideoPPS > 0, "video packet rate must be positive")
	check(c.AudioKbps == 0 || c.AudioPPS > 0, "audio packet rate must be positive")
	check(c.VideoFPS >= 0 && (c.VideoFPS == 0 || c.VideoFPS <= c.VideoPPS), "video frame rate must be 0..packet rate")
	check(c.JoinRate > 0, "join rate must be positive")
	check(c.Duration > 0 && c.Settle > 0 && c.BaselineDuration > 0, "durations must be positive")
	check(c.Rounds >= 1 && c.Rounds <= 100, "rounds must be 1..100")
	if c.VideoKbps > 0 && c.VideoPPS > 0 {
		check(c.videoPayload() <= maxPayload, "video: %d kbps at %d packets/s makes %d-byte packets; raise the packet rate (at most %d bytes)",
			c.VideoKbps, c.VideoPPS, c.videoPayload(), maxPayload)
	}
	if c.AudioKbps > 0 && c.AudioPPS > 0 {
		check(c.audioPayload() <= maxPayload, "audio packets of %d bytes: raise the packet rate", c.audioPayload())
	}
	return c, errors.Join(errs...)
}

func (c Config) videoPayload() int { return max(1, c.VideoKbps*1000/8/max(c.VideoPPS, 1)) }
func (c Config) audioPayload() int { return max(1, c.AudioKbps*1000/8/max(c.AudioPPS, 1)) }

// channel returns the name of channel i.
func (c Config) channel(i int) string { return fmt.Sprintf("%s%d", c.Prefix, i) }

// Uids: hosts 1..P, audience 100001.., relay stand-ins 50000 + 100*source
// channel + host index.
func hostUID(h int) uint32              { return uint32(1 + h) }
func audienceUID(a int) uint32          { return uint32(100001 + a) }
func relayUID(srcChannel, h int) uint32 { return uint32(50000 + 100*srcChannel + h) }
