package protocol

import "fmt"

// RTM 1.x codes. The numbers are Agora's (RTM 1.x native SDK) unless a
// comment says they are cohost's own. Each code type's String returns the
// native constant name without its common prefix, e.g. "TOO_OFTEN".

// RTMConnectionState is Agora RTM's CONNECTION_STATE.
type RTMConnectionState int

// RTM connection states.
const (
	RTMStateDisconnected RTMConnectionState = 1
	RTMStateConnecting   RTMConnectionState = 2
	RTMStateConnected    RTMConnectionState = 3
	RTMStateReconnecting RTMConnectionState = 4
	// RTMStateAborted: the session was ended by the server (another login
	// with the same user id, an expired token); call Logout before Login.
	RTMStateAborted RTMConnectionState = 5
)

var rtmStateNames = map[RTMConnectionState]string{
	RTMStateDisconnected: "DISCONNECTED", RTMStateConnecting: "CONNECTING", RTMStateConnected: "CONNECTED",
	RTMStateReconnecting: "RECONNECTING", RTMStateAborted: "ABORTED",
}

func (s RTMConnectionState) String() string { return codeName(rtmStateNames, s, "RTMConnectionState") }

// RTMConnectionChangeReason is Agora RTM's CONNECTION_CHANGE_REASON.
type RTMConnectionChangeReason int

// RTM connection change reasons.
const (
	RTMReasonLogin          RTMConnectionChangeReason = 1
	RTMReasonLoginSuccess   RTMConnectionChangeReason = 2
	RTMReasonLoginFailure   RTMConnectionChangeReason = 3
	RTMReasonLoginTimeout   RTMConnectionChangeReason = 4
	RTMReasonInterrupted    RTMConnectionChangeReason = 5
	RTMReasonLogout         RTMConnectionChangeReason = 6
	RTMReasonBannedByServer RTMConnectionChangeReason = 7
	RTMReasonRemoteLogin    RTMConnectionChangeReason = 8
	RTMReasonTokenExpired   RTMConnectionChangeReason = 9
	// RTMReasonServerShutdown (cohost): the node serving the client shuts
	// down; the SDK reconnects (to another node behind the same address).
	RTMReasonServerShutdown RTMConnectionChangeReason = 100
)

var rtmReasonNames = map[RTMConnectionChangeReason]string{
	RTMReasonLogin: "LOGIN", RTMReasonLoginSuccess: "LOGIN_SUCCESS", RTMReasonLoginFailure: "LOGIN_FAILURE",
	RTMReasonLoginTimeout: "LOGIN_TIMEOUT", RTMReasonInterrupted: "INTERRUPTED", RTMReasonLogout: "LOGOUT",
	RTMReasonBannedByServer: "BANNED_BY_SERVER", RTMReasonRemoteLogin: "REMOTE_LOGIN",
	RTMReasonTokenExpired: "TOKEN_EXPIRED", RTMReasonServerShutdown: "SERVER_SHUTDOWN",
}

func (r RTMConnectionChangeReason) String() string {
	return codeName(rtmReasonNames, r, "RTMConnectionChangeReason")
}

// RTMLoginErr is Agora RTM's LOGIN_ERR_CODE.
type RTMLoginErr int

// Login results.
const (
	RTMLoginOK              RTMLoginErr = 0
	RTMLoginUnknown         RTMLoginErr = 1
	RTMLoginRejected        RTMLoginErr = 2
	RTMLoginInvalidArgument RTMLoginErr = 3
	RTMLoginInvalidAppID    RTMLoginErr = 4
	RTMLoginInvalidToken    RTMLoginErr = 5
	RTMLoginTokenExpired    RTMLoginErr = 6
	RTMLoginNotAuthorized   RTMLoginErr = 7
	RTMLoginAlreadyLoggedIn RTMLoginErr = 8
	RTMLoginTimeout         RTMLoginErr = 9
	RTMLoginTooOften        RTMLoginErr = 10
	RTMLoginNotInitialized  RTMLoginErr = 101
	RTMLoginNotLoggedIn     RTMLoginErr = 102 // LOGOUT_ERR_USER_NOT_LOGGED_IN: logout, ping or renew without a login
)

var rtmLoginNames = map[RTMLoginErr]string{
	RTMLoginOK: "OK", RTMLoginUnknown: "UNKNOWN", RTMLoginRejected: "REJECTED", RTMLoginInvalidArgument: "INVALID_ARGUMENT",
	RTMLoginInvalidAppID: "INVALID_APP_ID", RTMLoginInvalidToken: "INVALID_TOKEN", RTMLoginTokenExpired: "TOKEN_EXPIRED",
	RTMLoginNotAuthorized: "NOT_AUTHORIZED", RTMLoginAlreadyLoggedIn: "ALREADY_LOGIN", RTMLoginTimeout: "TIMEOUT",
	RTMLoginTooOften: "TOO_OFTEN", RTMLoginNotInitialized: "NOT_INITIALIZED", RTMLoginNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMLoginErr) String() string { return codeName(rtmLoginNames, c, "RTMLoginErr") }

// RTMRenewTokenErr is Agora RTM's RENEW_TOKEN_ERR_CODE.
type RTMRenewTokenErr int

// Token renewal results.
const (
	RTMRenewTokenOK              RTMRenewTokenErr = 0
	RTMRenewTokenFailure         RTMRenewTokenErr = 1
	RTMRenewTokenInvalidArgument RTMRenewTokenErr = 2
	RTMRenewTokenRejected        RTMRenewTokenErr = 3
	RTMRenewTokenTooOften        RTMRenewTokenErr = 4
	RTMRenewTokenTokenExpired    RTMRenewTokenErr = 5
	RTMRenewTokenInvalidToken    RTMRenewTokenErr = 6
	RTMRenewTokenNotInitialized  RTMRenewTokenErr = 101
	RTMRenewTokenNotLoggedIn     RTMRenewTokenErr = 102
)

var rtmRenewNames = map[RTMRenewTokenErr]string{
	RTMRenewTokenOK: "OK", RTMRenewTokenFailure: "FAILURE", RTMRenewTokenInvalidArgument: "INVALID_ARGUMENT",
	RTMRenewTokenRejected: "REJECTED", RTMRenewTokenTooOften: "TOO_OFTEN", RTMRenewTokenTokenExpired: "TOKEN_EXPIRED",
	RTMRenewTokenInvalidToken: "INVALID_TOKEN", RTMRenewTokenNotInitialized: "NOT_INITIALIZED",
	RTMRenewTokenNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMRenewTokenErr) String() string { return codeName(rtmRenewNames, c, "RTMRenewTokenErr") }

// RTMPeerMessageErr is Agora RTM's PEER_MESSAGE_ERR_CODE: the result of
// sending a peer-to-peer message.
type RTMPeerMessageErr int

// Peer message results. OK means the peer's SDK received the message.
const (
	RTMPeerMessageOK                  RTMPeerMessageErr = 0
	RTMPeerMessageFailure             RTMPeerMessageErr = 1
	RTMPeerMessageSentTimeout         RTMPeerMessageErr = 2
	RTMPeerMessagePeerUnreachable     RTMPeerMessageErr = 3
	RTMPeerMessageCachedByServer      RTMPeerMessageErr = 4
	RTMPeerMessageTooOften            RTMPeerMessageErr = 5
	RTMPeerMessageInvalidUserID       RTMPeerMessageErr = 6
	RTMPeerMessageInvalidMessage      RTMPeerMessageErr = 7
	RTMPeerMessageIncompatibleMessage RTMPeerMessageErr = 8
	RTMPeerMessageNotInitialized      RTMPeerMessageErr = 101
	RTMPeerMessageNotLoggedIn         RTMPeerMessageErr = 102
)

var rtmPeerNames = map[RTMPeerMessageErr]string{
	RTMPeerMessageOK: "OK", RTMPeerMessageFailure: "FAILURE", RTMPeerMessageSentTimeout: "SENT_TIMEOUT",
	RTMPeerMessagePeerUnreachable: "PEER_UNREACHABLE", RTMPeerMessageCachedByServer: "CACHED_BY_SERVER",
	RTMPeerMessageTooOften: "TOO_OFTEN", RTMPeerMessageInvalidUserID: "INVALID_USERID",
	RTMPeerMessageInvalidMessage: "INVALID_MESSAGE", RTMPeerMessageIncompatibleMessage: "IMCOMPATIBLE_MESSAGE",
	RTMPeerMessageNotInitialized: "NOT_INITIALIZED", RTMPeerMessageNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMPeerMessageErr) String() string { return codeName(rtmPeerNames, c, "RTMPeerMessageErr") }

// RTMJoinChannelErr is Agora RTM's JOIN_CHANNEL_ERR.
type RTMJoinChannelErr int

// Channel join results.
const (
	RTMJoinOK                  RTMJoinChannelErr = 0
	RTMJoinFailure             RTMJoinChannelErr = 1
	RTMJoinRejected            RTMJoinChannelErr = 2
	RTMJoinInvalidArgument     RTMJoinChannelErr = 3
	RTMJoinTimeout             RTMJoinChannelErr = 4
	RTMJoinExceedLimit         RTMJoinChannelErr = 5
	RTMJoinAlreadyJoined       RTMJoinChannelErr = 6
	RTMJoinTooOften            RTMJoinChannelErr = 7
	RTMJoinSameChannelTooOften RTMJoinChannelErr = 8
	RTMJoinNotInitialized      RTMJoinChannelErr = 101
	RTMJoinNotLoggedIn         RTMJoinChannelErr = 102
)

var rtmJoinNames = map[RTMJoinChannelErr]string{
	RTMJoinOK: "OK", RTMJoinFailure: "FAILURE", RTMJoinRejected: "REJECTED", RTMJoinInvalidArgument: "INVALID_ARGUMENT",
	RTMJoinTimeout: "TIMEOUT", RTMJoinExceedLimit: "EXCEED_LIMIT", RTMJoinAlreadyJoined: "ALREADY_JOINED",
	RTMJoinTooOften: "TOO_OFTEN", RTMJoinSameChannelTooOften: "JOIN_SAME_CHANNEL_TOO_OFTEN",
	RTMJoinNotInitialized: "NOT_INITIALIZED", RTMJoinNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMJoinChannelErr) String() string { return codeName(rtmJoinNames, c, "RTMJoinChannelErr") }

// RTMLeaveChannelErr is Agora RTM's LEAVE_CHANNEL_ERR.
type RTMLeaveChannelErr int

// Channel leave results.
const (
	RTMLeaveOK             RTMLeaveChannelErr = 0
	RTMLeaveFailure        RTMLeaveChannelErr = 1
	RTMLeaveRejected       RTMLeaveChannelErr = 2
	RTMLeaveNotInChannel   RTMLeaveChannelErr = 3
	RTMLeaveNotInitialized RTMLeaveChannelErr = 101
	RTMLeaveNotLoggedIn    RTMLeaveChannelErr = 102
)

var rtmLeaveNames = map[RTMLeaveChannelErr]string{
	RTMLeaveOK: "OK", RTMLeaveFailure: "FAILURE", RTMLeaveRejected: "REJECTED", RTMLeaveNotInChannel: "NOT_IN_CHANNEL",
	RTMLeaveNotInitialized: "NOT_INITIALIZED", RTMLeaveNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMLeaveChannelErr) String() string { return codeName(rtmLeaveNames, c, "RTMLeaveChannelErr") }

// RTMChannelMessageErr is Agora RTM's CHANNEL_MESSAGE_ERR_CODE.
type RTMChannelMessageErr int

// Channel message results.
const (
	RTMChannelMessageOK             RTMChannelMessageErr = 0
	RTMChannelMessageFailure        RTMChannelMessageErr = 1
	RTMChannelMessageSentTimeout    RTMChannelMessageErr = 2
	RTMChannelMessageTooOften       RTMChannelMessageErr = 3
	RTMChannelMessageInvalidMessage RTMChannelMessageErr = 4
	RTMChannelMessageNotInitialized RTMChannelMessageErr = 101
	RTMChannelMessageNotLoggedIn    RTMChannelMessageErr = 102
)

var rtmChanMsgNames = map[RTMChannelMessageErr]string{
	RTMChannelMessageOK: "OK", RTMChannelMessageFailure: "FAILURE", RTMChannelMessageSentTimeout: "SENT_TIMEOUT",
	RTMChannelMessageTooOften: "TOO_OFTEN", RTMChannelMessageInvalidMessage: "INVALID_MESSAGE",
	RTMChannelMessageNotInitialized: "NOT_INITIALIZED", RTMChannelMessageNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMChannelMessageErr) String() string {
	return codeName(rtmChanMsgNames, c, "RTMChannelMessageErr")
}

// RTMGetMembersErr is Agora RTM's GET_MEMBERS_ERR.
type RTMGetMembersErr int

// getMembers results.
const (
	RTMGetMembersOK             RTMGetMembersErr = 0
	RTMGetMembersFailure        RTMGetMembersErr = 1
	RTMGetMembersRejected       RTMGetMembersErr = 2
	RTMGetMembersTimeout        RTMGetMembersErr = 3
	RTMGetMembersTooOften       RTMGetMembersErr = 4
	RTMGetMembersNotInChannel   RTMGetMembersErr = 5
	RTMGetMembersNotInitialized RTMGetMembersErr = 101
	RTMGetMembersNotLoggedIn    RTMGetMembersErr = 102
)

var rtmGetMembersNames = map[RTMGetMembersErr]string{
	RTMGetMembersOK: "OK", RTMGetMembersFailure: "FAILURE", RTMGetMembersRejected: "REJECTED",
	RTMGetMembersTimeout: "TIMEOUT", RTMGetMembersTooOften: "TOO_OFTEN", RTMGetMembersNotInChannel: "NOT_IN_CHANNEL",
	RTMGetMembersNotInitialized: "NOT_INITIALIZED", RTMGetMembersNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMGetMembersErr) String() string { return codeName(rtmGetMembersNames, c, "RTMGetMembersErr") }

// RTMChannelMemberCountErr is Agora RTM's GET_CHANNEL_MEMBER_COUNT_ERR_CODE.
type RTMChannelMemberCountErr int

// getChannelMemberCount results.
const (
	RTMMemberCountOK              RTMChannelMemberCountErr = 0
	RTMMemberCountFailure         RTMChannelMemberCountErr = 1
	RTMMemberCountInvalidArgument RTMChannelMemberCountErr = 2
	RTMMemberCountTooOften        RTMChannelMemberCountErr = 3
	RTMMemberCountTimeout         RTMChannelMemberCountErr = 4
	RTMMemberCountExceedLimit     RTMChannelMemberCountErr = 5
	RTMMemberCountNotInitialized  RTMChannelMemberCountErr = 101
	RTMMemberCountNotLoggedIn     RTMChannelMemberCountErr = 102
)

var rtmCountNames = map[RTMChannelMemberCountErr]string{
	RTMMemberCountOK: "OK", RTMMemberCountFailure: "FAILURE", RTMMemberCountInvalidArgument: "INVALID_ARGUMENT",
	RTMMemberCountTooOften: "TOO_OFTEN", RTMMemberCountTimeout: "TIMEOUT", RTMMemberCountExceedLimit: "EXCEED_LIMIT",
	RTMMemberCountNotInitialized: "NOT_INITIALIZED", RTMMemberCountNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMChannelMemberCountErr) String() string {
	return codeName(rtmCountNames, c, "RTMChannelMemberCountErr")
}

// RTMAttributeErr is Agora RTM's ATTRIBUTE_OPERATION_ERR, the result of
// channel and user attribute operations, plus cohost's revision conflict.
type RTMAttributeErr int

// Attribute operation results.
const (
	RTMAttributeOK              RTMAttributeErr = 0
	RTMAttributeNotReady        RTMAttributeErr = 1
	RTMAttributeFailure         RTMAttributeErr = 2
	RTMAttributeInvalidArgument RTMAttributeErr = 3
	RTMAttributeSizeOverflow    RTMAttributeErr = 4
	RTMAttributeTooOften        RTMAttributeErr = 5
	RTMAttributeUserNotFound    RTMAttributeErr = 6
	RTMAttributeTimeout         RTMAttributeErr = 7
	RTMAttributeNotInitialized  RTMAttributeErr = 101
	RTMAttributeNotLoggedIn     RTMAttributeErr = 102
	// RTMAttributeRevisionConflict (cohost): a key's current revision is
	// not the one the write expected (compare-and-set failed); nothing was
	// written. The error's message names the key.
	RTMAttributeRevisionConflict RTMAttributeErr = 200
)

var rtmAttrNames = map[RTMAttributeErr]string{
	RTMAttributeOK: "OK", RTMAttributeNotReady: "NOT_READY", RTMAttributeFailure: "FAILURE",
	RTMAttributeInvalidArgument: "INVALID_ARGUMENT", RTMAttributeSizeOverflow: "SIZE_OVERFLOW",
	RTMAttributeTooOften: "TOO_OFTEN", RTMAttributeUserNotFound: "USER_NOT_FOUND", RTMAttributeTimeout: "TIMEOUT",
	RTMAttributeNotInitialized: "NOT_INITIALIZED", RTMAttributeNotLoggedIn: "USER_NOT_LOGGED_IN",
	RTMAttributeRevisionConflict: "REVISION_CONFLICT",
}

func (c RTMAttributeErr) String() string { return codeName(rtmAttrNames, c, "RTMAttributeErr") }

// RTMQueryPeersErr is Agora RTM's QUERY_PEERS_ONLINE_STATUS_ERR and
// PEER_SUBSCRIPTION_STATUS_ERR (which adds OVERFLOW).
type RTMQueryPeersErr int

// Presence query and subscription results.
const (
	RTMQueryPeersOK              RTMQueryPeersErr = 0
	RTMQueryPeersFailure         RTMQueryPeersErr = 1
	RTMQueryPeersInvalidArgument RTMQueryPeersErr = 2
	RTMQueryPeersRejected        RTMQueryPeersErr = 3
	RTMQueryPeersTimeout         RTMQueryPeersErr = 4
	RTMQueryPeersTooOften        RTMQueryPeersErr = 5
	RTMQueryPeersOverflow        RTMQueryPeersErr = 6
	RTMQueryPeersNotInitialized  RTMQueryPeersErr = 101
	RTMQueryPeersNotLoggedIn     RTMQueryPeersErr = 102
)

var rtmQueryNames = map[RTMQueryPeersErr]string{
	RTMQueryPeersOK: "OK", RTMQueryPeersFailure: "FAILURE", RTMQueryPeersInvalidArgument: "INVALID_ARGUMENT",
	RTMQueryPeersRejected: "REJECTED", RTMQueryPeersTimeout: "TIMEOUT", RTMQueryPeersTooOften: "TOO_OFTEN",
	RTMQueryPeersOverflow: "OVERFLOW", RTMQueryPeersNotInitialized: "NOT_INITIALIZED",
	RTMQueryPeersNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMQueryPeersErr) String() string { return codeName(rtmQueryNames, c, "RTMQueryPeersErr") }

// RTMInvitationErr (cohost) is the result of an invitation request (send,
// cancel, accept, refuse). Agora reports these through state callbacks;
// cohost also answers the request.
type RTMInvitationErr int

// Invitation request results (cohost's numbers).
const (
	RTMInvitationOK              RTMInvitationErr = 0
	RTMInvitationFailure         RTMInvitationErr = 1
	RTMInvitationInvalidArgument RTMInvitationErr = 2
	RTMInvitationInvalidState    RTMInvitationErr = 3 // unknown, expired or finished invitation
	RTMInvitationTooOften        RTMInvitationErr = 5
	RTMInvitationNotLoggedIn     RTMInvitationErr = 102
)

var rtmInvErrNames = map[RTMInvitationErr]string{
	RTMInvitationOK: "OK", RTMInvitationFailure: "FAILURE", RTMInvitationInvalidArgument: "INVALID_ARGUMENT",
	RTMInvitationInvalidState: "INVALID_STATE", RTMInvitationTooOften: "TOO_OFTEN",
	RTMInvitationNotLoggedIn: "USER_NOT_LOGGED_IN",
}

func (c RTMInvitationErr) String() string { return codeName(rtmInvErrNames, c, "RTMInvitationErr") }

// RTMPeerOnlineState is Agora RTM's PEER_ONLINE_STATE.
type RTMPeerOnlineState int

// Peer online states.
const (
	RTMPeerOnline      RTMPeerOnlineState = 0
	RTMPeerUnreachable RTMPeerOnlineState = 1
	RTMPeerOffline     RTMPeerOnlineState = 2
)

var rtmPeerStateNames = map[RTMPeerOnlineState]string{
	RTMPeerOnline: "ONLINE", RTMPeerUnreachable: "UNREACHABLE", RTMPeerOffline: "OFFLINE",
}

func (s RTMPeerOnlineState) String() string {
	return codeName(rtmPeerStateNames, s, "RTMPeerOnlineState")
}

// RTMMessageType is Agora RTM's MESSAGE_TYPE.
type RTMMessageType int

// Message types.
const (
	RTMMessageUndefined RTMMessageType = 0
	RTMMessageText      RTMMessageType = 1
	RTMMessageRaw       RTMMessageType = 2
	// A file or an image uploaded to the media store (RTMMedia): Agora's
	// native MESSAGE_TYPE_FILE (3) and MESSAGE_TYPE_IMAGE (4).
	RTMMessageFile  RTMMessageType = 3
	RTMMessageImage RTMMessageType = 4
)

var rtmMsgTypeNames = map[RTMMessageType]string{
	RTMMessageUndefined: "UNDEFINED", RTMMessageText: "TEXT", RTMMessageRaw: "RAW",
	RTMMessageFile: "FILE", RTMMessageImage: "IMAGE",
}

func (t RTMMessageType) String() string { return codeName(rtmMsgTypeNames, t, "RTMMessageType") }

// RTMLocalInvitationState is Agora RTM's LOCAL_INVITATION_STATE (cohost's
// numbers: Agora does not publish them).
type RTMLocalInvitationState int

// Local (caller side) invitation states.
const (
	RTMLocalInvitationIdle             RTMLocalInvitationState = 0
	RTMLocalInvitationSentToRemote     RTMLocalInvitationState = 1
	RTMLocalInvitationReceivedByRemote RTMLocalInvitationState = 2
	RTMLocalInvitationAcceptedByRemote RTMLocalInvitationState = 3
	RTMLocalInvitationRefusedByRemote  RTMLocalInvitationState = 4
	RTMLocalInvitationCanceled         RTMLocalInvitationState = 5
	RTMLocalInvitationFailure          RTMLocalInvitationState = 6
)

var rtmLocalInvStateNames = map[RTMLocalInvitationState]string{
	RTMLocalInvitationIdle: "IDLE", RTMLocalInvitationSentToRemote: "SENT_TO_REMOTE",
	RTMLocalInvitationReceivedByRemote: "RECEIVED_BY_REMOTE", RTMLocalInvitationAcceptedByRemote: "ACCEPTED_BY_REMOTE",
	RTMLocalInvitationRefusedByRemote: "REFUSED_BY_REMOTE", RTMLocalInvitationCanceled: "CANCELED",
	RTMLocalInvitationFailure: "FAILURE",
}

func (s RTMLocalInvitationState) String() string {
	return codeName(rtmLocalInvStateNames, s, "RTMLocalInvitationState")
}

// RTMRemoteInvitationState is Agora RTM's REMOTE_INVITATION_STATE
// (cohost's numbers).
type RTMRemoteInvitationState int

// Remote (callee side) invitation states.
const (
	RTMRemoteInvitationIdle              RTMRemoteInvitationState = 0
	RTMRemoteInvitationReceived          RTMRemoteInvitationState = 1
	RTMRemoteInvitationAcceptSentToLocal RTMRemoteInvitationState = 2
	RTMRemoteInvitationRefused           RTMRemoteInvitationState = 3
	RTMRemoteInvitationAccepted          RTMRemoteInvitationState = 4
	RTMRemoteInvitationCanceled          RTMRemoteInvitationState = 5
	RTMRemoteInvitationFailure           RTMRemoteInvitationState = 6
)

var rtmRemoteInvStateNames = map[RTMRemoteInvitationState]string{
	RTMRemoteInvitationIdle: "IDLE", RTMRemoteInvitationReceived: "INVITATION_RECEIVED",
	RTMRemoteInvitationAcceptSentToLocal: "ACCEPT_SENT_TO_LOCAL", RTMRemoteInvitationRefused: "REFUSED",
	RTMRemoteInvitationAccepted: "ACCEPTED", RTMRemoteInvitationCanceled: "CANCELED",
	RTMRemoteInvitationFailure: "FAILURE",
}

func (s RTMRemoteInvitationState) String() string {
	return codeName(rtmRemoteInvStateNames, s, "RTMRemoteInvitationState")
}

// RTMLocalInvitationFailureReason is Agora RTM's
// LOCAL_INVITATION_ERR_CODE (cohost's numbers).
type RTMLocalInvitationFailureReason int

// Why a local invitation failed.
const (
	RTMLocalInvitationErrUnknown        RTMLocalInvitationFailureReason = 1
	RTMLocalInvitationErrPeerNoResponse RTMLocalInvitationFailureReason = 2
	RTMLocalInvitationErrExpired        RTMLocalInvitationFailureReason = 3
	RTMLocalInvitationErrPeerOffline    RTMLocalInvitationFailureReason = 4
	RTMLocalInvitationErrNotLoggedIn    RTMLocalInvitationFailureReason = 5
)

var rtmLocalInvErrNames = map[RTMLocalInvitationFailureReason]string{
	RTMLocalInvitationErrUnknown: "UNKNOWN", RTMLocalInvitationErrPeerNoResponse: "PEER_NO_RESPONSE",
	RTMLocalInvitationErrExpired: "INVITATION_EXPIRE", RTMLocalInvitationErrPeerOffline: "PEER_OFFLINE",
	RTMLocalInvitationErrNotLoggedIn: "NOT_LOGGEDIN",
}

func (r RTMLocalInvitationFailureReason) String() string {
	return codeName(rtmLocalInvErrNames, r, "RTMLocalInvitationFailureReason")
}

// RTMRemoteInvitationFailureReason is Agora RTM's
// REMOTE_INVITATION_ERR_CODE (cohost's numbers).
type RTMRemoteInvitationFailureReason int

// Why a remote invitation failed.
const (
	RTMRemoteInvitationErrUnknown       RTMRemoteInvitationFailureReason = 1
	RTMRemoteInvitationErrPeerOffline   RTMRemoteInvitationFailureReason = 2
	RTMRemoteInvitationErrAcceptFailure RTMRemoteInvitationFailureReason = 3
	RTMRemoteInvitationErrExpired       RTMRemoteInvitationFailureReason = 4
)

var rtmRemoteInvErrNames = map[RTMRemoteInvitationFailureReason]string{
	RTMRemoteInvitationErrUnknown: "UNKNOWN", RTMRemoteInvitationErrPeerOffline: "PEER_OFFLINE",
	RTMRemoteInvitationErrAcceptFailure: "ACCEPT_FAILURE", RTMRemoteInvitationErrExpired: "INVITATION_EXPIRE",
}

func (r RTMRemoteInvitationFailureReason) String() string {
	return codeName(rtmRemoteInvErrNames, r, "RTMRemoteInvitationFailureReason")
}

func codeName[C ~int](names map[C]string, c C, typ string) string {
	if s, ok := names[c]; ok {
		return s
	}
	return fmt.Sprintf("%s(%d)", typ, int(c))
}

// RTMCode is any of the RTM result code types.
type RTMCode interface {
	~int
	String() string
}

// NewRTMError builds the wire Error of a failed RTM request: Code is the
// operation's RTM code (its meaning depends on the request type), Name and
// Web its name in that code table. The Go RTM SDK turns it back into a
// typed rtm.Error.
func NewRTMError[C RTMCode](code C, format string, args ...any) *Error {
	return &Error{Code: ErrorCode(code), Name: code.String(), Web: code.String(), Message: fmt.Sprintf(format, args...)}
}

func errReserved(what, s string) error { return fmt.Errorf("%s %q is reserved", what, s) }

// RTMUploadMediaErr is Agora RTM's UPLOAD_MEDIA_ERR_CODE.
type RTMUploadMediaErr int

// Upload errors.
const (
	RTMUploadMediaFailure             RTMUploadMediaErr = 1
	RTMUploadMediaInvalidArgument     RTMUploadMediaErr = 2
	RTMUploadMediaTimeout             RTMUploadMediaErr = 3
	RTMUploadMediaSizeOverflow        RTMUploadMediaErr = 4
	RTMUploadMediaConcurrencyExceeded RTMUploadMediaErr = 5
	RTMUploadMediaInterrupted         RTMUploadMediaErr = 6
	RTMUploadMediaNotLoggedIn         RTMUploadMediaErr = 102
)

var rtmUploadNames = map[RTMUploadMediaErr]string{
	RTMUploadMediaFailure: "UPLOAD_MEDIA_ERR_FAILURE", RTMUploadMediaInvalidArgument: "UPLOAD_MEDIA_ERR_INVALID_ARGUMENT",
	RTMUploadMediaTimeout: "UPLOAD_MEDIA_ERR_TIMEOUT", RTMUploadMediaSizeOverflow: "UPLOAD_MEDIA_ERR_SIZE_OVERFLOW",
	RTMUploadMediaConcurrencyExceeded: "UPLOAD_MEDIA_ERR_CONCURRENCY_LIMIT_EXCEEDED",
	RTMUploadMediaInterrupted:         "UPLOAD_MEDIA_ERR_INTERRUPTED", RTMUploadMediaNotLoggedIn: "UPLOAD_MEDIA_ERR_NOT_LOGGED_IN",
}

func (e RTMUploadMediaErr) String() string { return codeName(rtmUploadNames, e, "RTMUploadMediaErr") }

// RTMDownloadMediaErr is Agora RTM's DOWNLOAD_MEDIA_ERR_CODE.
type RTMDownloadMediaErr int

// Download errors.
const (
	RTMDownloadMediaFailure             RTMDownloadMediaErr = 1
	RTMDownloadMediaInvalidArgument     RTMDownloadMediaErr = 2
	RTMDownloadMediaTimeout             RTMDownloadMediaErr = 3
	RTMDownloadMediaNotExist            RTMDownloadMediaErr = 4
	RTMDownloadMediaConcurrencyExceeded RTMDownloadMediaErr = 5
	RTMDownloadMediaInterrupted         RTMDownloadMediaErr = 6
	RTMDownloadMediaNotLoggedIn         RTMDownloadMediaErr = 102
)

var rtmDownloadNames = map[RTMDownloadMediaErr]string{
	RTMDownloadMediaFailure: "DOWNLOAD_MEDIA_ERR_FAILURE", RTMDownloadMediaInvalidArgument: "DOWNLOAD_MEDIA_ERR_INVALID_ARGUMENT",
	RTMDownloadMediaTimeout: "DOWNLOAD_MEDIA_ERR_TIMEOUT", RTMDownloadMediaNotExist: "DOWNLOAD_MEDIA_ERR_NOT_EXIST",
	RTMDownloadMediaConcurrencyExceeded: "DOWNLOAD_MEDIA_ERR_CONCURRENCY_LIMIT_EXCEEDED",
	RTMDownloadMediaInterrupted:         "DOWNLOAD_MEDIA_ERR_INTERRUPTED", RTMDownloadMediaNotLoggedIn: "DOWNLOAD_MEDIA_ERR_NOT_LOGGED_IN",
}

func (e RTMDownloadMediaErr) String() string {
	return codeName(rtmDownloadNames, e, "RTMDownloadMediaErr")
}
