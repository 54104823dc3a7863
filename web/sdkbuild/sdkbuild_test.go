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
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
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

// Each SDK is an npm package of its own (web/sdk/rtc, web/sdk/rtm) that
// publishes its built files: every path its manifest names exists inside
// the package directory, and all packages carry the SDKs' own version.
// web/package.json is the development package and is never published.
func TestPackageLayout(t *testing.T) {
	var dev struct {
		Private bool `json:"private"`
	}
	readJSON(t, "../package.json", &dev)
	if !dev.Private {
		t.Error("web/package.json is the development package: it must be private")
	}
	names := map[string]bool{}
	for _, sdk := range sdkbuild.SDKs {
		dir := filepath.Join("../sdk", sdk.Dir)
		var pkg struct {
			Name        string                     `json:"name"`
			Version     string                     `json:"version"`
			Private     bool                       `json:"private"`
			License     string                     `json:"license"`
			Main        string                     `json:"main"`
			Module      string                     `json:"module"`
			Types       string                     `json:"types"`
			Exports     map[string]json.RawMessage `json:"exports"`
			Files       []string                   `json:"files"`
			SideEffects *bool                      `json:"sideEffects"`
			Repository  struct {
				Directory string `json:"directory"`
			} `json:"repository"`
		}
		readJSON(t, filepath.Join(dir, "package.json"), &pkg)
		if pkg.Name == "" || pkg.Version == "" || pkg.Private || pkg.License == "" || pkg.SideEffects == nil {
			t.Fatalf("%s/package.json: name %q, version %q, private %v, license %q, sideEffects set %v: not publishable",
				sdk.Dir, pkg.Name, pkg.Version, pkg.Private, pkg.License, pkg.SideEffects != nil)
		}
		if names[pkg.Name] {
			t.Errorf("two packages named %s", pkg.Name)
		}
		names[pkg.Name] = true
		if want := "web/sdk/" + sdk.Dir; pkg.Repository.Directory != want {
			t.Errorf("%s: repository directory %q, want %q", pkg.Name, pkg.Repository.Directory, want)
		}
		root, ok := pkg.Exports["."]
		if !ok {
			t.Fatalf("%s: no \".\" export", pkg.Name)
		}
		var conds map[string]string
		if err := json.Unmarshal(root, &conds); err != nil {
			t.Fatalf("%s: exports \".\": %s", pkg.Name, root)
		}
		for _, c := range []string{"types", "import", "require"} {
			if conds[c] == "" {
				t.Errorf("%s: exports \".\" has no %q condition", pkg.Name, c)
			}
		}
		paths := append([]string{pkg.Main, pkg.Module, pkg.Types, conds["types"], conds["import"], conds["require"]}, pkg.Files...)
		for _, ext := range []string{".js", ".mjs", ".d.ts"} {
			if !slices.Contains(pkg.Files, sdk.Name+ext) {
				t.Errorf("%s: files does not publish %s", pkg.Name, sdk.Name+ext)
			}
		}
		for _, p := range paths {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
				t.Errorf("%s names %s: %v", pkg.Name, p, err)
			}
		}
		for _, f := range []string{"src/rtc/constants.js", "src/rtm/sdk.js"} {
			src, err := os.ReadFile(filepath.Join("../sdk", f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(src, []byte(`VERSION = "`+pkg.Version+`"`)) {
				t.Errorf("%s does not give the version of %s, %s", f, pkg.Name, pkg.Version)
			}
		}
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

var exportedRE = regexp.MustCompile(`(?m)^export (?:declare )?(?:interface|type|enum|class|const|function|namespace) (\w+)`)

// The committed declarations are those of the TypeScript sources (written
// by `npm run types`): both export the same names. (The compiler itself is
// a development-time tool; this catches sources changed without it.)
func TestDeclarationsMatchTheirSources(t *testing.T) {
	for _, sdk := range sdkbuild.SDKs {
		src, err := os.ReadFile(filepath.Join("../sdk/src/types", sdk.Dir, sdk.Name+".ts"))
		if err != nil {
			t.Fatal(err)
		}
		dts, err := os.ReadFile(filepath.Join("../sdk", sdk.Dir, sdk.Name+".d.ts"))
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
