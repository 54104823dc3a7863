package rtc

import (
	"errors"
	"fmt"

	"github.com/cohost-rtc/cohost/protocol"
)

// Errors of the SDK itself. Errors returned by the server are
// *protocol.Error values, wrapped so that errors.Is and errors.As work:
//
//	errors.Is(err, protocol.NewError(protocol.ErrRefused, ""))
var (
	// ErrClosed: the engine was closed.
	ErrClosed = errors.New("rtc: engine closed")
	// ErrNotJoined: the call needs a channel session and there is none
	// (or it ended while the call was waiting).
	ErrNotJoined = errors.New("rtc: not in a channel")
	// ErrAlreadyJoined: JoinChannel was called while a session exists.
	ErrAlreadyJoined = errors.New("rtc: already in a channel")
	// ErrConnectionLost: the signalling connection broke before the
	// server answered. The request may or may not have taken effect.
	ErrConnectionLost = errors.New("rtc: signalling connection lost")
	// ErrInvalidConfig: NewEngine was given an unusable EngineConfig.
	ErrInvalidConfig = errors.New("rtc: invalid engine config")
	// ErrUnsupportedCodec: the codec is not one cohost forwards.
	ErrUnsupportedCodec = errors.New("rtc: unsupported codec")
	// ErrTrackInUse: the LocalTrack is published by another engine.
	ErrTrackInUse = errors.New("rtc: track is published by another engine")
	// ErrMediaTypeInUse: another track of the same media type is already
	// published; an engine publishes at most one audio and one video track.
	ErrMediaTypeInUse = errors.New("rtc: a track of this media type is already published")
	// ErrNoProxy: a cloud proxy is forced and the server hands out no TURN
	// server of its kind.
	ErrNoProxy = errors.New("rtc: the server offers no TURN relay for this cloud proxy")
	// ErrSubscriptionEnded: the subscription ended (unsubscribed, the
	// remote user unpublished or left, or the session ended).
	ErrSubscriptionEnded = errors.New("rtc: subscription ended")
)

// invalidArgument builds the error of a locally rejected argument. It is a
// *protocol.Error with code ErrInvalidArgument, like the server's.
func invalidArgument(format string, args ...any) error {
	return fmt.Errorf("rtc: %w", protocol.NewError(protocol.ErrInvalidArgument, format, args...))
}

// protocolError returns the *protocol.Error in err's chain, or nil.
func protocolError(err error) *protocol.Error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}
