package token

import (
	"fmt"
	"time"
)

// Check parses s and verifies everything a server must before accepting
// it: the App ID equals appID (ErrAppIDMismatch), the signature holds for
// appCertificate (ErrSignature), and the token has not expired at now
// (ErrExpired, wrapped with the expiry time). The token is valid strictly
// before [AccessToken.ExpiresAt]. Privileges are checked separately, with
// [AccessToken.RTCPrivileges] and [CheckPrivilege]. On error the token is
// nil.
func Check(s, appID, appCertificate string, now time.Time) (*AccessToken, error) {
	t, err := Parse(s)
	if err != nil {
		return nil, err
	}
	if t.AppID != appID {
		return nil, fmt.Errorf("%w: token is for app id %q", ErrAppIDMismatch, t.AppID)
	}
	if err := t.Verify(appCertificate); err != nil {
		return nil, err
	}
	if exp := t.ExpiresAt(); !now.Before(exp) {
		return nil, fmt.Errorf("%w at %s", ErrExpired, exp.UTC().Format(time.RFC3339))
	}
	return t, nil
}
