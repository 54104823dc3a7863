package token

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Version is the version prefix of every AccessToken2 string.
const Version = "007"

// ServiceType identifies a service inside a token.
type ServiceType uint16

// Service types. cohost serves RTC and RTM; the others are Agora services
// whose tokens this package decodes and re-encodes without interpreting.
const (
	ServiceRTC       ServiceType = 1
	ServiceRTM       ServiceType = 2
	ServiceFPA       ServiceType = 4
	ServiceChat      ServiceType = 5
	ServiceEducation ServiceType = 7
)

// String returns the lower-case name of the service, or "service(N)".
func (st ServiceType) String() string {
	switch st {
	case ServiceRTC:
		return "rtc"
	case ServiceRTM:
		return "rtm"
	case ServiceFPA:
		return "fpa"
	case ServiceChat:
		return "chat"
	case ServiceEducation:
		return "education"
	}
	return "service(" + strconv.Itoa(int(st)) + ")"
}

// unknownLayout reports whether this package does not know where the
// type-specific fields of the service end: 1 when it does not, else 0.
func (st ServiceType) unknownLayout() int {
	switch st {
	case ServiceRTC, ServiceRTM, ServiceFPA, ServiceChat, ServiceEducation:
		return 0
	}
	return 1
}

// Privilege identifies a privilege within a service. The same number means
// different things in different services: 1 is "join channel" in RTC and
// "login" in RTM.
type Privilege uint16

// RTC privileges, as minted by Agora's AccessToken2 builders. Other ids are
// kept as they are.
const (
	PrivJoinChannel        Privilege = 1
	PrivPublishAudioStream Privilege = 2
	PrivPublishVideoStream Privilege = 3
	PrivPublishDataStream  Privilege = 4
	// PrivAdministrateChannel (Agora's legacy 101, which its 007 builders do
	// not mint) lets a user change the role of others in the channel on
	// cohost. Tokens carrying it stay valid AccessToken2 tokens.
	PrivAdministrateChannel Privilege = 101
)

// PrivLogin is the RTM login privilege.
const PrivLogin Privilege = 1

// String returns the name of p as an RTC privilege, or "privilege(N)". Use
// [ServiceType.PrivilegeName] for the privileges of other services.
func (p Privilege) String() string {
	return ServiceRTC.PrivilegeName(p)
}

// PrivilegeName returns the name of privilege p within service st, or
// "privilege(N)" when it has none.
func (st ServiceType) PrivilegeName(p Privilege) string {
	switch {
	case st == ServiceRTC && p == PrivJoinChannel:
		return "joinChannel"
	case st == ServiceRTC && p == PrivPublishAudioStream:
		return "publishAudioStream"
	case st == ServiceRTC && p == PrivPublishVideoStream:
		return "publishVideoStream"
	case st == ServiceRTC && p == PrivPublishDataStream:
		return "publishDataStream"
	case st == ServiceRTC && p == PrivAdministrateChannel:
		return "administrateChannel"
	case (st == ServiceRTM || st == ServiceFPA) && p == 1:
		return "login"
	case st == ServiceChat && p == 1:
		return "chatUser"
	case st == ServiceChat && p == 2:
		return "chatApp"
	case st == ServiceEducation && p == 1:
		return "roomUser"
	case st == ServiceEducation && p == 2:
		return "user"
	case st == ServiceEducation && p == 3:
		return "app"
	}
	return "privilege(" + strconv.Itoa(int(p)) + ")"
}

// Role selects the RTC privileges the role-based builders grant, with the
// values of Agora's AccessToken2 RtcTokenBuilder.
type Role int

// Roles.
const (
	// RolePublisher may join and publish audio, video and data streams.
	RolePublisher Role = 1
	// RoleSubscriber may only join.
	RoleSubscriber Role = 2
)

// String returns "publisher", "subscriber" or "Role(N)".
func (r Role) String() string {
	switch r {
	case RolePublisher:
		return "publisher"
	case RoleSubscriber:
		return "subscriber"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// ParseRole parses "publisher" or "subscriber" (any case) or their numbers.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(s) {
	case "publisher", "1":
		return RolePublisher, nil
	case "subscriber", "2":
		return RoleSubscriber, nil
	}
	return 0, fmt.Errorf("%w: %q (want publisher or subscriber)", ErrInvalidRole, s)
}

// RolePrivileges returns the RTC privileges Agora's builders grant to role,
// each valid for expire seconds after issue.
func RolePrivileges(role Role, expire uint32) (map[Privilege]uint32, error) {
	switch role {
	case RolePublisher:
		return map[Privilege]uint32{
			PrivJoinChannel:        expire,
			PrivPublishAudioStream: expire,
			PrivPublishVideoStream: expire,
			PrivPublishDataStream:  expire,
		}, nil
	case RoleSubscriber:
		return map[Privilege]uint32{PrivJoinChannel: expire}, nil
	}
	return nil, fmt.Errorf("%w: %d", ErrInvalidRole, int(role))
}

// UIDString returns the token form of a numeric uid: its decimal digits, or
// "" for uid 0, which lets any uid use the token.
func UIDString(uid uint32) string {
	if uid == 0 {
		return ""
	}
	return strconv.FormatUint(uint64(uid), 10)
}

// Service is one service of a token with the privileges it grants.
type Service struct {
	// Type is the service type.
	Type ServiceType
	// Privileges maps each privilege to its lifetime in seconds after the
	// token's issue time. Ids this package does not name are kept.
	Privileges map[Privilege]uint32
	// Channel is the channel name (RTC).
	Channel string
	// UID is the uid in decimal or the user account (RTC); "" lets any uid
	// use the token.
	UID string
	// UserID is the user id (RTM and Chat).
	UserID string
	// Extra holds the encoded type-specific fields of services whose fields
	// this package does not interpret (Education, and any type it does not
	// know); it is written back unchanged. For an unknown type, whose
	// fields cannot be delimited, Parse keeps the rest of the token here,
	// including any services that follow, and Build writes such a service
	// last.
	Extra []byte
}

// AccessToken is a decoded AccessToken2 ("007") token. Expiry fields are
// seconds relative to IssueTs.
type AccessToken struct {
	// AppID is the App ID the token was issued for.
	AppID string
	// IssueTs is the issue time, in Unix seconds.
	IssueTs uint32
	// Expire is the token's lifetime in seconds after IssueTs.
	Expire uint32
	// Salt is a random number that makes every token unique.
	Salt uint32
	// Services are the services the token grants, in token order.
	Services []Service
	// Signature is the HMAC-SHA256 signature of the body.
	Signature []byte

	// body is the encoded body as Parse received it or Build produced it:
	// Verify checks the signature over these bytes.
	body []byte
	// opaqueServices counts the services held, undecoded, in the Extra of
	// the last service (see Service.Extra).
	opaqueServices uint16
}

// IssuedAt returns the issue time.
func (t *AccessToken) IssuedAt() time.Time {
	return time.Unix(int64(t.IssueTs), 0)
}

// ExpiresAt returns the end of the token's lifetime: the token is valid
// strictly before this instant. An Expire of 0 means the token expires as
// it is issued.
func (t *AccessToken) ExpiresAt() time.Time {
	return t.after(t.Expire)
}

// after returns the instant seconds after the issue time.
func (t *AccessToken) after(seconds uint32) time.Time {
	return time.Unix(int64(t.IssueTs)+int64(seconds), 0)
}

// Service returns the first service of type st.
func (t *AccessToken) Service(st ServiceType) (*Service, bool) {
	for i := range t.Services {
		if t.Services[i].Type == st {
			return &t.Services[i], true
		}
	}
	return nil, false
}

// PrivilegeExpiresAt returns when privilege p of service st stops being
// valid: its own expiry, capped at the token's expiry. ok is false when the
// token has no such service or privilege.
func (t *AccessToken) PrivilegeExpiresAt(st ServiceType, p Privilege) (at time.Time, ok bool) {
	svc, ok := t.Service(st)
	if !ok {
		return time.Time{}, false
	}
	seconds, ok := svc.Privileges[p]
	if !ok {
		return time.Time{}, false
	}
	return t.after(min(seconds, t.Expire)), true
}
