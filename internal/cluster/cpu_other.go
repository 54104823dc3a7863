//go:build !unix

package cluster

import "time"

// cpuTime is unknown on this platform: nodes report CPU -1.
func cpuTime() (time.Duration, bool) { return 0, false }
