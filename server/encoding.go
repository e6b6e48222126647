package main

import (
	"strconv"
	"strings"
)

// acceptsGzip reports whether a client sending the Accept-Encoding header
// values accepts a gzip-encoded response (RFC 9110, section 12.5.3):
// "gzip" (or its alias "x-gzip") with a q-value above zero, or, when gzip
// is not named, "*" with a q-value above zero. A q-value that does not
// parse counts as zero, so a malformed header gets the plain file.
func acceptsGzip(values []string) bool {
	gzipQ, anyQ := -1.0, -1.0
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, qValue(params))
			case "*":
				anyQ = max(anyQ, qValue(params))
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return anyQ > 0
}

// qValue returns the weight in the parameters of one Accept-Encoding item
// (the text after its first ";"): 1 when there is no q parameter, 0 when
// it is malformed or out of range.
func qValue(params string) float64 {
	for param := range strings.SplitSeq(params, ";") {
		key, val, ok := strings.Cut(strings.TrimSpace(param), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || !(q >= 0 && q <= 1) { // NaN too
			return 0
		}
		return q
	}
	return 1
}
