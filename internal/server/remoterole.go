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
		return perr(protocol.ErrRefused, "this node serves the channel's audience only (its channel is hosted by node %s): change roles from the channel's node", p.edge.owner)
	}
	ch := p.ch
	ch.mu.Lock()
	target := ch.users[req.UID]
	switch {
	case target != nil && target.remote != "":
		ch.mu.Unlock()
		return perr(protocol.ErrRefused, "user %d is connected to another node of the cluster as audience: it must join again as host", req.UID)
	case target == nil:
		ch.mu.Unlock()
		return perr(protocol.ErrInvalidArgument, "user %d is not in the channel", req.UID)
	case target.virtual:
		ch.mu.Unlock()
		return perr(protocol.ErrInvalidArgument, "user %d is a channel media relay, not a member", req.UID)
	case ch.profile != protocol.ProfileLiveBroadcasting:
		ch.mu.Unlock()
		return perr(protocol.ErrRefused, "roles exist only in the live profile")
	}
	old := target.role
	if req.Role == protocol.RoleBroadcaster && old != protocol.RoleBroadcaster && ch.hosts >= c.srv.cfg.Limits.MaxHostsPerChannel {
		ch.mu.Unlock()
		return perr(protocol.ErrSetClientRoleNotAuth, "channel has %d hosts, the limit", ch.hosts).WithReason(int(protocol.RoleChangeFailedTooManyBroadcasters))
	}
	target.granted = req.Role == protocol.RoleBroadcaster
	c.reply(id, protocol.SetRoleResponse{Old: old, New: req.Role}, nil)
	if old != req.Role {
		ch.setRoleLocked(target, req.Role)
		target.send(protocol.EventRoleChanged, protocol.RoleChangedEvent{Old: old, New: req.Role})
	}
	epoch := target.roleEpoch
	ch.mu.Unlock()
	p.logger.Info("changed a remote user's role", "target", uint32(req.UID), "old", old, "new", req.Role)
	if req.Role == protocol.RoleAudience {
		// Only a relay started before the demotion stops: the target may
		// have been promoted and started another since.
		c.srv.stopRelayBefore(target, epoch, "the host was made audience")
	}
	return nil
}
