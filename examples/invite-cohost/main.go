// Command invite-cohost runs seed 000, "a host changes the role of a remote
// user", against a cohost server and prints every callback:
//
//  1. the host invites a viewer with an RTM peer message;
//
//  2. the viewer switches to host (setClientRole), publishes, and announces
//     it with addOrUpdateChannelAttributes (notify on);
//
//  3. the host gets onAttributesUpdated and receives the co-host's video;
//
//  4. the host sends the co-host back to the audience itself
//     (SetRemoteClientRole, enforced by the server).
//
//     go run ./examples/invite-cohost                               # its own server in-process
//     go run ./examples/invite-cohost -server http://127.0.0.1:7800  # a running `cohost serve` (dev tokens)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
	"github.com/cohost-rtc/cohost/rtm"
	"github.com/cohost-rtc/cohost/token"
)

const channel = "seed000"

// creds mints tokens: RTC for (channel, uid) with admin or not, RTM for a user id.
type creds struct {
	appID string
	rtc   func(uid protocol.UID, admin bool) (string, error)
	rtm   func(userID string) (string, error)
}

func main() {
	serverURL := flag.String("server", "", "URL of a running cohost server on loopback (default: start one in-process)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, *serverURL); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, serverURL string) error {
	var c creds
	if serverURL == "" {
		srv, err := cohosttest.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		serverURL = srv.URL
		c = creds{appID: srv.AppID,
			rtc: func(uid protocol.UID, admin bool) (string, error) {
				if admin {
					return srv.RTCAdminToken(channel, uint32(uid), token.RolePublisher)
				}
				return srv.RTCToken(channel, uint32(uid), token.RolePublisher)
			},
			rtm: srv.RTMToken,
		}
	} else {
		c = devCreds(serverURL)
		if c.appID == "" {
			return fmt.Errorf("no dev token endpoint at %s", serverURL)
		}
	}
	fmt.Println("server", serverURL)

	host, err := join(ctx, serverURL, c, "host", 1, protocol.RoleBroadcaster)
	if err != nil {
		return err
	}
	defer host.close()
	viewer, err := join(ctx, serverURL, c, "viewer", 2, protocol.RoleAudience)
	if err != nil {
		return err
	}
	defer viewer.close()

	// 1. The host invites the viewer; OK means the viewer's SDK got it.
	res, err := host.rtm.SendMessageToPeer(ctx, "2", rtm.NewTextMessage("come up and co-host"), nil)
	if err != nil {
		return err
	}
	fmt.Printf("host     sendMessageToPeer -> %s\n", res)
	<-viewer.invited

	// 2. The viewer becomes host, publishes and announces it.
	if err := viewer.rtc.SetClientRole(ctx, protocol.RoleBroadcaster); err != nil {
		return err
	}
	video, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		return err
	}
	if err := viewer.rtc.Publish(ctx, video); err != nil {
		return err
	}
	pumpCtx, stopPump := context.WithCancel(ctx)
	defer stopPump()
	go func() {
		frame := []byte{0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}
		for t := time.NewTicker(33 * time.Millisecond); pumpCtx.Err() == nil; <-t.C {
			_ = video.WriteSample(media.Sample{Data: frame, Duration: 33 * time.Millisecond})
		}
	}()
	if _, err := viewer.rtm.AddOrUpdateChannelAttributes(ctx, channel, []rtm.Attribute{{Key: "co-host", Value: "2"}},
		&rtm.ChannelAttributeOptions{EnableNotificationToChannelMembers: true}); err != nil {
		return err
	}

	// 3. The host receives the co-host's video.
	track, err := host.rtc.Subscribe(ctx, 2, protocol.MediaVideo)
	if err != nil {
		return err
	}
	for i := range 30 {
		if _, err := track.ReadRTP(); err != nil {
			return err
		}
		if i == 29 {
			fmt.Println("host     received 30 video packets from the co-host")
		}
	}

	// 4. The host sends the co-host back to the audience; the server enforces it.
	if err := host.rtc.SetRemoteClientRole(ctx, 2, protocol.RoleAudience); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	stopPump()
	return nil
}

// person is one app user: an RTC engine and an RTM client.
type person struct {
	rtc.BaseEventHandler
	name    string
	rtc     *rtc.Engine
	rtm     *rtm.Client
	invited chan struct{}
}

func (p *person) OnUserJoined(uid protocol.UID, _ time.Duration) {
	fmt.Printf("%-8s onUserJoined %d\n", p.name, uid)
}
func (p *person) OnUserPublished(uid protocol.UID, mt protocol.MediaType) {
	fmt.Printf("%-8s onUserPublished %d %s\n", p.name, uid, mt)
}
func (p *person) OnUserOffline(uid protocol.UID, r protocol.UserOfflineReason) {
	fmt.Printf("%-8s onUserOffline %d %s\n", p.name, uid, r)
}
func (p *person) OnClientRoleChanged(o, n protocol.ClientRole) {
	fmt.Printf("%-8s onClientRoleChanged %s -> %s\n", p.name, o, n)
}

type rtmEvents struct {
	rtm.BaseClientHandler
	p *person
}

func (h rtmEvents) OnMessageReceived(peer string, msg *rtm.Message) {
	fmt.Printf("%-8s onMessageReceived from %s: %q\n", h.p.name, peer, msg.Text)
	close(h.p.invited)
}

type channelEvents struct {
	rtm.BaseChannelHandler
	p *person
}

func (h channelEvents) OnAttributesUpdated(attrs []rtm.Attribute) {
	for _, a := range attrs {
		fmt.Printf("%-8s onAttributesUpdated %s=%s (by %s)\n", h.p.name, a.Key, a.Value, a.LastUpdateUserID)
	}
}

func join(ctx context.Context, serverURL string, c creds, name string, uid protocol.UID, role protocol.ClientRole) (*person, error) {
	p := &person{name: name, invited: make(chan struct{})}
	se := cohosttest.Loopback() // the server is on 127.0.0.1
	var err error
	if p.rtc, err = rtc.NewEngine(rtc.EngineConfig{ServerURL: serverURL, AppID: c.appID, Handler: p, ClientRole: role, SettingEngine: se}); err != nil {
		return nil, err
	}
	rtcTok, err := c.rtc(uid, role == protocol.RoleBroadcaster)
	if err != nil {
		return nil, err
	}
	if _, err := p.rtc.JoinChannel(ctx, rtcTok, channel, uid); err != nil {
		return nil, fmt.Errorf("%s: join: %w", name, err)
	}
	if p.rtm, err = rtm.NewClient(rtm.ClientConfig{ServerURL: serverURL, AppID: c.appID, Handler: rtmEvents{p: p}}); err != nil {
		return nil, err
	}
	rtmTok, err := c.rtm(uid.String())
	if err != nil {
		return nil, err
	}
	if err := p.rtm.Login(ctx, rtmTok, uid.String()); err != nil {
		return nil, fmt.Errorf("%s: RTM login: %w", name, err)
	}
	ch, err := p.rtm.CreateChannel(channel, channelEvents{p: p})
	if err != nil {
		return nil, err
	}
	return p, ch.Join(ctx)
}

func (p *person) close() {
	_ = p.rtm.Close()
	_ = p.rtc.Close()
}

// devCreds uses a loopback server's development token endpoint.
func devCreds(serverURL string) creds {
	get := func(q url.Values) (appID, tok string, err error) {
		resp, err := http.Get(serverURL + "/v1/dev/token?" + q.Encode())
		if err != nil {
			return "", "", err
		}
		defer resp.Body.Close()
		var v struct{ AppID, Token string }
		if resp.StatusCode != http.StatusOK {
			return "", "", fmt.Errorf("dev token: %s", resp.Status)
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		return v.AppID, v.Token, err
	}
	appID, _, _ := get(url.Values{"channel": {channel}})
	return creds{appID: appID,
		rtc: func(uid protocol.UID, admin bool) (string, error) {
			_, t, err := get(url.Values{"channel": {channel}, "uid": {uid.String()}, "admin": {fmt.Sprint(admin)}})
			return t, err
		},
		rtm: func(userID string) (string, error) {
			_, t, err := get(url.Values{"service": {"rtm"}, "userId": {userID}})
			return t, err
		},
	}
}
