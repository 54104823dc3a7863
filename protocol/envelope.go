package protocol

import "encoding/json"

// Type names a message. Requests are sent by clients, events by the server.
type Type string

// Requests (client → server). Each is answered by a TypeResponse envelope.
const (
	TypeJoin          Type = "join"            // JoinRequest → JoinResponse
	TypeResume        Type = "resume"          // ResumeRequest → JoinResponse
	TypeLeave         Type = "leave"           // no data → no data
	TypeSetRole       Type = "set-role"        // SetRoleRequest → SetRoleResponse
	TypeSetRemoteRole Type = "set-remote-role" // SetRemoteRoleRequest → SetRoleResponse
	TypeRenewToken    Type = "renew-token"     // RenewTokenRequest → no data
	TypePublish       Type = "publish"         // PublishRequest → PublishResponse: upstream (re)negotiation
	TypeMute          Type = "mute"            // MuteRequest → no data
	TypeSubscribe     Type = "subscribe"       // SubscribeRequest → no data (an EventOffer follows)
	TypeUnsubscribe   Type = "unsubscribe"     // SubscribeRequest → no data (an EventOffer follows)
	TypeAnswer        Type = "answer"          // AnswerRequest → no data
	TypePing          Type = "ping"            // no data → PingResponse
	TypeResponse      Type = "response"        // server → client: the answer to a request
)

// Events (server → client).
const (
	EventUserJoined         Type = "user-joined"         // UserJoinedEvent
	EventUserLeft           Type = "user-left"           // UserLeftEvent
	EventUserPublished      Type = "user-published"      // UserPublishedEvent
	EventUserUnpublished    Type = "user-unpublished"    // UserPublishedEvent
	EventUserMuted          Type = "user-muted"          // UserMutedEvent
	EventRoleChanged        Type = "role-changed"        // RoleChangedEvent
	EventTokenWillExpire    Type = "token-will-expire"   // TokenExpiryEvent
	EventTokenExpired       Type = "token-expired"       // TokenExpiryEvent
	EventPublishRevoked     Type = "publish-revoked"     // PublishRevokedEvent
	EventOffer              Type = "offer"               // OfferEvent: downstream renegotiation
	EventSubscriptionFailed Type = "subscription-failed" // SubscriptionFailedEvent
	EventDisconnect         Type = "disconnect"          // DisconnectEvent: the server ends the session
)

// Envelope is one WebSocket message.
type Envelope struct {
	// ID is set on requests (> 0) and echoed on their response; 0 on events.
	ID uint64 `json:"id,omitempty"`
	// Type names the message.
	Type Type `json:"type"`
	// Data is the payload; its shape depends on Type.
	Data json.RawMessage `json:"data,omitempty"`
	// Error is set on a failed response.
	Error *Error `json:"error,omitempty"`
	// Seq numbers the events of a session, from 1, without gaps; a client
	// that resumes names the last one it got and the server resends the
	// later ones. Responses carry none.
	Seq uint64 `json:"seq,omitempty"`
}
