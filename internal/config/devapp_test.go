package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestEnsureDevAppCreatesAndReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	app, created, err := EnsureDevApp(dir)
	if err != nil {
		t.Fatalf("EnsureDevApp: %v", err)
	}
	if !created {
		t.Error("first call: created = false")
	}
	if !isHex32(app.ID) || !isHex32(app.Certificate) || app.ID == app.Certificate {
		t.Errorf("app = %+v", app)
	}
	if app.TestingMode() {
		t.Error("development app is in testing mode")
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o700 {
			t.Errorf("data dir mode = %v, want 0700", perm)
		}
		st, err = os.Stat(DevAppPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("file mode = %v, want 0600", perm)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s", len(entries), DevAppFile)
	}

	again, created, err := EnsureDevApp(dir)
	if err != nil {
		t.Fatalf("second EnsureDevApp: %v", err)
	}
	if created || again != app {
		t.Errorf("second call = %+v, created %v; want %+v reused", again, created, app)
	}

	other, _, err := EnsureDevApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == app.ID || other.Certificate == app.Certificate {
		t.Error("two data dirs got the same app")
	}
}

func TestEnsureDevAppReadsExisting(t *testing.T) {
	dir := t.TempDir()
	content := `{"appId": "` + id1 + `", "appCertificate": "` + cert1 + `"}`
	if err := os.WriteFile(DevAppPath(dir), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	app, created, err := EnsureDevApp(dir)
	if err != nil || created || app != (App{ID: id1, Certificate: cert1}) {
		t.Fatalf("EnsureDevApp = %+v, %v, %v", app, created, err)
	}
}

func TestEnsureDevAppCorrupt(t *testing.T) {
	tests := map[string]string{
		"empty":            "",
		"not json":         "app: x\n",
		"truncated":        `{"appId": "` + id1,
		"missing cert":     `{"appId": "` + id1 + `"}`,
		"short id":         `{"appId": "abc", "appCertificate": "` + cert1 + `"}`,
		"unknown field":    `{"appId": "` + id1 + `", "appCertificate": "` + cert1 + `", "x": 1}`,
		"trailing data":    `{"appId": "` + id1 + `", "appCertificate": "` + cert1 + `"} {}`,
		"certificate null": `{"appId": "` + id1 + `", "appCertificate": null}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := DevAppPath(dir)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := EnsureDevApp(dir)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "corrupt") {
				t.Fatalf("EnsureDevApp error = %v, want one naming %s as corrupt", err, path)
			}
			after, _ := os.ReadFile(path)
			if string(after) != content {
				t.Error("corrupt file was overwritten")
			}
		})
	}
}

func TestEnsureDevAppErrors(t *testing.T) {
	if _, _, err := EnsureDevApp(""); err == nil {
		t.Error("empty data dir: no error")
	}
	// The data dir path is a regular file.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := EnsureDevApp(file); err == nil {
		t.Error("data dir is a file: no error")
	}
	// The dev app path is a directory.
	dir := t.TempDir()
	if err := os.Mkdir(DevAppPath(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := EnsureDevApp(dir); err == nil {
		t.Error("dev app path is a directory: no error")
	}
}

func TestEnsureDevAppConcurrent(t *testing.T) {
	dir := t.TempDir()
	const n = 16
	var (
		wg      sync.WaitGroup
		apps    [n]App
		created [n]bool
		errs    [n]error
	)
	for i := range n {
		wg.Go(func() { apps[i], created[i], errs[i] = EnsureDevApp(dir) })
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("EnsureDevApp: %v", errs[i])
		}
		if apps[i] != apps[0] {
			t.Errorf("caller %d got %+v, caller 0 %+v", i, apps[i], apps[0])
		}
		if created[i] {
			creators++
		}
	}
	if creators != 1 {
		t.Errorf("%d callers created the app, want 1", creators)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want 1 (temporary files left?)", len(entries))
	}
}
