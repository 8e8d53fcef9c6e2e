package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static
var staticFS embed.FS

// AssetPrefix is where Assets must be mounted.
const AssetPrefix = "/assets/"

type asset struct {
	body        []byte
	contentType string
	etag        string
}

type assetSet struct {
	files map[string]asset
}

// contentTypes is explicit rather than mime.TypeByExtension, whose answer
// depends on the host's MIME tables.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
}

func loadAssets() (*assetSet, error) {
	s := &assetSet{files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("ui: asset %s has no known content type", p)
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.files[strings.TrimPrefix(p, "static/")] = asset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ui: assets: %w", err)
	}
	return s, nil
}

// url is the versioned URL of an asset: the content hash in the query lets
// browsers cache it for a year and still see a new release at once.
func (s *assetSet) url(name string) string {
	a := s.files[name]
	return AssetPrefix + name + "?v=" + strings.Trim(a.etag, `"`)
}

// Assets serves the embedded static files. Mount it at /assets/ (with or
// without http.StripPrefix).
func (r *Renderer) Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(req.URL.Path, AssetPrefix)
		name = strings.TrimPrefix(name, "/")
		a, ok := r.assets.files[name]
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if !ok {
			h.Set("Cache-Control", "no-store")
			http.Error(w, "no such asset", http.StatusNotFound)
			return
		}
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", a.etag)
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if match := req.Header.Get("If-None-Match"); match != "" && etagMatches(match, a.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(a.body)))
		w.WriteHeader(http.StatusOK)
		if req.Method == http.MethodGet {
			_, _ = w.Write(a.body)
		}
	})
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// StyleURL is the fingerprinted URL of the shared style sheet, for pages
// rendered outside this package (the console) that keep the same look.
func (r *Renderer) StyleURL() string { return r.cssURL }

// IconURL is the fingerprinted URL of the favicon.
func (r *Renderer) IconURL() string { return r.iconURL }
