// Command enumerate lists the public runtime names of Agora's Web SDKs, the
// lists web/browsertest checks cohost's SDKs against
// (web/browsertest/testdata/agora-names). It runs the packages' scripts in
// chromium and lists the names of the SDK object, of a client and of the
// other objects an application gets, and reads the named exports of
// agora-rtc-sdk-ng's ES module. A runtime name is kept when the package's
// TypeScript declarations publish it (as a member or an exported
// declaration): the rest are the minified internals of Agora's objects.
// Development time only (it needs the npm
// packages and chromium):
//
//	mkdir /tmp/agora && cd /tmp/agora && npm install agora-rtc-sdk-ng@4.24.8 agora-rtm-sdk@1.6.0 typescript@5.9.3
//	go run ./web/compat/enumerate -modules /tmp/agora/node_modules -out web/browsertest/testdata/agora-names
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	modules := flag.String("modules", "", "a node_modules directory holding agora-rtc-sdk-ng and agora-rtm-sdk")
	out := flag.String("out", "web/browsertest/testdata/agora-names", "where the lists are written")
	chromium := flag.String("chromium", "chromium", "the browser")
	typescript := flag.String("typescript", "", "the typescript package directory (default: <modules>/typescript)")
	flag.Parse()
	ts := *typescript
	if ts == "" {
		ts = filepath.Join(*modules, "typescript")
	}
	if err := run(*modules, *out, *chromium, ts); err != nil {
		fmt.Fprintln(os.Stderr, "enumerate:", err)
		os.Exit(1)
	}
}

// names lists, for each object an application gets, its public names: own
// and inherited properties, without the "_"-prefixed private ones.
const names = `(() => {
	const list = (o) => {
		const out = new Set();
		for (let p = o; p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
			for (const k of Object.getOwnPropertyNames(p)) if (!k.startsWith("_") && k !== "constructor") out.add(k);
		}
		return Array.from(out).sort();
	};
	return list;
})()`

const rtcScript = `(async () => {
	const list = ` + names + `;
	const out = {};
	out["AgoraRTC"] = list(AgoraRTC);
	out["client"] = list(AgoraRTC.createClient({mode: "live", codec: "vp8"}));
	out["ChannelMediaRelayConfiguration"] = list(AgoraRTC.createChannelMediaRelayConfiguration());
	const cam = await AgoraRTC.createCameraVideoTrack();
	const mic = await AgoraRTC.createMicrophoneAudioTrack();
	out["CameraVideoTrack"] = list(cam);
	out["MicrophoneAudioTrack"] = list(mic);
	cam.close(); mic.close();
	return out;
})()`

const rtmScript = `(async () => {
	const list = ` + names + `;
	const out = {};
	out["AgoraRTM"] = list(AgoraRTM);
	const c = AgoraRTM.createInstance("0123456789abcdef0123456789abcdef", {logFilter: AgoraRTM.LOG_FILTER_OFF});
	out["RtmClient"] = list(c);
	out["RtmChannel"] = list(c.createChannel("names"));
	out["LocalInvitation"] = list(c.createLocalInvitation("peer"));
	return out;
})()`

func run(modules, out, chromium, tsDir string) error {
	rtcDir := filepath.Join(modules, "agora-rtc-sdk-ng")
	rtmDir := filepath.Join(modules, "agora-rtm-sdk")
	rtcVersion, err := version(rtcDir)
	if err != nil {
		return err
	}
	rtmVersion, err := version(rtmDir)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>names</title>")
	}))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "enumerate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(dir),
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true))
	defer cancelAlloc()

	rtc, err := enumerate(alloc, srv.URL, filepath.Join(rtcDir, "AgoraRTC_N-production.js"), rtcScript)
	if err != nil {
		return fmt.Errorf("agora-rtc-sdk-ng: %w", err)
	}
	esm, err := moduleExports(filepath.Join(rtcDir, "esm", "AgoraRTC_N-production.esm-bundler.mjs"))
	if err != nil {
		return err
	}
	rtc["esm"] = esm
	rtm, err := enumerate(alloc, srv.URL, filepath.Join(rtmDir, "index.js"), rtmScript)
	if err != nil {
		return fmt.Errorf("agora-rtm-sdk: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	rtcDts, rtmDts := filepath.Join(rtcDir, "rtc-sdk_en.d.ts"), filepath.Join(rtmDir, "index.d.ts")
	if err := publicOnly(rtc, tsDir, rtcDts, map[string]string{"AgoraRTC": "IAgoraRTC", "client": "IAgoraRTCClient",
		"CameraVideoTrack": "ICameraVideoTrack", "MicrophoneAudioTrack": "IMicrophoneAudioTrack",
		"ChannelMediaRelayConfiguration": "IChannelMediaRelayConfiguration"}); err != nil {
		return err
	}
	if err := publicOnly(rtm, tsDir, rtmDts, map[string]string{"AgoraRTM": "AgoraRTM", "RtmClient": "RtmClient",
		"RtmChannel": "RtmChannel", "LocalInvitation": "LocalInvitation"}); err != nil {
		return err
	}
	// Type-only names: what the declarations export, checked against
	// cohost's .d.ts.
	if rtc["types"], err = exportedTypes(rtcDts); err != nil {
		return err
	}
	if rtm["types"], err = exportedTypes(rtmDts); err != nil {
		return err
	}
	if err := write(filepath.Join(out, "agora-rtc-sdk-ng.txt"), "agora-rtc-sdk-ng", rtcVersion, rtc); err != nil {
		return err
	}
	return write(filepath.Join(out, "agora-rtm-sdk.txt"), "agora-rtm-sdk", rtmVersion, rtm)
}

func version(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", fmt.Errorf("read package.json: %w", err)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(b, &pkg); err != nil {
		return "", fmt.Errorf("%s/package.json: %w", dir, err)
	}
	return pkg.Version, nil
}

func enumerate(alloc context.Context, url, script, body string) (map[string][]string, error) {
	code, err := os.ReadFile(script)
	if err != nil {
		return nil, err
	}
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(code))); err != nil {
		return nil, fmt.Errorf("load %s: %w", script, err)
	}
	return chromedp.Run(ctx, chromedp.Evaluate[map[string][]string](body, chromedp.EvalAwaitPromise))
}

// publicOnly keeps, in each list, the names the package's declarations
// publish on that object's type (decl maps the object to its declared
// type; "node declared.cjs" asks the TypeScript compiler).
func publicOnly(lists map[string][]string, tsDir, dts string, decl map[string]string) error {
	args := []string{"web/compat/enumerate/declared.cjs", tsDir, dts}
	for _, typ := range decl {
		args = append(args, typ)
	}
	out, err := exec.Command("node", args...).Output()
	if err != nil {
		return fmt.Errorf("node declared.cjs %s: %w", dts, err)
	}
	var declared map[string][]string
	if err := json.Unmarshal(out, &declared); err != nil {
		return fmt.Errorf("declared.cjs: %w", err)
	}
	for obj, typ := range decl {
		if len(declared[typ]) == 0 {
			return fmt.Errorf("%s: no declared type %s", dts, typ)
		}
		var pub []string
		for _, n := range lists[obj] {
			if slices.Contains(declared[typ], n) {
				pub = append(pub, n)
			}
		}
		lists[obj] = pub
	}
	return nil
}

var typeExportRE = regexp.MustCompile(`(?m)^export (?:declare )?(?:interface|type|enum|class|const|function|namespace) (\w+)`)
var typeListRE = regexp.MustCompile(`export type \{([^}]*)\}`)

// exportedTypes lists the names a declaration file exports.
func exportedTypes(dts string) ([]string, error) {
	b, err := os.ReadFile(dts)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range typeExportRE.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	for _, m := range typeListRE.FindAllStringSubmatch(string(b), -1) {
		for _, part := range strings.Split(m[1], ",") {
			if f := strings.Fields(part); len(f) > 0 {
				out = append(out, f[len(f)-1])
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

var exportRE = regexp.MustCompile(`export\s*\{([^}]*)\}`)

// moduleExports reads the names of an ES module's final export statement.
func moduleExports(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := exportRE.FindAllStringSubmatch(string(b), -1)
	if len(m) == 0 {
		return nil, fmt.Errorf("%s: no export statement", path)
	}
	var out []string
	for _, part := range strings.Split(m[len(m)-1][1], ",") {
		f := strings.Fields(part)
		if len(f) > 0 {
			out = append(out, f[len(f)-1])
		}
	}
	sort.Strings(out)
	return out, nil
}

// write stores the lists as "object name" lines, with a header naming the
// package and version.
func write(path, pkg, version string, lists map[string][]string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Public names of %s %s, written by `go run ./web/compat/enumerate`: \"<object> <name>\"\n", pkg, version)
	fmt.Fprintf(&b, "# for the runtime names (what the object has and the declarations publish), \"types <name>\"\n")
	fmt.Fprintf(&b, "# for the names the declaration file exports.\n")
	fmt.Fprintf(&b, "# package %s %s\n", pkg, version)
	objs := make([]string, 0, len(lists))
	for o := range lists {
		objs = append(objs, o)
	}
	sort.Strings(objs)
	for _, o := range objs {
		for _, n := range lists[o] {
			fmt.Fprintf(&b, "%s %s\n", o, n)
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
