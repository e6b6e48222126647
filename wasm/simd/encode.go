package simd

// This file is a WebAssembly binary encoder for the little the kernel
// module needs: one imported memory, functions of i32 parameters, and
// the instructions the kernel uses, named as in the text format. See the
// WebAssembly core specification, "Binary Format", and its SIMD and
// relaxed-SIMD extensions.

// valType is a value type's encoding.
type valType byte

const (
	i32  valType = 0x7f
	f64  valType = 0x7c
	v128 valType = 0x7b
)

// function is a function under construction: its signature, locals and
// body. Parameters and locals share one index space, parameters first.
type function struct {
	name    string // exported as
	params  int    // all i32
	locals  []valType
	body    []byte
	results []valType
}

// newFunction returns a function exported as name taking params i32
// parameters, indices 0 to params-1.
func newFunction(name string, params int) *function {
	return &function{name: name, params: params}
}

// constFunction returns a function exported as name that returns v.
func constFunction(name string, v int32) *function {
	f := newFunction(name, 0)
	f.results = []valType{i32}
	f.i32Const(v)
	return f
}

// local adds a local of type t and returns its index.
func (f *function) local(t valType) uint32 {
	f.locals = append(f.locals, t)
	return uint32(f.params + len(f.locals) - 1)
}

func (f *function) op(b ...byte) { f.body = append(f.body, b...) }

func (f *function) u32(v uint32) { f.body = appendU32(f.body, v) }

// Control instructions. Loops and ifs take no parameters and give no
// results (block type 0x40).
func (f *function) loop()             { f.op(0x03, 0x40) }
func (f *function) ifThen()           { f.op(0x04, 0x40) }
func (f *function) elseThen()         { f.op(0x05) }
func (f *function) end()              { f.op(0x0b) }
func (f *function) brIf(depth int)    { f.op(0x0d); f.u32(uint32(depth)) }
func (f *function) localGet(x uint32) { f.op(0x20); f.u32(x) }
func (f *function) localSet(x uint32) { f.op(0x21); f.u32(x) }

// Integer instructions.
func (f *function) i32Const(v int32) { f.op(0x41); f.body = appendS32(f.body, v) }
func (f *function) i32Add()          { f.op(0x6a) }
func (f *function) i32Sub()          { f.op(0x6b) }
func (f *function) i32Mul()          { f.op(0x6c) }

// Floating-point instructions.
func (f *function) f64Add()       { f.op(0xa0) }
func (f *function) f32DemoteF64() { f.op(0xb6) }
func (f *function) f64Zero()      { f.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0) } // f64.const +0

// Memory instructions, with a memory argument of the given alignment
// (log2 bytes, a hint) and constant offset.
func (f *function) memarg(align, offset uint32) { f.u32(align); f.u32(offset) }

// SIMD instructions: the prefix 0xfd, then the instruction's number.
func (f *function) simd(n uint32) { f.op(0xfd); f.u32(n) }

func (f *function) i32Load(offset uint32)         { f.op(0x28); f.memarg(2, offset) }
func (f *function) f64Load(offset uint32)         { f.op(0x2b); f.memarg(3, offset) }
func (f *function) f64Store(offset uint32)        { f.op(0x39); f.memarg(3, offset) }
func (f *function) v128Load(offset uint32)        { f.simd(0x00); f.memarg(2, offset) }
func (f *function) v128Load32Splat(offset uint32) { f.simd(0x09); f.memarg(2, offset) }
func (f *function) v128Store(offset uint32)       { f.simd(0x0b); f.memarg(2, offset) }
func (f *function) f32x4Add()                     { f.simd(0xe4) }
func (f *function) f32x4Mul()                     { f.simd(0xe6) }
func (f *function) f32x4Sub()                     { f.simd(0xe5) }
func (f *function) f32x4Splat()                   { f.simd(0x13) }
func (f *function) f64x2Splat()                   { f.simd(0x14) }
func (f *function) f64x2Add()                     { f.simd(0xf0) }
func (f *function) f64x2Sub()                     { f.simd(0xf1) }
func (f *function) f64x2Mul()                     { f.simd(0xf2) }
func (f *function) f64x2PromoteLowF32x4()         { f.simd(0x5f) }  // lanes 0 and 1, exactly
func (f *function) f32x4RelaxedMadd()             { f.simd(0x105) } // a*b + c, fused or not
func (f *function) f32x4Le()                      { f.simd(0x45) }  // lanes a <= b: all ones, else zeros
func (f *function) i32x4Ne()                      { f.simd(0x38) }  // lanes a != b: all ones, else zeros
func (f *function) v128And()                      { f.simd(0x4e) }
func (f *function) v128AndNot()                   { f.simd(0x4f) } // a &^ b
func (f *function) v128Bitselect()                { f.simd(0x52) } // (a & c) | (b &^ c)
func (f *function) i32x4GtS()                     { f.simd(0x3b) } // lanes a > b, signed: all ones, else zeros
func (f *function) i32x4Splat()                   { f.simd(0x11) }
func (f *function) i16x8Splat()                   { f.simd(0x10) }
func (f *function) i32x4Add()                     { f.simd(0xae) }
func (f *function) i32x4Sub()                     { f.simd(0xb1) }
func (f *function) i32x4Mul()                     { f.simd(0xb5) } // the low 32 bits
func (f *function) i32x4Shl()                     { f.simd(0xab) } // by an i32
func (f *function) i32x4ShrS()                    { f.simd(0xac) } // by an i32, arithmetic
func (f *function) i16x8Add()                     { f.simd(0x8e) }
func (f *function) i16x8NarrowI32x4S()            { f.simd(0x85) } // a's lanes then b's, saturating
func (f *function) i8x16NarrowI16x8U()            { f.simd(0x66) } // to 0-255, saturating

// v128Store64Lane stores lane (0 or 1) of the vector's 64-bit lanes.
func (f *function) v128Store64Lane(offset uint32, lane byte) {
	f.simd(0x5b)
	f.memarg(3, offset)
	f.op(lane)
}

// f64x2ExtractLane pushes lane (0 or 1) of the vector's two float64s.
func (f *function) f64x2ExtractLane(lane byte) {
	f.simd(0x21)
	f.op(lane)
}

// i8x16Shuffle picks the bytes lanes of a (0-15) and b (16-31).
func (f *function) i8x16Shuffle(lanes [16]byte) {
	f.simd(0x0d)
	f.op(lanes[:]...)
}

// v128Zero pushes a vector of zeros.
func (f *function) v128Zero() {
	f.simd(0x0c) // v128.const
	f.op(make([]byte, 16)...)
}

// i32x4Const pushes the vector of the four i32 lanes given.
func (f *function) i32x4Const(lanes [4]int32) {
	f.simd(0x0c) // v128.const, its 16 bytes little-endian
	for _, l := range lanes {
		f.op(byte(l), byte(l>>8), byte(l>>16), byte(l>>24))
	}
}

// encodeModule returns a module that imports its memory as env.memory,
// with no maximum so that it accepts any memory, and exports funcs.
func encodeModule(funcs ...*function) []byte {
	m := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

	var types, fidx, exports, codes []byte
	types = appendU32(types, uint32(len(funcs)))
	fidx = appendU32(fidx, uint32(len(funcs)))
	exports = appendU32(exports, uint32(len(funcs)))
	codes = appendU32(codes, uint32(len(funcs)))
	for i, f := range funcs {
		types = append(types, 0x60) // function type
		types = appendU32(types, uint32(f.params))
		for range f.params {
			types = append(types, byte(i32))
		}
		types = appendU32(types, uint32(len(f.results)))
		for _, t := range f.results {
			types = append(types, byte(t))
		}
		fidx = appendU32(fidx, uint32(i))
		exports = appendName(exports, f.name)
		exports = append(exports, 0x00) // a function
		exports = appendU32(exports, uint32(i))
		codes = appendVec(codes, f.encodeCode())
	}

	var imports []byte
	imports = appendU32(imports, 1)
	imports = appendName(imports, "env")
	imports = appendName(imports, "memory")
	imports = append(imports, 0x02, 0x00, 0x00) // memory, limits with no maximum, minimum 0

	m = appendSection(m, 1, types)
	m = appendSection(m, 2, imports)
	m = appendSection(m, 3, fidx)
	m = appendSection(m, 7, exports)
	m = appendSection(m, 10, codes)
	return m
}

// encodeCode returns the function's code entry without its size: the
// locals, run-length encoded, then the body and its end.
func (f *function) encodeCode() []byte {
	var runs [][2]uint32 // count, type
	for _, t := range f.locals {
		if n := len(runs); n > 0 && runs[n-1][1] == uint32(t) {
			runs[n-1][0]++
			continue
		}
		runs = append(runs, [2]uint32{1, uint32(t)})
	}
	b := appendU32(nil, uint32(len(runs)))
	for _, r := range runs {
		b = appendU32(b, r[0])
		b = append(b, byte(r[1]))
	}
	b = append(b, f.body...)
	return append(b, 0x0b)
}

func appendSection(m []byte, id byte, content []byte) []byte {
	return appendVec(append(m, id), content)
}

// appendVec appends content preceded by its length.
func appendVec(b, content []byte) []byte {
	return append(appendU32(b, uint32(len(content))), content...)
}

func appendName(b []byte, s string) []byte { return appendVec(b, []byte(s)) }

// appendU32 appends v as unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendS32 appends v as signed LEB128.
func appendS32(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
