package cohosttest

// KillNode stops node i's part in the cluster abruptly, as a crashed
// process would (no goodbye, RTM connections dropped, NATS server gone).
func KillNode(s *Server, i int) { s.nodes[i].KillNode() }

// RTCSessions is how many RTC sessions node i holds.
func RTCSessions(s *Server, i int) int { return s.nodes[i].RTCSessions() }

// CrashNode stops node i as a killed process would: no goodbye to the
// cluster, its listener closed, its client and peer connections dropped
// without a word.
func CrashNode(s *Server, i int) { s.nodes[i].Crash() }

// CutNATS cuts node i from NATS (its NATS connection closes) while its
// clients stay connected, as a partition would.
func CutNATS(s *Server, i int) { s.nodes[i].CutNATS() }

// NATSURL is node i's embedded NATS client URL (127.0.0.1, with the
// cluster's credentials).
func NATSURL(s *Server, i int) string { return s.nodes[i].NATSClientURL() }
