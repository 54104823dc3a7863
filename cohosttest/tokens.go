package cohosttest

import (
	"fmt"

	"github.com/cohost-rtc/cohost/token"
)

// RTCToken mints an AccessToken2 of the server's app to join channel as
// uid (0: any uid) with role: [token.RolePublisher] may publish,
// [token.RoleSubscriber] only join. It is valid for the token expiry
// (one hour unless [WithTokenExpiry]).
func (s *Server) RTCToken(channel string, uid uint32, role token.Role) (string, error) {
	tok, err := token.BuildRTCWithUID(s.AppID, s.Certificate, channel, uid, role, s.expiry(), s.expiry())
	if err != nil {
		return "", fmt.Errorf("cohosttest: RTC token: %w", err)
	}
	return tok, nil
}

// RTCAccountToken mints a token to join channel with a string user
// account.
func (s *Server) RTCAccountToken(channel, account string, role token.Role) (string, error) {
	tok, err := token.BuildRTCWithAccount(s.AppID, s.Certificate, channel, account, role, s.expiry(), s.expiry())
	if err != nil {
		return "", fmt.Errorf("cohosttest: RTC token: %w", err)
	}
	return tok, nil
}

// RTCAdminToken mints a token as RTCToken does that also carries the
// administrate-channel privilege: its holder may change the role of other
// users of the channel (SetRemoteClientRole).
func (s *Server) RTCAdminToken(channel string, uid uint32, role token.Role) (string, error) {
	tok, err := token.BuildRTCAdmin(s.AppID, s.Certificate, channel, token.UIDString(uid), role, s.expiry(), s.expiry())
	if err != nil {
		return "", fmt.Errorf("cohosttest: RTC token: %w", err)
	}
	return tok, nil
}

// RTMToken mints a token to log in to real-time messaging as userID.
func (s *Server) RTMToken(userID string) (string, error) {
	tok, err := token.BuildRTM(s.AppID, s.Certificate, userID, s.expiry())
	if err != nil {
		return "", fmt.Errorf("cohosttest: RTM token: %w", err)
	}
	return tok, nil
}

func (s *Server) expiry() uint32 { return uint32(s.tokenExpiry.Seconds()) }
