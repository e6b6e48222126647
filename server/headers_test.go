package main

import (
	"strings"
	"testing"
)

func TestContentType(t *testing.T) {
	tests := []struct {
		name, want string
		wantOK     bool
	}{
		{"index.html", "text/html; charset=utf-8", true},
		{"app.js", "text/javascript; charset=utf-8", true},
		{"wasm_exec.js", "text/javascript; charset=utf-8", true},
		{"style.css", "text/css; charset=utf-8", true},
		{"main.wasm", "application/wasm", true},
		{"a/b.png", "image/png", true},
		{"PHOTO.JPEG", "image/jpeg", true},
		{"x.svg", "image/svg+xml", true},
		{"favicon.ico", "image/x-icon", true},
		{"sample.zip", "application/zip", true},
		{"sample-scenes.zip", "application/zip", true},
		{"model.safetensors", "application/octet-stream", true},
		{"seed.pth", "application/octet-stream", true},
		{"meta.json", "application/json", true},
		{"notes.md", "text/plain; charset=utf-8", true},
		// Not served: a .gz goes out only as the body of its original.
		{"main.wasm.gz", "", false},
		{"app.css~", "", false},
		{"x.swp", "", false},
		{"#x#", "", false},
		{"app.js.orig", "", false},
		{"x.gif", "", false},
		{"noext", "", false},
		{"x.exe", "", false},
	}
	for _, tt := range tests {
		got, ok := contentType(tt.name)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("contentType(%q): got (%q, %v), want (%q, %v)", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestCacheControl(t *testing.T) {
	tests := []struct{ name, want string }{
		{"index.html", "no-cache"},
		{"app.js", "no-cache"},
		{"main.wasm", "no-cache"},
		{"style.css", "no-cache"},
		{"cat.png", "max-age=3600"},
		{"sample.zip", "max-age=3600"},
		{"model.safetensors", "max-age=3600"},
	}
	for _, tt := range tests {
		if got := cacheControl(tt.name); got != tt.want {
			t.Errorf("cacheControl(%q): got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestContentSecurityPolicy checks the directives the app depends on, and
// that nothing loosens script execution beyond compiling WebAssembly.
func TestContentSecurityPolicy(t *testing.T) {
	directives := map[string]string{}
	for d := range strings.SplitSeq(contentSecurityPolicy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	want := map[string]string{
		"default-src":     "'self'",
		"script-src":      "'self' 'wasm-unsafe-eval'",
		"worker-src":      "'self' blob:",
		"style-src":       "'self' 'unsafe-inline'",
		"object-src":      "'none'",
		"base-uri":        "'none'",
		"frame-ancestors": "'none'",
	}
	for name, value := range want {
		if got := directives[name]; got != value {
			t.Errorf("directive %s: got %q, want %q", name, got, value)
		}
	}
	for _, loose := range []string{"'unsafe-eval'", "*", "http:", "https:"} {
		for name, value := range directives {
			for _, source := range strings.Fields(value) {
				if source == loose {
					t.Errorf("directive %s: got source %s, want none so loose", name, loose)
				}
			}
		}
	}
}
