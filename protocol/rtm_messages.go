package protocol

// RTM (real-time messaging) wire protocol, version RTMVersion, spoken on its
// own WebSocket endpoint RTMPath with the same Envelope as the signalling
// protocol. See docs/rtm.md.

// RTMPath is the HTTP path of the RTM WebSocket endpoint.
const RTMPath = "/v1/rtm"

// RTMVersion is the current RTM protocol version.
const RTMVersion = 1

// RTM limits fixed by Agora's rules.
const (
	// MaxRTMUserIDLen bounds a user id (bytes of the 89-character set).
	MaxRTMUserIDLen = 64
	// MaxRTMChannelIDLen bounds an RTM channel id.
	MaxRTMChannelIDLen = 64
)

// RTM requests (client → server). Each is answered by a TypeResponse
// envelope, except RTMTypeAck, which has no id and no response.
const (
	RTMTypeLogin                        Type = "login"                            // RTMLoginRequest → RTMLoginResponse
	RTMTypeLogout                       Type = "logout"                           // none → none; the server then closes the connection
	RTMTypeRenewToken                   Type = "renew-token"                      // RTMRenewTokenRequest → none
	RTMTypePing                         Type = "ping"                             // none → RTMPingResponse
	RTMTypeAck                          Type = "ack"                              // RTMAck (no id, no response)
	RTMTypeSendPeerMessage              Type = "send-peer-message"                // RTMSendPeerMessageRequest → RTMSendPeerMessageResponse
	RTMTypeJoinChannel                  Type = "join-channel"                     // RTMChannelRequest → RTMJoinChannelResponse
	RTMTypeLeaveChannel                 Type = "leave-channel"                    // RTMChannelRequest → none
	RTMTypeSendChannelMessage           Type = "send-channel-message"             // RTMSendChannelMessageRequest → RTMSendChannelMessageResponse
	RTMTypeGetMembers                   Type = "get-members"                      // RTMChannelRequest → RTMGetMembersResponse
	RTMTypeGetChannelMemberCount        Type = "get-channel-member-count"         // RTMChannelMemberCountRequest → RTMChannelMemberCountResponse
	RTMTypeSetChannelAttributes         Type = "set-channel-attributes"           // RTMChannelAttributesRequest → RTMChannelAttributesResponse
	RTMTypeAddOrUpdateChannelAttributes Type = "add-or-update-channel-attributes" // RTMChannelAttributesRequest → RTMChannelAttributesResponse
	RTMTypeDeleteChannelAttributes      Type = "delete-channel-attributes"        // RTMChannelAttributesRequest (keys) → RTMChannelAttributesResponse
	RTMTypeClearChannelAttributes       Type = "clear-channel-attributes"         // RTMChannelAttributesRequest → RTMChannelAttributesResponse
	RTMTypeGetChannelAttributes         Type = "get-channel-attributes"           // RTMChannelAttributesRequest (keys optional) → RTMChannelAttributesResponse
	RTMTypeQueryPeersOnlineStatus       Type = "query-peers-online-status"        // RTMPeersRequest → RTMPeersOnlineStatusResponse
	RTMTypeSubscribePeersOnlineStatus   Type = "subscribe-peers-online-status"    // RTMPeersRequest → none; an RTMEventPeersOnlineStatus follows
	RTMTypeUnsubscribePeersOnlineStatus Type = "unsubscribe-peers-online-status"  // RTMPeersRequest → none
	RTMTypeQueryPeersBySubscription     Type = "query-peers-by-subscription"      // none → RTMPeersResponse
	RTMTypeSetLocalUserAttributes       Type = "set-local-user-attributes"        // RTMUserAttributesRequest → none
	RTMTypeAddOrUpdateLocalUserAttrs    Type = "add-or-update-local-user-attributes"
	RTMTypeDeleteLocalUserAttributes    Type = "delete-local-user-attributes" // RTMUserAttributesRequest (keys) → none
	RTMTypeClearLocalUserAttributes     Type = "clear-local-user-attributes"  // none → none
	RTMTypeGetUserAttributes            Type = "get-user-attributes"          // RTMUserAttributesRequest (userId, keys optional) → RTMUserAttributesResponse
	RTMTypeSendLocalInvitation          Type = "send-local-invitation"        // RTMInvitationRequest → none
	RTMTypeCancelLocalInvitation        Type = "cancel-local-invitation"      // RTMInvitationRequest (invitationId) → none
	RTMTypeAcceptRemoteInvitation       Type = "accept-remote-invitation"     // RTMInvitationRequest (invitationId, response) → none
	RTMTypeRefuseRemoteInvitation       Type = "refuse-remote-invitation"     // RTMInvitationRequest (invitationId, response) → none
)

// RTM events (server → client).
const (
	RTMEventPeerMessage              Type = "peer-message"               // RTMPeerMessageEvent; the client acks it
	RTMEventChannelMessage           Type = "channel-message"            // RTMChannelMessageEvent
	RTMEventMemberJoined             Type = "member-joined"              // RTMMemberEvent
	RTMEventMemberLeft               Type = "member-left"                // RTMMemberEvent
	RTMEventMemberCountUpdated       Type = "member-count-updated"       // RTMMemberCountEvent
	RTMEventAttributesUpdated        Type = "attributes-updated"         // RTMAttributesUpdatedEvent
	RTMEventPeersOnlineStatus        Type = "peers-online-status"        // RTMPeersOnlineStatusEvent
	RTMEventTokenWillExpire          Type = "token-will-expire"          // RTMTokenEvent
	RTMEventDisconnect               Type = "disconnect"                 // RTMDisconnectEvent: the server ends the session
	RTMEventRemoteInvitationReceived Type = "remote-invitation-received" // RTMInvitationEvent (callee)
	RTMEventRemoteInvitationCanceled Type = "remote-invitation-canceled" // RTMInvitationEvent (callee)
	RTMEventRemoteInvitationFailure  Type = "remote-invitation-failure"  // RTMInvitationEvent with reason (callee)
	RTMEventLocalInvitationReceived  Type = "local-invitation-received"  // RTMInvitationEvent (caller): the callee got it
	RTMEventLocalInvitationAccepted  Type = "local-invitation-accepted"  // RTMInvitationEvent with response (caller)
	RTMEventLocalInvitationRefused   Type = "local-invitation-refused"   // RTMInvitationEvent with response (caller)
	RTMEventLocalInvitationFailure   Type = "local-invitation-failure"   // RTMInvitationEvent with reason (caller)
)

// RTMLoginRequest logs in. SessionID, when set, asks to take over the
// earlier session of the same client (after a network drop): channels,
// presence subscriptions and user attributes are kept and nobody sees a
// REMOTE_LOGIN, a member leaving or the user going offline.
type RTMLoginRequest struct {
	Version   int    `json:"version"`
	AppID     string `json:"appId"`
	UserID    string `json:"userId"`
	Token     string `json:"token,omitempty"`
	SessionID string `json:"sessionId,omitempty"`
}

// RTMLoginResponse answers a login.
type RTMLoginResponse struct {
	UserID       string `json:"userId"`
	SessionID    string `json:"sessionId"`
	Resumed      bool   `json:"resumed,omitempty"` // the earlier session was taken over
	ServerTimeMs int64  `json:"serverTimeMs"`
	KeepAliveMs  int64  `json:"keepAliveMs"`
	// TokenExpiresAtMs is when the login privilege expires (0: never).
	TokenExpiresAtMs int64 `json:"tokenExpiresAtMs,omitempty"`
	// Node names the cohost node serving the session.
	Node string `json:"node,omitempty"`
}

// RTMRenewTokenRequest replaces the session's token.
type RTMRenewTokenRequest struct {
	Token string `json:"token"`
}

// RTMPingResponse answers a ping.
type RTMPingResponse struct {
	ServerTimeMs int64 `json:"serverTimeMs"`
}

// RTMAck acknowledges a peer message: the SDK received it.
type RTMAck struct {
	DeliveryID uint64 `json:"deliveryId"`
}

// RTMMessage is a text or raw message. Text, or Raw plus Description,
// must not exceed the message limit (32 KB).
type RTMMessage struct {
	Type        RTMMessageType `json:"type"`
	Text        string         `json:"text,omitempty"`
	Raw         []byte         `json:"raw,omitempty"` // base64 in JSON
	Description string         `json:"description,omitempty"`
	// Media describes the file of a FILE or IMAGE message.
	Media *RTMMedia `json:"media,omitempty"`
	// ServerReceivedTs is set by the server (ms since the epoch) on
	// delivered messages.
	ServerReceivedTs int64 `json:"serverReceivedTs,omitempty"`
	// IsOfflineMessage is set on messages stored while the receiver was
	// offline.
	IsOfflineMessage bool `json:"isOfflineMessage,omitempty"`
}

// Size is the message's size as counted against the limit.
func (m *RTMMessage) Size() int {
	n := len(m.Text) + len(m.Raw) + len(m.Description)
	if m.Media != nil {
		n += len(m.Media.FileName) + len(m.Media.Thumbnail)
	}
	return n
}

// RTMMediaPath is the HTTP path of the RTM media store: POST uploads a
// file (the response is an RTMMediaUploadResponse), GET RTMMediaPath/<id>
// downloads one. Requests name the logged-in user with the headers
// X-Cohost-App and X-Cohost-User and carry its RTM session id as a bearer
// token.
const RTMMediaPath = RTMPath + "/media"

// Media store limits, Agora's.
const (
	RTMMaxMediaSize       = 30 << 20 // bytes per file
	RTMMaxMediaUploads    = 9        // uploads at once per session
	RTMMaxMediaMessageLen = 32 << 10 // thumbnail + file name + description
)

// RTMMedia describes an uploaded file in a FILE or IMAGE message.
type RTMMedia struct {
	MediaID         string `json:"mediaId"`
	Size            int64  `json:"size"`
	FileName        string `json:"fileName,omitempty"`
	Thumbnail       []byte `json:"thumbnail,omitempty"` // base64 in JSON
	Width           int    `json:"width,omitempty"`
	Height          int    `json:"height,omitempty"`
	ThumbnailWidth  int    `json:"thumbnailWidth,omitempty"`
	ThumbnailHeight int    `json:"thumbnailHeight,omitempty"`
}

// RTMMediaUploadResponse answers an upload.
type RTMMediaUploadResponse struct {
	MediaID string `json:"mediaId"`
	Size    int64  `json:"size"`
}

// RTMMediaError is the body of a failed media request: code is the
// UPLOAD_MEDIA_ERR or DOWNLOAD_MEDIA_ERR code, name its Agora name.
type RTMMediaError struct {
	Code    int    `json:"code"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

// RTMSendPeerMessageRequest sends a message to one user.
type RTMSendPeerMessageRequest struct {
	PeerID  string     `json:"peerId"`
	Message RTMMessage `json:"message"`
	// EnableOfflineMessaging stores the message when the peer is not
	// online (result CACHED_BY_SERVER).
	EnableOfflineMessaging bool `json:"enableOfflineMessaging,omitempty"`
}

// RTMSendPeerMessageResponse reports a delivered (OK) or stored
// (CACHED_BY_SERVER) message; failures come as errors with
// RTMPeerMessageErr codes.
type RTMSendPeerMessageResponse struct {
	Code             RTMPeerMessageErr `json:"code"`
	ServerReceivedTs int64             `json:"serverReceivedTs"`
}

// RTMPeerMessageEvent delivers a peer message. The client acks DeliveryID.
type RTMPeerMessageEvent struct {
	PeerID     string     `json:"peerId"`
	Message    RTMMessage `json:"message"`
	DeliveryID uint64     `json:"deliveryId,omitempty"`
}

// RTMChannelRequest names a channel.
type RTMChannelRequest struct {
	ChannelID string `json:"channelId"`
	// Rejoin (join only) makes joining a channel the session is already in
	// a success: the SDK sets it when it restores its channels.
	Rejoin bool `json:"rejoin,omitempty"`
}

// RTMJoinChannelResponse answers a join.
type RTMJoinChannelResponse struct {
	ChannelID   string `json:"channelId"`
	MemberCount int    `json:"memberCount"`
}

// RTMSendChannelMessageRequest sends a message to a joined channel.
type RTMSendChannelMessageRequest struct {
	ChannelID string     `json:"channelId"`
	Message   RTMMessage `json:"message"`
}

// RTMSendChannelMessageResponse answers a channel message.
type RTMSendChannelMessageResponse struct {
	ServerReceivedTs int64 `json:"serverReceivedTs"`
}

// RTMChannelMessageEvent delivers a channel message (never to its sender).
type RTMChannelMessageEvent struct {
	ChannelID string     `json:"channelId"`
	UserID    string     `json:"userId"`
	Message   RTMMessage `json:"message"`
}

// RTMGetMembersResponse lists a channel's members.
type RTMGetMembersResponse struct {
	ChannelID string   `json:"channelId"`
	Members   []string `json:"members"`
}

// RTMMemberEvent reports a member joining or leaving.
type RTMMemberEvent struct {
	ChannelID string `json:"channelId"`
	UserID    string `json:"userId"`
}

// RTMMemberCountEvent reports a channel's member count.
type RTMMemberCountEvent struct {
	ChannelID string `json:"channelId"`
	Count     int    `json:"count"`
}

// RTMChannelMemberCountRequest asks the member count of channels (joined
// or not).
type RTMChannelMemberCountRequest struct {
	ChannelIDs []string `json:"channelIds"`
}

// RTMChannelMemberCountResponse gives each channel's member count (0 for
// a channel that does not exist), in the request's order.
type RTMChannelMemberCountResponse struct {
	Counts []RTMMemberCountEvent `json:"counts"`
}

// RTMAttribute is one channel or user attribute.
type RTMAttribute struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Set by the server on channel attributes.
	LastUpdateUserID string `json:"lastUpdateUserId,omitempty"`
	LastUpdateTs     int64  `json:"lastUpdateTs,omitempty"`
	// Revision (cohost) is the channel's write counter at the last write
	// of this key: it grows with every write of the channel's attributes.
	Revision int64 `json:"revision,omitempty"`
}

// RTMChannelAttributesRequest is every channel attribute operation.
type RTMChannelAttributesRequest struct {
	ChannelID  string         `json:"channelId"`
	Attributes []RTMAttribute `json:"attributes,omitempty"` // set, addOrUpdate
	Keys       []string       `json:"keys,omitempty"`       // delete; get (none: all)
	// EnableNotificationToChannelMembers sends the full attribute set to
	// the channel's members after the write.
	EnableNotificationToChannelMembers bool `json:"enableNotificationToChannelMembers,omitempty"`
	// ExpectedRevisions (cohost) makes the write conditional: for each key
	// listed, its current revision must equal the value (0: the key must
	// not exist), else nothing is written and the request fails with
	// REVISION_CONFLICT (200).
	ExpectedRevisions map[string]int64 `json:"expectedRevisions,omitempty"`
}

// RTMChannelAttributesResponse carries the channel's attributes after a
// write, or those asked for by a get, sorted by key.
type RTMChannelAttributesResponse struct {
	ChannelID  string         `json:"channelId"`
	Attributes []RTMAttribute `json:"attributes"`
	// Revision is the channel's write counter.
	Revision int64 `json:"revision"`
}

// RTMAttributesUpdatedEvent carries the full attribute set of a channel.
type RTMAttributesUpdatedEvent struct {
	ChannelID  string         `json:"channelId"`
	Attributes []RTMAttribute `json:"attributes"`
	Revision   int64          `json:"revision"`
}

// RTMPeersRequest lists user ids.
type RTMPeersRequest struct {
	PeerIDs []string `json:"peerIds"`
}

// RTMPeersResponse lists user ids.
type RTMPeersResponse struct {
	PeerIDs []string `json:"peerIds"`
}

// RTMPeersOnlineStatusResponse answers a presence query (never
// UNREACHABLE, as in Agora).
type RTMPeersOnlineStatusResponse struct {
	Statuses map[string]RTMPeerOnlineState `json:"statuses"`
}

// RTMPeersOnlineStatusEvent reports the state of subscribed peers: the
// first after a subscription is a snapshot, later ones carry changes.
type RTMPeersOnlineStatusEvent struct {
	Statuses map[string]RTMPeerOnlineState `json:"statuses"`
}

// RTMUserAttributesRequest is every user attribute operation.
type RTMUserAttributesRequest struct {
	UserID     string         `json:"userId,omitempty"` // get
	Attributes []RTMAttribute `json:"attributes,omitempty"`
	Keys       []string       `json:"keys,omitempty"`
}

// RTMUserAttributesResponse carries a user's attributes, sorted by key.
type RTMUserAttributesResponse struct {
	UserID     string         `json:"userId"`
	Attributes []RTMAttribute `json:"attributes"`
}

// RTMTokenEvent warns of the login privilege's expiry.
type RTMTokenEvent struct {
	ExpiresAtMs int64 `json:"expiresAtMs"`
}

// RTMDisconnectEvent ends the session; the connection closes after it.
type RTMDisconnectEvent struct {
	State   RTMConnectionState        `json:"state"`
	Reason  RTMConnectionChangeReason `json:"reason"`
	Message string                    `json:"message,omitempty"`
}

// RTMInvitationRequest is every invitation request. The caller chooses
// InvitationID (unique among its invitations).
type RTMInvitationRequest struct {
	InvitationID string `json:"invitationId"`
	CalleeID     string `json:"calleeId,omitempty"`  // send
	Content      string `json:"content,omitempty"`   // send
	ChannelID    string `json:"channelId,omitempty"` // send
	Response     string `json:"response,omitempty"`  // accept, refuse
	// CallerID (accept, refuse) names the caller of the invitation.
	CallerID string `json:"callerId,omitempty"`
}

// RTMInvitationEvent reports a change of an invitation.
type RTMInvitationEvent struct {
	InvitationID string `json:"invitationId"`
	CallerID     string `json:"callerId,omitempty"`
	CalleeID     string `json:"calleeId,omitempty"`
	Content      string `json:"content,omitempty"`
	ChannelID    string `json:"channelId,omitempty"`
	Response     string `json:"response,omitempty"`
	// Reason is an RTMLocalInvitationFailureReason or an
	// RTMRemoteInvitationFailureReason (failure events).
	Reason int `json:"reason,omitempty"`
}

// ValidateRTMUserID checks an RTM user id: 1–64 bytes of the 89-character
// set, not "null".
func ValidateRTMUserID(id string) error {
	if err := validateName("user id", id, MaxRTMUserIDLen); err != nil {
		return err
	}
	if id == "null" {
		return errReserved("user id", id)
	}
	return nil
}

// ValidateRTMChannelID checks an RTM channel id: 1–64 bytes of the
// 89-character set, not "null".
func ValidateRTMChannelID(id string) error {
	if err := validateName("channel id", id, MaxRTMChannelIDLen); err != nil {
		return err
	}
	if id == "null" {
		return errReserved("channel id", id)
	}
	return nil
}
