package main

import (
	"io/fs"
	"strings"
)

// The files the server knows by name.
const (
	// indexFile, in the root, is served at "/".
	indexFile = "index.html"
	// assetsDir, in the root, holds everything else the page loads, at
	// any depth. Symbolic links in it may not lead out of it.
	assetsDir = "assets"
	// faviconFile, in assetsDir, is served at "/favicon.ico", the address
	// browsers try on their own (the top level of the root is fixed).
	faviconFile = "favicon.ico"
)

// locate maps a decoded URL path to the file to serve: the directory dir
// that confines it ("" for the root itself, else a slash-separated path
// relative to the root) and its slash-separated name inside dir. It
// reports whether the path names one of the app's files:
//
//	/                -> index.html in the root
//	/favicon.ico     -> favicon.ico in assets
//	/assets/a/b.ext  -> a/b.ext in assets
//
// Anything else is refused, including paths that are not in clean form
// ("//", "/./", "..", a trailing slash), that hold a backslash or a NUL,
// or that have an element starting with a dot (dotfiles, "..").
// Whether the name is a regular file inside dir is checked on open.
func locate(urlPath string) (dir, name string, ok bool) {
	switch urlPath {
	case "/":
		return "", indexFile, true
	case "/favicon.ico":
		return assetsDir, faviconFile, true
	}
	rest, ok := strings.CutPrefix(urlPath, "/"+assetsDir+"/")
	if !ok || !isPlainRelPath(rest) {
		return "", "", false
	}
	return assetsDir, rest, true
}

// isPlainRelPath reports whether p is a non-empty, clean, relative,
// slash-separated path with no backslash, no NUL and no element starting
// with a dot.
func isPlainRelPath(p string) bool {
	if !fs.ValidPath(p) || p == "." || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for elem := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(elem, ".") {
			return false
		}
	}
	return true
}
