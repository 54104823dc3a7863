package server

import (
	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/sfu"
)

// candidatePolicy maps ice.allowPrivateCandidates to the media layer's
// policy (validated configuration: anything else is "auto").
func candidatePolicy(c config.ICE) sfu.CandidatePolicy {
	switch c.PrivateCandidates() {
	case config.PrivateCandidatesAllow:
		return sfu.CandidatesAllowPrivate
	case config.PrivateCandidatesDeny:
		return sfu.CandidatesPublicOnly
	}
	return sfu.CandidatesAuto
}
