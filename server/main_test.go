package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines to
// write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startRun starts run with args in a goroutine and returns the URL it
// printed and a channel that receives run's result.
func startRun(t *testing.T, ctx context.Context, args []string, stderr io.Writer) (string, <-chan error) {
	t.Helper()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, stdoutW, stderr)
		stdoutW.Close()
	}()
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdoutR).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdoutR)
	}()
	select {
	case line := <-lines:
		url, ok := strings.CutPrefix(strings.TrimSpace(line), "serving ")
		if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
			t.Fatalf("got first line %q, want \"serving http://127.0.0.1:PORT/\"", line)
		}
		return url, done
	case err := <-done:
		t.Fatalf("run returned %v before serving", err)
	case <-time.After(10 * time.Second):
		t.Fatal("got no \"serving\" line in 10s")
	}
	return "", nil
}

func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logBuf lockedBuffer
	url, done := startRun(t, ctx, []string{"-addr", "127.0.0.1:0", "-root", makeSite(t)}, &logBuf)

	client := &http.Client{Timeout: 10 * time.Second}
	tests := []struct {
		path     string
		wantBody []byte
		wantGzip bool // sent gzipped, decoded by the client
	}{
		{"", indexHTML, false},
		{"assets/app.js", appJS, true},
	}
	for _, tt := range tests {
		resp, err := client.Get(url + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, tt.wantBody) {
			t.Errorf("GET %s: got %d %q, want 200 %q", tt.path, resp.StatusCode, body, tt.wantBody)
		}
		if resp.Uncompressed != tt.wantGzip {
			t.Errorf("GET %s: got gzipped %v, want %v", tt.path, resp.Uncompressed, tt.wantGzip)
		}
		if got := resp.Header.Get("Cross-Origin-Embedder-Policy"); got != "require-corp" {
			t.Errorf("GET %s: got Cross-Origin-Embedder-Policy %q, want require-corp", tt.path, got)
		}
	}
	client.CloseIdleConnections()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: got %v, want nil", err)
		}
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := client.Get(url); err == nil {
		t.Errorf("GET after shutdown: got no error, want connection refused")
	}
	if got := strings.Count(logBuf.String(), "\n"); got != len(tests) {
		t.Errorf("got %d access log lines %q, want %d", got, logBuf.String(), len(tests))
	}
}

func TestRunErrors(t *testing.T) {
	site := makeSite(t)
	noIndex := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
	}{
		{"unknown flag", []string{"-nope"}, true},
		{"extra argument", []string{"-root", site, "extra"}, true},
		{"missing root", []string{"-addr", "127.0.0.1:0", "-root", filepath.Join(noIndex, "missing")}, false},
		{"root without index.html", []string{"-addr", "127.0.0.1:0", "-root", noIndex}, false},
		{"address in use", []string{"-addr", busy.Addr().String(), "-root", site}, false},
		{"bad address", []string{"-addr", "127.0.0.1:http-not-a-port", "-root", site}, false},
	}
	for _, tt := range tests {
		// A case that wrongly starts serving stops with the context, and
		// then returns nil.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var stderr lockedBuffer
		err := run(ctx, tt.args, io.Discard, &stderr)
		cancel()
		if err == nil {
			t.Errorf("%s: got nil error, want one", tt.name)
			continue
		}
		if got := errors.Is(err, errUsage); got != tt.wantUsage {
			t.Errorf("%s: got error %v (usage: %v), want usage: %v", tt.name, err, got, tt.wantUsage)
		}
		if tt.wantUsage && !strings.Contains(stderr.String(), "-addr") {
			t.Errorf("%s: got stderr %q, want the usage", tt.name, stderr.String())
		}
	}
}

func TestRunHelp(t *testing.T) {
	var stderr lockedBuffer
	if err := run(context.Background(), []string{"-h"}, io.Discard, &stderr); err != nil {
		t.Errorf("run -h: got %v, want nil", err)
	}
	for _, flag := range []string{"-addr", "-root"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("run -h: got usage %q, want it to mention %s", stderr.String(), flag)
		}
	}
}

// TestRawRequestTargets sends request lines as written, through a real
// listener, so that no client cleans them first.
func TestRawRequestTargets(t *testing.T) {
	root, err := os.OpenRoot(makeSite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	srv := httptest.NewServer(newHandler(root, io.Discard))
	defer srv.Close()
	tests := []struct {
		target     string
		wantStatus int
	}{
		{"/", http.StatusOK},
		{"/assets/app.js", http.StatusOK},
		{"/../go.mod", http.StatusNotFound},
		{"/assets/../go.mod", http.StatusNotFound},
		{"/assets/../../../etc/passwd", http.StatusNotFound},
		{"/assets/%2e%2e/go.mod", http.StatusNotFound},
		{"/assets/..%2Fgo.mod", http.StatusNotFound},
		{"/assets/..\\go.mod", http.StatusNotFound},
		{"/assets/..%5Cgo.mod", http.StatusNotFound},
		{"/assets/./../go.mod", http.StatusNotFound},
		{"//go.mod", http.StatusNotFound},
		{"/assets/escape-abs.txt", http.StatusNotFound},
	}
	for _, tt := range tests {
		status, body := rawGet(t, srv.Listener.Addr().String(), tt.target)
		if status != tt.wantStatus {
			t.Errorf("GET %s: got status %d, want %d", tt.target, status, tt.wantStatus)
		}
		if bytes.Contains(body, []byte("module example")) || bytes.Contains(body, secret) {
			t.Errorf("GET %s: got body %q, want no file outside assets", tt.target, body)
		}
	}
}

// rawGet sends "GET target HTTP/1.1" to addr and returns the response's
// status and body.
func rawGet(t *testing.T, addr, target string) (int, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, readBody(t, resp)
}

func TestSiteURL(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080/"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9000}, "http://[::1]:9000/"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080/"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080/"},
		{&net.UnixAddr{Name: "/tmp/s", Net: "unix"}, "http:///tmp/s/"},
	}
	for _, tt := range tests {
		if got := siteURL(tt.addr); got != tt.want {
			t.Errorf("siteURL(%v): got %q, want %q", tt.addr, got, tt.want)
		}
	}
}
