package data

import "testing"

func TestCapitalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{{"the worker", "The worker"}, {"", ""}, {"Already", "Already"}, {"a", "A"}} {
		if got := Capitalize(tc.in); got != tc.want {
			t.Errorf("Capitalize(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
