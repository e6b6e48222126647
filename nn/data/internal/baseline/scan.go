package baseline

// unzig maps a coefficient's place in zig-zag order to its place in
// the block, row by row.
var unzig = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// unzigByColumn is unzig for blocks stored by column, as a Kernel
// takes them: coefficient (row r, column k) at 8k + r.
var unzigByColumn = func() (t [64]uint8) {
	for i, z := range unzig {
		t[i] = z%8*8 + z/8
	}
	return t
}()

// scanComponent is a component as the scan codes it.
type scanComponent struct {
	plane  []uint8
	stride int
	h, v   int
	quant  *[64]int32
	dc, ac *table
	zig    *[64]uint8 // unzig, or unzigByColumn for the kernel
	pred   int32      // the last DC coefficient
}

// scan reads the scan header seg and decodes the entropy-coded data
// from src[p:], returning where the segments go on.
func (d *decoder) scan(seg []byte, p int) (int, error) {
	if d.nComp == 0 {
		return 0, decline("a scan before the frame header")
	}
	if len(seg) < 6 || len(seg) != 4+2*int(seg[0]) {
		return 0, decline("scan header of %d bytes", len(seg))
	}
	if int(seg[0]) != d.nComp {
		return 0, decline("a scan of %d of the %d components", seg[0], d.nComp)
	}
	h0, v0 := d.comp[0].h, d.comp[0].v
	mxx := (d.width + 8*h0 - 1) / (8 * h0)
	myy := (d.height + 8*v0 - 1) / (8 * v0)
	planes, strides := d.makeImage(mxx, myy)

	var comps [3]scanComponent
	var seen [3]bool
	blocks := 0
	for i := range d.nComp {
		id, tables := seg[1+2*i], seg[2+2*i]
		ci := -1
		for j := range d.nComp {
			if d.comp[j].id == id {
				ci = j
			}
		}
		if ci < 0 {
			return 0, decline("scan of an unknown component")
		}
		if seen[ci] {
			return 0, decline("scan of a component twice")
		}
		seen[ci] = true
		td, ta := tables>>4, tables&0x0f
		if td > 1 || ta > 1 || !d.dc[td].defined || !d.ac[ta].defined {
			return 0, decline("scan with undefined Huffman tables")
		}
		c := d.comp[ci]
		comps[i] = scanComponent{plane: planes[ci], stride: strides[ci], h: c.h, v: c.v,
			quant: &d.quant[c.tq], dc: &d.dc[td], ac: &d.ac[ta], zig: &unzig}
		blocks += c.h * c.v
	}
	if d.nComp > 1 && blocks > 10 {
		return 0, decline("%d blocks an MCU", blocks)
	}

	r := bits{src: d.src, pos: p}
	var b block
	// With a kernel, each component's blocks of an MCU row wait in rows
	// of blocks, row j of the component's MCU in blockRows[i][j], for the
	// kernel to transform them a row at a time.
	k := kernel
	var blockRows [3][][]int32
	if k != nil {
		for i := range d.nComp {
			c := &comps[i]
			c.zig = &unzigByColumn
			for range c.v {
				blockRows[i] = append(blockRows[i], make([]int32, 64*c.h*mxx))
			}
		}
	}
	mcu, next := 0, uint8(rst0)
	for my := range myy {
		for mx := range mxx {
			for i := range d.nComp {
				c := &comps[i]
				for j := range c.h * c.v {
					bx, by := c.h*mx+j%c.h, c.v*my+j/c.h
					if k != nil {
						if _, ok := r.block((*[64]int32)(blockRows[i][j/c.h][64*bx:]), c); !ok {
							return 0, decline("a damaged block")
						}
						continue
					}
					rows, ok := r.block(&b.c, c)
					if !ok {
						return 0, decline("a damaged block")
					}
					b.rows = rows
					b.store(c.plane[8*(by*c.stride+bx):], c.stride)
				}
			}
			mcu++
			if d.restart > 0 && mcu%d.restart == 0 && mcu < mxx*myy {
				if r.overrun() {
					return 0, decline("a restart interval cut short")
				}
				q, ok := findRestart(d.src, r.pos, next)
				if !ok {
					return 0, decline("restart marker %d missing", next-rst0)
				}
				r = bits{src: d.src, pos: q}
				for i := range comps {
					comps[i].pred = 0
				}
				next = rst0 + (next-rst0+1)%8
			}
		}
		if k != nil {
			for i := range d.nComp {
				c := &comps[i]
				for j, coefs := range blockRows[i] {
					k(c.plane[8*(c.v*my+j)*c.stride:], c.stride, coefs)
				}
			}
		}
	}
	if r.overrun() {
		return 0, decline("the scan is cut short")
	}
	return r.pos, nil
}

// findRestart finds the restart marker rst from src[p:], skipping what
// image/jpeg skips to find it, and returns where the data after it
// starts.
func findRestart(src []byte, p int, rst uint8) (int, bool) {
	if p+2 > len(src) {
		return 0, false
	}
	a, b := src[p], src[p+1]
	p += 2
	for {
		switch {
		case a == 0xff && b == rst:
			return p, true
		case a == 0xff && b == 0xff:
		case a == 0xff && b != 0:
			return 0, false
		case a == 0xff || b != 0xff: // a 0xff 0x00, or two other bytes
			if p+2 > len(src) {
				return 0, false
			}
			a, b = src[p], src[p+1]
			p += 2
			continue
		default:
			a = 0xff
		}
		if p >= len(src) {
			return 0, false
		}
		b = src[p]
		p++
	}
}

// block decodes the next block of c into dst, which holds zeros, with
// its coefficients dequantized and placed by c.zig, and returns which
// rows of c.zig's layout hold any but zeros, DC aside (bit i for row
// i). It returns false where image/jpeg would fail or read the block
// otherwise than the standard.
//
// The bits are kept in locals, given back to r only to refill.
func (r *bits) block(dst *[64]int32, c *scanComponent) (uint8, bool) {
	if r.n < 32 {
		r.fill()
	}
	acc, n := r.acc, r.n
	size, l := decode(c.dc, acc)
	if l == 0 || size > 16 {
		return 0, false
	}
	acc <<= l
	n -= l
	if size > 0 {
		c.pred += extend(int32(acc>>(64-size)), int(size))
		acc <<= size
		n -= int(size)
	}
	q := c.quant
	dst[0] = c.pred * q[0]
	rows := uint8(0)
	ac, zig := c.ac, c.zig
	for k := 1; k < 64; {
		if n < 32 {
			r.acc, r.n = acc, n
			r.fill()
			acc, n = r.acc, r.n
		}
		if e := ac.coef[acc>>(64-lookBits)]; e != 0 {
			k += int(e >> 4 & 0x0f)
			if k > 63 {
				return 0, false
			}
			z := zig[k&63]
			dst[z&63] = e >> 8 * q[k&63]
			rows |= 1 << (z >> 3)
			l := e & 0x0f
			acc <<= l
			n -= int(l)
			k++
			continue
		}
		sym, l := decode(ac, acc)
		if l == 0 {
			return 0, false
		}
		acc <<= l
		n -= l
		run, size := int(sym>>4), sym&0x0f
		if size == 0 {
			if run == 15 {
				k += 16
				continue
			}
			if run != 0 {
				return 0, false // an end-of-band run, which image/jpeg carries to the next blocks
			}
			break
		}
		k += run
		if k > 63 {
			return 0, false
		}
		z := zig[k&63]
		dst[z&63] = extend(int32(acc>>(64-size)), int(size)) * q[k&63]
		acc <<= size
		n -= int(size)
		rows |= 1 << (z >> 3)
		k++
	}
	r.acc, r.n = acc, n
	return rows, true
}
