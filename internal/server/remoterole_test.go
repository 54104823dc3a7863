package server_test

import (
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

func TestRemoteRoleChangeNeedsTheAdminPrivilege(t *testing.T) {
	srv := servertest.Start(t)
	adminTok, err := token.BuildRTCAdmin(srv.AppID, srv.Certificate, "live", "1", token.RolePublisher, 600, 600)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	host := dialRaw(t, srv.WSURL())
	host.keepAlive(200*time.Millisecond, stop)
	host.join(liveJoin(srv.AppID, 1, protocol.RoleBroadcaster, adminTok))
	viewer := dialRaw(t, srv.WSURL())
	viewer.keepAlive(200*time.Millisecond, stop)
	viewer.join(liveJoin(srv.AppID, 2, protocol.RoleAudience, srv.Token(t, "live", 2, token.RoleSubscriber, 600)))
	other := dialRaw(t, srv.WSURL())
	other.keepAlive(200*time.Millisecond, stop)
	other.join(liveJoin(srv.AppID, 3, protocol.RoleAudience, srv.Token(t, "live", 3, token.RolePublisher, 600)))

	// Without the privilege: NOT_AUTHORIZED, even for a publisher token.
	e := wantError(t, other.request(protocol.TypeSetRemoteRole, protocol.SetRemoteRoleRequest{UID: 2, Role: protocol.RoleBroadcaster}), protocol.ErrSetClientRoleNotAuth)
	if protocol.ClientRoleChangeFailedReason(e.Reason) != protocol.RoleChangeFailedNotAuthorized {
		t.Fatalf("reason %d", e.Reason)
	}
	wantError(t, host.request(protocol.TypeSetRemoteRole, protocol.SetRemoteRoleRequest{UID: 99, Role: protocol.RoleBroadcaster}), protocol.ErrInvalidArgument)

	// Promotion: the viewer (subscriber token) becomes host; everyone else sees it join.
	r := decodeData[protocol.SetRoleResponse](t, mustOK(t, host.request(protocol.TypeSetRemoteRole, protocol.SetRemoteRoleRequest{UID: 2, Role: protocol.RoleBroadcaster})))
	if r.Old != protocol.RoleAudience || r.New != protocol.RoleBroadcaster {
		t.Fatalf("response %+v", r)
	}
	rc := decodeData[protocol.RoleChangedEvent](t, viewer.nextEvent(protocol.EventRoleChanged, 10*time.Second))
	if rc.Old != protocol.RoleAudience || rc.New != protocol.RoleBroadcaster {
		t.Fatalf("role-changed %+v", rc)
	}
	for _, c := range []*rawClient{host, other} {
		for {
			// other first hears of the host itself, from its join.
			if j := decodeData[protocol.UserJoinedEvent](t, c.nextEvent(protocol.EventUserJoined, 10*time.Second)); j.UID == 2 {
				break
			}
		}
	}
	// The grant lets the promoted user stay host although its token could not.
	mustOK(t, viewer.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleBroadcaster}))
	// Stepping down itself ends the grant: its subscriber token cannot make it host again.
	mustOK(t, viewer.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleAudience}))
	wantError(t, viewer.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleBroadcaster}), protocol.ErrSetClientRoleNotAuth)
	mustOK(t, host.request(protocol.TypeSetRemoteRole, protocol.SetRemoteRoleRequest{UID: 2, Role: protocol.RoleBroadcaster}))
	viewer.nextEvent(protocol.EventRoleChanged, 10*time.Second)

	// Demotion: enforced at once.
	mustOK(t, host.request(protocol.TypeSetRemoteRole, protocol.SetRemoteRoleRequest{UID: 2, Role: protocol.RoleAudience}))
	rc = decodeData[protocol.RoleChangedEvent](t, viewer.nextEvent(protocol.EventRoleChanged, 10*time.Second))
	if rc.New != protocol.RoleAudience {
		t.Fatalf("role-changed %+v", rc)
	}
	if l := decodeData[protocol.UserLeftEvent](t, other.nextEvent(protocol.EventUserLeft, 10*time.Second)); l.UID != 2 || l.Reason != protocol.OfflineBecomeAudience {
		t.Fatalf("user-left %+v", l)
	}
	// Demoted, the grant is gone: the subscriber token cannot make it host again.
	wantError(t, viewer.request(protocol.TypeSetRole, protocol.SetRoleRequest{Role: protocol.RoleBroadcaster}), protocol.ErrSetClientRoleNotAuth)
}
