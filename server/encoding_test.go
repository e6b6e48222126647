package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"gzip, deflate, br"}, true},
		{[]string{" br ; q=1 ,  gzip ; q=0.2 "}, true},
		{[]string{"deflate", "gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip;q=0.000"}, false},
		{[]string{"gzip;Q=0"}, false},
		{[]string{"gzip;q=0.001"}, true},
		{[]string{"gzip;q=1"}, true},
		{[]string{"gzip;level=1;q=0"}, false},
		{[]string{"gzip;q=abc"}, false},
		{[]string{"gzip;q=NaN"}, false},
		{[]string{"gzip;q=2"}, false},
		{[]string{"gzip;q=-1"}, false},
		{[]string{"gzipped"}, false},
		{[]string{"deflate, br, zstd"}, false},
		{[]string{"identity"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*, gzip;q=0"}, false},
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"*;q=0, gzip"}, true},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.values); got != tt.want {
			t.Errorf("acceptsGzip(%q): got %v, want %v", tt.values, got, tt.want)
		}
	}
}

// TestGzipBodyHeaders checks the length, encoding and range headers of
// answers about a file with a precompressed copy, for every kind of
// answer http.ServeContent gives.
func TestGzipBodyHeaders(t *testing.T) {
	h, _ := newTestHandler(t)
	gz := gzipBytes(t, appJS)
	n := len(gz)
	gzipETag := do(h, "GET", "/assets/app.js", "Accept-Encoding", "gzip").Header.Get("ETag")
	tests := []struct {
		method       string
		header       []string
		wantStatus   int
		wantLength   string // "": none
		wantEncoding string
		wantRange    string
		wantBody     []byte
	}{
		{"GET", nil, http.StatusOK, strconv.Itoa(n), "gzip", "", gz},
		{"HEAD", nil, http.StatusOK, strconv.Itoa(n), "gzip", "", nil},
		{"GET", []string{"Range", "bytes=0-9"}, http.StatusPartialContent, "10", "gzip", fmt.Sprintf("bytes 0-9/%d", n), gz[:10]},
		{"GET", []string{"Range", "bytes=0-1,4-5"}, http.StatusOK, strconv.Itoa(n), "gzip", "", gz},
		{"GET", []string{"If-None-Match", gzipETag}, http.StatusNotModified, "", "", "", nil},
		{"GET", []string{"If-Match", `"other"`}, http.StatusPreconditionFailed, "", "", "", nil},
		{"GET", []string{"Range", "bytes=99999-"}, http.StatusRequestedRangeNotSatisfiable, "", "", fmt.Sprintf("bytes */%d", n), nil},
	}
	for _, tt := range tests {
		header := append([]string{"Accept-Encoding", "gzip"}, tt.header...)
		resp := do(h, tt.method, "/assets/app.js", header...)
		body := readBody(t, resp)
		name := fmt.Sprintf("%s with %q", tt.method, tt.header)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: got status %d, want %d", name, resp.StatusCode, tt.wantStatus)
		}
		if got := resp.Header.Get("Content-Length"); got != tt.wantLength {
			t.Errorf("%s: got Content-Length %q, want %q", name, got, tt.wantLength)
		}
		if got := resp.Header.Get("Content-Encoding"); got != tt.wantEncoding {
			t.Errorf("%s: got Content-Encoding %q, want %q", name, got, tt.wantEncoding)
		}
		if got := resp.Header.Get("Content-Range"); got != tt.wantRange {
			t.Errorf("%s: got Content-Range %q, want %q", name, got, tt.wantRange)
		}
		if tt.wantBody != nil && !bytes.Equal(body, tt.wantBody) {
			t.Errorf("%s: got body of %d bytes, want %d", name, len(body), len(tt.wantBody))
		}
	}
}

// TestGzipBodyNotChunked checks, over a real connection, that a
// precompressed file goes out with its length rather than chunked, so a
// browser can show progress. The file is larger than what net/http
// buffers before it falls back to chunking.
func TestGzipBodyNotChunked(t *testing.T) {
	dir := makeSite(t)
	plain := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range plain {
		plain[i] = byte(rng.Uint32())
	}
	gz := gzipBytes(t, plain)
	writeFile(t, filepath.Join(dir, "assets", "big.wasm"), plain, siteMtime)
	writeFile(t, filepath.Join(dir, "assets", "big.wasm.gz"), gz, siteMtime)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	srv := httptest.NewServer(newHandler(root, io.Discard))
	defer srv.Close()

	req, err := http.NewRequest("GET", srv.URL+"/assets/big.wasm", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Set by hand, so the client leaves the body compressed.
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	resp.Body.Close()
	if resp.ContentLength != int64(len(gz)) || len(resp.TransferEncoding) != 0 {
		t.Errorf("got Content-Length %d and Transfer-Encoding %q, want %d and none",
			resp.ContentLength, resp.TransferEncoding, len(gz))
	}
	if !bytes.Equal(body, gz) {
		t.Errorf("got body of %d bytes, want the %d compressed bytes", len(body), len(gz))
	}
}
