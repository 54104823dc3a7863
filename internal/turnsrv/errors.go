package turnsrv

import "errors"

// Errors of credentials and of the server.
var (
	// ErrMalformedUsername: a TURN username that is not expiry:session.
	ErrMalformedUsername = errors.New("turn: username is not expiry:session")
	// ErrWrongPassword: the password is not the username's under the secret.
	ErrWrongPassword = errors.New("turn: wrong password")
	// ErrCredentialExpired: the credential's expiry has passed.
	ErrCredentialExpired = errors.New("turn: credential expired")
	// ErrNoSecret: credentials cannot be made or checked without a secret.
	ErrNoSecret = errors.New("turn: empty credential secret")
	// ErrNoListener: a server with neither a UDP socket nor a listener.
	ErrNoListener = errors.New("turn: no UDP socket and no listener")
	// ErrNoRelayIP: the server has no address to relay from.
	ErrNoRelayIP = errors.New("turn: no relay IP")
	// ErrRelayIPFamilyTwice: two relay IPs of one address family.
	ErrRelayIPFamilyTwice = errors.New("turn: two relay IPs of one address family")
	// ErrNoRelayFamily: an allocation of an address family the server
	// has no relay IP of.
	ErrNoRelayFamily = errors.New("turn: no relay IP of the allocation's address family")
)
