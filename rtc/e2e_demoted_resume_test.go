package rtc_test

import (
	"testing"

	"github.com/cohost-rtc/cohost/protocol"
)

// TestE2EDemotedHostResumesWithoutError: a host that became audience (its
// tracks unpublished) and then resumes after a network cut reports no
// error: with nothing published there is no upstream to restart.
func TestE2EDemotedHostResumesWithoutError(t *testing.T) {
	checkLeaks(t)
	srv := startServer(t)
	ctx := ctxT(t)
	host := newClient(t, srv, "host", asHost)
	host.join(t, "demoted", 1)
	audio, video := newTracks(t)
	if err := host.Publish(ctx, audio, video); err != nil {
		t.Fatal(err)
	}
	if err := host.SetClientRole(ctx, protocol.RoleAudience); err != nil {
		t.Fatal(err)
	}
	host.net.cut()
	host.waitEvent(t, "state CONNECTED REJOIN_SUCCESS")
	// Unpublish runs after the resume's upstream work on the same queue.
	if err := host.Unpublish(ctx, audio); err != nil {
		t.Fatal(err)
	}
	if errs := host.rec.matching("error"); len(errs) > 0 {
		t.Fatalf("errors after the resume: %q", errs)
	}
}
