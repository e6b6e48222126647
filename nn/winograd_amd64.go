//go:build !noasm

package nn

import "golang.org/x/sys/cpu"

// The Winograd transforms in AVX2 assembly, which inference runs natively
// where no kernels are set (see SetWinogradKernels) and the CPU has AVX2.
// A vector holds one value of 8 tiles that follow each other in a
// channel's row of transforms: its lanes do, each to its own tile, the
// additions of winogradInput or winogradOutput in their order, so the
// bits are Go's (a NaN's sign and payload aside, which the order of a
// commutative addition's operands decides).
//
// The 8 tiles are two quads, each of 4 tiles of one row of tiles, the
// 128-bit halves of a vector: one quad's 4×10 block of the planes is
// four rows of 128-bit loads, which VSHUFPS splits into the 4 columns of
// its tiles without crossing the halves. A quad never crosses a row of
// tiles; two quads share a vector when the first is whole, so that their
// tiles follow each other whatever the rows' width, and the planes of 8
// by 8 values (4 tiles a row) fill whole vectors too.
//
// The input transform stores all 8 lanes of a group whatever its tiles:
// those past its last tile are spill, which a later group overwrites, as
// each channel's groups go in order, or which lies past the channel's
// last tile. The output transform stores its tiles' values only, through
// masks where a group is not full.

// builtinWinograd are the Winograd transforms in assembly, or nil where
// the CPU lacks AVX2: inference then convolves directly.
var builtinWinograd = func() *WinogradKernels {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return &WinogradKernels{Input: winogradInputAVX2, Output: winogradOutputAVX2}
}()

// A winogradGroup is the 8 tiles that the assembly transforms with a
// vector per value, as two quads of up to 4 tiles: its layout is the
// assembly's (see go_asm.h).
type winogradGroup struct {
	t        int // a channel's column of the first quad's first tile
	at0, at1 int // the offsets in a channel's planes of the quads' blocks
	// full is 1 where both quads have 4 tiles; mask then is unused.
	// Otherwise the output stores, for each quad, the values of its row
	// of the output where mask, the first 4 and the last 4 of them, is
	// all ones: 2 values a tile, none for a missing second quad (at1 is
	// then at0, that reads stay in place).
	full int
	mask [4][4]uint32
}

// winogradBatch is how many groups a call of the assembly transforms,
// in every channel.
const winogradBatch = 64

// winogradWalk walks the quads of a geometry's tiles in order: image,
// row of tiles, then 4 tiles at a time along the row.
type winogradWalk struct {
	g       *WinogradTiles
	n, i, j int // the next quad's first tile
}

// quad returns the next quad, its first tile's column t, the offset at
// of its block in planes of rows row and planes plane apart and its
// number of tiles; ok is false past the last quad.
func (w *winogradWalk) quad(row, plane int) (t, at, tiles int, ok bool) {
	g := w.g
	if w.n >= g.Images {
		return 0, 0, 0, false
	}
	t = (w.n*g.Rows+w.i)*g.Cols + w.j
	at = w.n*plane + 2*w.i*row + 2*w.j
	tiles = min(4, g.Cols-w.j)
	if w.j += 4; w.j >= g.Cols {
		w.j = 0
		if w.i++; w.i == g.Rows {
			w.i = 0
			w.n++
		}
	}
	return t, at, tiles, true
}

// fill sets the first groups to the next ones of the walk, for planes of
// rows row and planes plane apart, and returns how many it set: fewer
// than len(groups) only at the end. A group's first quad is the next
// one, and its second the one after when the first is whole.
func (w *winogradWalk) fill(groups []winogradGroup, row, plane int) int {
	k := 0
	for ; k < len(groups); k++ {
		t, at, n0, ok := w.quad(row, plane)
		if !ok {
			break
		}
		gr := &groups[k]
		gr.t, gr.at0, gr.at1 = t, at, at
		n1 := 0
		if n0 == 4 {
			if _, at1, tiles, ok := w.quad(row, plane); ok {
				gr.at1, n1 = at1, tiles
			}
		}
		gr.full = 0
		if n0 == 4 && n1 == 4 {
			gr.full = 1
			continue
		}
		for h := range 4 {
			tiles := n0
			if h >= 2 {
				tiles = n1
			}
			for e := range 4 {
				gr.mask[h][e] = 0
				if 4*(h%2)+e < 2*tiles {
					gr.mask[h][e] = ^uint32(0)
				}
			}
		}
	}
	return k
}

// winogradGeometry reports whether g has tiles, and every count and
// distance of it is non-negative: the last element that the assembly
// touches, in each slice, then bounds them all.
func winogradGeometry(g *WinogradTiles) bool {
	return g.Channels > 0 && g.Images > 0 && g.Rows > 0 && g.Cols > 0 &&
		g.Row >= 0 && g.Plane >= 0 && g.Channel >= 0 && g.Stride >= 0 && g.Matrix >= 0
}

// winogradLastTile returns the last element of the transforms that Go's
// loops read or write. The assembly reaches up to 7 past a channel's last
// tile.
func winogradLastTile(g *WinogradTiles) int {
	return 15*g.Matrix + (g.Channels-1)*g.Stride + g.tiles() - 1
}

// winogradInputAVX2 is winogradInput in assembly. It reads each row of
// the planes up to 6 values past the last that the row needs (none when
// the rows of tiles are a multiple of 4 wide), within x's capacity, and
// writes each row of tiles up to 7 past its last tile, within v's
// length. A geometry without room for that between the channels' rows of
// tiles or the matrices, or slices too short, get Go's loops.
func winogradInputAVX2(v, x []float32, g *WinogradTiles) {
	if !winogradGeometry(g) || g.Stride < g.tiles()+7 || g.Matrix < (g.Channels-1)*g.Stride+g.tiles()+7 {
		winogradInput(v, x, g)
		return
	}
	lastRow := (g.Channels-1)*g.Channel + (g.Images-1)*g.Plane + (2*g.Rows+1)*g.Row
	if lastRow+2*g.Cols+1 >= len(x) || lastRow+2*((g.Cols-1)&^3)+9 >= cap(x) || winogradLastTile(g)+7 >= len(v) {
		winogradInput(v, x, g)
		return
	}
	x = x[:cap(x)]
	var groups [winogradBatch]winogradGroup
	w := winogradWalk{g: g}
	for {
		k := w.fill(groups[:], g.Row, g.Plane)
		if k == 0 {
			return
		}
		winogradInputGroups(&v[0], &x[0], &groups[0], k, g)
	}
}

// winogradOutputAVX2 is winogradOutput in assembly. It reads each row of
// the products up to 7 values past its last tile, within m's capacity;
// products too short for that get Go's loops. It touches nothing of y but
// the tiles' values.
func winogradOutputAVX2(y, m []float32, g *WinogradTiles, bias []float32, add bool, relu int) {
	if !winogradGeometry(g) || winogradLastTile(g) >= len(m) || winogradLastTile(g)+7 >= cap(m) || len(bias) < g.Channels {
		winogradOutput(y, m, g, bias, add, relu)
		return
	}
	if lastY := (g.Channels-1)*g.Channel + (g.Images-1)*g.Plane + (2*g.Rows-1)*g.Row + 2*g.Cols - 1; lastY >= len(y) {
		winogradOutput(y, m, g, bias, add, relu) // which panics
		return
	}
	m = m[:cap(m)]
	var groups [winogradBatch]winogradGroup
	w := winogradWalk{g: g}
	for {
		k := w.fill(groups[:], g.Row, g.Plane)
		if k == 0 {
			return
		}
		winogradOutputGroups(&y[0], &m[0], &groups[0], k, g, &bias[0], add, relu)
	}
}

// winogradInputGroups transforms k groups of every channel, as
// winogradInput does.
//
//go:noescape
func winogradInputGroups(v, x *float32, groups *winogradGroup, k int, geom *WinogradTiles)

// winogradOutputGroups transforms k groups of every channel back, as
// winogradOutput does.
//
//go:noescape
func winogradOutputGroups(y, m *float32, groups *winogradGroup, k int, geom *WinogradTiles, bias *float32, add bool, relu int)
