package server

import (
	"net/http"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the server's Prometheus registry (one per server, no globals).
type metrics struct {
	reg           *prometheus.Registry
	rejected      *prometheus.CounterVec
	rtmPeer       *prometheus.CounterVec
	rtmPeerTime   prometheus.Histogram
	rtmChannelMsg prometheus.Counter
	malformed     *prometheus.CounterVec
	rtmHeavyWait  prometheus.Counter
	handovers     *prometheus.CounterVec
	staleEvents   prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{reg: reg,
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cohost_rejected_requests_total",
			Help: "Signalling requests answered with an error, by error code."}, []string{"code"}),
	}
	m.rtmPeer = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cohost_rtm_peer_messages_total",
		Help: "RTM peer messages handled by this node, by result (Agora's PEER_MESSAGE_ERR_CODE name)."}, []string{"result"})
	m.rtmPeerTime = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cohost_rtm_peer_message_seconds",
		Help:    "Time from a peer message's request to the receiver SDK's acknowledgement (result OK).",
		Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14)})
	m.rtmChannelMsg = prometheus.NewCounter(prometheus.CounterOpts{Name: "cohost_rtm_channel_messages_total",
		Help: "RTM channel messages accepted by this node."})
	m.malformed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cohost_nats_malformed_messages_total",
		Help: "Messages from NATS dropped because they could not be decoded, by kind (heartbeat, peer, channel)."}, []string{"kind"})
	m.handovers = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cohost_cluster_handovers_total",
		Help: "Channels whose owner died with members on this node: moved (the members stayed, handed to the next owner) or failed (they were told to join again)."}, []string{"result"})
	m.staleEvents = prometheus.NewCounter(prometheus.CounterOpts{Name: "cohost_cluster_stale_events_total",
		Help: "Channel events dropped because they came from a channel's former owner (published before it died or was cut off, delivered late)."})
	m.rtmHeavyWait = prometheus.NewCounter(prometheus.CounterOpts{Name: "cohost_rtm_heavy_wait_seconds_total",
		Help: "Time RTM requests over 4 KB waited for the node's pace of heavy bytes (rtm.limits.heavyBytesPerSecondPerCPU)."})
	reg.MustRegister(m.rtmPeer, m.rtmPeerTime, m.rtmChannelMsg, m.rtmHeavyWait, m.malformed, m.handovers, m.staleEvents)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cohost_turn_allocations", Help: "Live relays of the embedded TURN server."},
		func() float64 { return float64(s.TURNAllocations()) }))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cohost_cluster_nodes", Help: "Live cluster nodes this node knows, itself included (0 without NATS)."},
		func() float64 { return float64(len(s.ClusterNodes())) }))
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), m.rejected)
	counter := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
	}
	st := s.stats
	counter("cohost_rtp_packets_in_total", "RTP packets received from publishers.", func() float64 { return float64(st.PacketsIn()) })
	counter("cohost_rtp_bytes_in_total", "RTP bytes received from publishers.", func() float64 { return float64(st.BytesIn()) })
	counter("cohost_rtp_packets_out_total", "RTP packets forwarded to subscribers and to other cluster nodes.", func() float64 { return float64(st.PacketsOut()) })
	counter("cohost_rtp_bytes_out_total", "RTP bytes forwarded to subscribers and to other cluster nodes.", func() float64 { return float64(st.BytesOut()) })
	counter("cohost_nacks_received_total", "NACKs received from subscribers.", func() float64 { return float64(st.NACKs.Load()) })
	counter("cohost_plis_sent_total", "Keyframe requests (PLI) sent to publishers.", func() float64 { return float64(st.PLIs.Load()) })
	counter("cohost_rtp_write_errors_total", "Forwarded packets that failed to be written, the ones the kernel refused included.", func() float64 { return float64(st.WriteErrors.Load()) })
	counter("cohost_publisher_rtcp_write_errors_total", "Keyframe requests (PLI) that failed to be written to a publisher's connection.", func() float64 { return float64(st.PublisherRTCPErrors.Load()) })
	counter("cohost_egress_dropped_total", "Packets dropped because their subscriber's send queue was full (the subscriber's own packets only).", func() float64 { return float64(st.EgressDropped.Load()) })
	counter("cohost_congestion_pauses_total", "Subscribers' videos paused because their bandwidth estimate (REMB) stayed below the video's bitrate.", func() float64 { return float64(st.CongestionPauses.Load()) })
	counter("cohost_congestion_resumes_total", "Subscribers' videos resumed (at a keyframe) after a congestion pause.", func() float64 { return float64(st.CongestionResumes.Load()) })
	counter("cohost_rtp_retransmits_total", "Packets retransmitted to subscribers from the packet cache, answering NACKs.", func() float64 { return float64(st.Retransmits.Load()) })
	counter("cohost_keyframe_requests_total", "Keyframe requests (PLI/FIR) from subscribers and new subscriptions, before rate limiting.", func() float64 { return float64(st.KeyframeRequests.Load()) })
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cohost_signalling_connections", Help: "Open signalling WebSocket connections."},
		func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			return float64(len(s.conns))
		}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cohost_sessions", Help: "User sessions, including those waiting for a resume."},
		func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			return float64(len(s.sessions))
		}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cohost_channels", Help: "Channels with at least one user."},
		func() float64 {
			s.mu.Lock()
			defer s.mu.Unlock()
			return float64(len(s.channels))
		}))
	dropped := prometheus.NewDesc("cohost_media_port_dropped_total",
		"Packets the media port's shared reader dropped, by reason.", []string{"reason"}, nil)
	handshakes := prometheus.NewDesc("cohost_dtls_handshakes_failed_total",
		"Subscribers' DTLS handshakes that did not finish, by reason (timeout, error).", []string{"reason"}, nil)
	filtered := prometheus.NewDesc("cohost_ice_candidates_filtered_total",
		"Client ICE candidates (and check sources) the server sent no check to because of ice.allowPrivateCandidates.", nil, nil)
	reg.MustRegister(collectorFunc{descs: []*prometheus.Desc{dropped, handshakes, filtered}, collect: func(ch chan<- prometheus.Metric) {
		d := s.media.DemuxStats()
		for _, r := range []struct {
			reason string
			n      uint64
		}{{"malformed", d.Malformed.Load()}, {"bad_stun", d.BadSTUN.Load()}, {"bad_srtp", d.BadSRTP.Load()},
			{"unkeyed", d.Unkeyed.Load()}, {"late_dtls", d.LateDTLS.Load()}, {"dtls_queue_full", d.DTLSQueueFull.Load()},
			{"unknown_address", d.UnknownAddress.Load()}, {"unknown_ufrag", d.UnknownUfrag.Load()}, {"throttled", d.Throttled.Load()},
			{"tcp_queue_full", d.TCPQueueFull.Load()}} {
			ch <- prometheus.MustNewConstMetric(dropped, prometheus.CounterValue, float64(r.n), r.reason)
		}
		ch <- prometheus.MustNewConstMetric(handshakes, prometheus.CounterValue, float64(d.HandshakeTimeouts.Load()), "timeout")
		ch <- prometheus.MustNewConstMetric(handshakes, prometheus.CounterValue, float64(d.HandshakeFailures.Load()), "error")
		ch <- prometheus.MustNewConstMetric(filtered, prometheus.CounterValue, float64(d.FilteredCandidates.Load()))
	}})
	reports := prometheus.NewDesc("cohost_receiver_reports_total",
		"Subscribers' RTCP receiver report blocks, by the fraction of packets they report lost.", []string{"loss"}, nil)
	reg.MustRegister(collectorFunc{descs: []*prometheus.Desc{reports}, collect: func(ch chan<- prometheus.Metric) {
		for i, bucket := range []string{"0", "le_1pct", "le_5pct", "le_20pct", "gt_20pct"} {
			ch <- prometheus.MustNewConstMetric(reports, prometheus.CounterValue, float64(st.ReceiverReports[i].Load()), bucket)
		}
	}})
	relays := prometheus.NewDesc("cohost_relay_sessions", "Channel media relay sessions, by state.", []string{"state"}, nil)
	relayDests := prometheus.NewDesc("cohost_relay_destinations", "Destination channels of running channel media relays.", nil, nil)
	reg.MustRegister(collectorFunc{descs: []*prometheus.Desc{relays, relayDests}, collect: func(ch chan<- prometheus.Metric) {
		sessions, paused, dests := s.relayCensus()
		ch <- prometheus.MustNewConstMetric(relays, prometheus.GaugeValue, float64(sessions-paused), "running")
		ch <- prometheus.MustNewConstMetric(relays, prometheus.GaugeValue, float64(paused), "paused")
		ch <- prometheus.MustNewConstMetric(relayDests, prometheus.GaugeValue, float64(dests))
	}})
	users := prometheus.NewDesc("cohost_users", "Users in channels, by role.", []string{"role"}, nil)
	tracks := prometheus.NewDesc("cohost_published_tracks", "Published tracks, by media type.", []string{"media"}, nil)
	subs := prometheus.NewDesc("cohost_subscriptions", "Subscribed tracks (one per subscriber and remote track), by media type.", []string{"media"}, nil)
	reg.MustRegister(collectorFunc{descs: []*prometheus.Desc{users, tracks, subs}, collect: func(ch chan<- prometheus.Metric) {
		c := s.census()
		ch <- prometheus.MustNewConstMetric(users, prometheus.GaugeValue, float64(c.hosts), "host")
		ch <- prometheus.MustNewConstMetric(users, prometheus.GaugeValue, float64(c.audience), "audience")
		ch <- prometheus.MustNewConstMetric(tracks, prometheus.GaugeValue, float64(c.audio), string(protocol.MediaAudio))
		ch <- prometheus.MustNewConstMetric(tracks, prometheus.GaugeValue, float64(c.video), string(protocol.MediaVideo))
		ch <- prometheus.MustNewConstMetric(subs, prometheus.GaugeValue, float64(c.subsAudio), string(protocol.MediaAudio))
		ch <- prometheus.MustNewConstMetric(subs, prometheus.GaugeValue, float64(c.subsVideo), string(protocol.MediaVideo))
	}})
	return m
}

func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// censusCounts is what census counts.
type censusCounts struct {
	hosts, audience, audio, video, subsAudio, subsVideo int
}

// census counts users by role, published tracks and subscriptions by media
// type.
func (s *Server) census() (c censusCounts) {
	s.mu.Lock()
	chans := make([]*Channel, 0, len(s.channels))
	for _, ch := range s.channels {
		chans = append(chans, ch)
	}
	s.mu.Unlock()
	for _, ch := range chans {
		ch.mu.Lock()
		for _, p := range ch.users {
			if p.virtual {
				continue
			}
			if p.role == protocol.RoleBroadcaster {
				c.hosts++
			} else {
				c.audience++
			}
			if p.published[protocol.MediaAudio] != nil {
				c.audio++
			}
			if p.published[protocol.MediaVideo] != nil {
				c.video++
			}
			p.mu.Lock()
			for k := range p.subs {
				if k.mt == protocol.MediaAudio {
					c.subsAudio++
				} else {
					c.subsVideo++
				}
			}
			p.mu.Unlock()
		}
		ch.mu.Unlock()
	}
	return
}

// collectorFunc adapts a function to prometheus.Collector.
type collectorFunc struct {
	descs   []*prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (c collectorFunc) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }

// PeerMessage implements rtmsvc.Metrics.
func (m *metrics) PeerMessage(result protocol.RTMPeerMessageErr, d time.Duration) {
	m.rtmPeer.WithLabelValues(result.String()).Inc()
	if result == protocol.RTMPeerMessageOK {
		m.rtmPeerTime.Observe(d.Seconds())
	}
}

// MalformedMessage implements rtmsvc.Metrics.
func (m *metrics) MalformedMessage(kind string) { m.malformed.WithLabelValues(kind).Inc() }

// HeavyWait implements rtmsvc.Metrics.
func (m *metrics) HeavyWait(d time.Duration) { m.rtmHeavyWait.Add(d.Seconds()) }

// ChannelMessage implements rtmsvc.Metrics.
func (m *metrics) ChannelMessage() { m.rtmChannelMsg.Inc() }
