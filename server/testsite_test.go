package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Contents of the test site's files.
var (
	indexHTML = []byte("<!doctype html><title>trainer</title>")
	appJS     = bytes.Repeat([]byte("console.log('hello');\n"), 50)
	wasmBytes = append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	secret    = []byte("secret outside the root")
)

// siteMtime is the modification time of every file of the test site.
var siteMtime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// makeSite builds a site like the repository in a temporary directory
// and returns its path: the app's files, repository files and editor
// leftovers that must not be served, dotfiles, precompressed copies (one
// stale), and symbolic links, inside and escaping the root.
func makeSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	outside := t.TempDir()
	files := map[string][]byte{
		"index.html":               indexHTML,
		"go.mod":                   []byte("module example\n"),
		"server/main.go":           []byte("package main\n"),
		".env":                     []byte("TOKEN=x\n"),
		".git/config":              []byte("[core]\n"),
		"assets/app.js":            appJS,
		"assets/app.js.gz":         gzipBytes(t, appJS),
		"assets/style.css":         []byte("body { margin: 0 }\n"),
		"assets/main.wasm":         wasmBytes,
		"assets/main.wasm.gz":      gzipBytes(t, wasmBytes),
		"assets/stale.js":          []byte("new();\n"),
		"assets/stale.js.gz":       gzipBytes(t, []byte("old();\n")),
		"assets/img/deep/cat.png":  []byte("\x89PNG\r\n\x1a\n"),
		"assets/photo.JPG":         []byte("\xff\xd8\xff"),
		"assets/sample.zip":        []byte("PK\x05\x06"),
		"assets/model.safetensors": []byte("\x08\x00\x00\x00\x00\x00\x00\x00{}      "),
		"assets/favicon.ico":       []byte("\x00\x00\x01\x00"),
		"assets/sample-scenes.zip": []byte("PK\x05\x06"),
		"assets/seed.pth":          []byte("PK\x03\x04"),
		"assets/data.bin":          []byte{1, 2, 3},
		"assets/app.css~":          []byte("body {}\n"),
		"assets/x.swp":             []byte("b0VIM 9.0"),
		"assets/#x#":               []byte("autosave"),
		"assets/.hidden":           []byte("hidden"),
		"assets/img/.hidden.png":   []byte("hidden"),
		"assets/sub/file.txt":      []byte("text"),
	}
	for name, data := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), data, siteMtime)
	}
	// The stale copy predates its file, as after a rebuild of stale.js.
	stale := filepath.Join(dir, "assets", "stale.js.gz")
	if err := os.Chtimes(stale, siteMtime, siteMtime.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(outside, "secret.txt"), secret, siteMtime)

	links := map[string]string{
		"assets/link.css":        "style.css",                                      // inside the root
		"assets/escape-abs.txt":  filepath.Join(outside, "secret.txt"),             // absolute, outside
		"assets/escape-rel.txt":  relPath(t, dir, "assets", outside, "secret.txt"), // relative, outside
		"assets/escape-dir":      outside,                                          // a directory outside
		"assets/link-to-sub":     "sub",                                            // a directory inside
		"assets/link-to-go.html": "../go.mod",                                      // inside, not an asset
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Skipf("symbolic links unavailable: %v", err)
		}
	}
	return dir
}

// writeFile writes data to the file name, making its directory, and sets
// its modification time to mtime.
func writeFile(t *testing.T, name string, data []byte, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// relPath returns the relative path from root/fromDir to target/name.
func relPath(t *testing.T, root, fromDir, target, name string) string {
	t.Helper()
	rel, err := filepath.Rel(filepath.Join(root, fromDir), filepath.Join(target, name))
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// gzipBytes returns data gzip-compressed.
func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newTestHandler returns the handler for a fresh test site, and the
// buffer its access log goes to.
func newTestHandler(t *testing.T) (http.Handler, *bytes.Buffer) {
	t.Helper()
	root, err := os.OpenRoot(makeSite(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	var logBuf bytes.Buffer
	return newHandler(root, &logBuf), &logBuf
}

// do sends a request with the method, target and header lines (name,
// value, name, value...) to h and returns the response.
func do(h http.Handler, method, target string, header ...string) *http.Response {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// readBody returns the whole body of resp.
func readBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}
