package browsertest

import (
	"net"
	"strings"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// howJS defines how(f): what calling f does, as Agora's SDK reports it:
// "return" or "resolve" when it works, "throw CODE" or "reject CODE" when
// it fails (RTM errors by name, "throw RtmError NOT_SUPPORTED").
const howJS = `window.how = (f) => {
	const code = (e) => (e && typeof e.code === "string" ? e.code : e && e.name ? e.name : String(e));
	try {
		const r = f();
		if (r && typeof r.then === "function") return r.then(() => "resolve", (e) => "reject " + code(e));
		return "return";
	} catch (e) {
		return "throw " + code(e);
	}
};`

// Every Agora call that cohost cannot honour fails loudly with
// NOT_SUPPORTED, thrown by the synchronous calls and rejected by the async
// ones as Agora's SDK reports an unsupported call; none is accepted and
// ignored. The calls asking for what cohost always does (GLOBAL area, the
// high stream, no fallback, no encryption, dual stream and log upload off)
// and the cloud proxy's modes succeed.
func TestUnsupportedCallsFailLoudly(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "calls")
	p.run(howJS)
	cases := []struct{ call, want string }{
		// The RTC client.
		{`c.enableDualStream()`, "reject NOT_SUPPORTED"},
		{`c.setDualStreamMode(2)`, "reject NOT_SUPPORTED"},
		{`c.setLowStreamParameter({width: 160, height: 120, framerate: 15, bitrate: 200})`, "throw NOT_SUPPORTED"},
		{`c.setRemoteVideoStreamType(5, 1)`, "reject NOT_SUPPORTED"},
		{`c.setRemoteDefaultVideoStreamType(1)`, "reject NOT_SUPPORTED"},
		{`c.setStreamFallbackOption(5, 1)`, "reject NOT_SUPPORTED"},
		{`c.setStreamFallbackOption(5, 2)`, "reject NOT_SUPPORTED"},
		{`c.setEncryptionConfig("aes-128-gcm2", "secret", new Uint8Array(32))`, "throw NOT_SUPPORTED"},
		{`c.setEncryptionConfig("sm4-128-ecb", "secret")`, "throw NOT_SUPPORTED"},
		{`c.setLicense("licence")`, "throw NOT_SUPPORTED"},
		{`c.setRTMConfig({})`, "throw NOT_SUPPORTED"},
		{`c.sendCustomReportMessage({reportId: "r", category: "c", event: "e", label: "l", value: 1})`, "reject NOT_SUPPORTED"},
		{`c.setProxyServer("proxy.example.com")`, "throw NOT_SUPPORTED"},
		// What cohost does, asked for.
		{`c.disableDualStream()`, "resolve"},
		{`c.setRemoteVideoStreamType(5, 0)`, "resolve"},
		{`c.setRemoteDefaultVideoStreamType(0)`, "resolve"},
		{`c.setStreamFallbackOption(5, 0)`, "resolve"},
		{`c.setEncryptionConfig("none")`, "return"},
		{`c.startProxyServer(3)`, "return"},
		{`c.startProxyServer(5)`, "return"},
		{`c.startProxyServer(4)`, "throw INVALID_PARAMS"},
		{`c.stopProxyServer()`, "return"},
		{`c.setRemoteVideoStreamType(5, 7)`, "reject INVALID_PARAMS"},
		// AgoraRTC.
		{`AgoraRTC.enableLogUpload()`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.disableLogUpload()`, "return"},
		{`AgoraRTC.setArea(AgoraRTC.AREAS.CHINA)`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.setArea([AgoraRTC.AREAS.EUROPE, AgoraRTC.AREAS.ASIA])`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.setArea({areaCode: [AgoraRTC.AREAS.GLOBAL], excludedArea: AgoraRTC.AREAS.CHINA})`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.setArea("MARS")`, "throw INVALID_PARAMS"},
		{`AgoraRTC.setArea(AgoraRTC.AREAS.GLOBAL)`, "return"},
		{`AgoraRTC.setArea({areaCode: [AgoraRTC.AREAS.GLOBAL]})`, "return"},
		{`AgoraRTC.processExternalMediaAEC(document.createElement("audio"))`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.registerExtensions([{name: "beauty"}])`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.registerExtensions([])`, "return"},
		{`AgoraRTC.setParameter("EXPERIMENTS", {netqSensitivityMode: 1})`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.use({})`, "throw NOT_SUPPORTED"},
		{`AgoraRTC.startLastmileProbeTest()`, "reject NOT_SUPPORTED"},
		{`AgoraRTC.requestConfigDistribute()`, "reject NOT_SUPPORTED"},
		{`AgoraRTC.preload(` + jsString(srv.TestAppID) + `, "warm", null, 3)`, "resolve"},
		{`AgoraRTC.preload("", "warm", null, 3)`, "reject INVALID_PARAMS"},
		// AgoraRTM.
		{`AgoraRTM.setArea({areaCodes: ["CHINA"]})`, "throw RtmError NOT_SUPPORTED"},
		{`AgoraRTM.setArea({areaCodes: ["GLOBAL"], excludedArea: "EUROPE"})`, "throw RtmError NOT_SUPPORTED"},
		{`AgoraRTM.setArea({areaCodes: ["GLOBAL"]})`, "return"},
		{`AgoraRTM.createInstance("app", {enableLogUpload: true})`, "throw RtmError NOT_SUPPORTED"},
		{`AgoraRTM.createInstance("app", {enableCloudProxy: true})`, "throw RtmError NOT_SUPPORTED"},
		{`AgoraRTM.createInstance("app", {enableLogUpload: false, logFilter: AgoraRTM.LOG_FILTER_ERROR})`, "return"},
		{`AgoraRTM.createInstance("app").setParameters({})`, "throw RtmError NOT_SUPPORTED"},
		{`AgoraRTM.createInstance("app").updateConfig({enableLogUpload: true})`, "throw RtmError NOT_SUPPORTED"},
	}
	for _, tc := range cases {
		got := p.str(`const c = AgoraRTC.createClient({mode: "live", codec: "vp8"}); return await how(() => ` + tc.call + `);`)
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.call, got, tc.want)
		}
	}

	// preload reaches the server a join will use: one that does not answer
	// is reported.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	if got := p.str(`AgoraRTC.setParameter("SERVER_URL", ` + jsString(dead) + `);
		const out = [AgoraRTC.getServerURL(), await how(() => AgoraRTC.preload(` + jsString(srv.TestAppID) + `, "warm", null, 3))];
		AgoraRTC.setServerURL(` + jsString(srv.URL) + `);
		return out.join(" ");`); got != dead+" reject CAN_NOT_GET_GATEWAY_SERVER" {
		t.Errorf("setParameter(SERVER_URL) and preload with no server: %s, want %s reject CAN_NOT_GET_GATEWAY_SERVER", got, dead)
	}
}

// AgoraRTC.setLogLevel filters the SDK's own console output.
func TestSetLogLevelFilters(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "logs")
	got := p.str(`const seen = [];
		const orig = {error: console.error, warn: console.warn};
		console.error = (...a) => seen.push(a.join(" "));
		try {
			AgoraRTC.setLogLevel(4); // NONE
			new AgoraRTC.AgoraRTCError("UNEXPECTED_ERROR", "hidden").print();
			AgoraRTC.setLogLevel(3); // ERROR
			new AgoraRTC.AgoraRTCError("UNEXPECTED_ERROR", "shown").print();
		} finally {
			Object.assign(console, orig);
			AgoraRTC.setLogLevel(1);
		}
		return seen.join("|");`)
	if strings.Contains(got, "hidden") || !strings.Contains(got, "shown") || !strings.Contains(got, "[cohost-rtc]") {
		t.Errorf("console output with levels NONE then ERROR: %q, want only the second error, tagged [cohost-rtc]", got)
	}
}

// AgoraRTM.VERSION is the agora-rtm-sdk API level implemented (1.x),
// which libraries compare with Agora's versions; cohost's own is in BUILD.
func TestRTMVersion(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "rtm-version")
	if v := p.str(`return AgoraRTM.VERSION`); !strings.HasPrefix(v, "1.") || strings.Count(v, ".") != 2 {
		t.Errorf("AgoraRTM.VERSION = %q, want an agora-rtm-sdk 1.x version", v)
	}
	if b := p.str(`return AgoraRTM.BUILD`); b != p.str(`return AgoraRTC.BUILD`) || !strings.HasPrefix(b, "cohost-") {
		t.Errorf("AgoraRTM.BUILD = %q, want cohost's version, as AgoraRTC.BUILD", b)
	}
}
