package data

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// byteWords writes a number of bytes in a person's units: "812 bytes",
// "48 KB", "215 MB", "2.1 GB" (powers of 1024, as file managers count).
func byteWords[N int | int64 | uint64](n N) string {
	v := float64(n)
	for _, unit := range []string{"bytes", "KB", "MB", "GB"} {
		switch {
		case v < 1024 && unit == "bytes":
			return fmt.Sprintf("%d bytes", int64(n))
		case v < 10:
			return fmt.Sprintf("%.1f %s", v, unit)
		case v < 1024:
			return fmt.Sprintf("%.0f %s", v, unit)
		}
		v /= 1024
	}
	return fmt.Sprintf("%.0f TB", v)
}

// ByteWords is byteWords for callers outside the package.
func ByteWords(n int64) string { return byteWords(n) }

// countWords writes n with commas between groups of three digits:
// "80,001".
func countWords[N int | uint64](n N) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// CountWords is countWords for callers outside the package.
func CountWords(n int) string { return countWords(n) }

// Capitalize returns s with its first letter upper-cased, for a phrase
// that starts a sentence: "the worker" in "The worker stopped".
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// megapixelWords writes a number of pixels in megapixels: "40
// megapixels", "0.3 megapixels".
func megapixelWords(n int64) string {
	mp := float64(n) / 1e6
	if mp < 10 {
		return fmt.Sprintf("%.1f megapixels", mp)
	}
	return fmt.Sprintf("%.0f megapixels", mp)
}

// sortSkips sorts skipped files by name.
func sortSkips(s []Skip) {
	slices.SortStableFunc(s, func(x, y Skip) int { return cmp.Compare(x.Name, y.Name) })
}
