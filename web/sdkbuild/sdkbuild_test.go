package sdkbuild_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/cohost-rtc/cohost/web/sdkbuild"
)

// The committed SDK files are what the sources build to: a change to
// web/sdk/src without `go run ./web/build` (or an edit of a built file)
// fails here.
func TestCommittedFilesAreBuiltFromSources(t *testing.T) {
	dir, err := filepath.Abs("../sdk")
	if err != nil {
		t.Fatal(err)
	}
	files, err := sdkbuild.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2*len(sdkbuild.SDKs) {
		t.Fatalf("built %d files, want %d", len(files), 2*len(sdkbuild.SDKs))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v (run `go run ./web/build`)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("web/sdk/%s differs from what web/sdk/src builds to: run `go run ./web/build` and commit the result", name)
		}
	}
}

// Building twice gives the same bytes: the committed files do not depend
// on when or where they were built.
func TestBuildIsReproducible(t *testing.T) {
	dir, err := filepath.Abs("../sdk")
	if err != nil {
		t.Fatal(err)
	}
	a, err := sdkbuild.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sdkbuild.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: two builds differ", name)
		}
	}
}
