package rtc_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

func TestNewEngineValidation(t *testing.T) {
	bad := map[string]rtc.EngineConfig{
		"no server":       {AppID: "a"},
		"no app":          {ServerURL: "http://127.0.0.1:1"},
		"only empty URLs": {AppID: "a", ServerURLs: []string{""}},
		"bad second URL":  {ServerURL: "http://h", ServerURLs: []string{"ftp://h"}, AppID: "a"},
		"bad scheme":      {ServerURL: "ftp://127.0.0.1:1", AppID: "a"},
		"no host":         {ServerURL: "http://", AppID: "a"},
		"query":           {ServerURL: "http://h/?x=1", AppID: "a"},
		"unparsable":      {ServerURL: "http://[::1", AppID: "a"},
		"bad profile":     {ServerURL: "http://h", AppID: "a", ChannelProfile: new(protocol.ChannelProfile(7))},
		"bad role":        {ServerURL: "http://h", AppID: "a", ClientRole: 3},
		"unknown codec":   {ServerURL: "http://h", AppID: "a", Codecs: []protocol.Codec{"av1"}},
		"empty codec str": {ServerURL: "http://h", AppID: "a", Codecs: []protocol.Codec{""}},
	}
	for name, cfg := range bad {
		e, err := rtc.NewEngine(cfg)
		if !errors.Is(err, rtc.ErrInvalidConfig) {
			t.Errorf("%s: NewEngine = %v, %v; want ErrInvalidConfig", name, e, err)
		}
	}
	good := []rtc.EngineConfig{
		{ServerURL: "http://127.0.0.1:7800", AppID: "a"},
		{ServerURLs: []string{"http://10.0.0.1:7800", "http://10.0.0.2:7800"}, AppID: "a"},
		{ServerURL: "https://rtc.example.com/base/", AppID: "a", ClientRole: protocol.RoleBroadcaster},
		{ServerURL: "ws://h:1", AppID: "a", ChannelProfile: new(protocol.ProfileCommunication)},
		{ServerURL: "wss://h", AppID: "a", Codecs: []protocol.Codec{protocol.CodecOpus, protocol.CodecH264, protocol.CodecOpus}},
	}
	for _, cfg := range good {
		e, err := rtc.NewEngine(cfg)
		if err != nil {
			t.Errorf("NewEngine(%+v): %v", cfg, err)
			continue
		}
		if e.ConnectionState() != protocol.ConnDisconnected || e.LocalUID() != 0 || e.RemoteUsers() != nil {
			t.Errorf("new engine: state %s uid %d users %v", e.ConnectionState(), e.LocalUID(), e.RemoteUsers())
		}
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

func TestDefaultRole(t *testing.T) {
	live, _ := rtc.NewEngine(rtc.EngineConfig{ServerURL: "http://h", AppID: "a"})
	defer live.Close()
	if r := live.ClientRole(); r != protocol.RoleAudience {
		t.Errorf("live default role %s", r)
	}
	comm, _ := rtc.NewEngine(rtc.EngineConfig{ServerURL: "http://h", AppID: "a",
		ChannelProfile: new(protocol.ProfileCommunication), ClientRole: protocol.RoleAudience})
	defer comm.Close()
	if r := comm.ClientRole(); r != protocol.RoleBroadcaster {
		t.Errorf("communication role %s", r)
	}
	if err := live.SetClientRole(t.Context(), protocol.RoleBroadcaster); err != nil {
		t.Fatal(err)
	}
	if r := live.ClientRole(); r != protocol.RoleBroadcaster {
		t.Errorf("role after SetClientRole before join: %s", r)
	}
	if err := live.SetClientRole(t.Context(), 9); !errors.Is(err, protocol.NewError(protocol.ErrInvalidArgument, "")) {
		t.Errorf("SetClientRole(9): %v", err)
	}
}

func TestNewLocalTrack(t *testing.T) {
	for _, c := range []protocol.Codec{protocol.CodecOpus, protocol.CodecVP8, protocol.CodecH264, protocol.CodecVP9} {
		tr, err := rtc.NewLocalTrack(c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if tr.Codec() != c || tr.MediaType() != c.Kind() {
			t.Errorf("%s: codec %s kind %s", c, tr.Codec(), tr.MediaType())
		}
		// Unpublished tracks drop writes silently.
		if err := tr.WriteSample(mediaSample([]byte{1, 2, 3})); err != nil {
			t.Errorf("%s: WriteSample: %v", c, err)
		}
	}
	if _, err := rtc.NewLocalTrack("av1"); !errors.Is(err, rtc.ErrUnsupportedCodec) {
		t.Errorf("NewLocalTrack(av1): %v", err)
	}
}

// offlineOnly is an app's handler that embeds BaseEventHandler and
// overrides one callback.
type offlineOnly struct {
	rtc.BaseEventHandler
	offline chan string
}

func (h offlineOnly) OnUserOffline(uid protocol.UID, reason protocol.UserOfflineReason) {
	h.offline <- fmt.Sprintf("%d %s", uid, reason)
}

// A handler embedding BaseEventHandler gets the callback it overrides; the
// events it does not handle are absorbed on the way, in order.
func TestBaseEventHandler(t *testing.T) {
	f := newFakeServer(t)
	f.handle(protocol.TypeJoin, func(c *fakeConn, env *protocol.Envelope) {
		c.reply(env.ID, protocol.JoinResponse{UID: 5, SessionID: "s", Role: protocol.RoleAudience,
			Profile: protocol.ProfileLiveBroadcasting, KeepAliveMs: 60000, DropTimeoutMs: 5000}, nil)
		c.event(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: 7})
		c.event(protocol.EventUserPublished, protocol.UserPublishedEvent{UID: 7, MediaType: protocol.MediaAudio, Codec: protocol.CodecOpus})
		c.event(protocol.EventUserMuted, protocol.UserMutedEvent{UID: 7, MediaType: protocol.MediaAudio, Muted: true})
		c.event(protocol.EventTokenWillExpire, protocol.TokenExpiryEvent{Privileges: []string{protocol.PrivJoin}})
		c.event(protocol.EventUserJoined, protocol.UserJoinedEvent{UID: 8})
		c.event(protocol.EventUserLeft, protocol.UserLeftEvent{UID: 7, Reason: protocol.OfflineQuit})
	})
	h := offlineOnly{offline: make(chan string, 4)}
	e, err := rtc.NewEngine(rtc.EngineConfig{ServerURL: f.srv.URL, AppID: "app", Handler: h, Logger: testLogger(t, "base")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.JoinChannel(t.Context(), "", "ch", 5); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-h.offline:
		if got != "7 QUIT" {
			t.Fatalf("OnUserOffline(%s), want 7 QUIT", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the overridden OnUserOffline was not called")
	}
	if got := e.RemoteUsers(); !slices.Equal(got, []protocol.UID{8}) {
		t.Errorf("RemoteUsers = %v, want [8]: the events handled by the no-ops still took effect", got)
	}
}
