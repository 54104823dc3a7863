package browsertest

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// agoraNames reads a committed list of an Agora SDK's public runtime names
// (written by `go run ./web/compat/enumerate` from the npm package named in
// its header): the names by object.
func agoraNames(t *testing.T, file string) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "agora-names", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		obj, name, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: bad line %q", file, line)
		}
		out[obj] = append(out[obj], name)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// namesJS lists an object's public names as the enumerator does.
const namesJS = `const list = (o) => {
		const out = new Set();
		for (let p = o; p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
			for (const k of Object.getOwnPropertyNames(p)) if (!k.startsWith("_") && k !== "constructor") out.add(k);
		}
		for (const k in o) if (!k.startsWith("_")) out.add(k);
		return Array.from(out).sort();
	};`

// missing reports the names of want that got lacks, per object.
func missing(t *testing.T, sdk string, want, got map[string][]string) {
	t.Helper()
	for obj, names := range want {
		var lack []string
		for _, n := range names {
			if !slices.Contains(got[obj], n) {
				lack = append(lack, n)
			}
		}
		if len(lack) > 0 {
			t.Errorf("%s: %s lacks %d of Agora's names: %s", sdk, obj, len(lack), strings.Join(lack, " "))
		}
	}
}

// Every public name of agora-rtc-sdk-ng 4.x exists in cohost's RTC SDK: the
// runtime names of the SDK object, a client, local tracks, the relay
// configuration and the ES module's named exports, and the type names its
// declarations export (in cohost-rtc.d.ts).
func TestAgoraRTCPublicNames(t *testing.T) {
	want := agoraNames(t, "agora-rtc-sdk-ng.txt")
	srv := servertest.Start(t)
	p := newPage(t, srv, "names")
	got := evalJS[map[string][]string](p, namesJS+`
		const out = {};
		out["AgoraRTC"] = list(AgoraRTC);
		out["client"] = list(AgoraRTC.createClient({mode: "live", codec: "vp8"}));
		out["ChannelMediaRelayConfiguration"] = list(AgoraRTC.createChannelMediaRelayConfiguration());
		const cam = await AgoraRTC.createCameraVideoTrack({encoderConfig: "120p_1"});
		const mic = await AgoraRTC.createMicrophoneAudioTrack();
		out["CameraVideoTrack"] = list(cam);
		out["MicrophoneAudioTrack"] = list(mic);
		cam.close(); mic.close();
		out["esm"] = Object.keys(await import("/sdk/cohost-rtc.mjs")).sort();
		return out;`)
	got["types"] = declaredTypes(t, "rtc/cohost-rtc.d.ts")
	missing(t, "cohost-rtc", want, got)
}

// Every public name of agora-rtm-sdk 1.x exists in cohost's RTM SDK: the
// runtime names of the SDK object, a client, a channel and a local
// invitation, and the type names its declarations export (in
// cohost-rtm.d.ts).
func TestAgoraRTMPublicNames(t *testing.T) {
	want := agoraNames(t, "agora-rtm-sdk.txt")
	srv := servertest.Start(t)
	p := newPage(t, srv, "names")
	got := evalJS[map[string][]string](p, namesJS+`
		const out = {};
		out["AgoraRTM"] = list(AgoraRTM);
		const c = AgoraRTM.createInstance(`+jsString(srv.TestAppID)+`);
		out["RtmClient"] = list(c);
		out["RtmChannel"] = list(c.createChannel("names"));
		out["LocalInvitation"] = list(c.createLocalInvitation("peer"));
		return out;`)
	got["types"] = declaredTypes(t, "rtm/cohost-rtm.d.ts")
	missing(t, "cohost-rtm", want, got)
}

// exportedTypeRE finds the names a declaration file exports.
var exportedTypeRE = regexp.MustCompile(`(?m)^export (?:declare )?(?:interface|type|enum|class|const|function|namespace) (\w+)`)

// declaredTypes lists the names cohost's declaration file exports.
func declaredTypes(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "sdk", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range exportedTypeRE.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	return out
}

// Some of the calls the names test asks for, at work: clone and
// replaceTrack, a call cohost does not support failing loudly, and
// massSubscribe.
func TestAgoraRTCAddedCalls(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	got := host.str(`const cam = await T.camera("cam");
		const copy = cam.clone();
		const other = (await navigator.mediaDevices.getUserMedia({video: true})).getVideoTracks()[0];
		const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "calls", null, 1);
		await c.publish([cam, await T.mic("mic")]);
		await cam.replaceTrack(other, true);
		const sender = cam.getRTCRtpTransceiver().sender.track;
		const out = [copy.getTrackId() !== cam.getTrackId(), copy.getMediaStreamTrack().readyState,
			cam.getMediaStreamTrack() === other, sender === other,
			await T.err(() => c.startLiveStreaming("rtmp://example.com/live")), c.getNetworkQuality().uplinkNetworkQuality];
		copy.close();
		return out.join(" ");`)
	if got != "true live true true NOT_SUPPORTED 0" {
		t.Errorf("clone, replaceTrack, startLiveStreaming, getNetworkQuality: %s", got)
	}
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}).join(` + app + `, "calls", null, 2)`)
	viewer.waitEvent("viewer user-published 1 video")
	viewer.waitEvent("viewer user-published 1 audio")
	if got := viewer.str(`const c = T.clients.viewer; const u = c.remoteUsers[0];
		const res = await c.massSubscribe([{user: u, mediaType: "video"}, {user: u, mediaType: "audio"}]);
		return res.map((r) => r.mediaType + ":" + (r.track ? r.track.trackMediaType : r.error.code)).join(" ");`); got != "video:video audio:audio" {
		t.Errorf("massSubscribe: %s", got)
	}
	viewer.waitDecoding("viewer", 1)
}
