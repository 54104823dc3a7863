package rtc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/token"
)

// A host joins a channel and publishes Opus audio from an encoder. The
// examples run their own server (cohosttest); an application gives the
// URL of its cohost server instead, e.g. http://127.0.0.1:7800.
func Example() {
	srv, err := cohosttest.Start(cohosttest.WithTestingModeApp())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	engine, err := rtc.NewEngine(rtc.EngineConfig{
		ServerURL:     srv.URL,
		AppID:         srv.TestAppID, // testing mode: no token
		ClientRole:    protocol.RoleBroadcaster,
		SettingEngine: cohosttest.Loopback(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()

	uid, err := engine.JoinChannel(ctx, "" /* token */, "lobby", 1001)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("joined as", uid, engine.ClientRole())

	mic, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		log.Fatal(err)
	}
	if err := engine.Publish(ctx, mic); err != nil {
		log.Fatal(err)
	}
	for frame := range encodedOpusFrames(50) { // 20 ms Opus packets
		if err := mic.WriteSample(media.Sample{Data: frame, Duration: 20 * time.Millisecond}); err != nil {
			log.Print(err)
		}
	}
	fmt.Println("left:", engine.LeaveChannel(ctx))
	// Output:
	// joined as 1001 BROADCASTER
	// left: <nil>
}

// viewer subscribes to every published audio track as soon as it appears
// and reports the first packet of each.
type viewer struct {
	rtc.BaseEventHandler
	engine *rtc.Engine
	heard  chan protocol.UID
}

func (v *viewer) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	if mt != protocol.MediaAudio {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		track, err := v.engine.Subscribe(ctx, uid, mt)
		if err != nil {
			log.Printf("subscribe %d %s: %v", uid, mt, err)
			return
		}
		for first := true; ; first = false {
			_, err := track.ReadRTP()
			if errors.Is(err, io.EOF) {
				return // unsubscribed, unpublished or left
			}
			if err != nil {
				log.Print(err)
				return
			}
			if first {
				v.heard <- uid
			} // else decode, record, forward …
		}
	}()
}

// An audience member watches a channel: its handler subscribes to each
// track a host publishes.
func ExampleEngine_Subscribe() {
	srv, err := cohosttest.Start(cohosttest.WithTestingModeApp())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host, stopHost := speakingHost(ctx, srv, 1001)
	defer stopHost()
	defer host.Close()

	v := &viewer{heard: make(chan protocol.UID, 1)}
	engine, err := rtc.NewEngine(rtc.EngineConfig{
		ServerURL:     srv.URL,
		AppID:         srv.TestAppID,
		Handler:       v,
		SettingEngine: cohosttest.Loopback(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	v.engine = engine
	if _, err := engine.JoinChannel(ctx, "", "lobby", 2002); err != nil {
		log.Fatal(err)
	}
	select {
	case uid := <-v.heard:
		fmt.Println("hearing", uid)
	case <-ctx.Done():
		fmt.Println("nothing heard")
	}
	// Output:
	// hearing 1001
}

// With co-host authentication, an audience member becomes a host after
// renewing its token to one with publish privileges.
func ExampleEngine_SetClientRole() {
	srv, err := cohosttest.Start() // an app with a certificate: tokens checked
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	engine, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.AppID,
		SettingEngine: cohosttest.Loopback()})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	subscriber, _ := srv.RTCToken("show", 1001, token.RoleSubscriber) // from the app's token server
	if _, err := engine.JoinChannel(ctx, subscriber, "show", 1001); err != nil {
		log.Fatal(err)
	}
	err = engine.SetClientRole(ctx, protocol.RoleBroadcaster)
	if errors.Is(err, protocol.NewError(protocol.ErrSetClientRoleNotAuth, "")) {
		fmt.Println("refused:", protocol.ErrSetClientRoleNotAuth)
		// The token only allows joining: fetch a publisher token.
		publisher, _ := srv.RTCToken("show", 1001, token.RolePublisher)
		if err := engine.RenewToken(ctx, publisher); err != nil {
			log.Fatal(err)
		}
		err = engine.SetClientRole(ctx, protocol.RoleBroadcaster)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("role:", engine.ClientRole())
	camera, _ := rtc.NewLocalTrack(protocol.CodecVP8)
	camera.OnKeyFrameRequest(func() { /* ask the encoder for a key frame */ })
	fmt.Println("publish:", engine.Publish(ctx, camera))
	// Output:
	// refused: ERR_SET_CLIENT_ROLE_NOT_AUTHORIZED
	// role: BROADCASTER
	// publish: <nil>
}

// Joining with a string user account instead of a numeric uid: the server
// assigns the uid, the same for the account until the channel closes.
func ExampleEngine_JoinChannelWithUserAccount() {
	srv, err := cohosttest.Start(cohosttest.WithTestingModeApp())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	engine, err := rtc.NewEngine(rtc.EngineConfig{
		ServerURL:      srv.URL,
		AppID:          srv.TestAppID,
		ChannelProfile: new(protocol.ProfileCommunication),
		SettingEngine:  cohosttest.Loopback(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	uid, err := engine.JoinChannelWithUserAccount(ctx, "", "standup", "alice@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice has a uid:", uid != 0, uid == engine.LocalUID())
	// Output:
	// alice has a uid: true true
}

// speakingHost joins lobby as uid and publishes Opus until stop.
func speakingHost(ctx context.Context, srv *cohosttest.Server, uid protocol.UID) (host *rtc.Engine, stop func()) {
	host, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: srv.URL, AppID: srv.TestAppID,
		ClientRole: protocol.RoleBroadcaster, SettingEngine: cohosttest.Loopback()})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := host.JoinChannel(ctx, "", "lobby", uid); err != nil {
		log.Fatal(err)
	}
	mic, _ := rtc.NewLocalTrack(protocol.CodecOpus)
	if err := host.Publish(ctx, mic); err != nil {
		log.Fatal(err)
	}
	speaking, quiet := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for frame := range encodedOpusFrames(1000) {
			select {
			case <-speaking.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			_ = mic.WriteSample(media.Sample{Data: frame, Duration: 20 * time.Millisecond})
		}
	}()
	return host, func() { quiet(); <-done }
}

// encodedOpusFrames stands in for an application's encoder: n frames of
// Opus silence.
func encodedOpusFrames(n int) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for range n {
			if !yield([]byte{0xf8, 0xff, 0xfe}) {
				return
			}
		}
	}
}
