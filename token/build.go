package token

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// maxSalt is the largest salt Agora's builders draw (they draw 1..99999999).
const maxSalt = 99999999

// Sources of the issue time and salt of the Build* functions; tests replace
// them to reproduce known tokens.
var (
	timeNow    = time.Now
	randomSalt = func() uint32 { return rand.Uint32N(maxSalt) + 1 }
)

// BuildRTCWithUID returns an RTC token for uid in channel, like Agora's
// RtcTokenBuilder.buildTokenWithUid. uid 0 encodes as "" and lets any uid
// use the token. The token is valid for tokenExpire seconds and the role's
// privileges for privilegeExpire seconds, both counted from now.
func BuildRTCWithUID(appID, cert, channel string, uid uint32, role Role, tokenExpire, privilegeExpire uint32) (string, error) {
	return BuildRTCWithAccount(appID, cert, channel, UIDString(uid), role, tokenExpire, privilegeExpire)
}

// BuildRTCWithAccount returns an RTC token for a user account (a string
// uid) in channel, like Agora's buildTokenWithUserAccount.
func BuildRTCWithAccount(appID, cert, channel, account string, role Role, tokenExpire, privilegeExpire uint32) (string, error) {
	privileges, err := RolePrivileges(role, privilegeExpire)
	if err != nil {
		return "", err
	}
	rtc := Service{Type: ServiceRTC, Channel: channel, UID: account, Privileges: privileges}
	return build(appID, cert, tokenExpire, rtc)
}

// BuildRTCWithPrivileges returns an RTC token that grants each privilege
// for its own number of seconds, like Agora's
// buildTokenWithUidAndPrivilege. uid is written as given: pass "" (or
// [UIDString] of a number) for the numeric form, where "" means any uid.
func BuildRTCWithPrivileges(appID, cert, channel, uid string, tokenExpire, join, pubAudio, pubVideo, pubData uint32) (string, error) {
	rtc := Service{Type: ServiceRTC, Channel: channel, UID: uid, Privileges: map[Privilege]uint32{
		PrivJoinChannel:        join,
		PrivPublishAudioStream: pubAudio,
		PrivPublishVideoStream: pubVideo,
		PrivPublishDataStream:  pubData,
	}}
	return build(appID, cert, tokenExpire, rtc)
}

// BuildRTCAdmin returns an RTC token for uid (decimal, an account, or ""
// for any uid) in channel with the role's privileges plus
// PrivAdministrateChannel, all for privilegeExpire seconds: its holder may
// change the role of other users in that channel on cohost. Agora's own 007
// builders cannot mint this privilege; the token is otherwise an ordinary
// AccessToken2.
func BuildRTCAdmin(appID, cert, channel, uid string, role Role, tokenExpire, privilegeExpire uint32) (string, error) {
	privileges, err := RolePrivileges(role, privilegeExpire)
	if err != nil {
		return "", err
	}
	privileges[PrivAdministrateChannel] = privilegeExpire
	return build(appID, cert, tokenExpire, Service{Type: ServiceRTC, Channel: channel, UID: uid, Privileges: privileges})
}

// BuildRTM returns an RTM token for userID whose login privilege and
// lifetime are expire seconds, like Agora's RtmTokenBuilder.buildToken.
func BuildRTM(appID, cert, userID string, expire uint32) (string, error) {
	rtm := Service{Type: ServiceRTM, UserID: userID, Privileges: map[Privilege]uint32{PrivLogin: expire}}
	return build(appID, cert, expire, rtm)
}

// BuildRTCWithRTM returns one token for both services, like Agora's
// buildTokenWithRtm: the RTC service for account in channel with the
// role's privileges for privilegeExpire seconds, and the RTM service for
// the same account with the login privilege for tokenExpire seconds.
func BuildRTCWithRTM(appID, cert, channel, account string, role Role, tokenExpire, privilegeExpire uint32) (string, error) {
	privileges, err := RolePrivileges(role, privilegeExpire)
	if err != nil {
		return "", err
	}
	rtc := Service{Type: ServiceRTC, Channel: channel, UID: account, Privileges: privileges}
	rtm := Service{Type: ServiceRTM, UserID: account, Privileges: map[Privilege]uint32{PrivLogin: tokenExpire}}
	return build(appID, cert, tokenExpire, rtc, rtm)
}

// build issues a token now with a random salt.
func build(appID, cert string, expire uint32, services ...Service) (string, error) {
	t := &AccessToken{
		AppID:    appID,
		IssueTs:  uint32(timeNow().Unix()),
		Expire:   expire,
		Salt:     randomSalt(),
		Services: services,
	}
	return t.Build(cert)
}

// Build encodes, signs and compresses the token with its own IssueTs and
// Salt, sets Signature, and returns the token string. Services are written
// in order of type (one of unknown layout last) and privileges in order of
// id, as Agora's builders do, so a token from those builders rebuilds to
// the same content and signature (compressed with Go's zlib, so the string
// may differ). It returns
// ErrInvalidAppID or ErrInvalidCertificate unless both are 32 hexadecimal
// characters, and ErrInvalidField for fields that cannot be encoded.
func (t *AccessToken) Build(appCertificate string) (string, error) {
	if !isHex32(t.AppID) {
		return "", ErrInvalidAppID
	}
	if !isHex32(appCertificate) {
		return "", ErrInvalidCertificate
	}
	body, err := t.encodeBody()
	if err != nil {
		return "", err
	}
	t.Signature = sign(appCertificate, t.IssueTs, t.Salt, body)
	t.body = body
	content := make([]byte, 0, 2+len(t.Signature)+len(body))
	content = binary.LittleEndian.AppendUint16(content, uint16(len(t.Signature)))
	content = append(content, t.Signature...)
	content = append(content, body...)
	return Version + base64.StdEncoding.EncodeToString(compressContent(content)), nil
}

// encodeBody encodes [str appId][u32 issueTs][u32 expire][u32 salt]
// [u16 count] followed by the services.
func (t *AccessToken) encodeBody() ([]byte, error) {
	// Order by type, except that a service of unknown layout goes last: its
	// Extra runs to the end of the body.
	services := slices.Clone(t.Services)
	slices.SortStableFunc(services, func(a, b Service) int {
		return cmp.Or(cmp.Compare(a.Type.unknownLayout(), b.Type.unknownLayout()), cmp.Compare(a.Type, b.Type))
	})
	for i := 1; i < len(services); i++ {
		if services[i].Type == services[i-1].Type {
			return nil, fmt.Errorf("%w: service %s appears twice", ErrInvalidField, services[i].Type)
		}
	}
	count := len(services) + int(t.opaqueServices)
	if count > math.MaxUint16 {
		return nil, fmt.Errorf("%w: %d services", ErrInvalidField, count)
	}
	w := &writer{}
	w.string16("app id", t.AppID)
	w.uint32(t.IssueTs)
	w.uint32(t.Expire)
	w.uint32(t.Salt)
	w.uint16(uint16(count))
	for i := range services {
		w.service(&services[i])
	}
	return w.buf, w.err
}

// writer encodes little-endian fields, remembering the first error.
type writer struct {
	buf []byte
	err error
}

func (w *writer) uint16(v uint16) { w.buf = binary.LittleEndian.AppendUint16(w.buf, v) }
func (w *writer) uint32(v uint32) { w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }

func (w *writer) string16(field, s string) {
	if len(s) > math.MaxUint16 {
		if w.err == nil {
			w.err = fmt.Errorf("%w: %s of %d bytes (at most %d)", ErrInvalidField, field, len(s), math.MaxUint16)
		}
		return
	}
	w.uint16(uint16(len(s)))
	w.buf = append(w.buf, s...)
}

// service encodes [u16 type][u16 n]{[u16 privilege][u32 expire]}×n, the
// fields of the type, then Extra.
func (w *writer) service(s *Service) {
	if len(s.Privileges) > math.MaxUint16 {
		if w.err == nil {
			w.err = fmt.Errorf("%w: %d privileges in service %s", ErrInvalidField, len(s.Privileges), s.Type)
		}
		return
	}
	w.uint16(uint16(s.Type))
	w.uint16(uint16(len(s.Privileges)))
	for _, p := range slices.Sorted(maps.Keys(s.Privileges)) {
		w.uint16(uint16(p))
		w.uint32(s.Privileges[p])
	}
	switch s.Type {
	case ServiceRTC:
		w.string16("channel name", s.Channel)
		w.string16("uid", s.UID)
	case ServiceRTM, ServiceChat:
		w.string16("user id", s.UserID)
	}
	w.buf = append(w.buf, s.Extra...)
}
