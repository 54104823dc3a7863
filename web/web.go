// Package web holds the browser side of cohost: the RTC and RTM Web SDKs
// under sdk/ and the demo app under demo/, embedded in the binary so that
// `cohost serve` serves them without a build step. The SDK files are built
// from web/sdk/src by `go run ./web/build` and committed, each SDK in its
// npm package's directory (sdk/rtc, sdk/rtm); what a browser loads is
// exactly what is there.
package web

import (
	"embed"
	"io/fs"
)

//go:embed sdk/rtc/*.js sdk/rtc/*.mjs sdk/rtc/*.d.ts sdk/rtm/*.js sdk/rtm/*.mjs sdk/rtm/*.d.ts demo
var files embed.FS

// SDK returns the Web SDK files as one flat directory, the names they are
// served under: cohost-rtc.js (classic script defining the global
// AgoraRTC), cohost-rtc.mjs (ES module), cohost-rtc.d.ts (TypeScript
// declarations), and the same three for cohost-rtm.
func SDK() fs.FS { return flatFS{fsys: files, dirs: []string{"sdk/rtc", "sdk/rtm"}} }

// Demo returns the demo app: index.html and its assets.
func Demo() fs.FS { return sub("demo") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return f
}
