package sdkbuild_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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

// The npm package (web/package.json) publishes the built files: every
// path its exports name exists, and its version is the SDKs' own.
func TestPackageLayout(t *testing.T) {
	b, err := os.ReadFile("../package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Name    string                     `json:"name"`
		Version string                     `json:"version"`
		Exports map[string]json.RawMessage `json:"exports"`
		Main    string                     `json:"main"`
		Module  string                     `json:"module"`
		Types   string                     `json:"types"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Name == "" || pkg.Version == "" {
		t.Fatalf("package.json lacks name or version: %q %q", pkg.Name, pkg.Version)
	}
	paths := []string{pkg.Main, pkg.Module, pkg.Types}
	for sub, raw := range pkg.Exports {
		var conds map[string]string
		if err := json.Unmarshal(raw, &conds); err != nil {
			var one string
			if err := json.Unmarshal(raw, &one); err != nil {
				t.Fatalf("exports %q: %s", sub, raw)
			}
			paths = append(paths, one)
			continue
		}
		for _, p := range conds {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join("..", p)); err != nil {
			t.Errorf("package.json names %s: %v", p, err)
		}
	}
	for _, f := range []string{"src/rtc/constants.js", "src/rtm/sdk.js"} {
		src, err := os.ReadFile(filepath.Join("../sdk", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(src, []byte(`VERSION = "`+pkg.Version+`"`)) {
			t.Errorf("%s does not give the package's version %s", f, pkg.Version)
		}
	}
}

var exportedRE = regexp.MustCompile(`(?m)^export (?:declare )?(?:interface|type|enum|class|const|function|namespace) (\w+)`)

// The committed declarations are those of the TypeScript sources (written
// by `npm run types`): both export the same names. (The compiler itself is
// a development-time tool; this catches sources changed without it.)
func TestDeclarationsMatchTheirSources(t *testing.T) {
	for _, sdk := range sdkbuild.SDKs {
		src, err := os.ReadFile(filepath.Join("../sdk/src/types", sdk.Name+".ts"))
		if err != nil {
			t.Fatal(err)
		}
		dts, err := os.ReadFile(filepath.Join("../sdk", sdk.Name+".d.ts"))
		if err != nil {
			t.Fatal(err)
		}
		names := func(b []byte) []string {
			var out []string
			for _, m := range exportedRE.FindAllSubmatch(b, -1) {
				out = append(out, string(m[1]))
			}
			slices.Sort(out)
			return slices.Compact(out)
		}
		if a, b := names(src), names(dts); !slices.Equal(a, b) {
			t.Errorf("%s.d.ts exports %d names, its source %d: run `npm run types` in web/ and commit the result", sdk.Name, len(b), len(a))
		}
	}
}
