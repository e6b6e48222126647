package main

import (
	"os"
	"strings"
	"testing"
)

// TestStylesheetBraces checks that assets/app.css opens and closes its
// blocks in pairs: one brace too few or too many and the browser drops
// the rules after it, or puts them in a media query, without a word.
func TestStylesheetBraces(t *testing.T) {
	b, err := os.ReadFile("../assets/app.css")
	if err != nil {
		t.Fatal(err)
	}
	depth, line := 0, 1
	inComment := false
	s := string(b)
	for i := 0; i < len(s); i++ {
		switch {
		case inComment:
			if strings.HasPrefix(s[i:], "*/") {
				inComment, i = false, i+1
			}
		case strings.HasPrefix(s[i:], "/*"):
			inComment = true
		case s[i] == '{':
			depth++
		case s[i] == '}':
			if depth--; depth < 0 {
				t.Fatalf("line %d: a } closes no block", line)
			}
		}
		if s[i] == '\n' {
			line++
		}
	}
	if depth != 0 {
		t.Errorf("%d blocks left open at the end", depth)
	}
}
