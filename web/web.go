// Package web holds the browser side of cohost: the RTC (and RTM) Web SDKs
// under sdk/ and the demo app under demo/, embedded in the binary so that
// `cohost serve` serves them without a build step. The SDK files are built
// from web/sdk/src by `go run ./web/build` and committed; what a browser
// loads is exactly what is in web/sdk.
package web

import (
	"embed"
	"io/fs"
)

//go:embed sdk/*.js sdk/*.mjs sdk/*.d.ts demo
var files embed.FS

// SDK returns the Web SDK files: cohost-rtc.js (classic script defining the
// global AgoraRTC), cohost-rtc.mjs (ES module) and their TypeScript
// declarations.
func SDK() fs.FS { return sub("sdk") }

// Demo returns the demo app: index.html and its assets.
func Demo() fs.FS { return sub("demo") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return f
}
