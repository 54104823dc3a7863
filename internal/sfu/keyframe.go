package sfu

import "github.com/cohost-rtc/cohost/protocol"

// isKeyframe reports whether an RTP payload of codec is the first packet
// of a keyframe (RFC 7741 for VP8, the VP9 payload draft, RFC 6184 for
// H.264). Audio, and codecs it does not know, report true: every packet
// is a place to start.
func isKeyframe(codec protocol.Codec, p []byte) bool {
	switch codec {
	case protocol.CodecVP8:
		return vp8Keyframe(p)
	case protocol.CodecVP9:
		// I (flexible mode) ... B: start of a frame; P: inter-picture
		// predicted. A frame that starts and is not predicted is a keyframe.
		return len(p) > 0 && p[0]&0x08 != 0 && p[0]&0x40 == 0
	case protocol.CodecH264:
		return h264Keyframe(p)
	}
	return true
}

func vp8Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	x, s, pid := p[0]&0x80 != 0, p[0]&0x10 != 0, p[0]&0x07
	if !s || pid != 0 {
		return false // not the start of a frame's first partition
	}
	i := 1
	if x {
		if len(p) < 2 {
			return false
		}
		ext := p[1]
		i = 2
		if ext&0x80 != 0 { // I: PictureID
			if len(p) <= i {
				return false
			}
			if p[i]&0x80 != 0 {
				i++ // 15-bit PictureID
			}
			i++
		}
		if ext&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if ext&0x30 != 0 { // T or K: TID/Y/KEYIDX
			i++
		}
	}
	// The VP8 payload header's P bit is 0 on a keyframe.
	return len(p) > i && p[i]&0x01 == 0
}

func h264Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	switch typ := p[0] & 0x1f; typ {
	case 5, 7: // IDR slice, SPS
		return true
	case 24: // STAP-A: look at each aggregated NAL unit
		for i := 1; i+2 < len(p); {
			n := int(p[i])<<8 | int(p[i+1])
			if i+2 < len(p) && (p[i+2]&0x1f == 5 || p[i+2]&0x1f == 7) {
				return true
			}
			i += 2 + n
		}
	case 28: // FU-A: the start of an IDR slice
		return len(p) > 1 && p[1]&0x80 != 0 && p[1]&0x1f == 5
	}
	return false
}
