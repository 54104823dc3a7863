package cohosttest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/rtm"
	"github.com/cohost-rtc/cohost/token"
)

// published reports the tracks remote hosts publish.
type published struct {
	rtc.BaseEventHandler
	uids chan protocol.UID
}

func (p *published) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	if mt == protocol.MediaAudio {
		p.uids <- uid
	}
}

// A host publishes audio and a viewer receives it, both with tokens of the
// server's app. In a test, cohosttest.NewServer(t) replaces Start and Close.
func Example() {
	srv, err := cohosttest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	host, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.AppID,
		ClientRole: protocol.RoleBroadcaster, SettingEngine: cohosttest.Loopback()})
	if err != nil {
		log.Fatal(err)
	}
	defer host.Close()
	hostToken, _ := srv.RTCToken("demo", 1001, token.RolePublisher)
	if _, err := host.JoinChannel(ctx, hostToken, "demo", 1001); err != nil {
		log.Fatal(err)
	}
	mic, _ := rtc.NewLocalTrack(protocol.CodecOpus)
	if err := host.Publish(ctx, mic); err != nil {
		log.Fatal(err)
	}
	go func() { // 20 ms of silence every 20 ms
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for ctx.Err() == nil {
			<-tick.C
			_ = mic.WriteSample(media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 20 * time.Millisecond})
		}
	}()

	h := &published{uids: make(chan protocol.UID, 1)}
	viewer, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.AppID, Handler: h,
		SettingEngine: cohosttest.Loopback()})
	if err != nil {
		log.Fatal(err)
	}
	defer viewer.Close()
	viewerToken, _ := srv.RTCToken("demo", 2002, token.RoleSubscriber)
	if _, err := viewer.JoinChannel(ctx, viewerToken, "demo", 2002); err != nil {
		log.Fatal(err)
	}
	uid := <-h.uids
	audio, err := viewer.Subscribe(ctx, uid, protocol.MediaAudio)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := audio.ReadRTP(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("the viewer receives audio from", uid)
	cancel()
	// Output:
	// the viewer receives audio from 1001
}

// Limits are enforced as in production: here one host per channel.
func ExampleWithLimits() {
	srv, err := cohosttest.Start(cohosttest.WithTestingModeApp(),
		cohosttest.WithLimits(cohosttest.Limits{MaxHostsPerChannel: 1}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, uid := range []protocol.UID{1, 2} {
		e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.TestAppID,
			ClientRole: protocol.RoleBroadcaster, SettingEngine: cohosttest.Loopback()})
		if err != nil {
			log.Fatal(err)
		}
		defer e.Close()
		if _, err := e.JoinChannel(ctx, "" /* testing mode: no token */, "stage", uid); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("user %d joined as %s\n", uid, e.ClientRole())
	}
	// Output:
	// user 1 joined as BROADCASTER
	// user 2 joined as AUDIENCE
}

// RTM logins take tokens minted by the server's token helper.
func ExampleServer_RTMToken() {
	srv, err := cohosttest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	c, err := rtm.NewClient(rtm.ClientConfig{ServerURL: srv.URL, AppID: srv.AppID})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	tok, _ := srv.RTMToken("alice")
	fmt.Println("alice:", c.Login(ctx, tok, "alice"))

	mallory, _ := rtm.NewClient(rtm.ClientConfig{ServerURL: srv.URL, AppID: srv.AppID})
	defer mallory.Close()
	fmt.Println("mallory with alice's token:", rtm.Code(mallory.Login(ctx, tok, "mallory")) != 0)
	// Output:
	// alice: <nil>
	// mallory with alice's token: true
}

// Shorter timers make a test of a dropped client quick.
func ExampleWithTimers() {
	srv, err := cohosttest.Start(cohosttest.WithTimers(cohosttest.Timers{
		DropTimeout: time.Second,
		KeepAlive:   200 * time.Millisecond,
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	fmt.Println(len(srv.Nodes()), "node, app", srv.AppID)
	// Output:
	// 1 node, app 970ca35de60c44645bbae8a215061b33
}
