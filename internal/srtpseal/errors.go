package srtpseal

import "errors"

var (
	// ErrMasterKey: the master key is not an AES-128 or AES-256 key.
	ErrMasterKey = errors.New("srtpseal: SRTP master key must be 16 or 32 bytes")
	// ErrMasterSalt: the master salt is not the GCM profiles' 12 bytes.
	ErrMasterSalt = errors.New("srtpseal: SRTP master salt must be 12 bytes")
	// ErrPacket: the header length does not fit the packet, or the
	// buffer has no room for the tag.
	ErrPacket = errors.New("srtpseal: RTP packet does not fit")
	// ErrIndexExhausted: 2^48 packets were sealed with one key (RFC 3711
	// section 9.2); the session must be re-keyed.
	ErrIndexExhausted = errors.New("srtpseal: SRTP packet index exhausted")
)
