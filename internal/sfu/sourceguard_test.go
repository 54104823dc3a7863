package sfu

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// TestFloodFromOneRemoteDoesNotStarveOthers: while one linked remote
// floods the media port with forged SRTP, each packet of which costs an
// authentication check to refuse, a publisher's packets on the same port
// still arrive; the flooder is throttled and its packets are counted.
func TestFloodFromOneRemoteDoesNotStarveOthers(t *testing.T) {
	srv := newTestMedia(t)
	pub, flooder := newTestMedia(t), newTestMedia(t)
	certS, fpS := newCert(t)
	certP, fpP := newCert(t)
	certF, fpF := newCert(t)
	good := dialPair(t, pub, srv, certP, certS, fpP, fpS)
	dialPair(t, flooder, srv, certF, certS, fpF, fpS)

	// The flooder sends from its linked address, so its packets reach
	// its link and are refused there, one authentication each: about
	// floodBurst packets per millisecond, more than the reader can refuse
	// that way (under the race detector) and far more than it reads when
	// it drops them unread.
	sock := flooder.demux.conn.(*batchConn).UDPConn
	to := mediaAddr(srv)
	forged := append([]byte{0x80, 111, 0, 0, 0, 0, 0, 0, 0, 0, 0xba, 0xd0}, make([]byte, 160)...)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var flooded int
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for seq := uint16(0); ; {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for range floodBurst {
				seq++
				binary.BigEndian.PutUint16(forged[2:], seq)
				if _, err := sock.WriteToUDPAddrPort(forged, to); err == nil {
					flooded++
				}
			}
		}
	}()

	const sent = 2000
	h := &rtp.Header{Version: 2, PayloadType: 111, SSRC: 0x5eed}
	tick := time.NewTicker(500 * time.Microsecond)
	for i := range sent {
		<-tick.C
		h.SequenceNumber = uint16(i + 1)
		if err := good.client.WriteRTP(h, make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
	}
	tick.Stop()
	close(stop)
	wg.Wait()
	// Let the last packets in flight arrive.
	deadline := time.Now().Add(2 * time.Second)
	for good.serverRTP.count() < sent && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := good.serverRTP.count()
	st := srv.DemuxStats()
	t.Logf("publisher: %d of %d delivered; flood: %d sent, %d refused, %d throttled", got, sent, flooded, st.BadSRTP.Load(), st.Throttled.Load())
	// Unthrottled, the reader refused a third to a half of the flood and
	// the publisher got 19-47 % of its packets through (measured on a
	// loaded two-core machine); throttled, 76-98 %: the flood still costs
	// a read per packet, so some loss remains.
	if got < sent*6/10 {
		t.Fatalf("the publisher got %d of %d packets through during the flood, want at least 60 %%", got, sent)
	}
	if st.Throttled.Load() == 0 {
		t.Fatal("the flooder was not throttled")
	}
}

// floodBurst is the flood's packets per millisecond.
const floodBurst = 300
