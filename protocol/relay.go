package protocol

import "fmt"

// Channel media relay requests (client → server).
const (
	TypeRelayStart         Type = "relay-start"           // RelayRequest → no data
	TypeRelayUpdate        Type = "relay-update"          // RelayRequest → no data
	TypeRelayStartOrUpdate Type = "relay-start-or-update" // RelayRequest → no data
	TypeRelayStop          Type = "relay-stop"            // no data → no data
	TypeRelayPause         Type = "relay-pause"           // no data → no data
	TypeRelayResume        Type = "relay-resume"          // no data → no data
)

// Channel media relay events (server → client).
const (
	EventRelayState Type = "relay-state" // RelayStateEvent
	EventRelayEvent Type = "relay-event" // RelayEventEvent
)

// ChannelMediaInfo names one end of a relay, as Agora's ChannelMediaInfo.
type ChannelMediaInfo struct {
	ChannelName ChannelName `json:"channelName"`
	Token       string      `json:"token,omitempty"`
	UID         UID         `json:"uid"`
}

// RelayRequest carries a ChannelMediaRelayConfiguration. An empty source
// channel name means the caller's channel.
type RelayRequest struct {
	Src   ChannelMediaInfo   `json:"src"`
	Dests []ChannelMediaInfo `json:"dests"`
	// Rejoin, in a relay-start, continues a relay the client ran on a node
	// it had to leave (that node died or stopped): the server joins the
	// destinations again and reports RELAY_EVENT_NETWORK_CONNECTED for
	// each, without the events and states of a start; Paused starts it
	// paused, as it was.
	Rejoin bool `json:"rejoin,omitempty"`
	Paused bool `json:"paused,omitempty"`
}

// RelayState is Agora's CHANNEL_MEDIA_RELAY_STATE.
type RelayState int

// Relay states.
const (
	RelayStateIdle       RelayState = 0
	RelayStateConnecting RelayState = 1
	RelayStateRunning    RelayState = 2
	RelayStateFailure    RelayState = 3
)

func (s RelayState) String() string {
	switch s {
	case RelayStateIdle:
		return "RELAY_STATE_IDLE"
	case RelayStateConnecting:
		return "RELAY_STATE_CONNECTING"
	case RelayStateRunning:
		return "RELAY_STATE_RUNNING"
	case RelayStateFailure:
		return "RELAY_STATE_FAILURE"
	}
	return fmt.Sprintf("RelayState(%d)", int(s))
}

// RelayError is Agora's CHANNEL_MEDIA_RELAY_ERROR.
type RelayError int

// Relay errors.
const (
	RelayOK                         RelayError = 0
	RelayErrServerErrorResponse     RelayError = 1
	RelayErrServerNoResponse        RelayError = 2
	RelayErrNoResourceAvailable     RelayError = 3
	RelayErrFailedJoinSrc           RelayError = 4
	RelayErrFailedJoinDest          RelayError = 5
	RelayErrFailedPacketReceivedSrc RelayError = 6
	RelayErrFailedPacketSentDest    RelayError = 7
	RelayErrServerConnectionLost    RelayError = 8
	RelayErrInternalError           RelayError = 9
	RelayErrSrcTokenExpired         RelayError = 10
	RelayErrDestTokenExpired        RelayError = 11
)

var relayErrorNames = [...]string{"RELAY_OK", "SERVER_ERROR_RESPONSE", "SERVER_NO_RESPONSE", "NO_RESOURCE_AVAILABLE",
	"FAILED_JOIN_SRC", "FAILED_JOIN_DEST", "FAILED_PACKET_RECEIVED_FROM_SRC", "FAILED_PACKET_SENT_TO_DEST",
	"SERVER_CONNECTION_LOST", "INTERNAL_ERROR", "SRC_TOKEN_EXPIRED", "DEST_TOKEN_EXPIRED"}

// String returns the native name without the RELAY_ERROR_ prefix (as Agora
// Web spells the ones it has), e.g. "FAILED_JOIN_DEST".
func (e RelayError) String() string {
	if e >= 0 && int(e) < len(relayErrorNames) {
		return relayErrorNames[e]
	}
	return fmt.Sprintf("RelayError(%d)", int(e))
}

// RelayEvent is Agora's CHANNEL_MEDIA_RELAY_EVENT.
type RelayEvent int

// Relay events.
const (
	RelayEventNetworkDisconnected        RelayEvent = 0
	RelayEventNetworkConnected           RelayEvent = 1
	RelayEventJoinedSrcChannel           RelayEvent = 2
	RelayEventJoinedDestChannel          RelayEvent = 3
	RelayEventSentToDestChannel          RelayEvent = 4
	RelayEventReceivedVideoFromSrc       RelayEvent = 5
	RelayEventReceivedAudioFromSrc       RelayEvent = 6
	RelayEventUpdateDestChannel          RelayEvent = 7
	RelayEventUpdateDestChannelRefused   RelayEvent = 8
	RelayEventUpdateDestChannelNotChange RelayEvent = 9
	RelayEventUpdateDestChannelIsNull    RelayEvent = 10
	RelayEventVideoProfileUpdate         RelayEvent = 11
	RelayEventPauseSendPacketSuccess     RelayEvent = 12
	RelayEventPauseSendPacketFailed      RelayEvent = 13
	RelayEventResumeSendPacketSuccess    RelayEvent = 14
	RelayEventResumeSendPacketFailed     RelayEvent = 15
)

var relayEventNames = [...]string{"NETWORK_DISCONNECTED", "NETWORK_CONNECTED", "PACKET_JOINED_SRC_CHANNEL",
	"PACKET_JOINED_DEST_CHANNEL", "PACKET_SENT_TO_DEST_CHANNEL", "PACKET_RECEIVED_VIDEO_FROM_SRC",
	"PACKET_RECEIVED_AUDIO_FROM_SRC", "PACKET_UPDATE_DEST_CHANNEL", "PACKET_UPDATE_DEST_CHANNEL_REFUSED",
	"PACKET_UPDATE_DEST_CHANNEL_NOT_CHANGE", "PACKET_UPDATE_DEST_CHANNEL_IS_NULL", "VIDEO_PROFILE_UPDATE",
	"PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS", "PAUSE_SEND_PACKET_TO_DEST_CHANNEL_FAILED",
	"RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS", "RESUME_SEND_PACKET_TO_DEST_CHANNEL_FAILED"}

// String returns the Agora Web name, e.g. "PACKET_JOINED_SRC_CHANNEL".
func (e RelayEvent) String() string {
	if e >= 0 && int(e) < len(relayEventNames) {
		return relayEventNames[e]
	}
	return fmt.Sprintf("RelayEvent(%d)", int(e))
}

// RelayStateEvent reports onChannelMediaRelayStateChanged(state, code).
// Channel names the destination a failure concerns (cohost extension).
type RelayStateEvent struct {
	State   RelayState  `json:"state"`
	Code    RelayError  `json:"code"`
	Channel ChannelName `json:"channel,omitempty"`
	Message string      `json:"message,omitempty"`
}

// RelayEventEvent reports onChannelMediaRelayEvent(code). Channel names the
// destination it concerns, when one does (cohost extension).
type RelayEventEvent struct {
	Event   RelayEvent  `json:"event"`
	Channel ChannelName `json:"channel,omitempty"`
}
