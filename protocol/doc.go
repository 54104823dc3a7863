// Package protocol defines cohost's client–server signalling protocol: the
// WebSocket envelope, every message payload, and the typed codes (roles,
// connection states, offline reasons, errors) shared by the server and the
// SDKs. Codes keep Agora's numeric values so that apps ported from Agora see
// the numbers they already handle.
//
// # Transport
//
// A client opens a WebSocket to /v1/signal on the server's HTTP address
// (ws:// or wss://). Every frame is one JSON text message, an [Envelope].
// Frames larger than the server's message limit (default 64 KiB) close the
// connection with status 1009.
//
// # Requests, responses and events
//
// A request carries a positive id chosen by the client; the server answers it
// with exactly one envelope of type "response" carrying the same id and
// either data or error. Events (server → client) carry no id. The server
// processes a connection's requests in the order received and writes
// responses and events in one ordered stream, so an event that follows a
// response in time also follows it on the wire.
//
// # Version
//
// [Version] is the protocol version. A client sends it in its join (or
// resume) request; a server refuses versions it does not speak with
// ERR_NOT_SUPPORTED. See docs/protocol.md for the full description.
package protocol

// Version is the current signalling protocol version.
const Version = 1

// SignalPath is the HTTP path of the signalling WebSocket endpoint.
const SignalPath = "/v1/signal"
