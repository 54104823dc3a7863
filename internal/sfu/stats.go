package sfu

import "sync/atomic"

// Stats counts media forwarded by the server. Updated with atomics on the
// forwarding path; read by the metrics exporter.
type Stats struct {
	PacketsIn, BytesIn   atomic.Uint64
	PacketsOut, BytesOut atomic.Uint64
	NACKs, PLIs          atomic.Uint64
	Retransmits          atomic.Uint64
	KeyframeRequests     atomic.Uint64
	// WriteErrors counts packets that failed to be written, the ones the
	// kernel refused included.
	WriteErrors atomic.Uint64
	// EgressDropped counts packets dropped because their subscriber's send
	// queue (or its sender shard) was full.
	EgressDropped atomic.Uint64
}
