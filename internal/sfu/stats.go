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
	WriteErrors          atomic.Uint64
}
