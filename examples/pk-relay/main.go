// Command pk-relay runs the "PK battle" of seeds 001/002 against a cohost
// server: host A in channel pk-a and host B in channel pk-b relay their
// media into each other's channel, so each channel's viewer sees and hears
// both hosts. It prints every relay callback and what each viewer receives.
//
//	go run ./examples/pk-relay                              # starts its own server in-process
//	go run ./examples/pk-relay -server http://127.0.0.1:7800 # uses a running `cohost serve` (dev tokens)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtc"
)

func main() {
	serverURL := flag.String("server", "", "URL of a running cohost server on loopback (default: start one in-process)")
	duration := flag.Duration("duration", 3*time.Second, "how long the viewers watch the PK")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, *serverURL, *duration); err != nil {
		log.Fatal(err)
	}
}

// tokens gives a token and the App ID for (channel, uid).
type tokens func(channel string, uid protocol.UID) (appID, token string, err error)

func run(ctx context.Context, serverURL string, watch time.Duration) error {
	var tok tokens
	if serverURL == "" {
		srv, err := cohosttest.Start(cohosttest.WithTestingModeApp()) // testing mode: no tokens
		if err != nil {
			return err
		}
		defer srv.Close()
		serverURL = srv.URL
		tok = func(string, protocol.UID) (string, string, error) { return srv.TestAppID, "", nil }
	} else {
		tok = devTokens(serverURL)
	}
	fmt.Println("server", serverURL)

	hostA, err := newPeer(ctx, serverURL, tok, "hostA", "pk-a", 1, protocol.RoleBroadcaster)
	if err != nil {
		return err
	}
	defer hostA.Close()
	hostB, err := newPeer(ctx, serverURL, tok, "hostB", "pk-b", 2, protocol.RoleBroadcaster)
	if err != nil {
		return err
	}
	defer hostB.Close()
	viewA, err := newPeer(ctx, serverURL, tok, "viewerA", "pk-a", 11, protocol.RoleAudience)
	if err != nil {
		return err
	}
	defer viewA.Close()
	viewB, err := newPeer(ctx, serverURL, tok, "viewerB", "pk-b", 22, protocol.RoleAudience)
	if err != nil {
		return err
	}
	defer viewB.Close()

	pumpCtx, stopPumps := context.WithCancel(ctx)
	var pumps sync.WaitGroup
	defer func() { stopPumps(); pumps.Wait() }()
	for _, h := range []*peer{hostA, hostB} {
		if err := h.publish(pumpCtx, &pumps); err != nil {
			return err
		}
	}

	// Each host relays into the other's channel, appearing there as uid 1001 / 2002.
	for _, r := range []struct {
		host    *peer
		dest    string
		destUID protocol.UID
	}{{hostA, "pk-b", 1001}, {hostB, "pk-a", 2002}} {
		_, srcToken, err := tok(r.host.channel, 0)
		if err != nil {
			return err
		}
		_, destToken, err := tok(r.dest, r.destUID)
		if err != nil {
			return err
		}
		cfg := rtc.NewChannelMediaRelayConfiguration()
		cfg.SetSrcChannelInfo(rtc.ChannelMediaInfo{ChannelName: r.host.channel, Token: srcToken})
		cfg.AddDestChannelInfo(rtc.ChannelMediaInfo{ChannelName: r.dest, Token: destToken, UID: r.destUID})
		if err := r.host.StartChannelMediaRelay(ctx, cfg); err != nil {
			return fmt.Errorf("%s: start relay: %w", r.host.name, err)
		}
	}

	// Each viewer watches its own host and the relayed one.
	var watchers sync.WaitGroup
	wctx, stopWatching := context.WithTimeout(ctx, watch)
	defer stopWatching()
	counts := map[string]*atomic.Int64{}
	for _, w := range []struct {
		v   *peer
		uid protocol.UID
	}{{viewA, 1}, {viewA, 2002}, {viewB, 2}, {viewB, 1001}} {
		n := &atomic.Int64{}
		counts[fmt.Sprintf("%s <- uid %d", w.v.name, w.uid)] = n
		for _, mt := range []protocol.MediaType{protocol.MediaAudio, protocol.MediaVideo} {
			track, err := w.v.Subscribe(ctx, w.uid, mt)
			if err != nil {
				return fmt.Errorf("%s: subscribe %d %s: %w", w.v.name, w.uid, mt, err)
			}
			watchers.Add(1)
			go func() {
				defer watchers.Done()
				for wctx.Err() == nil {
					if _, err := track.ReadRTP(); err != nil {
						return
					}
					n.Add(1)
				}
			}()
		}
	}
	<-wctx.Done()
	for name, n := range counts {
		fmt.Printf("%-22s %5d packets in %v\n", name, n.Load(), watch)
	}
	// B leaves: A sees B's stand-in (2002) go offline; then A stops its relay.
	if err := hostB.LeaveChannel(ctx); err != nil {
		return err
	}
	time.Sleep(200 * time.Millisecond)
	if err := hostA.StopChannelMediaRelay(ctx); err != nil {
		return err
	}
	time.Sleep(200 * time.Millisecond)
	for _, p := range []*peer{viewA, viewB} {
		_ = p.LeaveChannel(ctx)
	}
	_ = hostA.LeaveChannel(ctx)
	for _, p := range []*peer{hostA, hostB, viewA, viewB} {
		_ = p.Close()
	}
	watchers.Wait()
	return nil
}

// peer is an engine that prints its callbacks.
type peer struct {
	*rtc.Engine
	rtc.BaseEventHandler
	name, channel string
}

func newPeer(ctx context.Context, serverURL string, tok tokens, name, channel string, uid protocol.UID, role protocol.ClientRole) (*peer, error) {
	appID, token, err := tok(channel, uid)
	if err != nil {
		return nil, err
	}
	p := &peer{name: name, channel: channel}
	p.Engine, err = rtc.NewEngine(rtc.EngineConfig{ServerURL: serverURL, AppID: appID, Handler: p, ClientRole: role, SettingEngine: cohosttest.Loopback()})
	if err != nil {
		return nil, err
	}
	if _, err := p.JoinChannel(ctx, token, channel, uid); err != nil {
		p.Close()
		return nil, fmt.Errorf("%s: join %s: %w", name, channel, err)
	}
	return p, nil
}

func (p *peer) publish(ctx context.Context, wg *sync.WaitGroup) error {
	audio, err := rtc.NewLocalTrack(protocol.CodecOpus)
	if err != nil {
		return err
	}
	video, err := rtc.NewLocalTrack(protocol.CodecVP8)
	if err != nil {
		return err
	}
	if err := p.Publish(ctx, audio, video); err != nil {
		return fmt.Errorf("%s: publish: %w", p.name, err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Synthetic media: 50 audio packets and 30 key-frame-shaped video
		// frames per second (no codec needed: the server never decodes).
		frame := []byte{0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0xff}
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			_ = audio.WriteSample(media.Sample{Data: []byte{0xfc, byte(i)}, Duration: 20 * time.Millisecond})
			if i%5 != 4 {
				_ = video.WriteSample(media.Sample{Data: frame, Duration: 33 * time.Millisecond})
			}
		}
	}()
	return nil
}

func (p *peer) OnUserJoined(uid protocol.UID, _ time.Duration) {
	fmt.Printf("%-8s user-joined %d\n", p.name, uid)
}
func (p *peer) OnUserOffline(uid protocol.UID, r protocol.UserOfflineReason) {
	fmt.Printf("%-8s user-offline %d %s\n", p.name, uid, r)
}
func (p *peer) OnChannelMediaRelayStateChanged(s protocol.RelayState, code protocol.RelayError, ch string) {
	fmt.Printf("%-8s relay state %s (%d) code %s %s\n", p.name, s, int(s), code, ch)
}
func (p *peer) OnChannelMediaRelayEvent(ev protocol.RelayEvent, ch string) {
	fmt.Printf("%-8s relay event %s (%d) %s\n", p.name, ev, int(ev), ch)
}

// devTokens asks a loopback server's development token endpoint.
func devTokens(serverURL string) tokens {
	return func(channel string, uid protocol.UID) (string, string, error) {
		q := url.Values{"channel": {channel}, "uid": {uid.String()}, "role": {"publisher"}}
		resp, err := http.Get(serverURL + "/v1/dev/token?" + q.Encode())
		if err != nil {
			return "", "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			return "", "", errors.New("dev token: " + resp.Status + ": " + string(b))
		}
		var v struct{ AppID, Token string }
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			return "", "", err
		}
		return v.AppID, v.Token, nil
	}
}
