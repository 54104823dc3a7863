package server

import (
	"encoding/json"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// handleSetRemoteRole lets an administrator of the channel (a token with
// the administrate-channel privilege) promote or demote another user. The
// change is enforced at once: a demoted host's tracks are unpublished and
// others see user-left(BecomeAudience); a promoted member may publish until
// it leaves or is demoted. The target is told with role-changed.
func (c *conn) handleSetRemoteRole(p *Participant, id uint64, data json.RawMessage) *protocol.Error {
	req, e := decode[protocol.SetRemoteRoleRequest](data)
	if e != nil {
		return e
	}
	if !req.Role.Valid() {
		return perr(protocol.ErrInvalidArgument, "unknown client role %d", int(req.Role))
	}
	p.mu.Lock()
	privs := p.privs
	p.mu.Unlock()
	if privs == nil || !privs.valid(token.PrivAdministrateChannel, time.Now()) {
		return perr(protocol.ErrSetClientRoleNotAuth, "changing another user's role needs a token with the administrateChannel privilege for this channel").WithReason(int(protocol.RoleChangeFailedNotAuthorized))
	}
	if p.edge != nil {
		return c.edgeSetRemoteRole(p, id, req)
	}
	target, epoch, e := c.srv.changeRemoteRole(p.ch, req.UID, req.Role, func(old protocol.ClientRole) {
		c.reply(id, protocol.SetRoleResponse{Old: old, New: req.Role}, nil)
	})
	if e != nil {
		return e
	}
	p.logger.Info("changed a remote user's role", "target", uint32(req.UID), "role", req.Role)
	if req.Role == protocol.RoleAudience {
		// Only a relay started before the demotion stops: the target may
		// have been promoted and started another since.
		c.srv.stopRelayBefore(target, epoch, "the host was made audience")
	}
	return nil
}

// changeRemoteRole sets the role of member uid of ch for an
// administrator: ok is called with the old role before anyone hears of
// the change; the target gets role-changed, wherever it is connected. It
// returns the target and its role epoch after the change.
func (s *Server) changeRemoteRole(ch *Channel, uid protocol.UID, role protocol.ClientRole, ok func(old protocol.ClientRole)) (*Participant, uint64, *protocol.Error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	target := ch.users[uid]
	switch {
	case target == nil:
		return nil, 0, perr(protocol.ErrInvalidArgument, "user %d is not in the channel", uid)
	case target.virtual:
		return nil, 0, perr(protocol.ErrInvalidArgument, "user %d is a channel media relay, not a member", uid)
	case ch.profile != protocol.ProfileLiveBroadcasting:
		return nil, 0, perr(protocol.ErrRefused, "roles exist only in the live profile")
	}
	old := target.role
	if role == protocol.RoleBroadcaster && old != protocol.RoleBroadcaster && ch.hosts >= s.cfg.Limits.MaxHostsPerChannel {
		return nil, 0, perr(protocol.ErrSetClientRoleNotAuth, "channel has %d hosts, the limit", ch.hosts).WithReason(int(protocol.RoleChangeFailedTooManyBroadcasters))
	}
	target.granted = role == protocol.RoleBroadcaster
	ok(old)
	if old != role {
		ch.setRoleLocked(target, role)
		b := encodeEvent(protocol.EventRoleChanged, protocol.RoleChangedEvent{Old: old, New: role})
		if target.remote != "" {
			ch.publishEdgeToLocked(target, b)
		} else {
			target.sendRaw(b)
		}
	}
	return target, target.roleEpoch, nil
}
