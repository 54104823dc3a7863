package sfu

import (
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cohost-rtc/cohost/protocol"
)

// TestAdvertisedIPInCandidates: behind NAT, the server's ICE candidates
// carry the configured public IP instead of the bound one.
func TestAdvertisedIPInCandidates(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMedia(MediaConfig{Conn: conn, AdvertiseIP: "203.0.113.7"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	offers := make(chan protocol.OfferEvent, 1)
	down, err := m.NewDownstream(nil, 5*time.Second, func(ev protocol.OfferEvent) { offers <- ev }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = down.Close() })
	down.Add(NewDownTrack(NewPublishedTrack(1, protocol.MediaAudio, protocol.CodecOpus, &Stats{}, time.Second, slog.New(slog.DiscardHandler))))
	select {
	case ev := <-offers:
		port := conn.LocalAddr().(*net.UDPAddr).Port
		if !strings.Contains(ev.SDP, "203.0.113.7 "+strconv.Itoa(port)) {
			t.Fatalf("offer has no candidate for the advertised IP on port %d:\n%s", port, ev.SDP)
		}
		if strings.Contains(ev.SDP, "127.0.0.1 ") {
			t.Fatalf("offer still advertises the bound address:\n%s", ev.SDP)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no offer")
	}
}
