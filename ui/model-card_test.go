package main

import "testing"

func TestGroupThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {195478, "195,478"}, {1234567, "1,234,567"},
	} {
		if got := groupThousands(tc.n); got != tc.want {
			t.Errorf("groupThousands(%d): got %q, want %q", tc.n, got, tc.want)
		}
	}
}
