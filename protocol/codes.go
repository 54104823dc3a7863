package protocol

import "fmt"

// ClientRole is Agora's CLIENT_ROLE_TYPE.
type ClientRole int

// Client roles.
const (
	RoleBroadcaster ClientRole = 1 // "host"
	RoleAudience    ClientRole = 2 // "audience"
)

func (r ClientRole) String() string {
	switch r {
	case RoleBroadcaster:
		return "BROADCASTER"
	case RoleAudience:
		return "AUDIENCE"
	}
	return fmt.Sprintf("ClientRole(%d)", int(r))
}

// Valid reports whether r is a known role.
func (r ClientRole) Valid() bool { return r == RoleBroadcaster || r == RoleAudience }

// ChannelProfile is Agora's CHANNEL_PROFILE_TYPE.
type ChannelProfile int

// Channel profiles. Web mode "rtc" is Communication, "live" is LiveBroadcasting.
const (
	ProfileCommunication    ChannelProfile = 0
	ProfileLiveBroadcasting ChannelProfile = 1
)

func (p ChannelProfile) String() string {
	switch p {
	case ProfileCommunication:
		return "COMMUNICATION"
	case ProfileLiveBroadcasting:
		return "LIVE_BROADCASTING"
	}
	return fmt.Sprintf("ChannelProfile(%d)", int(p))
}

// Valid reports whether p is a known profile.
func (p ChannelProfile) Valid() bool {
	return p == ProfileCommunication || p == ProfileLiveBroadcasting
}

// UserOfflineReason is Agora's USER_OFFLINE_REASON_TYPE.
type UserOfflineReason int

// Offline reasons. Web strings: "Quit", "ServerTimeOut", "BecomeAudience".
const (
	OfflineQuit           UserOfflineReason = 0
	OfflineDropped        UserOfflineReason = 1
	OfflineBecomeAudience UserOfflineReason = 2
)

func (r UserOfflineReason) String() string {
	switch r {
	case OfflineQuit:
		return "QUIT"
	case OfflineDropped:
		return "DROPPED"
	case OfflineBecomeAudience:
		return "BECOME_AUDIENCE"
	}
	return fmt.Sprintf("UserOfflineReason(%d)", int(r))
}

// WebString returns the Agora Web user-left reason string.
func (r UserOfflineReason) WebString() string {
	switch r {
	case OfflineQuit:
		return "Quit"
	case OfflineDropped:
		return "ServerTimeOut"
	case OfflineBecomeAudience:
		return "BecomeAudience"
	}
	return r.String()
}

// ConnectionState is Agora's CONNECTION_STATE_TYPE.
type ConnectionState int

// Connection states.
const (
	ConnDisconnected ConnectionState = 1
	ConnConnecting   ConnectionState = 2
	ConnConnected    ConnectionState = 3
	ConnReconnecting ConnectionState = 4
	ConnFailed       ConnectionState = 5
)

func (s ConnectionState) String() string {
	switch s {
	case ConnDisconnected:
		return "DISCONNECTED"
	case ConnConnecting:
		return "CONNECTING"
	case ConnConnected:
		return "CONNECTED"
	case ConnReconnecting:
		return "RECONNECTING"
	case ConnFailed:
		return "FAILED"
	}
	return fmt.Sprintf("ConnectionState(%d)", int(s))
}

// ConnectionChangedReason is Agora's CONNECTION_CHANGED_REASON_TYPE.
type ConnectionChangedReason int

// Connection change reasons (Agora's values), plus cohost's extensions from 100.
const (
	ReasonConnecting              ConnectionChangedReason = 0
	ReasonJoinSuccess             ConnectionChangedReason = 1
	ReasonInterrupted             ConnectionChangedReason = 2
	ReasonBannedByServer          ConnectionChangedReason = 3
	ReasonJoinFailed              ConnectionChangedReason = 4
	ReasonLeaveChannel            ConnectionChangedReason = 5
	ReasonInvalidAppID            ConnectionChangedReason = 6
	ReasonInvalidChannelName      ConnectionChangedReason = 7
	ReasonInvalidToken            ConnectionChangedReason = 8
	ReasonTokenExpired            ConnectionChangedReason = 9
	ReasonRejectedByServer        ConnectionChangedReason = 10
	ReasonSettingProxyServer      ConnectionChangedReason = 11
	ReasonRenewToken              ConnectionChangedReason = 12
	ReasonClientIPAddressChanged  ConnectionChangedReason = 13
	ReasonKeepAliveTimeout        ConnectionChangedReason = 14
	ReasonRejoinSuccess           ConnectionChangedReason = 15
	ReasonLost                    ConnectionChangedReason = 16
	ReasonEchoTest                ConnectionChangedReason = 17
	ReasonClientIPChangedByUser   ConnectionChangedReason = 18
	ReasonSameUIDLogin            ConnectionChangedReason = 19
	ReasonTooManyBroadcasters     ConnectionChangedReason = 20
	ReasonLicenseValidationFailed ConnectionChangedReason = 21
	// ReasonServerShutdown (cohost) : the server is shutting down gracefully.
	ReasonServerShutdown ConnectionChangedReason = 100
	// ReasonSessionExpired (cohost): a resume came after the server dropped the session.
	ReasonSessionExpired ConnectionChangedReason = 101
)

var reasonNames = map[ConnectionChangedReason]string{
	ReasonConnecting: "CONNECTING", ReasonJoinSuccess: "JOIN_SUCCESS", ReasonInterrupted: "INTERRUPTED",
	ReasonBannedByServer: "BANNED_BY_SERVER", ReasonJoinFailed: "JOIN_FAILED", ReasonLeaveChannel: "LEAVE_CHANNEL",
	ReasonInvalidAppID: "INVALID_APP_ID", ReasonInvalidChannelName: "INVALID_CHANNEL_NAME",
	ReasonInvalidToken: "INVALID_TOKEN", ReasonTokenExpired: "TOKEN_EXPIRED", ReasonRejectedByServer: "REJECTED_BY_SERVER",
	ReasonSettingProxyServer: "SETTING_PROXY_SERVER", ReasonRenewToken: "RENEW_TOKEN",
	ReasonClientIPAddressChanged: "CLIENT_IP_ADDRESS_CHANGED", ReasonKeepAliveTimeout: "KEEP_ALIVE_TIMEOUT",
	ReasonRejoinSuccess: "REJOIN_SUCCESS", ReasonLost: "LOST", ReasonEchoTest: "ECHO_TEST",
	ReasonClientIPChangedByUser: "CLIENT_IP_ADDRESS_CHANGED_BY_USER", ReasonSameUIDLogin: "SAME_UID_LOGIN",
	ReasonTooManyBroadcasters: "TOO_MANY_BROADCASTERS", ReasonLicenseValidationFailed: "LICENSE_VALIDATION_FAILURE",
	ReasonServerShutdown: "SERVER_SHUTDOWN", ReasonSessionExpired: "SESSION_EXPIRED",
}

func (r ConnectionChangedReason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("ConnectionChangedReason(%d)", int(r))
}

// ClientRoleChangeFailedReason is Agora's CLIENT_ROLE_CHANGE_FAILED_REASON.
type ClientRoleChangeFailedReason int

// Role change failure reasons.
const (
	RoleChangeFailedTooManyBroadcasters ClientRoleChangeFailedReason = 1
	RoleChangeFailedNotAuthorized       ClientRoleChangeFailedReason = 2
	RoleChangeFailedRequestTimeOut      ClientRoleChangeFailedReason = 3
	RoleChangeFailedConnectionFailed    ClientRoleChangeFailedReason = 4
)

func (r ClientRoleChangeFailedReason) String() string {
	switch r {
	case RoleChangeFailedTooManyBroadcasters:
		return "TOO_MANY_BROADCASTERS"
	case RoleChangeFailedNotAuthorized:
		return "NOT_AUTHORIZED"
	case RoleChangeFailedRequestTimeOut:
		return "REQUEST_TIME_OUT"
	case RoleChangeFailedConnectionFailed:
		return "CONNECTION_FAILED"
	}
	return fmt.Sprintf("ClientRoleChangeFailedReason(%d)", int(r))
}
