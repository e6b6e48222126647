package main

import (
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// contentSecurityPolicy is sent with every response. It allows only the
// app's own files, plus what the app needs:
//
//   - script-src 'wasm-unsafe-eval': compiling WebAssembly, which Go's
//     wasm_exec.js does; no other eval is allowed.
//   - worker-src blob:: workers may also be started from a Blob URL.
//   - style-src 'unsafe-inline': Vugu writes style attributes; styles only.
//   - img-src and connect-src blob: data:: thumbnails of dropped images,
//     and fetching files the page made itself (a dropped zip, a model).
//
// Everything else (plugins, <base>, framing, form posts) is refused.
const contentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"worker-src 'self' blob:; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' blob: data:; " +
	"connect-src 'self' blob: data:; " +
	"object-src 'none'; " +
	"base-uri 'none'; " +
	"frame-ancestors 'none'; " +
	"form-action 'none'"

// securityHeaders are set on every response, errors and 304s included.
// The three Cross-Origin headers make the page cross-origin isolated (a
// precondition for SharedArrayBuffer and precise timers in workers) and
// keep other sites from embedding or reading its files.
var securityHeaders = [...][2]string{
	{"Content-Security-Policy", contentSecurityPolicy},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Embedder-Policy", "require-corp"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
}

// withSecurityHeaders returns a handler that sets securityHeaders and then
// calls next.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, kv := range securityHeaders {
			h.Set(kv[0], kv[1])
		}
		next.ServeHTTP(w, r)
	})
}

// contentTypes maps each file extension (lower case) the server serves
// to the Content-Type it is served with: the types the app uses and
// nothing else, so that an editor's leftovers ("app.css~", "x.swp",
// "#x#") or a stray file are answered with 404. A "NAME.gz" is sent only
// as the gzip-encoded body of NAME (see fileHandler), never by its own
// name. The table is fixed rather than taken from the system's mime
// database, which differs between machines (.js in particular).
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/plain; charset=utf-8",
	".wasm":        "application/wasm",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".svg":         "image/svg+xml",
	".ico":         "image/x-icon",
	".zip":         "application/zip",
	".safetensors": "application/octet-stream",
	".pth":         "application/octet-stream",
}

// contentType returns the Content-Type for the file name, and reports
// whether the server serves files of its type at all.
func contentType(name string) (string, bool) {
	t, ok := contentTypes[strings.ToLower(path.Ext(name))]
	return t, ok
}

// Cache-Control values. The page, its scripts, its style sheet and the
// built wasm change together with every build and must never mix versions,
// so browsers revalidate them on each load (a cheap 304 when unchanged).
// Data files (images, the sample dataset, the shipped model) change
// rarely and may be reused for an hour without asking.
const (
	cacheRevalidate = "no-cache"
	cacheData       = "max-age=3600"
)

// cacheControl returns the Cache-Control value for the file name.
func cacheControl(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".js", ".css", ".wasm":
		return cacheRevalidate
	}
	return cacheData
}

// entityTag returns a strong ETag for the bytes of the file described by
// info, from its size and modification time (as nginx does): a rebuilt
// file gets a new one without the server reading it. gzipped marks the
// precompressed representation, so its tag differs from the plain one's.
func entityTag(info fs.FileInfo, gzipped bool) string {
	suffix := ""
	if gzipped {
		suffix = "-gzip"
	}
	return fmt.Sprintf(`"%x-%x%s"`, info.Size(), info.ModTime().UnixNano(), suffix)
}
