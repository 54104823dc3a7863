package server

import (
	"errors"
	"time"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// privileges is the absolute expiry of each RTC privilege of a session's
// token; nil for apps in testing mode (everything allowed, nothing expires).
// A zero time never expires.
type privileges map[token.Privilege]time.Time

// checkToken verifies tok for (channel, uid) where uid is the decimal uid,
// the user account, or "" when the server assigns the uid.
func checkToken(app config.App, tok string, channel protocol.ChannelName, uid string, now time.Time) (privileges, *protocol.Error) {
	if app.TestingMode() {
		return nil, nil
	}
	if tok == "" {
		return nil, perr(protocol.ErrInvalidToken, "app %s has an App Certificate: a token is required", app.ID).WithReason(int(protocol.ReasonInvalidToken))
	}
	at, err := token.Check(tok, app.ID, app.Certificate, now)
	if err != nil {
		if errors.Is(err, token.ErrExpired) {
			return nil, perr(protocol.ErrTokenExpired, "token expired: %v", err).WithReason(int(protocol.ReasonTokenExpired))
		}
		return nil, perr(protocol.ErrInvalidToken, "token rejected: %v", err).WithReason(int(protocol.ReasonInvalidToken))
	}
	privs, err := at.RTCPrivileges(string(channel), uid)
	if err != nil {
		return nil, perr(protocol.ErrInvalidToken, "token not valid for channel %q and uid %q: %v", channel, uid, err).WithReason(int(protocol.ReasonInvalidToken))
	}
	exp, ok := privs[token.PrivJoinChannel]
	if !ok {
		return nil, perr(protocol.ErrInvalidToken, "token has no joinChannel privilege").WithReason(int(protocol.ReasonInvalidToken))
	}
	if !exp.IsZero() && !now.Before(exp) {
		return nil, perr(protocol.ErrTokenExpired, "joinChannel privilege expired at %s", exp.UTC().Format(time.RFC3339)).WithReason(int(protocol.ReasonTokenExpired))
	}
	return privileges(privs), nil
}

// valid reports whether privilege pr is held and unexpired at now.
func (ps privileges) valid(pr token.Privilege, now time.Time) bool {
	if ps == nil {
		return true
	}
	exp, ok := ps[pr]
	return ok && (exp.IsZero() || now.Before(exp))
}

// publishPrivilege maps a media type to the privilege that allows it.
func publishPrivilege(mt protocol.MediaType) token.Privilege {
	if mt == protocol.MediaAudio {
		return token.PrivPublishAudioStream
	}
	return token.PrivPublishVideoStream
}

// mayPublish reports whether co-host authentication lets the session
// publish mt.
func mayPublish(app config.App, ps privileges, mt protocol.MediaType, now time.Time) bool {
	return !app.CohostAuthEnabled() || ps.valid(publishPrivilege(mt), now)
}

// mayHost reports whether co-host authentication lets the session be a host:
// it needs at least one publish privilege.
func mayHost(app config.App, ps privileges, now time.Time) bool {
	return mayPublish(app, ps, protocol.MediaAudio, now) || mayPublish(app, ps, protocol.MediaVideo, now)
}

// privName names a privilege in token events.
func privName(pr token.Privilege) string {
	switch pr {
	case token.PrivJoinChannel:
		return protocol.PrivJoin
	case token.PrivPublishAudioStream:
		return protocol.PrivPublishAudio
	case token.PrivPublishVideoStream:
		return protocol.PrivPublishVideo
	case token.PrivPublishDataStream:
		return protocol.PrivPublishData
	}
	return pr.String()
}
