// Package rtc is cohost's Go RTC SDK: it joins channels on a cohost server,
// publishes local audio and video and receives remote users' media. Its API
// follows Agora's native RTC engine (joinChannel, setClientRole,
// muteLocalAudioStream, onUserJoined …) in Go style: blocking calls take a
// context.Context and return errors; callbacks go to an [EventHandler].
//
// # Connections
//
// An [Engine] holds at most one channel session. The session owns one
// signalling WebSocket (see package protocol) and two WebRTC peer
// connections: an upstream one in which the SDK is the offerer and that
// carries the published [LocalTrack]s, and a downstream one in which the
// server is the offerer and that carries the subscribed [RemoteTrack]s.
// Candidates are not trickled: each side gathers before sending its SDP.
//
// When the WebSocket breaks without the server ending the session, the
// engine reports RECONNECTING (INTERRUPTED), redials with a jittered backoff and resumes
// the session for up to the server's drop timeout. The uid, role,
// publications and subscriptions survive; other users see nothing. Once
// the server no longer holds the session (it answers SESSION_EXPIRED, or
// the drop timeout passed), the engine joins the channel again with the
// same uid, role and publications, as Agora's SDK does: the application
// sees CONNECTED (REJOIN_SUCCESS) and OnRejoinChannelSuccess, other users
// see the user leave and come back, and subscriptions are made again by
// the application when the publishers are announced. A rejoin the server
// refuses ends the session with FAILED and the refusal's reason (e.g.
// TOKEN_EXPIRED); after EngineConfig.ReconnectTimeout (20 minutes) without
// success the engine reports FAILED (JOIN_FAILED).
//
// # Events
//
// Callbacks of the EventHandler are made by the engine's event queue: one
// at a time (never concurrently), in the order the corresponding messages
// arrived from the server, and never while the engine holds a lock, so a
// callback may call any Engine method except Close. A callback that blocks
// delays the callbacks after it, not the engine. (The queue's goroutine
// exits when idle, so consecutive callbacks may run on different
// goroutines.)
//
// # Concurrency
//
// All Engine, LocalTrack and RemoteTrack methods are safe for concurrent use,
// except that a LocalTrack should have one writer and a RemoteTrack one
// reader (packets would otherwise be reordered or split between readers).
package rtc
