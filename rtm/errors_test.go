package rtm

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cohost-rtc/cohost/protocol"
)

type codeName struct {
	code int
	name string
}

// Agora RTM 1.x's code tables (IAgoraRtmService.h), without OK, plus
// cohost's additions (REVISION_CONFLICT, the invitation request codes).
var (
	loginCodes = []codeName{{1, "UNKNOWN"}, {2, "REJECTED"}, {3, "INVALID_ARGUMENT"}, {4, "INVALID_APP_ID"},
		{5, "INVALID_TOKEN"}, {6, "TOKEN_EXPIRED"}, {7, "NOT_AUTHORIZED"}, {8, "ALREADY_LOGIN"}, {9, "TIMEOUT"},
		{10, "TOO_OFTEN"}, {101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	renewCodes = []codeName{{1, "FAILURE"}, {2, "INVALID_ARGUMENT"}, {3, "REJECTED"}, {4, "TOO_OFTEN"},
		{5, "TOKEN_EXPIRED"}, {6, "INVALID_TOKEN"}, {101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	peerCodes = []codeName{{1, "FAILURE"}, {2, "SENT_TIMEOUT"}, {3, "PEER_UNREACHABLE"}, {4, "CACHED_BY_SERVER"},
		{5, "TOO_OFTEN"}, {6, "INVALID_USERID"}, {7, "INVALID_MESSAGE"}, {8, "IMCOMPATIBLE_MESSAGE"},
		{101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	joinCodes = []codeName{{1, "FAILURE"}, {2, "REJECTED"}, {3, "INVALID_ARGUMENT"}, {4, "TIMEOUT"},
		{5, "EXCEED_LIMIT"}, {6, "ALREADY_JOINED"}, {7, "TOO_OFTEN"}, {8, "JOIN_SAME_CHANNEL_TOO_OFTEN"},
		{101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	leaveCodes = []codeName{{1, "FAILURE"}, {2, "REJECTED"}, {3, "NOT_IN_CHANNEL"}, {101, "NOT_INITIALIZED"},
		{102, "USER_NOT_LOGGED_IN"}}
	chanMsgCodes = []codeName{{1, "FAILURE"}, {2, "SENT_TIMEOUT"}, {3, "TOO_OFTEN"}, {4, "INVALID_MESSAGE"},
		{101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	membersCodes = []codeName{{1, "FAILURE"}, {2, "REJECTED"}, {3, "TIMEOUT"}, {4, "TOO_OFTEN"},
		{5, "NOT_IN_CHANNEL"}, {101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	countCodes = []codeName{{1, "FAILURE"}, {2, "INVALID_ARGUMENT"}, {3, "TOO_OFTEN"}, {4, "TIMEOUT"},
		{5, "EXCEED_LIMIT"}, {101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	attrCodes = []codeName{{1, "NOT_READY"}, {2, "FAILURE"}, {3, "INVALID_ARGUMENT"}, {4, "SIZE_OVERFLOW"},
		{5, "TOO_OFTEN"}, {6, "USER_NOT_FOUND"}, {7, "TIMEOUT"}, {101, "NOT_INITIALIZED"},
		{102, "USER_NOT_LOGGED_IN"}, {200, "REVISION_CONFLICT"}}
	peersCodes = []codeName{{1, "FAILURE"}, {2, "INVALID_ARGUMENT"}, {3, "REJECTED"}, {4, "TIMEOUT"},
		{5, "TOO_OFTEN"}, {6, "OVERFLOW"}, {101, "NOT_INITIALIZED"}, {102, "USER_NOT_LOGGED_IN"}}
	invCodes = []codeName{{1, "FAILURE"}, {2, "INVALID_ARGUMENT"}, {3, "INVALID_STATE"}, {5, "TOO_OFTEN"},
		{102, "USER_NOT_LOGGED_IN"}}
)

func isA[C protocol.RTMCode](err error) bool {
	var e *Error[C]
	return errors.As(err, &e)
}

// Every request's failure, as the server sends it, comes back typed with
// its API's code table and prints Agora RTM's name for the code.
func TestEveryRTMRequestErrorCarriesItsTable(t *testing.T) {
	apis := []struct {
		types []protocol.Type
		codes []codeName
		typed func(error) bool
	}{
		{[]protocol.Type{protocol.RTMTypeLogin, protocol.RTMTypeLogout}, loginCodes, isA[protocol.RTMLoginErr]},
		{[]protocol.Type{protocol.RTMTypeRenewToken}, renewCodes, isA[protocol.RTMRenewTokenErr]},
		{[]protocol.Type{protocol.RTMTypeSendPeerMessage}, peerCodes, isA[protocol.RTMPeerMessageErr]},
		{[]protocol.Type{protocol.RTMTypeJoinChannel}, joinCodes, isA[protocol.RTMJoinChannelErr]},
		{[]protocol.Type{protocol.RTMTypeLeaveChannel}, leaveCodes, isA[protocol.RTMLeaveChannelErr]},
		{[]protocol.Type{protocol.RTMTypeSendChannelMessage}, chanMsgCodes, isA[protocol.RTMChannelMessageErr]},
		{[]protocol.Type{protocol.RTMTypeGetMembers}, membersCodes, isA[protocol.RTMGetMembersErr]},
		{[]protocol.Type{protocol.RTMTypeGetChannelMemberCount}, countCodes, isA[protocol.RTMChannelMemberCountErr]},
		{[]protocol.Type{protocol.RTMTypeSetChannelAttributes, protocol.RTMTypeAddOrUpdateChannelAttributes,
			protocol.RTMTypeDeleteChannelAttributes, protocol.RTMTypeClearChannelAttributes,
			protocol.RTMTypeGetChannelAttributes, protocol.RTMTypeSetLocalUserAttributes,
			protocol.RTMTypeAddOrUpdateLocalUserAttrs, protocol.RTMTypeDeleteLocalUserAttributes,
			protocol.RTMTypeClearLocalUserAttributes, protocol.RTMTypeGetUserAttributes}, attrCodes, isA[protocol.RTMAttributeErr]},
		{[]protocol.Type{protocol.RTMTypeQueryPeersOnlineStatus, protocol.RTMTypeSubscribePeersOnlineStatus,
			protocol.RTMTypeUnsubscribePeersOnlineStatus, protocol.RTMTypeQueryPeersBySubscription}, peersCodes, isA[protocol.RTMQueryPeersErr]},
		{[]protocol.Type{protocol.RTMTypeSendLocalInvitation, protocol.RTMTypeCancelLocalInvitation,
			protocol.RTMTypeAcceptRemoteInvitation, protocol.RTMTypeRefuseRemoteInvitation}, invCodes, isA[protocol.RTMInvitationErr]},
	}
	for _, api := range apis {
		for _, typ := range api.types {
			for _, c := range api.codes {
				// The wire error as a server sends it: the number and the
				// name in the request's table.
				wire := &protocol.Error{Code: protocol.ErrorCode(c.code), Name: c.name, Web: c.name, Message: "why", Reason: 4}
				err := fromWire(typ, wire)
				if want := fmt.Sprintf("%s (%d): why", c.name, c.code); err.Error() != want {
					t.Errorf("%s code %d prints %q, want %q", typ, c.code, err, want)
				}
				if !api.typed(err) {
					t.Errorf("%s code %d: %T is not of the API's code type", typ, c.code, err)
				}
				if Code(err) != c.code {
					t.Errorf("%s: Code = %d, want %d", typ, Code(err), c.code)
				}
				// The name comes from the code type, not from the wire.
				if got := fromWire(typ, &protocol.Error{Code: protocol.ErrorCode(c.code), Message: "why"}).Error(); got != fmt.Sprintf("%s (%d): why", c.name, c.code) {
					t.Errorf("%s code %d without a wire name prints %q", typ, c.code, got)
				}
			}
		}
	}
	// The protocol's own failures keep their names.
	err := fromWire(protocol.RTMTypeJoinChannel, protocol.NewError(protocol.ErrUnknownMessage, "what"))
	if want := "ERR_UNKNOWN_MESSAGE (1001): what"; err.Error() != want || Code(err) != 1001 {
		t.Errorf("unknown message: %q, want %q", err, want)
	}
}

// The accept failure's reason survives the typing.
func TestInvitationErrorKeepsItsReason(t *testing.T) {
	wire := protocol.NewRTMError(protocol.RTMInvitationFailure, "caller offline").WithReason(int(protocol.RTMRemoteInvitationErrPeerOffline))
	var ie *Error[protocol.RTMInvitationErr]
	if err := fromWire(protocol.RTMTypeAcceptRemoteInvitation, wire); !errors.As(err, &ie) ||
		protocol.RTMRemoteInvitationFailureReason(ie.Reason) != protocol.RTMRemoteInvitationErrPeerOffline {
		t.Fatalf("got %v", err)
	}
}
