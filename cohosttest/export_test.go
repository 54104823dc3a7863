package cohosttest

// KillNode stops node i's part in the cluster abruptly, as a crashed
// process would (no goodbye, RTM connections dropped, NATS server gone).
func KillNode(s *Server, i int) { s.nodes[i].KillNode() }

// RTCSessions is how many RTC sessions node i holds.
func RTCSessions(s *Server, i int) int { return s.nodes[i].RTCSessions() }
