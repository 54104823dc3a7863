package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/cohost-rtc/cohost/web"
)

// staticFile is one embedded file, ready to serve.
type staticFile struct {
	body  []byte
	etag  string
	ctype string
}

// staticFiles serves an embedded file tree with validators (ETag) so
// browsers revalidate instead of refetching, and CORS so that pages on
// other origins can import the ES module.
type staticFiles map[string]staticFile

func loadStatic(fsys fs.FS) staticFiles {
	out := staticFiles{}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[p] = staticFile{body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`, ctype: contentType(p)}
		return nil
	})
	return out
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".d.ts"):
		return "text/plain; charset=utf-8"
	case strings.HasSuffix(name, ".js"), strings.HasSuffix(name, ".mjs"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	}
	return "application/octet-stream"
}

func (sf staticFiles) serve(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := sf[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if strings.HasSuffix(name, ".html") {
		setPageHeaders(h)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}

// webRoutes registers the Web SDK under /sdk/ and the demo app at / (its
// assets under /demo/).
func (s *Server) webRoutes(mux *http.ServeMux) {
	sdk := loadStatic(web.SDK())
	demo := loadStatic(web.Demo())
	mux.HandleFunc("GET /sdk/{file...}", func(w http.ResponseWriter, r *http.Request) {
		sdk.serve(w, r, path.Clean(r.PathValue("file")))
	})
	mux.HandleFunc("GET /demo/{file...}", func(w http.ResponseWriter, r *http.Request) {
		demo.serve(w, r, path.Clean(r.PathValue("file")))
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		demo.serve(w, r, "index.html")
	})
}
