package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/promise"
)

// A Blob is read in blocks of blobBlock bytes, of which the last
// blobBlocks stay cached: archive/zip reads a file's header and data in
// small pieces. A block is read from a byte stream of the Blob (a BYOB
// reader of Blob.stream, filling the same buffer every time) that goes on
// from where the last block ended, so a run of files is one stream read
// front to back. FileReaderSync would allocate a new buffer for every
// read, and a worker that runs Go makes so little JavaScript garbage
// that the browser seldom collects them (docs/performance.md has the
// figures).
const (
	blobBlock  = 1 << 20
	blobBlocks = 4
	blobChunk  = 256 << 10 // the most one stream read asks for
)

// blobReader reads a Blob (a File the person picked, or a fetched
// body) as an io.ReaderAt, a block at a time, without ever holding the
// whole of it in Go's memory. Where the browser has no byte streams of
// Blobs (Node), it reads each block with the Blob's arrayBuffer. It
// waits for the browser, so it must not be used in a js.FuncOf callback,
// and it is used by one goroutine at a time.
type blobReader struct {
	blob  js.Value
	size  int64
	cache [blobBlocks]blobCached
	tick  int // counts reads, for the cache's ages

	// The stream reading on from pos, when one is open.
	reader js.Value // a ReadableStreamBYOBReader, or undefined
	pos    int64
	buf    js.Value // the ArrayBuffer the next read fills
	noBYOB bool     // the browser cannot read Blobs as byte streams
}

type blobCached struct {
	start int64 // offset of the block; -1 when empty
	data  []byte
	used  int // tick of its last use
}

// newBlobReader returns a reader of blob.
func newBlobReader(blob js.Value) *blobReader {
	r := &blobReader{blob: blob, size: int64(blob.Get("size").Float()), reader: js.Undefined()}
	for i := range r.cache {
		r.cache[i].start = -1
	}
	return r
}

// ReadAt reads len(p) bytes at off, through the cache.
func (r *blobReader) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, errors.New("blob: negative offset")
	}
	for n < len(p) {
		at := off + int64(n)
		if at >= r.size {
			return n, io.EOF
		}
		start := at - at%blobBlock
		b, err := r.block(start)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], b[at-start:])
	}
	return n, nil
}

// block returns the block at start, cached.
func (r *blobReader) block(start int64) ([]byte, error) {
	r.tick++
	oldest := 0
	for i := range r.cache {
		c := &r.cache[i]
		if c.start == start {
			c.used = r.tick
			return c.data, nil
		}
		if c.used < r.cache[oldest].used {
			oldest = i
		}
	}
	c := &r.cache[oldest]
	end := min(start+blobBlock, r.size)
	c.data = grow(c.data, int(end-start))
	if err := r.read(c.data, start); err != nil {
		c.start = -1
		return nil, fmt.Errorf("the file can no longer be read (was it moved, changed or deleted?): %w", err)
	}
	c.start, c.used = start, r.tick
	return c.data, nil
}

// read fills dst with the Blob's bytes from start.
func (r *blobReader) read(dst []byte, start int64) (err error) {
	defer func() {
		if p := recover(); p != nil { // a JavaScript exception
			r.reader = js.Undefined()
			err = fmt.Errorf("%v", p)
		}
	}()
	if r.reader.IsUndefined() || r.pos != start {
		r.open(start)
	}
	if r.noBYOB {
		buf, err := promise.Await(r.blob.Call("slice", float64(start), float64(start)+float64(len(dst))).Call("arrayBuffer"))
		if err != nil {
			return err
		}
		return copyOut(dst, js.Global().Get("Uint8Array").New(buf))
	}
	for n := 0; n < len(dst); {
		view := js.Global().Get("Uint8Array").New(r.buf, 0, min(blobChunk, len(dst)-n))
		res, err := promise.Await(r.reader.Call("read", view))
		if err != nil {
			r.reader = js.Undefined()
			return err
		}
		if res.Get("done").Bool() {
			r.reader = js.Undefined()
			return fmt.Errorf("it ended after %d bytes, not %d", r.pos, r.size)
		}
		got := res.Get("value")
		k := got.Length()
		js.CopyBytesToGo(dst[n:n+k], got)
		n += k
		r.pos += int64(k)
		r.buf = got.Get("buffer") // the same memory, handed back
	}
	return nil
}

// open starts reading the Blob at start, as a byte stream where the
// browser can.
func (r *blobReader) open(start int64) {
	if !r.reader.IsUndefined() {
		r.reader.Call("cancel")
		r.reader = js.Undefined()
	}
	r.pos = start
	if r.noBYOB {
		return
	}
	defer func() {
		if recover() != nil { // getReader threw: no byte stream here
			r.noBYOB = true
		}
	}()
	opts := js.Global().Get("Object").New()
	opts.Set("mode", "byob")
	r.reader = r.blob.Call("slice", float64(start)).Call("stream").Call("getReader", opts)
	r.buf = js.Global().Get("ArrayBuffer").New(blobChunk)
}

// copyOut copies u8, a Uint8Array of len(dst) bytes, into dst.
func copyOut(dst []byte, u8 js.Value) error {
	if u8.Length() != len(dst) {
		return fmt.Errorf("%d bytes, want %d (did it change?)", u8.Length(), len(dst))
	}
	js.CopyBytesToGo(dst, u8)
	return nil
}

// grow returns b with length n, reallocated only when too short.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
