package rtc

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/cohost-rtc/cohost/protocol"
)

// RemoteTrack is a subscribed remote audio or video track. Read it with
// ReadRTP (packets as forwarded by the server) or ReadSample (whole frames),
// not both, from one goroutine. It stays valid across renegotiations and
// resumes; after Unsubscribe, the remote user unpublishing or leaving, or
// the session ending, reads return io.EOF.
//
// mu guards the fields below it; the reader state (sb) belongs to the
// reading goroutine.
type RemoteTrack struct {
	uid protocol.UID
	mt  protocol.MediaType

	mu      sync.Mutex
	codec   protocol.Codec
	track   *webrtc.TrackRemote    // current Pion track; nil until media flows
	pc      *webrtc.PeerConnection // its connection, for RTCP
	closed  bool
	changed chan struct{} // closed and replaced when track or closed changes

	sb *samplebuilder.SampleBuilder
}

func newRemoteTrack(uid protocol.UID, mt protocol.MediaType) *RemoteTrack {
	return &RemoteTrack{uid: uid, mt: mt, changed: make(chan struct{})}
}

// UID returns the publisher's uid.
func (r *RemoteTrack) UID() protocol.UID { return r.uid }

// MediaType returns audio or video.
func (r *RemoteTrack) MediaType() protocol.MediaType { return r.mt }

// Codec returns the track's codec.
func (r *RemoteTrack) Codec() protocol.Codec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.codec
}

func (r *RemoteTrack) setCodec(c protocol.Codec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c != "" {
		r.codec = c
	}
}

// signalLocked wakes a reader waiting for a change.
func (r *RemoteTrack) signalLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// attach makes t the track's source.
func (r *RemoteTrack) attach(t *webrtc.TrackRemote, pc *webrtc.PeerConnection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.track == t {
		return
	}
	_ = t.SetReadDeadline(time.Time{})
	r.track, r.pc = t, pc
	r.signalLocked()
}

// detach forgets the source (the transceiver now carries something else)
// and unblocks a read on it.
func (r *RemoteTrack) detach() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.track != nil {
		_ = r.track.SetReadDeadline(time.Now())
		r.track, r.pc = nil, nil
		r.signalLocked()
	}
}

// close ends the track.
func (r *RemoteTrack) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	if r.track != nil {
		_ = r.track.SetReadDeadline(time.Now())
	}
	r.track, r.pc = nil, nil
	r.signalLocked()
}

// ReadRTP returns the next RTP packet. It blocks until media arrives and
// returns io.EOF once the track has ended.
func (r *RemoteTrack) ReadRTP() (*rtp.Packet, error) {
	bad := 0 // consecutive errors that do not say the source ended
	for {
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return nil, io.EOF
		}
		t, changed := r.track, r.changed
		r.mu.Unlock()
		if t == nil {
			<-changed
			continue
		}
		pkt, _, err := t.ReadRTP()
		if err == nil {
			return pkt, nil
		}
		r.mu.Lock()
		switch {
		case r.track != t:
			// Detached or closed meanwhile: look again.
		case isEnded(err) || bad >= maxBadReads:
			// The source ended: wait for another.
			r.track, r.pc = nil, nil
			bad = 0
		default:
			// One undecodable packet: read on.
			bad++
		}
		r.mu.Unlock()
	}
}

// maxBadReads consecutive read errors end a source even if they do not
// say so.
const maxBadReads = 64

// isEnded reports whether a read error means the Pion track is over.
func isEnded(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// ReadSample returns the next complete frame (an Opus packet, a VP8/VP9
// frame, an H264 access unit), reassembled from RTP. It returns io.EOF
// once the track has ended.
func (r *RemoteTrack) ReadSample() (*media.Sample, error) {
	if r.sb == nil {
		var d rtp.Depacketizer
		clock := uint32(90000)
		switch r.Codec() {
		case protocol.CodecOpus:
			d, clock = &codecs.OpusPacket{}, 48000
		case protocol.CodecVP8:
			d = &codecs.VP8Packet{}
		case protocol.CodecVP9:
			d = &codecs.VP9Packet{}
		case protocol.CodecH264:
			d = &codecs.H264Packet{}
		default:
			return nil, ErrUnsupportedCodec
		}
		r.sb = samplebuilder.New(128, d, clock)
	}
	for {
		if s := r.sb.Pop(); s != nil {
			return s, nil
		}
		pkt, err := r.ReadRTP()
		if err != nil {
			return nil, err
		}
		r.sb.Push(pkt)
	}
}

// RequestKeyFrame asks the publisher for a key frame (sends a PLI). It
// does nothing before media has arrived.
func (r *RemoteTrack) RequestKeyFrame() error {
	r.mu.Lock()
	t, pc := r.track, r.pc
	r.mu.Unlock()
	if t == nil || pc == nil {
		return nil
	}
	return pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(t.SSRC())}})
}
