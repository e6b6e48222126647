package main

import (
	"strings"
	"testing"
)

func TestContentType(t *testing.T) {
	tests := []struct{ name, want string }{
		{"index.html", "text/html; charset=utf-8"},
		{"app.js", "text/javascript; charset=utf-8"},
		{"wasm_exec.js", "text/javascript; charset=utf-8"},
		{"style.css", "text/css; charset=utf-8"},
		{"main.wasm", "application/wasm"},
		{"a/b.png", "image/png"},
		{"PHOTO.JPEG", "image/jpeg"},
		{"x.gif", "image/gif"},
		{"x.svg", "image/svg+xml"},
		{"favicon.ico", "image/x-icon"},
		{"sample.zip", "application/zip"},
		{"model.safetensors", "application/octet-stream"},
		{"main.wasm.gz", "application/gzip"},
		{"noext", "application/octet-stream"},
		{"x.exe", "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := contentType(tt.name); got != tt.want {
			t.Errorf("contentType(%q): got %q, want %q", tt.name, got, tt.want)
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
