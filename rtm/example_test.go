package rtm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cohost-rtc/cohost/cohosttest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/rtm"
)

// exampleServer runs a cohost server on 127.0.0.1 with an app in testing
// mode (no tokens) and returns its URL, the App ID and a stop function.
func exampleServer() (url, appID string, stop func()) {
	srv, err := cohosttest.Start(cohosttest.WithTestingModeApp())
	if err != nil {
		panic(err)
	}
	return srv.URL, srv.TestAppID, func() { _ = srv.Close() }
}

// inbox prints the peer messages it receives.
type inbox struct {
	rtm.BaseClientHandler
	got chan string
}

func (h *inbox) OnMessageReceived(peer string, m *rtm.Message) { h.got <- peer + ": " + m.Text }

// A host invites an audience member to co-host with a peer-to-peer
// message (the RTM user ids are the RTC uids in decimal).
func Example() {
	url, appID, stop := exampleServer()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	host, _ := rtm.NewClient(rtm.ClientConfig{ServerURL: url, AppID: appID})
	defer host.Close()
	h := &inbox{got: make(chan string, 1)}
	audience, _ := rtm.NewClient(rtm.ClientConfig{ServerURL: url, AppID: appID, Handler: h})
	defer audience.Close()
	if err := host.Login(ctx, "", "1001"); err != nil {
		fmt.Println(err)
		return
	}
	if err := audience.Login(ctx, "", "2002"); err != nil {
		fmt.Println(err)
		return
	}
	code, err := host.SendMessageToPeer(ctx, "2002", rtm.NewTextMessage("please co-host"), nil)
	fmt.Println(code, err)
	fmt.Println(<-h.got)
	// Output:
	// OK <nil>
	// 1001: please co-host
}

// Channel attributes announce a role change to every member; the revision
// makes concurrent updates safe.
func ExampleClient_AddOrUpdateChannelAttributes() {
	url, appID, stop := exampleServer()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _ := rtm.NewClient(rtm.ClientConfig{ServerURL: url, AppID: appID})
	defer c.Close()
	if err := c.Login(ctx, "", "2002"); err != nil {
		fmt.Println(err)
		return
	}
	attrs, _ := c.AddOrUpdateChannelAttributes(ctx, "demo", []rtm.Attribute{{Key: "cohost", Value: "2002"}},
		&rtm.ChannelAttributeOptions{EnableNotificationToChannelMembers: true})
	fmt.Println(attrs[0].Key, attrs[0].Value, attrs[0].Revision)
	// A second writer that saw revision 0 (no key) loses the race.
	_, err := c.AddOrUpdateChannelAttributes(ctx, "demo", []rtm.Attribute{{Key: "cohost", Value: "3003"}},
		&rtm.ChannelAttributeOptions{ExpectedRevisions: map[string]int64{"cohost": 0}})
	var ae *rtm.Error[protocol.RTMAttributeErr]
	if errors.As(err, &ae) {
		fmt.Println(ae.Code, ae.Code == protocol.RTMAttributeRevisionConflict)
	}
	// Output:
	// cohost 2002 1
	// REVISION_CONFLICT true
}
