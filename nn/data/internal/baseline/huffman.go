package baseline

import "encoding/binary"

// lookBits is how many of the next bits a table looks up at once.
const lookBits = 9

// table is a Huffman table, canonical as the standard builds it.
type table struct {
	defined bool
	// short maps the next lookBits bits to the symbol<<8 | length of
	// the code they start with, or 0 where the code is longer.
	short [1 << lookBits]uint16
	// coef, in an AC table, maps the next lookBits bits to a whole
	// coefficient when its code and its extra bits fit in them:
	// value<<8 | run<<4 | bits, or 0.
	coef [1 << lookBits]int32
	// For the codes longer than lookBits: for each length, the largest
	// code (-1 for none), and the index in vals of its smallest code
	// minus that code.
	maxCode [17]int32
	offset  [17]int32
	vals    [256]uint8
}

// build makes t from a table segment's counts of codes of each length
// and their symbols. It declines a table whose codes do not fit in
// their lengths, which image/jpeg reads in its own way.
func (t *table) build(counts *[16]int, vals []uint8, ac bool) error {
	*t = table{defined: true}
	copy(t.vals[:], vals)
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := counts[l-1]
		t.maxCode[l] = -1
		if n > 0 {
			t.offset[l] = int32(k) - code
			t.maxCode[l] = code + int32(n) - 1
		}
		for range n {
			if code >= 1<<l {
				return decline("Huffman codes of %d bits overflow", l)
			}
			if l <= lookBits {
				shift := lookBits - l
				sym := vals[k]
				for i := range 1 << shift {
					look := int(code)<<shift | i
					t.short[look] = uint16(sym)<<8 | uint16(l)
					if run, size := int32(sym>>4), int(sym&0x0f); ac && size > 0 && l+size <= lookBits {
						extra := int32(look>>(shift-size)) & (1<<size - 1)
						t.coef[look] = extend(extra, size)<<8 | run<<4 | int32(l+size)
					}
				}
			}
			code++
			k++
		}
		code <<= 1
	}
	return nil
}

// extend gives the value of a coefficient's size extra bits v.
func extend(v int32, size int) int32 {
	if v < 1<<(size-1) {
		return v - 1<<size + 1
	}
	return v
}

// bits reads a scan's entropy-coded bytes, unstuffing 0xff 0x00.
type bits struct {
	src []byte
	pos int    // the next byte to read
	acc uint64 // the next bits, the first at the top
	n   int    // how many bits acc holds
	// Once a marker or the end of src is reached, stopped is set and
	// zero bytes are read in their place, counted in zeros.
	stopped bool
	zeros   int
}

// fill reads bytes until acc holds at least 57 bits.
func (r *bits) fill() {
	if r.pos+8 <= len(r.src) {
		// The next eight bytes at once, when none of them is 0xff.
		x := binary.BigEndian.Uint64(r.src[r.pos:])
		if y := ^x; (y-0x0101010101010101)&^y&0x8080808080808080 == 0 {
			k := (64 - r.n) >> 3
			r.acc |= x &^ (1<<(64-8*k) - 1) >> r.n
			r.n += 8 * k
			r.pos += k
			return
		}
	}
	for r.n <= 56 {
		var c uint64
		switch {
		case r.stopped:
			r.zeros += 8
		case r.pos >= len(r.src):
			r.stopped = true
			r.zeros += 8
		case r.src[r.pos] != 0xff:
			c = uint64(r.src[r.pos])
			r.pos++
		case r.pos+1 < len(r.src) && r.src[r.pos+1] == 0:
			c = 0xff
			r.pos += 2
		default:
			r.stopped = true // at a marker: pos stays on its 0xff
			r.zeros += 8
		}
		r.acc |= c << (56 - r.n)
		r.n += 8
	}
}

// overrun reports whether more bits were used than the scan holds:
// image/jpeg fails such a scan.
func (r *bits) overrun() bool { return r.n < r.zeros }

// decode returns the symbol of the code of t at the top of acc, and
// the code's length: 0 for a code t does not have.
func decode(t *table, acc uint64) (sym uint8, length int) {
	if e := t.short[acc>>(64-lookBits)]; e != 0 {
		return uint8(e >> 8), int(e & 0xff)
	}
	for l := lookBits + 1; l <= 16; l++ {
		if code := int32(acc >> (64 - l)); code <= t.maxCode[l] {
			return t.vals[uint8(t.offset[l]+code)], l
		}
	}
	return 0, 0
}
