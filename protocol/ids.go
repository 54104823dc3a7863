package protocol

import "strconv"

// UID identifies a user within a channel, as Agora's uid. 0 asks the server
// to assign one.
type UID uint32

// String returns the decimal form of u.
func (u UID) String() string { return strconv.FormatUint(uint64(u), 10) }

// ChannelName names a channel: 1–64 bytes of the 89-character set (see
// ValidateChannelName).
type ChannelName string

// String returns the name.
func (c ChannelName) String() string { return string(c) }

// UserAccount is a string user id (Agora "user account"), mapped by the
// server to a UID per channel.
type UserAccount string

// String returns the account.
func (a UserAccount) String() string { return string(a) }

// MediaType is "audio" or "video", as in Agora Web.
type MediaType string

// Media types.
const (
	MediaAudio MediaType = "audio"
	MediaVideo MediaType = "video"
)

// String returns the media type.
func (m MediaType) String() string { return string(m) }

// Valid reports whether m is audio or video.
func (m MediaType) Valid() bool { return m == MediaAudio || m == MediaVideo }

// Codec names a payload format by its lower-case SDP name.
type Codec string

// Codecs cohost forwards. RTP is never transcoded.
const (
	CodecOpus Codec = "opus"
	CodecVP8  Codec = "vp8"
	CodecVP9  Codec = "vp9"
	CodecH264 Codec = "h264"
)

// Kind returns the media type a codec carries, or "" when unknown.
func (c Codec) Kind() MediaType {
	switch c {
	case CodecOpus:
		return MediaAudio
	case CodecVP8, CodecVP9, CodecH264:
		return MediaVideo
	}
	return ""
}

// String returns the codec name.
func (c Codec) String() string { return string(c) }
