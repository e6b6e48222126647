package main

import (
	"io"
	"net/http"
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

// gzipEncoded is an http.ResponseWriter for a body that is already
// gzip-compressed: it adds "Content-Encoding: gzip" when a 200 or 206
// header goes out. Other answers (304, 412, 416) carry no body of that
// encoding and get none. Adding it this late lets http.ServeContent,
// which sees no encoding, set Content-Length to the compressed length.
type gzipEncoded struct {
	http.ResponseWriter
	wroteHeader bool
}

// WriteHeader adds the encoding to a 200 or 206 header and sends it.
func (g *gzipEncoded) WriteHeader(status int) {
	if !g.wroteHeader {
		g.wroteHeader = true
		if status == http.StatusOK || status == http.StatusPartialContent {
			g.Header().Set("Content-Encoding", "gzip")
		}
	}
	g.ResponseWriter.WriteHeader(status)
}

// Write sends a 200 header first if none was sent, then b.
func (g *gzipEncoded) Write(b []byte) (int, error) {
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	return g.ResponseWriter.Write(b)
}

// ReadFrom sends a 200 header first if none was sent, then copies src,
// keeping the underlying writer's own ReadFrom (sendfile) in use.
func (g *gzipEncoded) ReadFrom(src io.Reader) (int64, error) {
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	return io.Copy(g.ResponseWriter, src)
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (g *gzipEncoded) Unwrap() http.ResponseWriter {
	return g.ResponseWriter
}
