// Package examples holds runnable programs, each in its own directory. Its
// test checks that they can be copied out of this module as they are.
package examples

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/cohost-rtc/cohost/"

// internalImport matches an import path no program outside this module may
// use.
func internalImport(path string) bool {
	return strings.HasPrefix(path, module) && (strings.HasPrefix(path, module+"internal/") || strings.Contains(path, "/internal/"))
}

// The examples import only public packages, so users can copy them into
// their own module.
func TestExamplesImportOnlyPublicPackages(t *testing.T) {
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			if internalImport(p) {
				t.Errorf("examples/%s imports %s, which programs outside the module cannot import", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Fatalf("found %d Go files under examples/", files)
	}
}

// The Go code shown in the SDK documentation imports only public packages.
func TestDocsImportOnlyPublicPackages(t *testing.T) {
	block := regexp.MustCompile("(?s)```go\n(.*?)```")
	quoted := regexp.MustCompile(`"(github\.com/cohost-rtc/cohost/[^"]*)"`)
	for _, doc := range []string{"go-sdk.md", "rtm.md"} {
		data, err := os.ReadFile(filepath.Join("..", "docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range block.FindAllStringSubmatch(string(data), -1) {
			for _, m := range quoted.FindAllStringSubmatch(b[1], -1) {
				if internalImport(m[1]) {
					t.Errorf("docs/%s shows Go code importing %s", doc, m[1])
				}
			}
		}
	}
}
