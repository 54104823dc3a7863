// Command build rebuilds the Web SDKs' files in their npm package
// directories, web/sdk/rtc and web/sdk/rtm, from their sources under
// web/sdk/src (see package sdkbuild). Run it from the
// repository root after changing the sources:
//
//	go run ./web/build
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/cohost-rtc/cohost/web/sdkbuild"
)

func main() {
	dir := flag.String("sdk", "web/sdk", "the SDK directory (holding src/)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("sdk directory: %w", err)
	}
	files, err := sdkbuild.Build(abs)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out := filepath.Join(abs, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", n, err)
		}
		if err := os.WriteFile(out, files[n], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", n, err)
		}
		fmt.Println("wrote", filepath.Join(dir, filepath.FromSlash(n)))
	}
	return nil
}
