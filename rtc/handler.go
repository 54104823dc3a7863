package rtc

import (
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// EventHandler receives an engine's events, named after Agora's native
// IRtcEngineEventHandler. Embed BaseEventHandler to implement only some.
//
// Calls are made one at a time per engine (never concurrently), in order,
// and never while the engine holds a lock: a method may call Engine methods (Subscribe from
// OnUserPublished is the usual pattern) but not Engine.Close, and while it
// runs no other callback of the same engine is made.
type EventHandler interface {
	// OnJoinChannelSuccess: JoinChannel succeeded; elapsed is measured from
	// the JoinChannel call.
	OnJoinChannelSuccess(channel string, uid protocol.UID, elapsed time.Duration)
	// OnRejoinChannelSuccess: the session resumed after the signalling
	// connection broke; elapsed is measured from the break.
	OnRejoinChannelSuccess(channel string, uid protocol.UID, elapsed time.Duration)
	// OnUserJoined: a remote host (any remote user in the communication
	// profile) is in the channel: it joined, became a host, or was there
	// when the local user joined. elapsed is measured from JoinChannel.
	// While the local host relays its media, the hosts of the destination
	// channels are reported too (they publish nothing here).
	OnUserJoined(uid protocol.UID, elapsed time.Duration)
	// OnUserOffline: a remote user left, was dropped, or became audience
	// (or a destination channel's host did, or the relay to its channel
	// ended). Its tracks are gone: subscriptions to them have ended.
	OnUserOffline(uid protocol.UID, reason protocol.UserOfflineReason)
	// OnUserPublished / OnUserUnpublished: a remote user started or stopped
	// publishing a media type (also reported for tracks published before
	// the local user joined). Subscribe after OnUserPublished.
	OnUserPublished(uid protocol.UID, mt protocol.MediaType)
	OnUserUnpublished(uid protocol.UID, mt protocol.MediaType)
	// OnUserMuteAudio / OnUserMuteVideo: a remote user muted or unmuted a
	// published track.
	OnUserMuteAudio(uid protocol.UID, muted bool)
	OnUserMuteVideo(uid protocol.UID, muted bool)
	// OnClientRoleChanged: the local role changed after the join, by
	// SetClientRole or by the server. Becoming audience unpublishes the
	// local tracks.
	OnClientRoleChanged(oldRole, newRole protocol.ClientRole)
	// OnClientRoleChangeFailed: the server refused SetClientRole; current
	// is the role that stays.
	OnClientRoleChangeFailed(reason protocol.ClientRoleChangeFailedReason, current protocol.ClientRole)
	// OnConnectionStateChanged: the connection state changed.
	OnConnectionStateChanged(state protocol.ConnectionState, reason protocol.ConnectionChangedReason)
	// OnTokenPrivilegeWillExpire: a privilege of the session's token
	// expires soon; call RenewToken. token is the current token.
	OnTokenPrivilegeWillExpire(token string)
	// OnRequestToken: a privilege of the token expired (Agora's
	// onRequestToken). If it was the join privilege the server ends the
	// session; join again with a new token.
	OnRequestToken()
	// OnLocalPublishRevoked: the server stopped publishing a local track
	// because its publish privilege expired or was withdrawn; reason is the
	// server's explanation. The track is unpublished locally too.
	OnLocalPublishRevoked(mt protocol.MediaType, reason string)
	// OnSubscriptionFailed: a subscription could not be set up or ended on
	// the server's side (err is a *protocol.Error, e.g.
	// ErrCodecNotSupported). Also reported for automatic subscriptions.
	OnSubscriptionFailed(uid protocol.UID, mt protocol.MediaType, err error)
	// OnChannelMediaRelayStateChanged reports the channel media relay's
	// state with Agora's codes. channel names the destination a failure
	// concerns ("" when none: a cohost extension to Agora's callback).
	OnChannelMediaRelayStateChanged(state protocol.RelayState, code protocol.RelayError, channel string)
	// OnChannelMediaRelayEvent reports a relay event with Agora's code;
	// channel names the destination it concerns, if one.
	OnChannelMediaRelayEvent(code protocol.RelayEvent, channel string)
	// OnError reports a failure of something the SDK did on its own
	// (answering an offer, an ICE restart, a peer connection failing).
	OnError(err error)
}

// BaseEventHandler implements every EventHandler method as a no-op. Embed
// it and override what you need.
type BaseEventHandler struct{}

var _ EventHandler = BaseEventHandler{}

func (BaseEventHandler) OnJoinChannelSuccess(string, protocol.UID, time.Duration)   {}
func (BaseEventHandler) OnRejoinChannelSuccess(string, protocol.UID, time.Duration) {}
func (BaseEventHandler) OnUserJoined(protocol.UID, time.Duration)                   {}
func (BaseEventHandler) OnUserOffline(protocol.UID, protocol.UserOfflineReason)     {}
func (BaseEventHandler) OnUserPublished(protocol.UID, protocol.MediaType)           {}
func (BaseEventHandler) OnUserUnpublished(protocol.UID, protocol.MediaType)         {}
func (BaseEventHandler) OnUserMuteAudio(protocol.UID, bool)                         {}
func (BaseEventHandler) OnUserMuteVideo(protocol.UID, bool)                         {}
func (BaseEventHandler) OnClientRoleChanged(protocol.ClientRole, protocol.ClientRole) {
}
func (BaseEventHandler) OnClientRoleChangeFailed(protocol.ClientRoleChangeFailedReason, protocol.ClientRole) {
}
func (BaseEventHandler) OnConnectionStateChanged(protocol.ConnectionState, protocol.ConnectionChangedReason) {
}
func (BaseEventHandler) OnTokenPrivilegeWillExpire(string)                            {}
func (BaseEventHandler) OnRequestToken()                                              {}
func (BaseEventHandler) OnLocalPublishRevoked(protocol.MediaType, string)             {}
func (BaseEventHandler) OnSubscriptionFailed(protocol.UID, protocol.MediaType, error) {}
func (BaseEventHandler) OnError(error)                                                {}
func (BaseEventHandler) OnChannelMediaRelayStateChanged(protocol.RelayState, protocol.RelayError, string) {
}
func (BaseEventHandler) OnChannelMediaRelayEvent(protocol.RelayEvent, string) {}
