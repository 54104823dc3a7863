package rtmsvc

import (
	"encoding/json"

	"github.com/cohost-rtc/cohost/protocol"
)

func (s *Service) dispatch(c *wsConn, env *protocol.Envelope) {
	switch env.Type {
	case protocol.RTMTypeLogin:
		s.handleLogin(c, env.ID, env.Data)
		return
	case protocol.RTMTypePing:
		c.reply(env.ID, protocol.RTMPingResponse{ServerTimeMs: nowMs()}, nil)
		return
	}
	s.mu.Lock()
	se := c.sess
	ok := se != nil && !se.ended
	s.mu.Unlock()
	if !ok {
		if _, known := handlers[env.Type]; !known {
			c.reply(env.ID, nil, protocol.NewError(protocol.ErrUnknownMessage, "unknown message type %q", env.Type))
			return
		}
		c.reply(env.ID, nil, notLoggedIn(env.Type))
		return
	}
	h, known := handlers[env.Type]
	if !known {
		c.reply(env.ID, nil, protocol.NewError(protocol.ErrUnknownMessage, "unknown message type %q", env.Type))
		return
	}
	h(s, c, se, env.ID, env.Data)
}

type handler func(s *Service, c *wsConn, se *session, id uint64, data json.RawMessage)

var handlers map[protocol.Type]handler

// withType binds a handler serving several request types to one of them.
func withType(t protocol.Type, h func(*Service, *wsConn, *session, uint64, protocol.Type, json.RawMessage)) handler {
	return func(s *Service, c *wsConn, se *session, id uint64, data json.RawMessage) { h(s, c, se, id, t, data) }
}

func init() {
	handlers = map[protocol.Type]handler{
		protocol.RTMTypeLogout:                       func(s *Service, c *wsConn, se *session, id uint64, _ json.RawMessage) { s.handleLogout(c, se, id) },
		protocol.RTMTypeRenewToken:                   (*Service).handleRenewToken,
		protocol.RTMTypeSendPeerMessage:              (*Service).handleSendPeer,
		protocol.RTMTypeJoinChannel:                  (*Service).handleJoin,
		protocol.RTMTypeLeaveChannel:                 (*Service).handleLeave,
		protocol.RTMTypeSendChannelMessage:           (*Service).handleSendChannel,
		protocol.RTMTypeGetMembers:                   (*Service).handleGetMembers,
		protocol.RTMTypeGetChannelMemberCount:        (*Service).handleMemberCount,
		protocol.RTMTypeSetChannelAttributes:         withType(protocol.RTMTypeSetChannelAttributes, (*Service).handleChannelAttrs),
		protocol.RTMTypeAddOrUpdateChannelAttributes: withType(protocol.RTMTypeAddOrUpdateChannelAttributes, (*Service).handleChannelAttrs),
		protocol.RTMTypeDeleteChannelAttributes:      withType(protocol.RTMTypeDeleteChannelAttributes, (*Service).handleChannelAttrs),
		protocol.RTMTypeClearChannelAttributes:       withType(protocol.RTMTypeClearChannelAttributes, (*Service).handleChannelAttrs),
		protocol.RTMTypeGetChannelAttributes:         (*Service).handleGetChannelAttrs,
		protocol.RTMTypeQueryPeersOnlineStatus:       (*Service).handleQueryPeers,
		protocol.RTMTypeSubscribePeersOnlineStatus:   (*Service).handleSubscribePeers,
		protocol.RTMTypeUnsubscribePeersOnlineStatus: (*Service).handleUnsubscribePeers,
		protocol.RTMTypeQueryPeersBySubscription:     (*Service).handleQueryBySubscription,
		protocol.RTMTypeSetLocalUserAttributes:       withType(protocol.RTMTypeSetLocalUserAttributes, (*Service).handleUserAttrs),
		protocol.RTMTypeAddOrUpdateLocalUserAttrs:    withType(protocol.RTMTypeAddOrUpdateLocalUserAttrs, (*Service).handleUserAttrs),
		protocol.RTMTypeDeleteLocalUserAttributes:    withType(protocol.RTMTypeDeleteLocalUserAttributes, (*Service).handleUserAttrs),
		protocol.RTMTypeClearLocalUserAttributes:     withType(protocol.RTMTypeClearLocalUserAttributes, (*Service).handleUserAttrs),
		protocol.RTMTypeGetUserAttributes:            (*Service).handleGetUserAttrs,
		protocol.RTMTypeSendLocalInvitation:          (*Service).handleSendInvitation,
		protocol.RTMTypeCancelLocalInvitation:        (*Service).handleCancelInvitation,
		protocol.RTMTypeAcceptRemoteInvitation:       withType(protocol.RTMTypeAcceptRemoteInvitation, (*Service).handleAnswerInvitation),
		protocol.RTMTypeRefuseRemoteInvitation:       withType(protocol.RTMTypeRefuseRemoteInvitation, (*Service).handleAnswerInvitation),
	}
}

// codesOf gives, per request type, its TOO_OFTEN code and its code type's
// USER_NOT_LOGGED_IN (102, shared by all).
func tooOften(t protocol.Type) *protocol.Error {
	const msg = "too many requests"
	switch t {
	case protocol.RTMTypeLogin:
		return protocol.NewRTMError(protocol.RTMLoginTooOften, msg)
	case protocol.RTMTypeRenewToken:
		return protocol.NewRTMError(protocol.RTMRenewTokenTooOften, msg)
	case protocol.RTMTypeSendPeerMessage:
		return protocol.NewRTMError(protocol.RTMPeerMessageTooOften, msg)
	case protocol.RTMTypeJoinChannel:
		return protocol.NewRTMError(protocol.RTMJoinTooOften, msg)
	case protocol.RTMTypeSendChannelMessage:
		return protocol.NewRTMError(protocol.RTMChannelMessageTooOften, msg)
	case protocol.RTMTypeGetMembers:
		return protocol.NewRTMError(protocol.RTMGetMembersTooOften, msg)
	case protocol.RTMTypeGetChannelMemberCount:
		return protocol.NewRTMError(protocol.RTMMemberCountTooOften, msg)
	case protocol.RTMTypeQueryPeersOnlineStatus, protocol.RTMTypeSubscribePeersOnlineStatus,
		protocol.RTMTypeUnsubscribePeersOnlineStatus, protocol.RTMTypeQueryPeersBySubscription:
		return protocol.NewRTMError(protocol.RTMQueryPeersTooOften, msg)
	case protocol.RTMTypeSendLocalInvitation, protocol.RTMTypeCancelLocalInvitation,
		protocol.RTMTypeAcceptRemoteInvitation, protocol.RTMTypeRefuseRemoteInvitation:
		return protocol.NewRTMError(protocol.RTMInvitationTooOften, msg)
	case protocol.RTMTypeLeaveChannel:
		return protocol.NewRTMError(protocol.RTMLeaveFailure, msg)
	}
	return protocol.NewRTMError(protocol.RTMAttributeTooOften, msg)
}

func notLoggedIn(t protocol.Type) *protocol.Error {
	return protocol.NewRTMError(protocol.RTMLoginNotLoggedIn, "%s needs a login", t)
}
