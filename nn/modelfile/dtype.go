package modelfile

import (
	"encoding/binary"
	"math"
)

// dtype describes how the elements of a stored tensor are encoded.
type dtype struct {
	name  string // safetensors name, such as "F32" or "BF16"
	size  int    // bytes per element
	float bool   // a float kind (reported as "F32") or an integer kind ("I64")
	// decode converts len(dst) little-endian elements from src, which
	// holds exactly len(dst)*size bytes, to float32.
	decode func(dst []float32, src []byte)
}

// kind returns the Tensor.DType reported for values stored as d.
func (d *dtype) kind() string {
	if d.float {
		return dtypeFloat
	}
	return dtypeInt
}

// dtypes lists the element encodings the readers accept. It is never
// modified.
var dtypes = [...]dtype{
	{"F32", 4, true, decodeF32},
	{"F64", 8, true, decodeF64},
	{"F16", 2, true, decodeF16},
	{"BF16", 2, true, decodeBF16},
	{"I64", 8, false, decodeI64},
	{"I32", 4, false, decodeI32},
	{"I16", 2, false, decodeI16},
	{"I8", 1, false, decodeI8},
	{"U64", 8, false, decodeU64},
	{"U32", 4, false, decodeU32},
	{"U16", 2, false, decodeU16},
	{"U8", 1, false, decodeU8},
	{"BOOL", 1, false, decodeBool},
}

// lookupDType returns the dtype with the given safetensors name, or nil.
func lookupDType(name string) *dtype {
	for i := range dtypes {
		if dtypes[i].name == name {
			return &dtypes[i]
		}
	}
	return nil
}

func decodeF32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func decodeF64(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
	}
}

func decodeF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = halfToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func decodeBF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
	}
}

func decodeI64(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(int64(binary.LittleEndian.Uint64(src[8*i:])))
	}
}

func decodeI32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(int32(binary.LittleEndian.Uint32(src[4*i:])))
	}
}

func decodeI16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:])))
	}
}

func decodeI8(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(int8(src[i]))
	}
}

func decodeU64(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(binary.LittleEndian.Uint64(src[8*i:]))
	}
}

func decodeU32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func decodeU16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func decodeU8(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(src[i])
	}
}

// decodeBool maps 0 to 0 and any other byte to 1.
func decodeBool(dst []float32, src []byte) {
	for i := range dst {
		if src[i] != 0 {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32, exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // normal: rebias the exponent from 15 to 127
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	}
	// zero or subnormal: frac * 2^-24, exact in float32
	f := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}

// swapBytes reverses the byte order of each size-byte element of b in
// place, turning big-endian storage into little-endian.
func swapBytes(b []byte, size int) {
	for i := 0; i+size <= len(b); i += size {
		e := b[i : i+size]
		for j, k := 0, size-1; j < k; j, k = j+1, k-1 {
			e[j], e[k] = e[k], e[j]
		}
	}
}
