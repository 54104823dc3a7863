package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/cohost-rtc/cohost/internal/rtmsvc"
	"github.com/cohost-rtc/cohost/protocol"
)

// startRTM starts the RTM service on the open bus and registry.
func (s *Server) startRTM(ctx context.Context) error {
	if !s.cfg.RTM.Enabled {
		return nil
	}
	svc, err := rtmsvc.New(ctx, rtmsvc.Config{RTM: s.cfg.RTM, Apps: s.cfg.Apps, TokenWarning: s.cfg.Timers.TokenWarning,
		Logger: s.logger, Metrics: s.metrics, Registry: s.nats.reg}, s.nats.bus)
	if err != nil {
		return fmt.Errorf("server: RTM: %w", err)
	}
	s.nats.svc = svc
	return nil
}

// rtmRoutes registers the RTM WebSocket endpoint and the media store.
func (s *Server) rtmRoutes(mux *http.ServeMux) {
	if s.nats != nil && s.nats.svc != nil {
		mux.Handle(protocol.RTMPath, s.originGuard(s.connLimit.guard(s.nats.svc)))
		media := s.nats.svc.MediaHandler()
		mux.Handle(protocol.RTMMediaPath, media)
		mux.Handle(protocol.RTMMediaPath+"/", media)
	}
}

// RTMNode is the RTM node id ("" without RTM): the node's id.
func (s *Server) RTMNode() string {
	if s.nats == nil || s.nats.svc == nil {
		return ""
	}
	return s.nats.svc.Node()
}
