package protocol

import "fmt"

// ErrorCode is an Agora native error code (ERROR_CODE_TYPE); the numbers are
// Agora's. Codes from 1000 are cohost's own.
type ErrorCode int

// Error codes.
const (
	ErrFailed               ErrorCode = 1
	ErrInvalidArgument      ErrorCode = 2
	ErrNotReady             ErrorCode = 3
	ErrNotSupported         ErrorCode = 4
	ErrRefused              ErrorCode = 5
	ErrInvalidState         ErrorCode = 8
	ErrNoPermission         ErrorCode = 9
	ErrTimedOut             ErrorCode = 10
	ErrTooOften             ErrorCode = 12
	ErrJoinChannelRejected  ErrorCode = 17
	ErrLeaveChannelRejected ErrorCode = 18
	ErrAlreadyInUse         ErrorCode = 19
	ErrResourceLimited      ErrorCode = 22
	ErrInvalidAppID         ErrorCode = 101
	ErrInvalidChannelName   ErrorCode = 102
	ErrNoServerResources    ErrorCode = 103
	ErrTokenExpired         ErrorCode = 109
	ErrInvalidToken         ErrorCode = 110
	ErrConnectionLost       ErrorCode = 112
	ErrNotInChannel         ErrorCode = 113
	ErrSizeTooLarge         ErrorCode = 114
	ErrSetClientRoleNotAuth ErrorCode = 119
	ErrInvalidUserID        ErrorCode = 121

	// ErrMalformedMessage (cohost): a signalling message could not be decoded.
	ErrMalformedMessage ErrorCode = 1000
	// ErrUnknownMessage (cohost): the message type is not known.
	ErrUnknownMessage ErrorCode = 1001
	// ErrCodecNotSupported (cohost): the subscriber cannot decode the publisher's codec.
	ErrCodecNotSupported ErrorCode = 1002

	// Channel media relay failures that end a start or update (cohost
	// numbers; the Web code is Agora Web's CROSS_CHANNEL_* string).
	ErrRelayFailedJoinSrc    ErrorCode = 1010
	ErrRelayFailedJoinDest   ErrorCode = 1011
	ErrRelayServerError      ErrorCode = 1012
	ErrRelayWaitStatusFailed ErrorCode = 1013
)

type codeInfo struct{ name, web string }

var codeInfos = map[ErrorCode]codeInfo{
	ErrFailed:               {"ERR_FAILED", "UNEXPECTED_ERROR"},
	ErrInvalidArgument:      {"ERR_INVALID_ARGUMENT", "INVALID_PARAMS"},
	ErrNotReady:             {"ERR_NOT_READY", "INVALID_OPERATION"},
	ErrNotSupported:         {"ERR_NOT_SUPPORTED", "NOT_SUPPORTED"},
	ErrRefused:              {"ERR_REFUSED", "INVALID_OPERATION"},
	ErrInvalidState:         {"ERR_INVALID_STATE", "INVALID_OPERATION"},
	ErrNoPermission:         {"ERR_NO_PERMISSION", "PERMISSION_DENIED"},
	ErrTimedOut:             {"ERR_TIMEDOUT", "TIMEOUT"},
	ErrTooOften:             {"ERR_TOO_OFTEN", "INVALID_OPERATION"},
	ErrJoinChannelRejected:  {"ERR_JOIN_CHANNEL_REJECTED", "INVALID_OPERATION"},
	ErrLeaveChannelRejected: {"ERR_LEAVE_CHANNEL_REJECTED", "INVALID_OPERATION"},
	ErrAlreadyInUse:         {"ERR_ALREADY_IN_USE", "UID_CONFLICT"},
	ErrResourceLimited:      {"ERR_RESOURCE_LIMITED", "INVALID_OPERATION"},
	ErrInvalidAppID:         {"ERR_INVALID_APP_ID", "INVALID_PARAMS"},
	ErrInvalidChannelName:   {"ERR_INVALID_CHANNEL_NAME", "INVALID_PARAMS"},
	ErrNoServerResources:    {"ERR_NO_SERVER_RESOURCES", "CAN_NOT_GET_GATEWAY_SERVER"},
	ErrTokenExpired:         {"ERR_TOKEN_EXPIRED", "TOKEN_EXPIRE"},
	ErrInvalidToken:         {"ERR_INVALID_TOKEN", "INVALID_PARAMS"},
	ErrConnectionLost:       {"ERR_CONNECTION_LOST", "NETWORK_ERROR"},
	ErrNotInChannel:         {"ERR_NOT_IN_CHANNEL", "INVALID_OPERATION"},
	ErrSizeTooLarge:         {"ERR_SIZE_TOO_LARGE", "INVALID_PARAMS"},
	ErrSetClientRoleNotAuth: {"ERR_SET_CLIENT_ROLE_NOT_AUTHORIZED", "INVALID_OPERATION"},
	ErrInvalidUserID:        {"ERR_INVALID_USER_ID", "INVALID_PARAMS"},
	ErrMalformedMessage:     {"ERR_MALFORMED_MESSAGE", "UNEXPECTED_RESPONSE"},
	ErrUnknownMessage:       {"ERR_UNKNOWN_MESSAGE", "NOT_SUPPORTED"},
	ErrCodecNotSupported:    {"ERR_CODEC_NOT_SUPPORTED", "NOT_SUPPORTED"},
	// Agora Web's string for FAILED_JOIN_SRC really is "…_SEC".
	ErrRelayFailedJoinSrc:    {"ERR_RELAY_FAILED_JOIN_SRC", "CROSS_CHANNEL_FAILED_JOIN_SEC"},
	ErrRelayFailedJoinDest:   {"ERR_RELAY_FAILED_JOIN_DEST", "CROSS_CHANNEL_FAILED_JOIN_DEST"},
	ErrRelayServerError:      {"ERR_RELAY_SERVER_ERROR", "CROSS_CHANNEL_SERVER_ERROR_RESPONSE"},
	ErrRelayWaitStatusFailed: {"ERR_RELAY_WAIT_STATUS", "CROSS_CHANNEL_WAIT_STATUS_ERROR"},
}

// String returns Agora's native name (e.g. "ERR_INVALID_ARGUMENT").
func (c ErrorCode) String() string {
	if i, ok := codeInfos[c]; ok {
		return i.name
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// WebCode returns the Agora Web SDK (AgoraRTCErrorCode) string for c.
func (c ErrorCode) WebCode() string {
	if i, ok := codeInfos[c]; ok {
		return i.web
	}
	return "UNEXPECTED_ERROR"
}

// Error is a typed failure carried in a response. It implements error; two
// Errors match with errors.Is when their codes are equal.
type Error struct {
	Code ErrorCode `json:"code"`
	// Name is Code's native name, for readers of the wire.
	Name string `json:"name"`
	// Web is the Agora Web error code string.
	Web string `json:"web"`
	// Message explains the failure for humans.
	Message string `json:"message"`
	// Reason carries a code-specific detail, e.g. the
	// ClientRoleChangeFailedReason of ErrSetClientRoleNotAuth, or the
	// ConnectionChangedReason that ends a failed join.
	Reason int `json:"reason,omitempty"`
}

// NewError builds an Error with a formatted message.
func NewError(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Name: code.String(), Web: code.WebCode(), Message: fmt.Sprintf(format, args...)}
}

// WithReason returns a copy of e carrying reason.
func (e *Error) WithReason(reason int) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// Error prints the code's name as carried in Name (an RTM request's
// error is named in its own code table, not as an ErrorCode), then the
// number and the message.
func (e *Error) Error() string {
	name := e.Name
	if name == "" {
		name = e.Code.String()
	}
	return fmt.Sprintf("%s (%d): %s", name, int(e.Code), e.Message)
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}
