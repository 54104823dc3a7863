package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestLoadtestCommandChecksConfig(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"loadtest", "--url", "ftp://127.0.0.1", "-q"}, &out, &errb, func(string) string { return "" })
	if code != 1 || !strings.Contains(errb.String(), "URL") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"loadtest", "--help"}, &out, &errb, func(string) string { return "" }); code != 0 || !strings.Contains(out.String(), "--baseline") {
		t.Fatalf("help: exit %d %q", code, out.String())
	}
}
