package browsertest

import (
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// TestHostToViewer: a host publishes camera and microphone, a viewer in
// the same live channel subscribes and decodes the video.
func TestHostToViewer(t *testing.T) {
	srv := servertest.Start(t)
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	app := jsString(srv.TestAppID)

	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "smoke", null, 11);
		await c.publish([await T.camera("cam"), await T.mic("mic")]);`)
	viewer.run(`const c = T.newClient("viewer", {mode: "live", codec: "vp8"}, true);
		await c.join(` + app + `, "smoke", null, 22);`)
	viewer.waitEvent("viewer user-joined 11")
	viewer.waitEvent("viewer subscribed 11 video")
	viewer.waitEvent("viewer subscribed 11 audio")
	viewer.waitDecoding("viewer", 11)
}
