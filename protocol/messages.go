package protocol

// JoinRequest joins a channel. Exactly one of UID (0 = server assigns) or
// Account identifies the user.
type JoinRequest struct {
	Version int         `json:"version"`
	AppID   string      `json:"appId"`
	Channel ChannelName `json:"channel"`
	// Token is an AccessToken2 ("007…"); empty for apps in testing mode.
	Token   string         `json:"token,omitempty"`
	UID     UID            `json:"uid,omitempty"`
	Account UserAccount    `json:"account,omitempty"`
	Profile ChannelProfile `json:"profile"`
	// Role is the initial role; in the communication profile every user is
	// a broadcaster whatever is asked.
	Role ClientRole `json:"role"`
	// Codecs lists what the client can receive (decode); empty means all
	// codecs the server forwards.
	Codecs []Codec `json:"codecs,omitempty"`
	// Redirects counts the join responses with Redirect this join has
	// followed (0 on the first attempt). A cluster node sent a join for a
	// new channel by placement hosts it when it can rather than placing it
	// again.
	Redirects int `json:"redirects,omitempty"`
	// Edge lets a cluster node that does not host the channel serve this
	// client there (live profile, audience or host, or communication
	// profile): the node forwards the join and the member's requests that
	// change the channel's state to the channel's node, and carries the
	// channel's events and media.
	Edge bool `json:"edge,omitempty"`
}

// ResumeRequest reattaches a new WebSocket to a session whose connection
// dropped less than the drop timeout ago.
type ResumeRequest struct {
	Version   int    `json:"version"`
	SessionID string `json:"sessionId"`
	// LastSeq is the seq of the last event the client handled, 0 for
	// none; it is required (a resume without it is refused with
	// ERR_INVALID_ARGUMENT). The server resends every later event (events
	// written to the broken connection may never have arrived), or refuses
	// the resume with SESSION_EXPIRED when it no longer holds them all.
	LastSeq *uint64 `json:"lastSeq,omitempty"`
}

// JoinResponse answers join and resume.
type JoinResponse struct {
	UID       UID            `json:"uid"`
	Channel   ChannelName    `json:"channel"`
	SessionID string         `json:"sessionId"`
	Role      ClientRole     `json:"role"`
	Profile   ChannelProfile `json:"profile"`
	// KeepAliveMs is how often the client must ping; DropTimeoutMs how long
	// the server waits for a silent client before dropping it (and how long a
	// resume stays possible).
	KeepAliveMs   int64 `json:"keepAliveMs"`
	DropTimeoutMs int64 `json:"dropTimeoutMs"`
	// ServerTimeMs is the server's clock (Unix ms) when it answered.
	ServerTimeMs int64 `json:"serverTimeMs"`
	// RoleError is set when the join asked for the host role and got
	// audience (ErrSetClientRoleNotAuth with a ClientRoleChangeFailedReason in
	// Reason): the SDK reports a client role change failure.
	RoleError *Error `json:"roleError,omitempty"`
	// Redirect, in a cluster, is the signalling base URL (http(s)://host:port)
	// of the node that hosts the channel: the join was not accepted and
	// nothing else of the response is set but RedirectNode and Nodes. The
	// client closes this connection and sends the same join there, with
	// Redirects one higher.
	Redirect string `json:"redirect,omitempty"`
	// RedirectNode is the id of the node Redirect names.
	RedirectNode string `json:"redirectNode,omitempty"`
	// Nodes, in a cluster, lists the live nodes that take new members
	// (every join and resume response carries it): where the client
	// reconnects when its node dies. Absent on a single node.
	Nodes []NodeInfo `json:"nodes,omitempty"`
	// ICEServers are the TURN servers of this session, with credentials
	// bound to it: the client adds them to its peer connections, so media
	// is relayed when UDP to the server does not get through. Absent when
	// the server offers none.
	ICEServers []ICEServer `json:"iceServers,omitempty"`
}

// ICEServer is a STUN or TURN server as RTCIceServer describes it.
type ICEServer struct {
	// URLs are turn:host:port?transport=udp|tcp or turns:host:port?transport=tcp.
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// RenewTokenResponse answers renew-token: the TURN servers with
// credentials valid under the new token.
type RenewTokenResponse struct {
	ICEServers []ICEServer `json:"iceServers,omitempty"`
}

// NodeInfo is one node of a cluster as clients see it.
type NodeInfo struct {
	ID string `json:"id"`
	// URL is the node's signalling base URL, http(s)://host:port (the
	// WebSocket is at URL/v1/signal).
	URL string `json:"url"`
}

// SetRoleRequest changes the caller's role.
type SetRoleRequest struct {
	Role ClientRole `json:"role"`
}

// SetRoleResponse reports the role change. Old == New when nothing changed.
type SetRoleResponse struct {
	Old ClientRole `json:"old"`
	New ClientRole `json:"new"`
}

// RenewTokenRequest replaces the session's token without rejoining.
type RenewTokenRequest struct {
	Token string `json:"token"`
}

// TrackInfo describes one sending transceiver of the upstream peer connection.
type TrackInfo struct {
	MID       string    `json:"mid"`
	MediaType MediaType `json:"mediaType"`
	Muted     bool      `json:"muted,omitempty"`
}

// PublishRequest (re)negotiates the upstream peer connection, in which the
// client is the offerer. Tracks lists every transceiver that publishes now;
// a published track missing from the list is unpublished. An ICE-restart
// offer with the same tracks changes nothing else.
type PublishRequest struct {
	SDP    string      `json:"sdp"`
	Tracks []TrackInfo `json:"tracks"`
}

// PublishResponse carries the server's answer.
type PublishResponse struct {
	SDP string `json:"sdp"`
}

// MuteRequest mutes or unmutes a published track without unpublishing it.
type MuteRequest struct {
	MediaType MediaType `json:"mediaType"`
	Muted     bool      `json:"muted"`
}

// SubscribeRequest subscribes to (or, as unsubscribe, stops receiving) one
// media type of a remote user.
type SubscribeRequest struct {
	UID       UID       `json:"uid"`
	MediaType MediaType `json:"mediaType"`
}

// AnswerRequest answers an EventOffer for the downstream peer connection.
type AnswerRequest struct {
	SDP string `json:"sdp"`
}

// PingResponse answers a ping.
type PingResponse struct {
	ServerTimeMs int64 `json:"serverTimeMs"`
}

// UserJoinedEvent: a host (or, in communication profile, any user) is in the channel.
type UserJoinedEvent struct {
	UID     UID         `json:"uid"`
	Account UserAccount `json:"account,omitempty"`
}

// UserLeftEvent: a user left, dropped or became audience.
type UserLeftEvent struct {
	UID    UID               `json:"uid"`
	Reason UserOfflineReason `json:"reason"`
}

// UserPublishedEvent: a remote user published (or, as user-unpublished,
// stopped publishing) a media type.
type UserPublishedEvent struct {
	UID       UID       `json:"uid"`
	MediaType MediaType `json:"mediaType"`
	Codec     Codec     `json:"codec,omitempty"`
}

// UserMutedEvent: a remote user muted or unmuted a published track.
type UserMutedEvent struct {
	UID       UID       `json:"uid"`
	MediaType MediaType `json:"mediaType"`
	Muted     bool      `json:"muted"`
}

// RoleChangedEvent: the server changed this user's role.
type RoleChangedEvent struct {
	Old ClientRole `json:"old"`
	New ClientRole `json:"new"`
}

// Privilege names used in token events.
const (
	PrivJoin         = "joinChannel"
	PrivPublishAudio = "publishAudioStream"
	PrivPublishVideo = "publishVideoStream"
	PrivPublishData  = "publishDataStream"
)

// TokenExpiryEvent warns of (token-will-expire) or reports (token-expired)
// the expiry of the listed privileges of the session's token.
type TokenExpiryEvent struct {
	Privileges  []string `json:"privileges"`
	ExpiresAtMs int64    `json:"expiresAtMs"`
	// Relay is set when the token is a channel media relay token: "src" or
	// "dest", with Channel naming the channel it is for.
	Relay   string      `json:"relay,omitempty"`
	Channel ChannelName `json:"channel,omitempty"`
}

// PublishRevokedEvent: the server unpublished these media types of the user
// (publish privilege expired, or the user became audience).
type PublishRevokedEvent struct {
	MediaTypes []MediaType `json:"mediaTypes"`
	Reason     string      `json:"reason"`
}

// SubTrack maps a downstream transceiver to the remote track it carries.
type SubTrack struct {
	MID       string    `json:"mid"`
	UID       UID       `json:"uid"`
	MediaType MediaType `json:"mediaType"`
	Codec     Codec     `json:"codec"`
}

// OfferEvent renegotiates the downstream peer connection, in which the
// server is the offerer. Tracks lists every subscribed track it carries. The
// client answers with an answer request; the server sends no new offer until
// it has the answer.
type OfferEvent struct {
	SDP    string     `json:"sdp"`
	Tracks []SubTrack `json:"tracks"`
}

// SubscriptionFailedEvent: a subscription ended or could not be set up.
type SubscriptionFailedEvent struct {
	UID       UID       `json:"uid"`
	MediaType MediaType `json:"mediaType"`
	Error     *Error    `json:"error"`
}

// DisconnectEvent: the server ends the session; the connection closes next.
type DisconnectEvent struct {
	Reason  ConnectionChangedReason `json:"reason"`
	Message string                  `json:"message"`
}

// SetRemoteRoleRequest changes another user's role (cohost extension). The
// caller's token must carry the administrate-channel privilege (101) for
// the channel. A promoted user may publish in the channel until it leaves
// or is demoted, whatever its own token allows.
type SetRemoteRoleRequest struct {
	UID  UID        `json:"uid"`
	Role ClientRole `json:"role"`
}
