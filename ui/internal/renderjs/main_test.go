package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadScript(t *testing.T) {
	dir := t.TempDir()
	src := "package x\n\nconst (\n\tother = \"no\"\n\t" + scriptConst + " = \"a\\\"b\\n\"\n)\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readScript(dir)
	if err != nil || got != "a\"b\n" {
		t.Errorf("readScript: got %q, %v, want %q", got, err, "a\"b\n")
	}
	if _, err := readScript(t.TempDir()); err == nil {
		t.Error("readScript of a directory without the constant: got no error")
	}
}

// TestRunWritesVuguScript checks the script of the Vugu version in use:
// it must define window.vuguRender, and do nothing when that exists
// already, which is what assets/boot.js relies on.
func TestRunWritesVuguScript(t *testing.T) {
	out := filepath.Join(t.TempDir(), "vugu-render.js")
	if err := run(out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"if(window.vuguRender)return;", "window.vuguRender="} {
		if !strings.Contains(s, want) {
			t.Errorf("the script has no %q", want)
		}
	}
}

func TestSkipNoOpWrites(t *testing.T) {
	var script string
	for _, w := range noOpWrites {
		script += w.from + ";"
	}
	got, err := skipNoOpWrites(script)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range noOpWrites {
		if !strings.Contains(got, w.to) {
			t.Errorf("the script lacks %q", w.to)
		}
	}
	if _, err := skipNoOpWrites(script + noOpWrites[0].from); err == nil {
		t.Error("a write found twice: no error")
	}
	if _, err := skipNoOpWrites("nothing"); err == nil {
		t.Error("a write not found: no error")
	}
}
