//go:build linux

package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"golang.org/x/sys/unix"

	"github.com/cohost-rtc/cohost/internal/pionlog"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// host is a publishing user.
type host struct {
	engine  *rtc.Engine
	channel int
	index   int
	token   string
	tracks  []*rtc.LocalTrack
}

// member is an audience member.
type member struct {
	engine  *rtc.Engine
	probe   *probe
	channel int
	uid     uint32
	joined  atomic.Bool
	joinDur time.Duration
	err     error
}

// handler counts what goes wrong on an engine.
type handler struct {
	rtc.BaseEventHandler
	run *runner
}

func (h handler) OnError(err error) { h.run.fail(err) }
func (h handler) OnSubscriptionFailed(uid protocol.UID, mt protocol.MediaType, err error) {
	h.run.fail(fmt.Errorf("subscription to %d %s failed: %w", uid, mt, err))
}

// runner is one load test in progress.
type runner struct {
	cfg   Config
	t     *target
	tk    *tokens
	recv  *receiver
	state runState

	// mu guards appending to hosts and member: the progress goroutine
	// reads them (through users) while the run adds users. The run's own
	// goroutine, the only one appending, reads them without it.
	mu     sync.Mutex
	hosts  []*host
	member []*member

	errCount atomic.Int64
	// joined counts the engines made, to spread them over the nodes.
	joined   atomic.Int64
	errMu    sync.Mutex
	errFirst []string

	phase    atomic.Pointer[string]
	senders  sync.WaitGroup
	stopSend context.CancelFunc
}

func (r *runner) fail(err error) {
	r.errCount.Add(1)
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if len(r.errFirst) < 5 {
		r.errFirst = append(r.errFirst, err.Error())
	}
}

func (r *runner) setPhase(p string) { r.phase.Store(&p) }

func (r *runner) addHost(h *host) {
	r.mu.Lock()
	r.hosts = append(r.hosts, h)
	r.mu.Unlock()
}

func (r *runner) addMember(m *member) {
	r.mu.Lock()
	r.member = append(r.member, m)
	r.mu.Unlock()
}

// users returns the hosts and audience members added so far. Appends
// never touch the elements the returned slices hold.
func (r *runner) users() ([]*host, []*member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hosts, r.member
}

// expectedStreams is the number of streams each audience member receives.
func (r *runner) expectedStreams() int {
	tracks := 0
	if r.cfg.AudioKbps > 0 {
		tracks++
	}
	if r.cfg.VideoKbps > 0 {
		tracks++
	}
	n := tracks * r.cfg.Hosts
	if r.cfg.Relay {
		n *= r.cfg.Channels
	}
	return n
}

// Run runs a load test against cfg.URL and reports what it measured. The
// context ends it early (the report covers what was measured).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t, err := newTarget(ctx, cfg.URL)
	if err != nil {
		return nil, err
	}
	t.metricsToken = cfg.MetricsToken
	defer t.close()
	tk, err := newTokens(ctx, t, cfg.AppID, cfg.AppCertificate)
	if err != nil {
		return nil, err
	}
	recv, err := newReceiver()
	if err != nil {
		return nil, err
	}
	defer recv.close()
	r := &runner{cfg: cfg, t: t, tk: tk, recv: recv}
	r.setPhase("starting")
	return r.run(ctx)
}

func (r *runner) run(ctx context.Context) (*Report, error) {
	cfg := r.cfg
	rep := &Report{Config: cfg.reportConfig(r.tk)}
	idle, err := r.t.scrape(ctx)
	if err != nil {
		return nil, err
	}
	progressDone := r.progress(ctx)
	defer progressDone()
	defer r.teardown()

	// Hosts join, publish, send, and relay.
	r.setPhase("hosts")
	if err := r.startHosts(ctx); err != nil {
		return nil, err
	}
	if cfg.Relay {
		r.setPhase("relays")
		if err := r.startRelays(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.waitHostsMedia(ctx, idle); err != nil {
		return nil, err
	}

	// The audience joins at the join rate, spread over the channels.
	r.setPhase("joining")
	var joins sync.WaitGroup
	start := time.Now()
	for i := range cfg.Channels * cfg.Audience {
		at := start.Add(time.Duration(float64(i) / cfg.JoinRate * float64(time.Second)))
		if !sleepUntil(ctx, at) {
			break
		}
		m := &member{channel: i % cfg.Channels, uid: audienceUID(i / cfg.Channels), probe: newProbe(&r.state)}
		r.addMember(m)
		joins.Add(1)
		go func() {
			defer joins.Done()
			r.joinMember(ctx, m)
		}()
	}
	joins.Wait()
	rep.Users.Hosts = cfg.Channels * cfg.Hosts
	rep.Users.HostsJoined = len(r.hosts)
	rep.Users.Audience = cfg.Channels * cfg.Audience
	joinTimes := make([]time.Duration, 0, len(r.member))
	for _, m := range r.member {
		if m.joined.Load() {
			rep.Users.AudienceJoined++
			joinTimes = append(joinTimes, m.joinDur)
		}
	}
	rep.Join = quantilesOf(joinTimes)

	// Wait for everyone's media, then measure.
	r.setPhase("settling")
	want := r.expectedStreams()
	deadline := time.Now().Add(cfg.Settle)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if receiving(r.member, want) == rep.Users.AudienceJoined {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var first, firstVideo []time.Duration
	for _, m := range r.member {
		m.probe.mu.Lock()
		if m.probe.firstMedia > 0 {
			first = append(first, m.probe.firstMedia)
		}
		if m.probe.firstVideo > 0 {
			firstVideo = append(firstVideo, m.probe.firstVideo)
		}
		m.probe.mu.Unlock()
	}
	rep.FirstMedia = quantilesOf(first)
	rep.FirstVideo = quantilesOf(firstVideo)

	r.setPhase("measuring")
	for _, m := range r.member {
		m.probe.mark()
	}
	// The window is cfg.Rounds slices of the server forwarding; with the
	// baseline, each slice is followed by the two baselines while the
	// hosts pause, so that server and baseline are measured alternately
	// under the same disturbance.
	var w slice
	baseStreams := r.baseStreams()
	for i := range cfg.Rounds {
		sl, err := r.measureSlice(ctx, cfg.Duration/time.Duration(cfg.Rounds))
		if err != nil {
			return nil, err
		}
		w.add(sl)
		if !cfg.Baseline || ctx.Err() != nil {
			continue
		}
		r.setPhase(fmt.Sprintf("baseline %d/%d", i+1, cfg.Rounds))
		round, err := r.baselineRound(ctx, baseStreams, cfg.BaselineDuration/time.Duration(cfg.Rounds))
		if err != nil {
			return rep, err
		}
		round.ServerNsPerPacket = sl.nsPerPacket()
		rep.Rounds = append(rep.Rounds, round)
		r.setPhase("measuring")
	}
	s0, s1 := w.s0, w.s1
	wSecs := w.seconds
	u0, u1 := UDPStats{}, w.udp
	ru0, ru1 := 0.0, w.clientCPU
	busy0, busy1 := 0.0, w.busy
	in0, inB0, out0, outB0 := uint64(0), uint64(0), uint64(0), uint64(0)
	in1, inB1, out1, outB1 := w.in, w.inB, w.out, w.outB

	// Window figures.
	rep.Window.Seconds = wSecs
	lat := newHist()
	for _, m := range r.member {
		exp, got, _, streams := m.probe.windowStats()
		rep.Loss.Expected += exp
		rep.Loss.Received += got
		if streams >= want && got > 0 {
			rep.Users.AudienceReceiving++
		}
		m.probe.mu.Lock()
		lat.merge(m.probe.lat)
		rep.Latency.Unstamped += m.probe.noStamp
		m.probe.mu.Unlock()
	}
	if rep.Loss.Expected > rep.Loss.Received {
		rep.Loss.Lost = rep.Loss.Expected - rep.Loss.Received
		rep.Loss.Percent = 100 * float64(rep.Loss.Lost) / float64(rep.Loss.Expected)
	}
	rep.Latency.Samples = lat.n
	rep.Latency.P50Ms = ms(lat.quantile(0.5))
	rep.Latency.P99Ms = ms(lat.quantile(0.99))
	rep.Latency.P999Ms = ms(lat.quantile(0.999))
	rep.Latency.MaxMs = ms(lat.max)
	rep.Latency.MeanMs = ms(lat.mean())
	rep.Client.SentPacketsPerSec = float64(out1-out0) / wSecs
	rep.Client.SentBytesPerSec = float64(outB1-outB0) / wSecs
	rep.Client.ReceivedPacketsPerSec = float64(in1-in0) / wSecs
	rep.Client.ReceivedBytesPerSec = float64(inB1-inB0) / wSecs
	rep.Client.CPUSeconds = ru1 - ru0
	if in1 > in0 {
		rep.Client.NsCPUPerReceivedPacket = (ru1 - ru0) * 1e9 / float64(in1-in0)
	}
	rep.Kernel = UDPStats{
		RcvbufErrors: u1.RcvbufErrors - u0.RcvbufErrors,
		SndbufErrors: u1.SndbufErrors - u0.SndbufErrors,
		InErrors:     u1.InErrors - u0.InErrors,
	}
	rep.Machine.Cores = runtime.NumCPU()
	rep.Machine.BusyCores = (busy1 - busy0) / wSecs
	srv := &rep.Server
	dt := s1.at.Sub(s0.at).Seconds()
	srv.CPUSeconds = s1.cpuSeconds - s0.cpuSeconds
	srv.CPUPercent = 100 * srv.CPUSeconds / dt
	srv.RSSIdleMB = idle.rss / (1 << 20)
	srv.RSSMB = s1.rss / (1 << 20)
	if n := rep.Users.AudienceJoined; n > 0 {
		srv.RSSPerAudienceKB = (s1.rss - idle.rss) / 1024 / float64(n)
	}
	srv.PacketsInPerSec = (s1.pktsIn - s0.pktsIn) / dt
	srv.PacketsOutPerSec = (s1.pktsOut - s0.pktsOut) / dt
	if urls := r.cfg.URLs(); len(urls) > 1 && len(s0.nodePktsOut) == len(urls) && len(s1.nodePktsOut) == len(urls) {
		for i, u := range urls {
			srv.Nodes = append(srv.Nodes, NodeTraffic{URL: u, PacketsOutPerSec: (s1.nodePktsOut[i] - s0.nodePktsOut[i]) / dt})
		}
	}
	srv.BytesInPerSec = (s1.bytesIn - s0.bytesIn) / dt
	srv.BytesOutPerSec = (s1.bytesOut - s0.bytesOut) / dt
	srv.NACKs = s1.nacks - s0.nacks
	srv.PLIs = s1.plis - s0.plis
	srv.Retransmits = s1.rtx - s0.rtx
	srv.WriteErrors = s1.writeErrs - s0.writeErrs
	if r.t.loopback {
		rep.Machine.Others = max(0, rep.Machine.BusyCores-(srv.CPUSeconds+rep.Client.CPUSeconds)/wSecs)
	}
	if fwd := s1.pktsOut - s0.pktsOut; fwd > 0 {
		srv.NsCPUPerForwardedPacket = srv.CPUSeconds * 1e9 / fwd
	}

	r.setPhase("leaving")
	r.teardown()
	rep.Errors = int(r.errCount.Load())
	r.errMu.Lock()
	rep.FirstErrors = slices.Clone(r.errFirst)
	r.errMu.Unlock()

	if len(rep.Rounds) > 0 {
		rep.summariseRounds()
	}
	r.setPhase("done")
	return rep, nil
}

// receiving counts the members that get every expected stream.
func receiving(members []*member, want int) int {
	n := 0
	for _, m := range members {
		m.probe.mu.Lock()
		if len(m.probe.streams) >= want {
			n++
		}
		m.probe.mu.Unlock()
	}
	return n
}

// settingEngine keeps an engine's media on the target: loopback only for a
// loopback target, never loopback otherwise; p (may be nil) sees media.
func (r *runner) settingEngine(p *probe) (*webrtc.SettingEngine, error) {
	pn, err := newProbeNet(r.recv, r.t, p)
	if err != nil {
		return nil, err
	}
	se := &webrtc.SettingEngine{LoggerFactory: pionlog.Factory(nil)}
	se.SetNet(pn)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	if r.t.loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	} else {
		se.SetIPFilter(func(ip net.IP) bool { return !ip.IsLoopback() })
	}
	return se, nil
}

func (r *runner) newEngine(role protocol.ClientRole, p *probe) (*rtc.Engine, error) {
	se, err := r.settingEngine(p)
	if err != nil {
		return nil, err
	}
	// Members go to the nodes in turn; each knows the others, to fail
	// over to, and follows the cluster's redirects.
	urls := r.cfg.URLs()
	i := int(r.joined.Add(1)-1) % len(urls)
	others := append(slices.Clone(urls[i+1:]), urls[:i]...)
	return rtc.NewEngine(rtc.EngineConfig{
		ServerURL:          urls[i],
		ServerURLs:         others,
		AppID:              r.tk.appID,
		Handler:            handler{run: r},
		ClientRole:         role,
		AutoSubscribeAudio: role == protocol.RoleAudience,
		AutoSubscribeVideo: role == protocol.RoleAudience,
		SettingEngine:      se,
		HTTPClient:         r.t.client,
		RequestTimeout:     r.cfg.RequestTimeout,
		SendCaptureTime:    role == protocol.RoleBroadcaster,
		AudienceOnAnyNode:  r.cfg.AudienceOnAnyNode && role == protocol.RoleAudience,
	})
}

func (r *runner) startHosts(ctx context.Context) error {
	cfg := r.cfg
	sendCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stopSend = stop
	for c := range cfg.Channels {
		for i := range cfg.Hosts {
			h := &host{channel: c, index: i}
			var err error
			if h.token, err = r.tk.token(ctx, cfg.channel(c), hostUID(i), true); err != nil {
				return err
			}
			if h.engine, err = r.newEngine(protocol.RoleBroadcaster, nil); err != nil {
				return err
			}
			r.addHost(h)
			jctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
			_, err = h.engine.JoinChannel(jctx, h.token, cfg.channel(c), protocol.UID(hostUID(i)))
			cancel()
			if err != nil {
				return fmt.Errorf("loadtest: host %d of %s: join: %w", hostUID(i), cfg.channel(c), err)
			}
			if cfg.AudioKbps > 0 {
				t, err := rtc.NewLocalTrack(protocol.CodecOpus)
				if err != nil {
					return err
				}
				h.tracks = append(h.tracks, t)
			}
			if cfg.VideoKbps > 0 {
				t, err := rtc.NewLocalTrack(protocol.CodecVP8)
				if err != nil {
					return err
				}
				h.tracks = append(h.tracks, t)
			}
			pctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
			err = h.engine.Publish(pctx, h.tracks...)
			cancel()
			if err != nil {
				return fmt.Errorf("loadtest: host %d of %s: publish: %w", hostUID(i), cfg.channel(c), err)
			}
			for _, t := range h.tracks {
				r.senders.Add(1)
				go func() {
					defer r.senders.Done()
					r.send(sendCtx, t)
				}()
			}
		}
	}
	return nil
}

// waitHostsMedia waits until the server has received five RTP packets per
// host track since the idle sample, so that the audience joins a channel
// whose media flows: a member's join-to-first-media then measures its own
// join, not the hosts' connection (a Pion host nominates its candidate
// pair at its agent's next 200 ms check tick, so the hosts' media starts
// about 0.2 s after they publish). The count is the server's total: with
// one host it means that host's media flows; with several, a host that
// starts much later than the others may still be starting.
func (r *runner) waitHostsMedia(ctx context.Context, idle serverSample) error {
	r.mu.Lock()
	tracks := 0
	for _, h := range r.hosts {
		tracks += len(h.tracks)
	}
	r.mu.Unlock()
	if tracks == 0 {
		return nil
	}
	deadline := time.Now().Add(r.cfg.Settle)
	for {
		s, err := r.t.scrape(ctx)
		if err != nil {
			return err
		}
		if s.pktsIn-idle.pktsIn >= float64(5*tracks) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("loadtest: the server received %.0f packets of the hosts' %d tracks within %v", s.pktsIn-idle.pktsIn, tracks, r.cfg.Settle)
		}
		if !sleepUntil(ctx, time.Now().Add(20*time.Millisecond)) {
			return ctx.Err()
		}
	}
}

// send writes synthetic packets on t at the configured rate until ctx ends.
func (r *runner) send(ctx context.Context, t *rtc.LocalTrack) {
	cfg := r.cfg
	pps, size, burst, clock := cfg.AudioPPS, cfg.audioPayload(), 1, 48000.0
	if t.MediaType() == protocol.MediaVideo {
		pps, size, clock = cfg.VideoPPS, cfg.videoPayload(), 90000
		if cfg.VideoFPS > 0 {
			burst = max(1, cfg.VideoPPS/cfg.VideoFPS)
		}
	}
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(rand.Uint32())
	}
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(rand.Uint32()), Timestamp: rand.Uint32()}, Payload: payload}
	ts0 := pkt.Timestamp
	interval := time.Second * time.Duration(burst) / time.Duration(pps)
	start := time.Now()
	next := start
	for {
		if !sleepUntil(ctx, next) {
			return
		}
		pkt.Timestamp = ts0 + uint32(time.Since(start).Seconds()*clock)
		for i := range burst {
			if r.state.paused.Load() {
				break // sequence numbers do not advance: a pause is no loss
			}
			pkt.SequenceNumber++
			pkt.Marker = i == burst-1
			if err := t.WriteRTP(pkt); err == nil {
				r.state.pktsOut.Add(1)
				r.state.bytesOut.Add(uint64(len(payload) + 12))
			}
		}
		next = next.Add(interval)
		if late := time.Since(next); late > time.Second {
			next = time.Now() // fell behind: do not catch up in a burst
		}
	}
}

// startRelays makes every host relay into every other channel.
func (r *runner) startRelays(ctx context.Context) error {
	cfg := r.cfg
	for _, h := range r.hosts {
		rc := rtc.NewChannelMediaRelayConfiguration()
		rc.SetSrcChannelInfo(rtc.ChannelMediaInfo{ChannelName: cfg.channel(h.channel), Token: h.token, UID: protocol.UID(hostUID(h.index))})
		for c := range cfg.Channels {
			if c == h.channel {
				continue
			}
			uid := relayUID(h.channel, h.index)
			tok, err := r.tk.token(ctx, cfg.channel(c), uid, true)
			if err != nil {
				return err
			}
			rc.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: cfg.channel(c), Token: tok, UID: protocol.UID(uid)})
		}
		rctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
		err := h.engine.StartChannelMediaRelay(rctx, rc)
		cancel()
		if err != nil {
			return fmt.Errorf("loadtest: relay from %s: %w", cfg.channel(h.channel), err)
		}
	}
	return nil
}

func (r *runner) joinMember(ctx context.Context, m *member) {
	cfg := r.cfg
	tok, err := r.tk.token(ctx, cfg.channel(m.channel), m.uid, false)
	if err != nil {
		m.err = err
		r.fail(err)
		return
	}
	e, err := r.newEngine(protocol.RoleAudience, m.probe)
	if err != nil {
		m.err = err
		r.fail(err)
		return
	}
	m.engine = e
	jctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
	defer cancel()
	start := time.Now()
	m.probe.start(start)
	if _, err := e.JoinChannel(jctx, tok, cfg.channel(m.channel), protocol.UID(m.uid)); err != nil {
		m.err = err
		r.fail(fmt.Errorf("audience %d of %s: join: %w", m.uid, cfg.channel(m.channel), err))
		return
	}
	m.joinDur = time.Since(start)
	m.joined.Store(true)
}

// teardown stops the senders and closes every engine (idempotent).
func (r *runner) teardown() {
	if r.stopSend != nil {
		r.stopSend()
		r.senders.Wait()
	}
	var engines []*rtc.Engine
	for _, m := range r.member {
		if m.engine != nil {
			engines = append(engines, m.engine)
		}
	}
	for _, h := range r.hosts {
		if h.engine != nil {
			engines = append(engines, h.engine)
		}
	}
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for _, e := range engines {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			_ = e.Close()
			<-sem
		}()
	}
	wg.Wait()
}

// baseStreams describes the test's traffic for the baseline: each host's
// tracks go to the audience of its channel, or of every channel with relays.
func (r *runner) baseStreams() []baseStream {
	cfg := r.cfg
	var out []baseStream
	for c := range cfg.Channels {
		var recv []int
		for i, m := range r.member {
			if cfg.Relay || m.channel == c {
				recv = append(recv, i)
			}
		}
		for range cfg.Hosts {
			if cfg.AudioKbps > 0 {
				out = append(out, baseStream{pps: cfg.AudioPPS, payload: cfg.audioPayload(), burst: 1, receivers: recv})
			}
			if cfg.VideoKbps > 0 {
				burst := 1
				if cfg.VideoFPS > 0 {
					burst = max(1, cfg.VideoPPS/cfg.VideoFPS)
				}
				out = append(out, baseStream{pps: cfg.VideoPPS, payload: cfg.videoPayload(), burst: burst, receivers: recv})
			}
		}
	}
	return out
}

// sleepUntil sleeps until t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// selfRusage returns this process's CPU seconds (user + system).
func selfRusage() float64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
}

// progress prints a status line every second until the returned function
// is called.
func (r *runner) progress(ctx context.Context) func() {
	w := r.cfg.Progress
	if w == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		start := time.Now()
		var last serverSample
		lastIn, lastOut := r.state.pktsIn.Load(), r.state.pktsOut.Load()
		lastAt := time.Now()
		for {
			select {
			case <-ctx.Done():
				if r.cfg.Terminal {
					fmt.Fprintln(w)
				}
				return
			case <-tick.C:
			}
			now := time.Now()
			in, out := r.state.pktsIn.Load(), r.state.pktsOut.Load()
			dt := now.Sub(lastAt).Seconds()
			hosts, members := r.users()
			line := fmt.Sprintf("%5.0fs %-9s hosts %d  audience %d/%d receiving  send %.0f pkt/s  recv %.0f pkt/s",
				now.Sub(start).Seconds(), *r.phase.Load(), len(hosts), receiving(members, max(r.expectedStreams(), 1)),
				r.cfg.Channels*r.cfg.Audience, float64(out-lastOut)/dt, float64(in-lastIn)/dt)
			lastIn, lastOut, lastAt = in, out, now
			if s, err := r.t.scrape(ctx); err == nil {
				if !last.at.IsZero() {
					line += fmt.Sprintf("  server cpu %.0f%% rss %.0f MB", 100*(s.cpuSeconds-last.cpuSeconds)/s.at.Sub(last.at).Seconds(), s.rss/(1<<20))
				}
				last = s
			}
			if n := r.errCount.Load(); n > 0 {
				line += fmt.Sprintf("  errors %d", n)
			}
			if r.cfg.Terminal {
				fmt.Fprintf(w, "\r\033[K%s", line)
			} else {
				fmt.Fprintln(w, line)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
