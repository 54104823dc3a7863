package rtm_test

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/rtm"
)

// The embedded NATS server's listener (nats.listen) refuses a client
// without the node's credentials, so nobody on the network can forge RTM
// peer messages or delete channel attributes through it. The generated
// token is kept in the data directory, readable by its owner only; a
// client presenting it is accepted, and what it publishes that is not a
// well-formed RTM message is dropped and counted.
func TestNATSListenerRefusesStrangers(t *testing.T) {
	srv := servertest.Start(t, servertest.ShortRTM, func(c *config.Config) { c.NATS.Listen = "127.0.0.1:0" })
	url := srv.NATSClientURL()
	if url == "" {
		t.Fatal("the embedded NATS server does not listen")
	}
	victim, vRec := login(t, srv, "victim")
	if _, err := victim.AddOrUpdateChannelAttributes(ctx(t), "room", []rtm.Attribute{{Key: "k", Value: "v"}}, nil); err != nil {
		t.Fatal(err)
	}

	for what, opts := range map[string][]nats.Option{
		"anonymous":   nil,
		"wrong token": {nats.Token("guessed-token")},
		"user":        {nats.UserInfo("cohost", "guess")},
	} {
		nc, err := nats.Connect(url, append(opts, nats.MaxReconnects(0), nats.Timeout(5*time.Second))...)
		if err == nil {
			// What an accepted stranger could do: forge a peer message
			// and delete the channel's attributes.
			subj := "rtm.user." + srv.TestAppID + "." + base64.RawURLEncoding.EncodeToString([]byte("victim"))
			_ = nc.Publish(subj, []byte(`{"kind":"msg","from":"admin","msg":{"text":"forged"}}`))
			_ = nc.Publish("$KV.RTM_CHANNEL_ATTRS."+srv.TestAppID+"."+base64.RawURLEncoding.EncodeToString([]byte("room")), nil)
			_ = nc.Flush()
			nc.Close()
			t.Errorf("%s NATS client accepted", what)
			continue
		}
		if !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("%s NATS client: %v, want an authorization violation", what, err)
		}
	}

	tokFile := filepath.Join(srv.Config.DataDir, "nats-token")
	st, err := os.Stat(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", st.Mode().Perm())
	}
	tok, err := os.ReadFile(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(url, nats.Token(strings.TrimSpace(string(tok))))
	if err != nil {
		t.Fatalf("client with the node's token: %v", err)
	}
	defer nc.Close()
	subj := "rtm.user." + srv.TestAppID + "." + base64.RawURLEncoding.EncodeToString([]byte("victim"))
	for _, garbage := range []string{"not json", `{"kind":"msg"}`} {
		if err := nc.Publish(subj, []byte(garbage)); err != nil {
			t.Fatal(err)
		}
	}
	_ = nc.Flush()
	eventually(t, "two malformed peer messages counted", func() bool {
		return strings.Contains(metrics(t, srv), `cohost_nats_malformed_messages_total{kind="peer"} 2`)
	}, func() string { return metrics(t, srv) })

	attrs, err := victim.GetChannelAttributes(ctx(t), "room")
	if err != nil || len(attrs) != 1 {
		t.Errorf("channel attributes: %v, %v", attrs, err)
	}
	if strings.Contains(vRec.dump(), "forged") {
		t.Errorf("the victim got a forged message:\n%s", vRec.dump())
	}
}

func metrics(t *testing.T, srv *servertest.Server) string {
	t.Helper()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
