package rtm

import (
	"errors"
	"fmt"

	"github.com/cohost-rtc/cohost/protocol"
)

// ErrClosed is returned by calls on a closed client.
var ErrClosed = errors.New("rtm: client closed")

// Error is a failed RTM call. Code is the result code in the code table of
// the call's API, as Agora RTM 1.x defines it: protocol.RTMLoginErr for
// Login, protocol.RTMPeerMessageErr for SendMessageToPeer,
// protocol.RTMAttributeErr for attribute calls, and so on; its String is
// Agora's name in that table (code 3 is INVALID_ARGUMENT for an attribute
// call, TOO_OFTEN for a channel message). Read it with errors.As:
//
//	var e *rtm.Error[protocol.RTMAttributeErr]
//	if errors.As(err, &e) && e.Code == protocol.RTMAttributeRevisionConflict { … }
//
// Two Errors match with errors.Is when their code types and codes are equal.
type Error[C protocol.RTMCode] struct {
	Code C
	// Message explains the failure for humans.
	Message string
	// Reason carries a code-specific detail: the
	// protocol.RTMRemoteInvitationFailureReason of a failed Accept.
	Reason int
}

func (e *Error[C]) Error() string {
	return fmt.Sprintf("%s (%d): %s", e.Code, int(e.Code), e.Message)
}

// Is reports whether target is an *Error of the same code type and code.
func (e *Error[C]) Is(target error) bool {
	t, ok := target.(*Error[C])
	return ok && t.Code == e.Code
}

func (e *Error[C]) resultCode() int { return int(e.Code) }

// Code returns the RTM result code carried by err (an *Error of any code
// table, or a *protocol.Error for the protocol's own failures), or -1.
func Code(err error) int {
	var rc interface{ resultCode() int }
	if errors.As(err, &rc) {
		return rc.resultCode()
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return int(pe.Code)
	}
	return -1
}

func newError[C protocol.RTMCode](code C, format string, args ...any) *Error[C] {
	return &Error[C]{Code: code, Message: fmt.Sprintf(format, args...)}
}

// fromWire types the failure the server answered to a request of type t
// with the code table of t's API. The protocol's own failures (malformed
// or unknown message) stay *protocol.Error.
func fromWire(t protocol.Type, e *protocol.Error) error {
	if e.Code == protocol.ErrMalformedMessage || e.Code == protocol.ErrUnknownMessage {
		return e
	}
	c := int(e.Code)
	switch t {
	case protocol.RTMTypeLogin, protocol.RTMTypeLogout:
		return wireError(protocol.RTMLoginErr(c), e)
	case protocol.RTMTypeRenewToken:
		return wireError(protocol.RTMRenewTokenErr(c), e)
	case protocol.RTMTypeSendPeerMessage:
		return wireError(protocol.RTMPeerMessageErr(c), e)
	case protocol.RTMTypeJoinChannel:
		return wireError(protocol.RTMJoinChannelErr(c), e)
	case protocol.RTMTypeLeaveChannel:
		return wireError(protocol.RTMLeaveChannelErr(c), e)
	case protocol.RTMTypeSendChannelMessage:
		return wireError(protocol.RTMChannelMessageErr(c), e)
	case protocol.RTMTypeGetMembers:
		return wireError(protocol.RTMGetMembersErr(c), e)
	case protocol.RTMTypeGetChannelMemberCount:
		return wireError(protocol.RTMChannelMemberCountErr(c), e)
	case protocol.RTMTypeSetChannelAttributes, protocol.RTMTypeAddOrUpdateChannelAttributes,
		protocol.RTMTypeDeleteChannelAttributes, protocol.RTMTypeClearChannelAttributes,
		protocol.RTMTypeGetChannelAttributes, protocol.RTMTypeSetLocalUserAttributes,
		protocol.RTMTypeAddOrUpdateLocalUserAttrs, protocol.RTMTypeDeleteLocalUserAttributes,
		protocol.RTMTypeClearLocalUserAttributes, protocol.RTMTypeGetUserAttributes:
		return wireError(protocol.RTMAttributeErr(c), e)
	case protocol.RTMTypeQueryPeersOnlineStatus, protocol.RTMTypeSubscribePeersOnlineStatus,
		protocol.RTMTypeUnsubscribePeersOnlineStatus, protocol.RTMTypeQueryPeersBySubscription:
		return wireError(protocol.RTMQueryPeersErr(c), e)
	case protocol.RTMTypeSendLocalInvitation, protocol.RTMTypeCancelLocalInvitation,
		protocol.RTMTypeAcceptRemoteInvitation, protocol.RTMTypeRefuseRemoteInvitation:
		return wireError(protocol.RTMInvitationErr(c), e)
	}
	return e
}

func wireError[C protocol.RTMCode](code C, e *protocol.Error) *Error[C] {
	return &Error[C]{Code: code, Message: e.Message, Reason: e.Reason}
}
