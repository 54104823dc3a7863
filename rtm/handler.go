package rtm

import "github.com/cohost-rtc/cohost/protocol"

// ClientHandler receives a client's events, named after Agora RTM's
// IRtmServiceEventHandler. Embed BaseClientHandler to implement only some.
// Calls come from one goroutine per client, in order; a method may call
// Client and Channel methods but must not block for long.
type ClientHandler interface {
	// OnConnectionStateChanged: the connection state changed.
	OnConnectionStateChanged(state protocol.RTMConnectionState, reason protocol.RTMConnectionChangeReason)
	// OnMessageReceived: a peer-to-peer message arrived (also the offline
	// messages stored while the user was offline, at login).
	OnMessageReceived(peerID string, msg *Message)
	// OnPeersOnlineStatusChanged: subscribed peers changed state (the first
	// call after a subscription is a snapshot).
	OnPeersOnlineStatusChanged(statuses map[string]protocol.RTMPeerOnlineState)
	// OnTokenPrivilegeWillExpire: the login privilege expires soon; call
	// RenewToken.
	OnTokenPrivilegeWillExpire()
	// OnTokenExpired: the token expired; log in again with a new one.
	OnTokenExpired()

	// Caller side of call invitations.
	OnLocalInvitationReceivedByPeer(inv *LocalInvitation)
	OnLocalInvitationAccepted(inv *LocalInvitation, response string)
	OnLocalInvitationRefused(inv *LocalInvitation, response string)
	OnLocalInvitationCanceled(inv *LocalInvitation)
	OnLocalInvitationFailure(inv *LocalInvitation, reason protocol.RTMLocalInvitationFailureReason)
	// Callee side.
	OnRemoteInvitationReceived(inv *RemoteInvitation)
	OnRemoteInvitationAccepted(inv *RemoteInvitation)
	OnRemoteInvitationRefused(inv *RemoteInvitation)
	OnRemoteInvitationCanceled(inv *RemoteInvitation)
	OnRemoteInvitationFailure(inv *RemoteInvitation, reason protocol.RTMRemoteInvitationFailureReason)
}

// BaseClientHandler implements every ClientHandler method as a no-op.
type BaseClientHandler struct{}

var _ ClientHandler = BaseClientHandler{}

func (BaseClientHandler) OnConnectionStateChanged(protocol.RTMConnectionState, protocol.RTMConnectionChangeReason) {
}
func (BaseClientHandler) OnMessageReceived(string, *Message)                                {}
func (BaseClientHandler) OnPeersOnlineStatusChanged(map[string]protocol.RTMPeerOnlineState) {}
func (BaseClientHandler) OnTokenPrivilegeWillExpire()                                       {}
func (BaseClientHandler) OnTokenExpired()                                                   {}
func (BaseClientHandler) OnLocalInvitationReceivedByPeer(*LocalInvitation)                  {}
func (BaseClientHandler) OnLocalInvitationAccepted(*LocalInvitation, string)                {}
func (BaseClientHandler) OnLocalInvitationRefused(*LocalInvitation, string)                 {}
func (BaseClientHandler) OnLocalInvitationCanceled(*LocalInvitation)                        {}
func (BaseClientHandler) OnLocalInvitationFailure(*LocalInvitation, protocol.RTMLocalInvitationFailureReason) {
}
func (BaseClientHandler) OnRemoteInvitationReceived(*RemoteInvitation) {}
func (BaseClientHandler) OnRemoteInvitationAccepted(*RemoteInvitation) {}
func (BaseClientHandler) OnRemoteInvitationRefused(*RemoteInvitation)  {}
func (BaseClientHandler) OnRemoteInvitationCanceled(*RemoteInvitation) {}
func (BaseClientHandler) OnRemoteInvitationFailure(*RemoteInvitation, protocol.RTMRemoteInvitationFailureReason) {
}

// ChannelHandler receives a channel's events, named after Agora RTM's
// IChannelEventHandler. Embed BaseChannelHandler to implement only some.
type ChannelHandler interface {
	OnMemberJoined(userID string)
	// OnMemberLeft: a member left, logged out or was disconnected for
	// rtm.timers.offline.
	OnMemberLeft(userID string)
	// OnMessageReceived: a channel message from another member.
	OnMessageReceived(userID string, msg *Message)
	// OnAttributesUpdated: the channel's full attribute set, after a write
	// with EnableNotificationToChannelMembers.
	OnAttributesUpdated(attrs []Attribute)
	// OnMemberCountUpdated: the channel's member count (at join, then at
	// most once per second while it changes).
	OnMemberCountUpdated(count int)
}

// BaseChannelHandler implements every ChannelHandler method as a no-op.
type BaseChannelHandler struct{}

var _ ChannelHandler = BaseChannelHandler{}

func (BaseChannelHandler) OnMemberJoined(string)              {}
func (BaseChannelHandler) OnMemberLeft(string)                {}
func (BaseChannelHandler) OnMessageReceived(string, *Message) {}
func (BaseChannelHandler) OnAttributesUpdated([]Attribute)    {}
func (BaseChannelHandler) OnMemberCountUpdated(int)           {}
