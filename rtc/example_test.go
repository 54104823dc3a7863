package rtc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

// A host joins a channel and publishes Opus audio from an encoder.
func Example() {
	ctx := context.Background()
	engine, err := rtc.NewEngine(rtc.EngineConfig{
		ServerURL:  "http://127.0.0.1:7800",
		AppID:      "0123456789abcdef0123456789abcdef",
		ClientRole: protocol.RoleBroadcaster,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()

	uid, err := engine.JoinChannel(ctx, "" /* token */, "lobby", 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("joined as", uid)

	mic, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		log.Fatal(err)
	}
	if err := engine.Publish(ctx, mic); err != nil {
		log.Fatal(err)
	}
	for frame := range encodedOpusFrames() { // 20 ms Opus packets
		if err := mic.WriteSample(media.Sample{Data: frame, Duration: 20 * time.Millisecond}); err != nil {
			log.Print(err)
		}
	}
	_ = engine.LeaveChannel(ctx)
}

// viewer subscribes to every published track as soon as it appears.
type viewer struct {
	rtc.BaseEventHandler
	engine *rtc.Engine
}

func (v *viewer) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		track, err := v.engine.Subscribe(ctx, uid, mt)
		if err != nil {
			log.Printf("subscribe %d %s: %v", uid, mt, err)
			return
		}
		for {
			pkt, err := track.ReadRTP()
			if errors.Is(err, io.EOF) {
				return // unsubscribed, unpublished or left
			}
			if err != nil {
				log.Print(err)
				return
			}
			_ = pkt // decode, record, forward …
		}
	}()
}

func (v *viewer) OnConnectionStateChanged(s protocol.ConnectionState, r protocol.ConnectionChangedReason) {
	log.Printf("connection %s (%s)", s, r)
}

// An audience member watches a channel: its handler subscribes to each
// track a host publishes.
func ExampleEngine_Subscribe() {
	v := &viewer{}
	engine, err := rtc.NewEngine(rtc.EngineConfig{
		ServerURL: "http://127.0.0.1:7800",
		AppID:     "0123456789abcdef0123456789abcdef",
		Handler:   v,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	v.engine = engine
	if _, err := engine.JoinChannel(context.Background(), "", "lobby", 0); err != nil {
		log.Fatal(err)
	}
	time.Sleep(time.Minute) // watch for a while
}

// With co-host authentication, an audience member becomes a host after
// renewing its token to one with publish privileges.
func ExampleEngine_SetClientRole() {
	ctx := context.Background()
	engine, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: "https://rtc.example.com", AppID: "970ca35de60c44645bbae8a215061b33"})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	if _, err := engine.JoinChannel(ctx, subscriberToken(), "show", 1001); err != nil {
		log.Fatal(err)
	}
	err = engine.SetClientRole(ctx, protocol.RoleBroadcaster)
	if errors.Is(err, protocol.NewError(protocol.ErrSetClientRoleNotAuth, "")) {
		// The token only allows joining: fetch a publisher token.
		if err := engine.RenewToken(ctx, publisherToken()); err != nil {
			log.Fatal(err)
		}
		err = engine.SetClientRole(ctx, protocol.RoleBroadcaster)
	}
	if err != nil {
		log.Fatal(err)
	}
	camera, _ := rtc.NewLocalTrack(protocol.CodecVP8)
	camera.OnKeyFrameRequest(func() { /* ask the encoder for a key frame */ })
	if err := engine.Publish(ctx, camera); err != nil {
		log.Fatal(err)
	}
}

// Joining with a string user account instead of a numeric uid.
func ExampleEngine_JoinChannelWithUserAccount() {
	engine, err := rtc.NewEngine(rtc.EngineConfig{
		ServerURL:      "http://127.0.0.1:7800",
		AppID:          "0123456789abcdef0123456789abcdef",
		ChannelProfile: new(protocol.ProfileCommunication),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	uid, err := engine.JoinChannelWithUserAccount(context.Background(), "", "standup", "alice@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice is uid", uid)
}

// Stand-ins for an application's encoder and token server.
func encodedOpusFrames() <-chan []byte { c := make(chan []byte); close(c); return c }
func subscriberToken() string          { return "007…" }
func publisherToken() string           { return "007…" }
