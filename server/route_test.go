package main

import "testing"

func TestLocate(t *testing.T) {
	tests := []struct {
		urlPath, wantDir, wantName string
		wantOK                     bool
	}{
		{"/", "", "index.html", true},
		{"/favicon.ico", "assets", "favicon.ico", true},
		{"/assets/app.js", "assets", "app.js", true},
		{"/assets/a/b/c.png", "assets", "a/b/c.png", true},
		{"/assets/model.v2.safetensors", "assets", "model.v2.safetensors", true},
		{"", "", "", false},
		{"/index.html", "", "", false},
		{"/go.mod", "", "", false},
		{"/server/main.go", "", "", false},
		{"/assets", "", "", false},
		{"/assets/", "", "", false},
		{"/assets/a/", "", "", false},
		{"/assets/.env", "", "", false},
		{"/assets/a/.b/c", "", "", false},
		{"/assets/..", "", "", false},
		{"/assets/../go.mod", "", "", false},
		{"/assets/a/../b", "", "", false},
		{"/assets/./a", "", "", false},
		{"/assets//a", "", "", false},
		{"/assets/a\\..\\..\\go.mod", "", "", false},
		{"/assets/a\x00.js", "", "", false},
		{"/ASSETS/app.js", "", "", false},
		{"assets/app.js", "", "", false},
	}
	for _, tt := range tests {
		dir, name, ok := locate(tt.urlPath)
		if dir != tt.wantDir || name != tt.wantName || ok != tt.wantOK {
			t.Errorf("locate(%q): got (%q, %q, %v), want (%q, %q, %v)",
				tt.urlPath, dir, name, ok, tt.wantDir, tt.wantName, tt.wantOK)
		}
	}
}
