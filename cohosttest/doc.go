// Package cohosttest runs a real cohost server in-process for tests, as
// net/http/httptest does for HTTP handlers: on 127.0.0.1, with random
// ports, short timers and a known app, so that a test connects the rtc and
// rtm SDKs (or a browser) to it and stops it when it ends.
//
//	func TestInvite(t *testing.T) {
//		srv := cohosttest.NewServer(t, cohosttest.WithTestingModeApp())
//		engine, err := rtc.NewEngine(rtc.EngineConfig{
//			ServerURL:     srv.URL,
//			AppID:         srv.TestAppID, // no token needed
//			SettingEngine: cohosttest.Loopback(),
//		})
//		...
//	}
//
// A program that is not a test uses [Start] and [Server.Close] instead.
//
// The server is the same one `cohost serve` runs, with the built-in
// defaults except where this package's defaults say otherwise ([Start]);
// the options set the commonly needed timers and limits.
package cohosttest
