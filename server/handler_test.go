package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestServesAppFiles(t *testing.T) {
	h, _ := newTestHandler(t)
	tests := []struct {
		target, wantType, wantCache string
		wantBody                    []byte // nil: not checked
	}{
		{"/", "text/html; charset=utf-8", "no-cache", indexHTML},
		{"/?v=2", "text/html; charset=utf-8", "no-cache", indexHTML},
		{"/assets/app.js", "text/javascript; charset=utf-8", "no-cache", appJS},
		{"/assets/style.css", "text/css; charset=utf-8", "no-cache", nil},
		{"/assets/link.css", "text/css; charset=utf-8", "no-cache", nil},
		{"/assets/main.wasm", "application/wasm", "no-cache", wasmBytes},
		{"/assets/img/deep/cat.png", "image/png", "max-age=3600", nil},
		{"/assets/photo.JPG", "image/jpeg", "max-age=3600", nil},
		{"/assets/sample.zip", "application/zip", "max-age=3600", nil},
		{"/assets/model.safetensors", "application/octet-stream", "max-age=3600", nil},
		{"/assets/sample-scenes.zip", "application/zip", "max-age=3600", nil},
		{"/assets/seed.pth", "application/octet-stream", "max-age=3600", nil},
		{"/assets/sub/file.txt", "text/plain; charset=utf-8", "max-age=3600", nil},
		{"/assets/link-to-sub/file.txt", "text/plain; charset=utf-8", "max-age=3600", nil},
		{"/favicon.ico", "image/x-icon", "max-age=3600", nil},
	}
	for _, tt := range tests {
		resp := do(h, "GET", tt.target)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: got status %d, want 200", tt.target, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tt.wantType {
			t.Errorf("GET %s: got Content-Type %q, want %q", tt.target, got, tt.wantType)
		}
		if got := resp.Header.Get("Cache-Control"); got != tt.wantCache {
			t.Errorf("GET %s: got Cache-Control %q, want %q", tt.target, got, tt.wantCache)
		}
		if tt.wantBody != nil && !bytes.Equal(body, tt.wantBody) {
			t.Errorf("GET %s: got body %q, want %q", tt.target, body, tt.wantBody)
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("GET %s: got ETag %q, Last-Modified %q, want both set", tt.target,
				resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
		}
	}
}

func TestRefusesOtherPaths(t *testing.T) {
	h, _ := newTestHandler(t)
	targets := []string{
		// Repository files that are not the app's.
		"/go.mod", "/server/main.go", "/index.html", "/assets/link-to-go.html", "/nope",
		// Directories.
		"/assets", "/assets/", "/assets/sub", "/assets/sub/", "/assets/img/deep", "/assets/link-to-sub",
		// Dotfiles.
		"/.env", "/.git/config", "/assets/.hidden", "/assets/img/.hidden.png", "/assets/.",
		// Traversal, plain and encoded.
		"/../go.mod", "/assets/../go.mod", "/assets/../../etc/passwd",
		"/assets/%2e%2e/go.mod", "/assets/%2E%2E/go.mod", "/assets/..%2fgo.mod",
		"/assets/%2e%2e%2fgo.mod", "/assets/sub/..%2f..%2fgo.mod", "/%2e%2e/go.mod",
		// Backslashes.
		"/assets/..\\go.mod", "/assets/..%5cgo.mod", "/assets/%5c..%5c..%5cgo.mod", "/assets\\app.js",
		// Absolute and unclean paths.
		"//go.mod", "/assets//etc/passwd", "/assets/%2fetc%2fpasswd", "/assets/./app.js",
		"/assets/app.js/", "/assets/sub//file.txt",
		// NUL.
		"/assets/app.js%00", "/assets/app.js%00.png",
		// Symbolic links out of the root.
		"/assets/escape-abs.txt", "/assets/escape-rel.txt", "/assets/escape-dir/secret.txt",
		// Missing files.
		"/assets/missing.js", "/assets/app.js.br",
		// Types the app does not use: editor leftovers, stray files, and
		// precompressed copies by their own name.
		"/assets/app.css~", "/assets/x.swp", "/assets/%23x%23", "/assets/data.bin",
		"/assets/app.js.gz", "/assets/main.wasm.gz",
	}
	for _, target := range targets {
		resp := do(h, "GET", target)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: got status %d, want 404", target, resp.StatusCode)
		}
		if bytes.Contains(body, secret) || bytes.Contains(body, []byte("module")) {
			t.Errorf("GET %s: got body %q, want no file contents", target, body)
		}
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h, _ := newTestHandler(t)
	etag := do(h, "GET", "/").Header.Get("ETag")
	tests := []struct {
		method, target string
		header         []string
		wantStatus     int
	}{
		{"GET", "/", nil, http.StatusOK},
		{"GET", "/assets/app.js", []string{"Accept-Encoding", "gzip"}, http.StatusOK},
		{"HEAD", "/assets/main.wasm", nil, http.StatusOK},
		{"GET", "/go.mod", nil, http.StatusNotFound},
		{"GET", "/assets/%2e%2e/go.mod", nil, http.StatusNotFound},
		{"POST", "/", nil, http.StatusMethodNotAllowed},
		{"GET", "/", []string{"If-None-Match", etag}, http.StatusNotModified},
		{"GET", "/assets/app.js", []string{"Range", "bytes=0-9"}, http.StatusPartialContent},
	}
	for _, tt := range tests {
		resp := do(h, tt.method, tt.target, tt.header...)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s %s: got status %d, want %d", tt.method, tt.target, resp.StatusCode, tt.wantStatus)
		}
		for _, kv := range securityHeaders {
			if got := resp.Header.Get(kv[0]); got != kv[1] {
				t.Errorf("%s %s (%d): got %s %q, want %q", tt.method, tt.target, resp.StatusCode, kv[0], got, kv[1])
			}
		}
	}
}

func TestGzipNegotiation(t *testing.T) {
	h, _ := newTestHandler(t)
	tests := []struct {
		target, acceptEncoding string
		wantGzip, wantVary     bool
		wantType               string
	}{
		{"/assets/app.js", "gzip", true, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "gzip, deflate, br, zstd", true, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "br;q=1.0, gzip;q=0.5", true, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "*", true, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "", false, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "identity", false, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "deflate, br", false, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "gzip;q=0", false, true, "text/javascript; charset=utf-8"},
		{"/assets/app.js", "*, gzip;q=0", false, true, "text/javascript; charset=utf-8"},
		{"/assets/main.wasm", "gzip", true, true, "application/wasm"},
		{"/assets/main.wasm", "", false, true, "application/wasm"},
		{"/assets/style.css", "gzip", false, false, "text/css; charset=utf-8"}, // no .gz
		{"/assets/stale.js", "gzip", false, false, "text/javascript; charset=utf-8"},
	}
	plain := map[string][]byte{"/assets/app.js": appJS, "/assets/main.wasm": wasmBytes}
	for _, tt := range tests {
		resp := do(h, "GET", tt.target, "Accept-Encoding", tt.acceptEncoding)
		body := readBody(t, resp)
		name := tt.target + " with Accept-Encoding " + strconv.Quote(tt.acceptEncoding)
		if got := resp.Header.Get("Content-Type"); got != tt.wantType {
			t.Errorf("%s: got Content-Type %q, want %q", name, got, tt.wantType)
		}
		gotVary := resp.Header.Get("Vary") == "Accept-Encoding"
		if gotVary != tt.wantVary {
			t.Errorf("%s: got Vary %q, want Accept-Encoding: %v", name, resp.Header.Get("Vary"), tt.wantVary)
		}
		gotGzip := resp.Header.Get("Content-Encoding") == "gzip"
		if gotGzip != tt.wantGzip {
			t.Errorf("%s: got Content-Encoding %q, want gzip: %v", name, resp.Header.Get("Content-Encoding"), tt.wantGzip)
		}
		if gotGzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: got body that is not gzip: %v", name, err)
			}
			body, err = io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s: got corrupt gzip body: %v", name, err)
			}
		}
		if want, ok := plain[tt.target]; ok && !bytes.Equal(body, want) {
			t.Errorf("%s: got decoded body of %d bytes, want %d", name, len(body), len(want))
		}
		if tt.target == "/assets/stale.js" && !bytes.Equal(body, []byte("new();\n")) {
			t.Errorf("%s: got body %q, want the fresh plain file", name, body)
		}
	}
}

func TestGzipAndPlainHaveDistinctETags(t *testing.T) {
	h, _ := newTestHandler(t)
	plain := do(h, "GET", "/assets/app.js").Header.Get("ETag")
	zipped := do(h, "GET", "/assets/app.js", "Accept-Encoding", "gzip").Header.Get("ETag")
	if plain == "" || zipped == "" || plain == zipped {
		t.Errorf("got ETags %q (plain) and %q (gzip), want two distinct ones", plain, zipped)
	}
}

func TestHead(t *testing.T) {
	h, _ := newTestHandler(t)
	resp := do(h, "HEAD", "/assets/app.js")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got status %d, want 200", resp.StatusCode)
	}
	if len(body) != 0 {
		t.Errorf("got %d body bytes, want 0", len(body))
	}
	if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(appJS)); got != want {
		t.Errorf("got Content-Length %s, want %s", got, want)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	h, _ := newTestHandler(t)
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} {
		for _, target := range []string{"/", "/assets/app.js", "/go.mod"} {
			resp := do(h, method, target)
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: got status %d, want 405", method, target, resp.StatusCode)
			}
			if got := resp.Header.Get("Allow"); got != "GET, HEAD" {
				t.Errorf("%s %s: got Allow %q, want %q", method, target, got, "GET, HEAD")
			}
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	h, _ := newTestHandler(t)
	etag := do(h, "GET", "/assets/main.wasm").Header.Get("ETag")
	gzipETag := do(h, "GET", "/assets/main.wasm", "Accept-Encoding", "gzip").Header.Get("ETag")
	modified := siteMtime.Format(http.TimeFormat)
	earlier := siteMtime.Add(-time.Hour).Format(http.TimeFormat)
	tests := []struct {
		header     []string
		wantStatus int
	}{
		{[]string{"If-None-Match", etag}, http.StatusNotModified},
		{[]string{"If-None-Match", `"other", ` + etag}, http.StatusNotModified},
		{[]string{"If-None-Match", `"other"`}, http.StatusOK},
		{[]string{"If-None-Match", gzipETag, "Accept-Encoding", "gzip"}, http.StatusNotModified},
		{[]string{"If-None-Match", etag, "Accept-Encoding", "gzip"}, http.StatusOK},
		{[]string{"If-Modified-Since", modified}, http.StatusNotModified},
		{[]string{"If-Modified-Since", earlier}, http.StatusOK},
	}
	for _, tt := range tests {
		resp := do(h, "GET", "/assets/main.wasm", tt.header...)
		body := readBody(t, resp)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("GET with %q: got status %d, want %d", tt.header, resp.StatusCode, tt.wantStatus)
		}
		if tt.wantStatus == http.StatusNotModified && len(body) != 0 {
			t.Errorf("GET with %q: got %d body bytes, want 0", tt.header, len(body))
		}
	}
}
