package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// logLine matches one access log line: date, time, method, path, status,
// bytes, duration.
var logLine = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (\S+) (\S+) (\d{3}) (\d+) (\S+)$`)

func TestAccessLog(t *testing.T) {
	tests := []struct {
		method, target string
		header         []string
		wantPath       string
		wantStatus     int
		wantBytes      int
	}{
		{"GET", "/assets/app.js", nil, "/assets/app.js", 200, len(appJS)},
		{"GET", "/assets/app.js", []string{"Range", "bytes=0-9"}, "/assets/app.js", 206, 10},
		{"HEAD", "/", nil, "/", 200, 0},
		{"GET", "/go.mod", nil, "/go.mod", 404, len("404 page not found\n")},
		{"POST", "/", nil, "/", 405, len("405 method not allowed\n")},
		{"GET", "/assets/a%0Afake%20line", nil, "/assets/a%0Afake%20line", 404, len("404 page not found\n")},
	}
	for _, tt := range tests {
		h, logBuf := newTestHandler(t)
		do(h, tt.method, tt.target, tt.header...)
		out := logBuf.String()
		if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
			t.Errorf("%s %s: got log %q, want exactly one line", tt.method, tt.target, out)
			continue
		}
		m := logLine.FindStringSubmatch(strings.TrimSuffix(out, "\n"))
		if m == nil {
			t.Errorf("%s %s: got log line %q, want it to match %s", tt.method, tt.target, out, logLine)
			continue
		}
		want := []string{tt.method, tt.wantPath, strconv.Itoa(tt.wantStatus), strconv.Itoa(tt.wantBytes)}
		for i, field := range []string{"method", "path", "status", "bytes"} {
			if m[i+1] != want[i] {
				t.Errorf("%s %s: got %s %q, want %q (line %q)", tt.method, tt.target, field, m[i+1], want[i], out)
			}
		}
		if d, err := time.ParseDuration(m[5]); err != nil || d < 0 {
			t.Errorf("%s %s: got duration %q, want a non-negative duration", tt.method, tt.target, m[5])
		}
	}
}
