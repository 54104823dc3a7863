package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const (
	examplePath = "../../deploy/cohost.example.yaml"
	docsPath    = "../../docs/configuration.md"
)

// TestExampleFile loads the example configuration: it must be valid and,
// as it shows the defaults, equal to them.
func TestExampleFile(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if want := Default(); !reflect.DeepEqual(cfg, want) {
		t.Errorf("example file differs from the defaults:\n got %+v\nwant %+v", cfg, want)
	}
}

// TestDocs checks that the documentation names every option and that its
// YAML snippets load.
func TestDocs(t *testing.T) {
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, o := range Options() {
		for _, want := range []string{o.Key, o.Flag, o.Env} {
			if want != "" && !strings.Contains(doc, want) {
				t.Errorf("%s does not mention %s", docsPath, want)
			}
		}
		if o.Key != "" && o.Key != "dataDir" && o.Default != "" {
			row := "| `" + o.Key + "` |"
			i := strings.Index(doc, row)
			if i < 0 {
				t.Errorf("no table row for %s", o.Key)
				continue
			}
			line, _, _ := strings.Cut(doc[i:], "\n")
			if !strings.Contains(line, "`"+o.Default+"`") {
				t.Errorf("table row of %s does not give the default %s: %s", o.Key, o.Default, line)
			}
		}
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("no YAML example in the documentation")
	}
	for i, b := range blocks {
		path := filepath.Join(t.TempDir(), "snippet.yaml")
		if err := os.WriteFile(path, []byte(b[1]), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err != nil {
			t.Errorf("YAML block %d of %s: %v\n%s", i+1, docsPath, err, b[1])
		}
	}
}
