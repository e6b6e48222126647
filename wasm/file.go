package main

import (
	"fmt"
	"io"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/promise"
)

// file is the body of a request: a file the person gave (a Blob, read a
// block at a time) or bytes (an ArrayBuffer, copied in when read; a
// slice in native tests).
type file interface {
	io.ReaderAt
	Size() int64
	// Bytes returns the whole file.
	Bytes() ([]byte, error)
	// Blob returns the file as a Blob, to hand to another worker, or
	// undefined where it is none.
	Blob() js.Value
}

// bytesFile is a file in memory.
type bytesFile []byte

func (b bytesFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, fmt.Errorf("reading at %d of %d bytes", off, len(b))
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (b bytesFile) Size() int64            { return int64(len(b)) }
func (b bytesFile) Bytes() ([]byte, error) { return b, nil }
func (b bytesFile) Blob() js.Value         { return js.Undefined() }

// bufferFile is an ArrayBuffer, left in JavaScript's memory until read:
// a photo the classifier hands on to a peer never comes into its own.
type bufferFile struct {
	buf  js.Value
	size int64
}

func (f bufferFile) Size() int64    { return f.size }
func (f bufferFile) Blob() js.Value { return js.Undefined() }

func (f bufferFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > f.size {
		return 0, fmt.Errorf("reading at %d of %d bytes", off, f.size)
	}
	n := int(min(int64(len(p)), f.size-off))
	js.CopyBytesToGo(p[:n], js.Global().Get("Uint8Array").New(f.buf, off, n))
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f bufferFile) Bytes() ([]byte, error) { return link.Bytes(f.buf), nil }

// handOver returns f as a body to hand to another worker: its Blob, or
// its ArrayBuffer, which goes there (f cannot be read after), or
// undefined for bytes in Go's memory.
func handOver(f file) js.Value {
	if b, ok := f.(bufferFile); ok {
		return b.buf
	}
	return f.Blob()
}

// blobFile is a Blob, read a block at a time.
type blobFile struct {
	*blobReader
}

func (f blobFile) Size() int64    { return f.size }
func (f blobFile) Blob() js.Value { return f.blob }

// Bytes reads the whole Blob through the reader's cache, which holds
// its first block already when the header was read (a photo's, to find
// its decoding cost).
func (f blobFile) Bytes() ([]byte, error) {
	b := make([]byte, f.size)
	if _, err := f.ReadAt(b, 0); err != nil && f.size > 0 {
		return nil, fmt.Errorf("reading the file: %w", err)
	}
	return b, nil
}

// bodyOf returns a message's body as a file: nil for none.
func bodyOf(body js.Value) file {
	switch {
	case link.IsBuffer(body):
		return bufferFile{buf: body, size: int64(body.Get("byteLength").Int())}
	case link.IsBlob(body):
		return blobFile{newBlobReader(body)}
	}
	return nil
}

// fetchFile returns the file at url, a same-origin path.
func fetchFile(url string) (file, error) {
	res, err := promise.Await(js.Global().Call("fetch", url))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	if !res.Get("ok").Bool() {
		return nil, fmt.Errorf("fetching %s: %d %s", url, res.Get("status").Int(), res.Get("statusText").String())
	}
	blob, err := promise.Await(res.Call("blob"))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", url, err)
	}
	return blobFile{newBlobReader(blob)}, nil
}
