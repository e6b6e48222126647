package link

import "github.com/vugu/vugu/js"

// A message's body crosses as an ArrayBuffer: these copy one to and from
// Go's memory in one call each, never element by element.

// Buffer returns a new ArrayBuffer holding a copy of b, for a body to
// transfer.
func Buffer(b []byte) js.Value {
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return u8.Get("buffer")
}

// Bytes returns a copy of buf, an ArrayBuffer, in Go's memory.
func Bytes(buf js.Value) []byte { return CopyInto(nil, buf) }

// CopyInto copies buf, an ArrayBuffer, into b, grown as needed, and
// returns it: a body read into the same memory step after step.
func CopyInto(b []byte, buf js.Value) []byte {
	u8 := js.Global().Get("Uint8Array").New(buf)
	n := u8.Length()
	if cap(b) < n {
		b = make([]byte, n)
	}
	b = b[:n]
	js.CopyBytesToGo(b, u8)
	return b
}

// IsBuffer reports whether v is an ArrayBuffer.
func IsBuffer(v js.Value) bool { return v.InstanceOf(js.Global().Get("ArrayBuffer")) }

// IsBlob reports whether v is a Blob (a File among them).
func IsBlob(v js.Value) bool { return v.InstanceOf(js.Global().Get("Blob")) }

// Transfer returns the list of transferables of a postMessage that
// transfers buf, an ArrayBuffer. (A JavaScript array, not a Go slice:
// github.com/vugu/vugu/js converts its values only at the top level of
// a call's arguments.)
func Transfer(buf js.Value) js.Value { return js.Global().Get("Array").Call("of", buf) }
