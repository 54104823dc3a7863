package browsertest

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// vp8Key reports whether frame is a VP8 key frame and returns its size.
func vp8Key(frame []byte) (key bool, w, h int) {
	if len(frame) < 10 || frame[0]&1 != 0 || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a {
		return false, 0, 0
	}
	return true, int(binary.LittleEndian.Uint16(frame[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(frame[8:]) & 0x3fff)
}

// TestGoSDKInterop: a browser host's camera reaches a Go SDK viewer as
// VP8 frames; the Go SDK then hosts another channel and publishes those
// frames, and a browser viewer decodes them.
func TestGoSDKInterop(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)

	// Browser host → Go viewer.
	host := newPage(t, srv, "host")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "interop-1", null, 41);
		await c.publish(await T.camera("cam"));`)
	viewer := newGoClient(t, srv, "goViewer", srv.TestAppID, protocol.RoleAudience)
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	if _, err := viewer.JoinChannel(ctx, "", "interop-1", 42); err != nil {
		t.Fatalf("Go viewer join: %v", err)
	}
	viewer.waitEvent(t, "user-published 41 video")
	remote, err := viewer.Subscribe(ctx, 41, protocol.MediaVideo)
	if err != nil {
		t.Fatalf("Go viewer subscribe: %v", err)
	}
	var frames [][]byte
	deadline := time.Now().Add(waitTimeout)
	for len(frames) < 45 {
		if time.Now().After(deadline) {
			t.Fatalf("the Go viewer got %d frames of the browser's video in %v", len(frames), waitTimeout)
		}
		s, err := remote.ReadSample()
		if err != nil {
			t.Fatalf("ReadSample: %v", err)
		}
		if key, w, h := vp8Key(s.Data); len(frames) == 0 && !key {
			if err := remote.RequestKeyFrame(); err != nil {
				t.Fatalf("RequestKeyFrame: %v", err)
			}
			continue
		} else if key && len(frames) == 0 && (w != 160 || h != 120) {
			t.Errorf("the browser sends %dx%d, want the 120p_1 preset's 160x120", w, h)
		}
		frames = append(frames, s.Data)
	}

	// Go host → browser viewer: loop the frames (from the key frame) at 15 fps.
	goHost := newGoClient(t, srv, "goHost", srv.TestAppID, protocol.RoleBroadcaster)
	if _, err := goHost.JoinChannel(ctx, "", "interop-2", 51); err != nil {
		t.Fatalf("Go host join: %v", err)
	}
	track, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	next := 0
	track.OnKeyFrameRequest(func() {
		mu.Lock()
		next = 0 // frames[0] is a key frame
		mu.Unlock()
	})
	if err := goHost.Publish(ctx, track); err != nil {
		t.Fatalf("Go host publish: %v", err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / 15)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			mu.Lock()
			f := frames[next]
			next = (next + 1) % len(frames)
			mu.Unlock()
			if err := track.WriteSample(media.Sample{Data: f, Duration: time.Second / 15}); err != nil {
				t.Errorf("WriteSample: %v", err)
				return
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()

	bviewer := newPage(t, srv, "viewer")
	bviewer.run(fmt.Sprintf(`await T.newClient("viewer", {mode: "live", codec: "vp8"}, true).join(%s, "interop-2", null, 52)`, app))
	bviewer.waitEvent("viewer user-joined 51")
	bviewer.waitEvent("viewer subscribed 51 video")
	bviewer.waitDecoding("viewer", 51)
	if w := bviewer.num(`return T.clients.viewer.getRemoteVideoStats()[51].receiveResolutionWidth`); w != 160 {
		t.Errorf("the browser decodes the Go host's video at width %v, want 160", w)
	}
}
