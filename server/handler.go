package main

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

// allowedMethods is the Allow header sent with 405 responses.
const allowedMethods = "GET, HEAD"

// errNotRegular is returned for names that exist but are not regular
// files (directories, devices, pipes); they are answered with 404.
var errNotRegular = errors.New("server: not a regular file")

// newHandler returns the server's handler: it serves the app's files from
// root (see locate for which), sets the security headers on every
// response and writes an access log line per request to logw. Only GET
// and HEAD are allowed. The caller keeps root open while the handler is in
// use.
func newHandler(root *os.Root, logw io.Writer) http.Handler {
	files := &fileHandler{root: root}
	return withAccessLog(logw, withSecurityHeaders(onlyGetHead(files)))
}

// onlyGetHead returns a handler that answers 405, with an Allow header,
// to any method but GET and HEAD, and passes those to next.
func onlyGetHead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", allowedMethods)
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fileHandler serves regular files from a root directory. Symbolic links
// are followed only while they stay inside the directory that confines
// the file (see locate; os.Root enforces it). Conditional requests
// (If-None-Match, If-Modified-Since) and ranges are handled by
// http.ServeContent.
type fileHandler struct {
	root *os.Root
}

// ServeHTTP serves the file that r's path names, or 404, also for types
// the server does not serve (see contentTypes). When the client accepts
// gzip and a fresh "NAME.gz" lies beside the file, the compressed bytes
// are sent with Content-Encoding: gzip, the file's own type and the
// compressed length; ranges then count bytes of the compressed body.
func (h *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dirName, name, ok := locate(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	typ, ok := contentType(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	dir := h.root
	if dirName != "" {
		sub, err := h.root.OpenRoot(dirName)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer sub.Close()
		dir = sub
	}
	f, info, err := openRegular(dir, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()

	header := w.Header()
	header.Set("Content-Type", typ)
	header.Set("Cache-Control", cacheControl(name))
	body, gzipped := f, false
	if hasFreshGzip(dir, name, info) {
		// The answer depends on Accept-Encoding whichever one is sent.
		header.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			if gz, gzInfo, err := openRegular(dir, name+".gz"); err == nil {
				defer gz.Close()
				body, info, gzipped = gz, gzInfo, true
				// Content-Encoding is added as the header goes out, not
				// now: http.ServeContent leaves out Content-Length when
				// it sees one, and a browser then shows no progress.
				w = &gzipEncoded{ResponseWriter: w}
				r = withoutMultipleRanges(r)
			}
		}
	}
	header.Set("ETag", entityTag(info, gzipped))
	http.ServeContent(w, r, name, info.ModTime(), body)
}

// withoutMultipleRanges returns r, or a copy without its Range header
// when that asks for more than one range. A multipart answer would be
// sent with Content-Encoding: gzip, which would then claim the multipart
// framing itself is compressed; the whole compressed body goes instead.
func withoutMultipleRanges(r *http.Request) *http.Request {
	if !strings.Contains(r.Header.Get("Range"), ",") {
		return r
	}
	r = r.Clone(r.Context())
	r.Header.Del("Range")
	return r
}

// hasFreshGzip reports whether a precompressed copy "NAME.gz" of the file
// name in dir, described by info, lies beside it. A copy older than the
// file is stale (the file was rebuilt since) and does not count.
func hasFreshGzip(dir *os.Root, name string, info fs.FileInfo) bool {
	gzInfo, err := dir.Stat(name + ".gz")
	return err == nil && gzInfo.Mode().IsRegular() && !gzInfo.ModTime().Before(info.ModTime())
}

// openRegular opens the file name inside root and returns it with its
// info. It fails with errNotRegular for anything but a regular file,
// checking before opening (opening a named pipe would block) and again
// after (the name may have changed in between).
func openRegular(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	info, err := root.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, errNotRegular
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotRegular
	}
	return f, info, nil
}
