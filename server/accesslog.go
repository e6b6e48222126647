package main

import (
	"io"
	"log"
	"net/http"
	"time"
)

// withAccessLog returns a handler that calls next and then writes one line
// to logw per request:
//
//	2006/01/02 15:04:05 GET /assets/app.wasm 200 1843210 2.31ms
//
// that is the time, method, escaped path, status, body bytes written and
// duration. The path is the escaped form, so a request cannot forge lines.
// Lines from concurrent requests never interleave.
func withAccessLog(logw io.Writer, next http.Handler) http.Handler {
	logger := log.New(logw, "", log.LstdFlags)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		logger.Printf("%s %s %d %d %s", r.Method, r.URL.EscapedPath(),
			rec.statusOrOK(), rec.bytes, time.Since(start).Round(time.Microsecond))
	})
}

// responseRecorder is an http.ResponseWriter that remembers the status and
// counts the body bytes written through it.
type responseRecorder struct {
	http.ResponseWriter
	status int   // status sent; 0 until the header is written
	bytes  int64 // body bytes written so far
}

// WriteHeader records the first status and passes it on.
func (rec *responseRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

// Write counts and passes on the body bytes b.
func (rec *responseRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// ReadFrom copies src into the response, keeping the underlying writer's
// own ReadFrom (sendfile for files) in use, and counts the bytes.
func (rec *responseRecorder) ReadFrom(src io.Reader) (int64, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := io.Copy(rec.ResponseWriter, src)
	rec.bytes += n
	return n, err
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (rec *responseRecorder) Unwrap() http.ResponseWriter {
	return rec.ResponseWriter
}

// statusOrOK returns the status sent, or 200 when the handler wrote
// nothing at all (net/http then sends 200).
func (rec *responseRecorder) statusOrOK() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}
