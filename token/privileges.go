package token

import (
	"fmt"
	"time"
)

// RTCPrivileges returns when each RTC privilege of the token stops being
// valid for uid in channel: its own expiry capped at the token's (see
// [AccessToken.PrivilegeExpiresAt]). uid is the decimal uid or the user
// account; a token whose uid is "" matches any uid. Privilege ids this
// package does not name are included. It returns ErrNoService,
// ErrChannelMismatch or ErrUIDMismatch; it does not look at the clock or the
// signature.
func (t *AccessToken) RTCPrivileges(channel, uid string) (map[Privilege]time.Time, error) {
	svc, ok := t.Service(ServiceRTC)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoService, ServiceRTC)
	}
	if svc.Channel != channel {
		return nil, fmt.Errorf("%w: token is for channel %q, not %q", ErrChannelMismatch, svc.Channel, channel)
	}
	if svc.UID != "" && svc.UID != uid {
		return nil, fmt.Errorf("%w: token is for uid %q, not %q", ErrUIDMismatch, svc.UID, uid)
	}
	return t.expiries(svc), nil
}

// RTMPrivileges returns when each RTM privilege of the token stops being
// valid for userID, like RTCPrivileges. The token's user id must equal
// userID; otherwise it returns ErrUIDMismatch.
func (t *AccessToken) RTMPrivileges(userID string) (map[Privilege]time.Time, error) {
	svc, ok := t.Service(ServiceRTM)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoService, ServiceRTM)
	}
	if svc.UserID != userID {
		return nil, fmt.Errorf("%w: token is for user id %q, not %q", ErrUIDMismatch, svc.UserID, userID)
	}
	return t.expiries(svc), nil
}

// expiries returns the absolute, capped expiry of every privilege of svc.
func (t *AccessToken) expiries(svc *Service) map[Privilege]time.Time {
	out := make(map[Privilege]time.Time, len(svc.Privileges))
	for p, seconds := range svc.Privileges {
		out[p] = t.after(min(seconds, t.Expire))
	}
	return out
}

// CheckPrivilege reports whether privileges (as returned by RTCPrivileges or
// RTMPrivileges) hold p at now: a privilege is valid strictly before its
// expiry, so one of 0 seconds is never valid. It returns ErrNoPrivilege, or
// ErrPrivilegeExpired wrapped with the expiry time.
func CheckPrivilege(privileges map[Privilege]time.Time, p Privilege, now time.Time) error {
	at, ok := privileges[p]
	if !ok {
		return fmt.Errorf("%w: id %d", ErrNoPrivilege, p)
	}
	if !now.Before(at) {
		return fmt.Errorf("%w: id %d at %s", ErrPrivilegeExpired, p, at.UTC().Format(time.RFC3339))
	}
	return nil
}
