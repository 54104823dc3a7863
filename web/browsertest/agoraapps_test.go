package browsertest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/token"
	"github.com/cohost-rtc/cohost/web/sdkbuild"
)

// Agora web applications written the usual ways run unchanged on cohost:
// a script tag with Agora's CDN script swapped for cohost's, or an ES
// module application bundled with "agora-rtc-sdk-ng" aliased to cohost's
// module (here with esbuild's Go API, as Vite does with esbuild).

// bundleApp bundles an application's source as a bundler with the Agora
// packages aliased to cohost's ES modules does, and returns the ES module.
func bundleApp(t *testing.T, source string) string {
	t.Helper()
	sdk, err := filepath.Abs("../sdk")
	if err != nil {
		t.Fatal(err)
	}
	code, err := sdkbuild.Bundle(source, sdk, api.FormatESModule, map[string]string{
		"agora-rtc-sdk-ng": filepath.Join(sdk, "rtc", "cohost-rtc.mjs"),
		"agora-rtm-sdk":    filepath.Join(sdk, "rtm", "cohost-rtm.mjs"),
	})
	if err != nil {
		t.Fatalf("bundling the application: %v", err)
	}
	return string(code)
}

// runApp loads an application bundle into the page as a module script.
func (p *page) runApp(code string) {
	p.t.Helper()
	p.run(`const url = URL.createObjectURL(new Blob([` + jsString(code) + `], {type: "text/javascript"}));
		await import(url);`)
}

// An agora-rtc-react application calls AgoraRTC.setAppType when it is
// imported; without it the page stays blank.
func TestBundledAppSetAppType(t *testing.T) {
	srv := servertest.Start(t)
	p := openPage(t, srv, "react")
	p.runApp(bundleApp(t, `import AgoraRTC from "agora-rtc-sdk-ng";
		AgoraRTC.setAppType(3);
		AgoraRTC.setServerURL(`+jsString(srv.URL)+`);
		window.app = { client: AgoraRTC.createClient({ mode: "rtc", codec: "vp8" }) };`))
	if got := p.str(`const uid = await app.client.join(` + jsString(srv.TestAppID) + `, "react", null, 7); await app.client.leave(); return String(uid);`); got != "7" {
		t.Errorf("join after setAppType: %s", got)
	}
	if got := p.str(`return T.err(() => AgoraRTC.setAppType(-1))`); got != "INVALID_PARAMS" {
		t.Errorf("setAppType(-1): %s, want INVALID_PARAMS as Agora's", got)
	}
}

// AgoraRTC.VERSION is the agora-rtc-sdk-ng API level (4.x), which
// libraries compare with Agora's versions; cohost's own is in BUILD.
func TestScriptTagVersion(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "version")
	v := p.str(`return AgoraRTC.VERSION`)
	var major, minor, patch int
	if n, _ := fmt.Sscanf(v, "%d.%d.%d", &major, &minor, &patch); n != 3 || major != 4 || minor < 18 {
		t.Errorf("AgoraRTC.VERSION = %q, want an agora-rtc-sdk-ng 4.x version (≥ 4.18)", v)
	}
	if b := p.str(`return AgoraRTC.BUILD`); !strings.HasPrefix(b, "cohost-") {
		t.Errorf("AgoraRTC.BUILD = %q, want cohost's version", b)
	}
}

// An ES module application importing agora-rtc-sdk-ng's named exports
// builds (a missing export fails the bundle, as in Rollup or Vite) and
// they work.
func TestBundledAppNamedExports(t *testing.T) {
	srv := servertest.Start(t)
	p := openPage(t, srv, "esm-names")
	// The named exports of agora-rtc-sdk-ng 4.24.8's ES module
	// (esm/AgoraRTC_N-production.esm-bundler.mjs), all of them.
	names := []string{"AREAS", "AgoraRTC", "ChannelMediaRelayError", "ChannelMediaRelayEvent", "ChannelMediaRelayState",
		"DEV", "ESM", "ESM_BUNDLER", "UMD", "__CLIENT_LIST__", "checkAudioTrackIsActive", "checkSystemRequirements",
		"checkVideoTrackIsActive", "createChannelMediaRelayConfiguration", "createClient", "disableLogUpload",
		"enableLogUpload", "getCameras", "getDevices", "getMicrophones", "getPlaybackDevices", "getSupportedCodec",
		"isAV1Decodable", "onAudioAutoplayFailed", "onAudioContextStateChanged", "onAutoplayFailed", "onCameraChanged",
		"onMicrophoneChanged", "onSecurityPolicyViolation", "preload", "processExternalMediaAEC", "registerExtensions",
		"requestConfigDistribute", "resumeAudioContext", "setAppType", "setArea", "setLogLevel", "setParameter",
		"startLastmileProbeTest"}
	p.runApp(bundleApp(t, `import AgoraRTCDefault, { `+strings.Join(names, ", ")+` } from "agora-rtc-sdk-ng";
		window.app = { AgoraRTCDefault, `+strings.Join(names, ", ")+` };`))
	if got := p.str(`return app.AgoraRTC === app.AgoraRTCDefault ? "same" : "different"`); got != "same" {
		t.Errorf("the named AgoraRTC export and the default export are %s", got)
	}
	if got := p.str(`return app.AREAS.NORTH_AMERICA + " " + app.AREAS.GLOBAL`); got != "NORTH_AMERICA GLOBAL" {
		t.Errorf("AREAS: %s", got)
	}
	if got := p.str(`app.setArea([app.AREAS.GLOBAL]); app.setLogLevel(1);
		app.onAutoplayFailed(() => {});
		const c = app.createClient({mode: "rtc", codec: "vp8"});
		app.AgoraRTCDefault.setServerURL(` + jsString(srv.URL) + `);
		const uid = await c.join(` + jsString(srv.TestAppID) + `, "names", null, 9);
		await c.leave();
		return typeof app.AgoraRTCDefault.onAutoplayFailed + " " + uid + " " + (await app.getSupportedCodec()).video.includes("VP8");`); got != "function 9 true" {
		t.Errorf("named exports in use: %s", got)
	}
}

// getTrackLabel names a local track's device, as device pickers show it.
func TestTrackLabel(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "labels")
	got := p.str(`const cam = await AgoraRTC.createCameraVideoTrack({encoderConfig: "120p_1"});
		const mic = await AgoraRTC.createMicrophoneAudioTrack();
		const out = [cam.getTrackLabel() === cam.getMediaStreamTrack().label, cam.getTrackLabel() !== "", mic.getTrackLabel() === mic.getMediaStreamTrack().label];
		cam.close(); mic.close();
		return out.join(" ");`)
	if got != "true true true" {
		t.Errorf("getTrackLabel: %s, want the devices' labels", got)
	}
}

// new AgoraRTC.createClient(config) works, as with Agora's SDK (and new
// AgoraRTM.createInstance(appId)).
func TestFactoriesWithNew(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "new")
	got := p.str(`const c = new AgoraRTC.createClient({mode: "live", codec: "vp8"});
		const r = new AgoraRTM.createInstance(` + jsString(srv.TestAppID) + `);
		const cfg = new AgoraRTC.createChannelMediaRelayConfiguration();
		return [typeof c.join, c.connectionState, typeof r.login, typeof cfg.setSrcChannelInfo].join(" ");`)
	if got != "function DISCONNECTED function function" {
		t.Errorf("with new: %s", got)
	}
}

// A join with an invalid token fails as Agora's does:
// CAN_NOT_GET_GATEWAY_SERVER, "invalid token, authorized failed".
func TestJoinInvalidToken(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "badtoken")
	other := srv.Token(t, "elsewhere", 5, token.RolePublisher, 3600)
	for _, tok := range []string{"007bogus", other} {
		got := p.str(`try {
				await AgoraRTC.createClient({mode: "live", codec: "vp8"}).join(` + jsString(srv.AppID) + `, "badtoken", ` + jsString(tok) + `, 5);
				return "joined";
			} catch (e) { return e.code + ": " + e.message; }`)
		if !strings.HasPrefix(got, "CAN_NOT_GET_GATEWAY_SERVER: ") || !strings.Contains(got, "invalid token, authorized failed") {
			t.Errorf("join with token %.20s…: %q, want CAN_NOT_GET_GATEWAY_SERVER invalid token, authorized failed", tok, got)
		}
	}
}

// The usual promotion of a viewer to co-host, leave, setClientRole("host")
// and join again, works whether or not the app waits for leave(): a join
// issued during a leave waits for it, and a role set then is kept for the
// next join.
func TestPromoteByLeaveRoleJoin(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	host.run(`await T.newClient("host", {mode: "live", codec: "vp8", role: "host"}).join(` + app + `, "promote", null, 1);`)
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}).join(` + app + `, "promote", null, 2);`)

	// Without waiting for leave.
	got := viewer.str(`const c = T.clients.viewer;
		const left = c.leave();
		await c.setClientRole("host");
		await c.join(` + app + `, "promote", null, 2);
		await left;
		await c.publish([await T.camera("cam")]);
		return c.role + " " + c.connectionState;`)
	if got != "host CONNECTED" {
		t.Errorf("promote without waiting for leave: %s, want host CONNECTED", got)
	}
	host.waitEvent("host user-published 2 video")

	// Back to audience the same way, then host again waiting for leave.
	got = viewer.str(`const c = T.clients.viewer;
		c.leave();
		const role = c.setClientRole("audience");
		await c.join(` + app + `, "promote", null, 2);
		await role;
		const r1 = c.role;
		await c.leave();
		await c.setClientRole("host");
		await c.join(` + app + `, "promote", null, 2);
		await c.publish([T.tracks.cam]);
		return r1 + " " + c.role;`)
	if got != "audience host" {
		t.Errorf("demote and promote again: %s, want audience host", got)
	}
	host.waitFor("the promoted viewer's video published twice", `T.count("host user-published 2 video") === 2`)
}

// AgoraRTC.onAutoplayFailed is called when the browser blocks a play(),
// once until the user interacts with the page; onAudioAutoplayFailed for
// each blocked audio track.
func TestAutoplayFailed(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "autoplay")
	got := p.str(`HTMLMediaElement.prototype.play = function () {
			return Promise.reject(new DOMException("play() failed because the user didn't interact with the document first.", "NotAllowedError"));
		};
		let any = 0, audio = 0;
		AgoraRTC.onAutoplayFailed = () => any++;
		AgoraRTC.onAudioAutoplayFailed = () => audio++;
		const cam = await AgoraRTC.createCameraVideoTrack({encoderConfig: "120p_1"});
		const mic = await AgoraRTC.createMicrophoneAudioTrack();
		cam.play(T.box("cam"));
		mic.play();
		await T.sleep(300);
		const before = any + "/" + audio;
		document.body.dispatchEvent(new MouseEvent("click", {bubbles: true}));
		cam.play(T.box("cam"));
		await T.sleep(300);
		cam.close(); mic.close();
		return before + " " + any + "/" + audio;`)
	if got != "1/1 2/1" {
		t.Errorf("onAutoplayFailed/onAudioAutoplayFailed calls: %s, want 1/1 then, after a click, 2/1", got)
	}
}

// An RTM application transpiled by an older Babel (regenerator, without
// its runtime) relies on the global regeneratorRuntime that agora-rtm-sdk
// 1.x defines.
func TestRTMRegeneratorApp(t *testing.T) {
	srv := servertest.Start(t)
	p := openPage(t, srv, "babel", "/sdk/cohost-rtm.js")
	// What Babel 7's preset-env gives for
	//   async function start(appId) { const c = AgoraRTM.createInstance(appId); await c.login({uid: "babel"}); … }
	p.run(`const s = document.createElement("script");
		s.textContent = ` + jsString(babelApp) + `;
		document.head.appendChild(s);`)
	if got := p.str(`if (!window.start) return "the application did not load"; await start(` + jsString(srv.TestAppID) + `); return window.babelResult;`); got != "CONNECTED" {
		t.Errorf("the transpiled application: %s, want CONNECTED", got)
	}
}

const babelApp = `"use strict";
function asyncGeneratorStep(gen, resolve, reject, _next, _throw, key, arg) { try { var info = gen[key](arg); var value = info.value; } catch (error) { reject(error); return; } if (info.done) { resolve(value); } else { Promise.resolve(value).then(_next, _throw); } }
function _asyncToGenerator(fn) { return function () { var self = this, args = arguments; return new Promise(function (resolve, reject) { var gen = fn.apply(self, args); function _next(value) { asyncGeneratorStep(gen, resolve, reject, _next, _throw, "next", value); } function _throw(err) { asyncGeneratorStep(gen, resolve, reject, _next, _throw, "throw", err); } _next(undefined); }); }; }
function start(_x) {
  return _start.apply(this, arguments);
}
function _start() {
  _start = _asyncToGenerator( /*#__PURE__*/regeneratorRuntime.mark(function _callee(appId) {
    var client;
    return regeneratorRuntime.wrap(function _callee$(_context) {
      while (1) switch (_context.prev = _context.next) {
        case 0:
          client = AgoraRTM.createInstance(appId);
          _context.next = 3;
          return client.login({
            uid: "babel"
          });
        case 3:
          window.babelResult = client.connectionState;
          _context.next = 6;
          return client.logout();
        case 6:
        case "end":
          return _context.stop();
      }
    }, _callee);
  }));
  return _start.apply(this, arguments);
}
window.start = start;
`
