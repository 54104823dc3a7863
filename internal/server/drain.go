package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// DrainPath is the admin endpoint that starts a drain (POST), served
// where /metrics is and guarded the same way.
const DrainPath = "/v1/admin/drain"

// Drain asks the node to drain and stop: in a cluster it takes no new
// members, moves its RTC members to other nodes, releases its channels
// and ends its RTM sessions; Serve then returns. A single node just shuts
// down. It returns at once; Serve does the work.
func (s *Server) Drain() {
	s.drainOnce.Do(func() { close(s.drainReq) })
}

// handleDrain starts a drain and answers 202 at once; the node exits once
// drained.
func (s *Server) handleDrain(w http.ResponseWriter, _ *http.Request) {
	s.Drain()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(DrainStatus{Draining: true, Clustered: s.nats != nil && s.nats.place != nil})
}

// DrainStatus is the answer of POST DrainPath.
type DrainStatus struct {
	Draining bool `json:"draining"`
	// Clustered: the node moves its members to other nodes; a single
	// node just shuts down.
	Clustered bool `json:"clustered"`
}

// Draining reports whether the node drains (or has drained).
func (s *Server) Draining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draining
}

// drain moves the node's members elsewhere before a shutdown, within ctx.
// In order: the node announces it drains (placement on every node skips
// it and it sends joins elsewhere), hands the leadership of the JetStream
// streams its NATS server leads to the others, releases its channel leases (the
// channels are free for the first node their members reach), then tells
// each RTC member connected here the node stops (SERVER_SHUTDOWN), which
// makes the SDKs join again through another node of the cluster with
// their uid and role, and hands the members connected to other nodes of
// the channels it owned to those nodes (handOffRemote), which give them
// to the channels' next owners without ending their sessions. Every
// member is told before any is removed, so nobody hears that the others
// left. RTM sessions end with the shutdown that follows.
func (s *Server) drain(ctx context.Context) {
	if s.nats == nil || s.nats.place == nil {
		return
	}
	start := time.Now()
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	s.nats.reg.SetDraining(true)
	// The heartbeat saying so is out before the members are moved.
	_ = s.nats.bus.Conn.FlushTimeout(max(time.Until(deadlineOr(ctx, time.Second)), 10*time.Millisecond))
	// The streams this node's NATS server leads (the lease bucket among
	// them) get a leader elsewhere before anything moves: the next owners
	// take the leases at once instead of waiting for an election once the
	// server is gone.
	sctx, cancel := context.WithTimeout(ctx, stepDownTimeout)
	moved, err := s.nats.bus.StepDown(sctx)
	cancel()
	if err != nil {
		s.logger.Warn("draining: JetStream leaders not moved", "err", err)
	} else if moved > 0 {
		s.logger.Info("draining: JetStream leaders moved to other nodes", "streams", moved, "took", time.Since(start).Round(time.Millisecond))
	}
	s.nats.place.leases.Close()

	s.mu.Lock()
	sessions := make([]*Participant, 0, len(s.sessions))
	for _, p := range s.sessions {
		sessions = append(sessions, p)
	}
	s.mu.Unlock()
	s.logger.Info("draining: moving members to other nodes", "rtcSessions", len(sessions))
	var written []chan struct{}
	for _, p := range sessions {
		p.mu.Lock()
		c := p.conn
		p.mu.Unlock()
		if p.edge != nil {
			// A member of a channel owned by another node moves: its leave
			// is not reported, the owner keeps it until it joins again or
			// the drop timeout passes once this node is gone, so nobody is
			// told it left.
			p.edgeKicked.Store(true)
		}
		p.disconnect(protocol.ReasonServerShutdown, "the node is draining: join again through another node")
		if c != nil {
			written = append(written, c.writerDone)
		}
	}
	if s.nats.edge != nil {
		// Before the local members' removal, whose events their nodes
		// would otherwise deliver to them.
		s.nats.edge.handOffRemote()
	}
	if rn := s.relayNodeFor(); rn != nil {
		rn.endImports(func(*relayImport) bool { return true }, "the node hosting the destination channel is draining")
	}
	for _, p := range sessions {
		s.removeParticipant(p, protocol.OfflineQuit)
	}
	// Wait until each member's disconnect is written (its connection
	// then closes).
	for _, done := range written {
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	s.logger.Info("drained", "after", time.Since(start).Round(time.Millisecond), "timedOut", ctx.Err() != nil)
}

// stepDownTimeout bounds a drain's wait for the streams its NATS server
// led to have leaders elsewhere.
const stepDownTimeout = 3 * time.Second

// deadlineOr is ctx's deadline, or d from now without one.
func deadlineOr(ctx context.Context, d time.Duration) time.Time {
	if dl, ok := ctx.Deadline(); ok {
		return dl
	}
	return time.Now().Add(d)
}
