// Package sdkbuild builds the Web SDKs: the ES module sources under
// web/sdk/src are bundled with esbuild into the files a browser loads, the
// classic script (defining the global AgoraRTC or AgoraRTM) and the ES
// module, for each SDK. The built files are committed in each SDK's npm
// package directory (web/sdk/rtc, web/sdk/rtm) and embedded in the binary;
// `go run ./web/build` rewrites them and a test fails when they differ from
// what the sources build to.
package sdkbuild

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// ErrBuild is returned when esbuild reports errors.
var ErrBuild = errors.New("sdkbuild: build failed")

// SDK is one Web SDK: its source directory under src (also the name of its
// npm package's directory, holding the built files), the global its classic
// script defines and the base name of its built files.
type SDK struct {
	Dir    string // e.g. "rtc": entries src/rtc/global.js and src/rtc/module.js, built into rtc/
	Global string // e.g. "AgoraRTC"
	Name   string // e.g. "cohost-rtc": cohost-rtc.js and cohost-rtc.mjs
	About  string // the header comment's first paragraph
}

// SDKs are the SDKs cohost ships.
var SDKs = []SDK{
	{Dir: "rtc", Global: "AgoraRTC", Name: "cohost-rtc", About: `cohost RTC Web SDK — the browser client of a cohost server, with the public
API of agora-rtc-sdk-ng 4.x (AgoraRTC.createClient, client.join, publish,
subscribe, channel media relay …).`},
	{Dir: "rtm", Global: "AgoraRTM", Name: "cohost-rtm", About: `cohost RTM Web SDK — the browser client of cohost's real-time messaging
service, with the public API of agora-rtm-sdk 1.x (AgoraRTM.createInstance,
login, sendMessageToPeer, channels, attributes, presence, invitations).`},
}

// Build bundles every SDK's sources found under sdkDir/src and returns the
// built files by their slash-separated path under sdkDir (e.g.
// "rtc/cohost-rtc.js").
func Build(sdkDir string) (map[string][]byte, error) {
	out := make(map[string][]byte)
	for _, sdk := range SDKs {
		for _, f := range []struct {
			entry, ext string
			format     api.Format
		}{
			{"global.js", ".js", api.FormatIIFE},
			{"module.js", ".mjs", api.FormatESModule},
		} {
			code, err := bundle(sdkDir, sdk, f.entry, f.format)
			if err != nil {
				return nil, err
			}
			out[sdk.Dir+"/"+sdk.Name+f.ext] = code
		}
	}
	return out, nil
}

func bundle(sdkDir string, sdk SDK, entry string, format api.Format) ([]byte, error) {
	load := "<script src=\"https://your-cohost-server/sdk/" + sdk.Name + ".js\"></script>   (defines window." + sdk.Global + ")"
	if format == api.FormatESModule {
		load = "import " + sdk.Global + " from \"https://your-cohost-server/sdk/" + sdk.Name + ".mjs\";"
	}
	banner := "/*\n * " + strings.ReplaceAll(sdk.About, "\n", "\n * ") + "\n *\n *   " + load + "\n *\n" +
		" * It talks to the server it was loaded from; " + sdk.Global + ".setServerURL(url) points it\n" +
		" * at another one. Built by `go run ./web/build` from web/sdk/src/" + sdk.Dir + ": do not edit.\n */"
	opts := api.BuildOptions{
		EntryPoints:   []string{filepath.Join(sdkDir, "src", sdk.Dir, entry)},
		AbsWorkingDir: sdkDir,
		Bundle:        true,
		Write:         false,
		Format:        format,
		Target:        api.ES2020,
		Charset:       api.CharsetUTF8,
		LegalComments: api.LegalCommentsInline,
		LogLevel:      api.LogLevelSilent,
		Banner:        map[string]string{"js": banner},
	}
	if format == api.FormatIIFE {
		// CommonJS (require) gets the SDK object as the module's exports.
		opts.Footer = map[string]string{"js": "if (typeof module === \"object\" && module && module.exports) module.exports = globalThis." + sdk.Global + ";"}
	}
	res := api.Build(opts)
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, fmt.Errorf("%w: %s %s:\n%s", ErrBuild, sdk.Name, entry, strings.Join(msgs, "\n"))
	}
	if len(res.OutputFiles) != 1 {
		return nil, fmt.Errorf("%w: %s %s: %d output files", ErrBuild, sdk.Name, entry, len(res.OutputFiles))
	}
	return res.OutputFiles[0].Contents, nil
}

// Bundle bundles source (JavaScript, imports resolved from resolveDir) into
// one script: an IIFE for a classic <script>, or an ES module. It is how the
// tests build pages written as applications are: with esbuild's Go API, no
// npm.
func Bundle(source, resolveDir string, format api.Format, alias map[string]string) ([]byte, error) {
	res := api.Build(api.BuildOptions{
		Stdin:    &api.StdinOptions{Contents: source, ResolveDir: resolveDir, Sourcefile: "app.js", Loader: api.LoaderJS},
		Bundle:   true,
		Write:    false,
		Format:   format,
		Target:   api.ES2020,
		Alias:    alias,
		LogLevel: api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, fmt.Errorf("%w: %s", ErrBuild, strings.Join(msgs, "\n"))
	}
	if len(res.OutputFiles) != 1 {
		return nil, fmt.Errorf("%w: %d output files", ErrBuild, len(res.OutputFiles))
	}
	return res.OutputFiles[0].Contents, nil
}
