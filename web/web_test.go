package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/cohost-rtc/cohost/web"
)

// The SDK files are served under their flat names (/sdk/cohost-rtc.js …)
// although each SDK's files live in its npm package's directory.
func TestSDKServesEachPackagesFilesByName(t *testing.T) {
	want := []string{
		"cohost-rtc.d.ts", "cohost-rtc.js", "cohost-rtc.mjs",
		"cohost-rtm.d.ts", "cohost-rtm.js", "cohost-rtm.mjs",
	}
	if err := fstest.TestFS(web.SDK(), want...); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := fs.WalkDir(web.SDK(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("SDK files %v, want %v", got, want)
	}
	for _, name := range want {
		dir := "rtc"
		if name[len("cohost-rt")] == 'm' {
			dir = "rtm"
		}
		disk, err := os.ReadFile(filepath.Join("sdk", dir, name))
		if err != nil {
			t.Fatal(err)
		}
		served, err := fs.ReadFile(web.SDK(), name)
		if err != nil {
			t.Fatal(err)
		}
		if string(disk) != string(served) {
			t.Errorf("%s: served bytes differ from sdk/%s/%s", name, dir, name)
		}
	}
	for _, name := range []string{"rtc/cohost-rtc.js", "package.json", "src", "missing.js"} {
		if _, err := fs.Stat(web.SDK(), name); err == nil {
			t.Errorf("%s: found, want not served", name)
		}
	}
}
