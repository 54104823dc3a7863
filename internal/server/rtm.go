package server

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/cohost-rtc/cohost/internal/natsbus"
	"github.com/cohost-rtc/cohost/internal/rtmsvc"
	"github.com/cohost-rtc/cohost/protocol"
)

// rtmState is the RTM service of the server and its NATS bus; nil when
// RTM is disabled.
type rtmState struct {
	bus  *natsbus.Bus
	svc  *rtmsvc.Service
	once sync.Once
}

// startRTM connects to NATS (or starts the embedded server) and starts the
// RTM service.
func (s *Server) startRTM() error {
	if !s.cfg.RTM.Enabled {
		return nil
	}
	store := s.cfg.NATS.StoreDir
	if store == "" && s.cfg.NATS.URL == "" {
		if s.cfg.DataDir == "" {
			return fmt.Errorf("server: RTM needs nats.storeDir or dataDir for the embedded NATS server")
		}
		store = filepath.Join(s.cfg.DataDir, "nats")
	}
	bus, err := natsbus.Open(natsbus.Config{URL: s.cfg.NATS.URL, StoreDir: store, Listen: s.cfg.NATS.Listen,
		Replicas: s.cfg.NATS.Replicas, Name: "cohost " + s.cfg.Listen, Logger: s.logger})
	if err != nil {
		return fmt.Errorf("server: RTM: %w", err)
	}
	svc, err := rtmsvc.New(rtmsvc.Config{RTM: s.cfg.RTM, Apps: s.cfg.Apps, TokenWarning: s.cfg.Timers.TokenWarning, Logger: s.logger, Metrics: s.metrics}, bus)
	if err != nil {
		bus.Close()
		return fmt.Errorf("server: RTM: %w", err)
	}
	s.rtm = &rtmState{bus: bus, svc: svc}
	return nil
}

// rtmRoutes registers the RTM WebSocket endpoint.
func (s *Server) rtmRoutes(mux *http.ServeMux) {
	if s.rtm != nil {
		mux.Handle(protocol.RTMPath, s.rtm.svc)
	}
}

// stopRTM ends every RTM session gracefully and closes the bus.
func (s *Server) stopRTM() {
	if s.rtm == nil {
		return
	}
	s.rtm.once.Do(func() {
		s.rtm.svc.Close()
		s.rtm.bus.Close()
	})
}

// KillRTM stops the RTM service abruptly, as if the process had died: its
// clients' connections drop and its NATS connection closes without any
// cleanup; other nodes notice after rtm.timers.nodeTimeout. The RTC side
// keeps running. For tests.
func (s *Server) KillRTM() {
	if s.rtm == nil {
		return
	}
	s.rtm.once.Do(func() {
		s.rtm.svc.Kill()
		s.rtm.bus.Close()
	})
}

// RTMNode is the RTM node id ("" without RTM).
func (s *Server) RTMNode() string {
	if s.rtm == nil {
		return ""
	}
	return s.rtm.svc.Node()
}

// NATSClientURL is the embedded NATS server's client URL when it listens
// (nats.listen), else "".
func (s *Server) NATSClientURL() string {
	if s.rtm == nil {
		return ""
	}
	return s.rtm.bus.ClientURL()
}
