package server

import "github.com/cohost-rtc/cohost/internal/rtmsvc"

// IsLoopbackHost exposes isLoopbackHost to tests.
var IsLoopbackHost = isLoopbackHost

// Metrics exposes the RTM metrics hook to tests.
func (s *Server) Metrics() rtmsvc.Metrics { return s.metrics }

// PacketsIn is the count of RTP packets received from publishers.
func (s *Server) PacketsIn() uint64 { return s.stats.PacketsIn() }
