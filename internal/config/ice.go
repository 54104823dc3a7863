package config

import "fmt"

// ICE configures which candidates of clients the media port checks.
type ICE struct {
	// AllowPrivateCandidates is "true", "false" or "auto" (also when
	// empty). With "false" the server sends no ICE check to a client
	// candidate on a loopback, link-local, private (RFC 1918, IPv6 unique
	// local) or carrier-shared address; "auto" allows them only when every
	// address the server offers (the advertised IP, else the bound one,
	// else its interfaces') is itself private. Multicast, broadcast and
	// unspecified candidates are never checked.
	AllowPrivateCandidates string `yaml:"allowPrivateCandidates"`
}

// Candidate policies, the values of ice.allowPrivateCandidates.
const (
	PrivateCandidatesAuto  = "auto"
	PrivateCandidatesAllow = "true"
	PrivateCandidatesDeny  = "false"
)

// PrivateCandidates returns AllowPrivateCandidates with "" read as "auto".
func (i ICE) PrivateCandidates() string {
	if i.AllowPrivateCandidates == "" {
		return PrivateCandidatesAuto
	}
	return i.AllowPrivateCandidates
}

func (c Config) validateICE() error {
	switch c.ICE.PrivateCandidates() {
	case PrivateCandidatesAuto, PrivateCandidatesAllow, PrivateCandidatesDeny:
		return nil
	}
	return fmt.Errorf("ice.allowPrivateCandidates: %q is not true, false or auto", c.ICE.AllowPrivateCandidates)
}

func init() {
	settings = append(settings, setting{"ice.allowPrivateCandidates", "allow-private-candidates", "COHOST_ALLOW_PRIVATE_CANDIDATES", kindString,
		"true, false or auto: send ICE checks to clients' loopback, link-local and private candidates (auto: only when the server's own addresses are private)",
		func(c *Config) any { return &c.ICE.AllowPrivateCandidates }})
}
