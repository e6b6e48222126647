package nn

import (
	"fmt"
	"unsafe"
)

// padded is an activation in the layout of ResNet.Infer: channel-major
// over the images (CNHW), each plane surrounded by zeros, the padding of
// the 3×3 convolutions. A shifted copy of a whole run of planes is then a
// row of the im2col matrix of every image at once, and a single product
// computes a convolution over the batch. Neighbouring rows share their
// border column, and neighbouring planes their border row, so that
// little of the product is spent on borders.
type padded struct {
	C, N, H, W int
	// Data holds element (c, n, y, x), for y in [-1, H] and x in [-1, W],
	// at c*(N*(H+1)*(W+1) + 2*(W+2)) + W+2 + (n*(H+1)+y+1)*(W+1) + x: the
	// planes of a channel follow each other between two gaps of W+2
	// zeros, which keep every read of a shifted copy in range; the last
	// channel's are followed by WinogradSpill more values, for the
	// Winograd transforms' kernels.
	Data []float32
}

// resize sets the shape of a, reusing its buffer when it is large
// enough, and zeroes it.
func (a *padded) resize(c, n, h, w int) {
	a.C, a.N, a.H, a.W = c, n, h, w
	a.Data = grow(a.Data, c*a.stride()+WinogradSpill)
	clear32(a.Data)
}

// resizeOutput sets the shape of a as resize does, for the output of an
// inferConv.forward that overwrites it, but zeroes only the gaps around
// each channel's planes: the product writes the planes whole, and forward
// or the convolution that adds into them next zeroes their borders.
func (a *padded) resizeOutput(c, n, h, w int) {
	a.C, a.N, a.H, a.W = c, n, h, w
	a.Data = grow(a.Data, c*a.stride()+WinogradSpill)
	g, s := a.gap(), a.stride()
	for ch := range c {
		clear32(a.Data[ch*s : ch*s+g])
		clear32(a.Data[(ch+1)*s-g : (ch+1)*s])
	}
}

// plane returns the distance between two planes of a channel, (H+1)(W+1).
func (a *padded) plane() int { return (a.H + 1) * (a.W + 1) }

// gap returns the length of the zeros before and after a channel's
// planes.
func (a *padded) gap() int { return a.W + 2 }

// stride returns the distance between two channels.
func (a *padded) stride() int { return a.N*a.plane() + 2*a.gap() }

// at returns the offset in Data of the plane (c, n): of its top border
// row, but for the top left corner, which is one element before.
func (a *padded) at(c, n int) int { return c*a.stride() + a.gap() + n*a.plane() }

// String returns the shape, C×N×H×W, for error messages.
func (a *padded) String() string { return fmt.Sprintf("%d×%d×%d×%d", a.C, a.N, a.H, a.W) }

// channels returns the view of channels [lo, hi) of a, sharing its data.
func (a *padded) channels(lo, hi int) padded {
	v := *a
	v.C = hi - lo
	v.Data = a.Data[lo*a.stride() : min(len(a.Data), hi*a.stride()+WinogradSpill)]
	return v
}

// inferConv is one or more convolutions of the same geometry on the same
// input, each with the eval-mode BatchNorm that follows it folded in:
// its output channels are those of the first, then those of the next.
type inferConv struct {
	convs                        []*Conv2D
	bns                          []*BatchNorm2D
	In, Out, Kernel, Stride, Pad int
	// weight is Out × (In*Kernel*Kernel + 1): each convolution's weights
	// scaled by its BatchNorm, then in the last column the BatchNorm's
	// shift. The im2col matrix ends with a row of ones to add it.
	weight       []float32
	scale, shift []float32 // of one BatchNorm, folding
	// For a Winograd convolution (see winograd.go): the 16 matrices U_ξ,
	// Out × In each, and the BatchNorms' shifts.
	u, bias []float32
	gemm    GemmBuffer
}

// newInferConv returns the convolutions convs, each followed by the
// BatchNorm of the same index, as one. They must share their input
// channels, kernel, stride and padding, and pad by at most one on either
// side (padded has room for no more).
func newInferConv(convs []*Conv2D, bns []*BatchNorm2D) *inferConv {
	c0 := convs[0]
	c := &inferConv{convs: convs, bns: bns, In: c0.In, Kernel: c0.Kernel, Stride: c0.Stride, Pad: c0.Pad}
	for i, cv := range convs {
		if cv.In != c.In || cv.Kernel != c.Kernel || cv.Stride != c.Stride || cv.Pad != c.Pad || bns[i].C != cv.Out {
			panic(fmt.Sprintf("nn: cannot fuse convolutions %+v and %+v", *c0, *cv))
		}
		c.Out += cv.Out
	}
	if c.Pad > 1 || c.Kernel-1-c.Pad > 1 || c.Stride == 1 && 2*c.Pad != c.Kernel-1 || c.Stride > 2 {
		// padded has room for a border of one; shiftedRows needs a
		// stride-1 output of the input's size, phaseRows a stride of at
		// most 2.
		panic(fmt.Sprintf("nn: inference cannot pad a %d×%d convolution of stride %d by %d", c.Kernel, c.Kernel, c.Stride, c.Pad))
	}
	return c
}

// fold computes weight from the convolutions' and BatchNorms' current
// state, rounding as BatchNorm2D.Forward does in eval mode.
func (c *inferConv) fold() {
	kk := c.In * c.Kernel * c.Kernel
	c.weight = grow(c.weight, c.Out*(kk+1))
	o := 0
	for i, cv := range c.convs {
		c.scale, c.shift = grow(c.scale, cv.Out), grow(c.shift, cv.Out)
		c.bns[i].evalAffine(c.scale, c.shift)
		for j := range cv.Out {
			dst := c.weight[o*(kk+1) : (o+1)*(kk+1)]
			for p, w := range cv.Weight.Value.Data[j*kk : (j+1)*kk] {
				dst[p] = w * c.scale[j]
			}
			dst[kk] = c.shift[j]
			o++
		}
	}
	if c.winograd() {
		c.u = grow(c.u, 16*c.Out*c.In)
		winogradWeights(c.u, c.weight, kk+1, c.Out, c.In)
		c.bias = grow(c.bias, c.Out)
		for o := range c.Out {
			c.bias[o] = c.weight[o*(kk+1)+kk]
		}
	}
}

// winograd reports whether c is a 3×3 convolution of stride 1 and
// padding 1, which forward computes as a Winograd convolution on planes
// of even sides.
func (c *inferConv) winograd() bool { return c.Kernel == 3 && c.Stride == 1 && c.Pad == 1 }

// outSize returns the output side for an input side.
func (c *inferConv) outSize(in int) int { return (in+2*c.Pad-c.Kernel)/c.Stride + 1 }

// convScratch is the scratch space of inferConv.forward, which the
// convolutions of an inference use in turn.
type convScratch struct {
	rows   [][]float32 // the rows of the im2col matrix
	ones   []float32   // its last row, of ones
	phases padded      // a strided convolution's input, split by phase
	v, m   []float32   // a Winograd convolution's transformed input and products
}

// forward sets y, or adds to it when accumulate is set, to the
// convolution of x, then applies ReLU to y's first reluChannels channels
// and zeroes their borders. The borders of the other channels are left
// wrong; the gaps around each channel's planes are never written, and
// stay as they are (zero, after resizeOutput). x must have zero borders
// and gaps; y must have the output's shape, and not overlap x.
//
// The im2col matrix is never written out: its rows are runs of x, or of
// x split by phase where the stride is more than one (see phaseRows),
// and a row of ones, that GemmRows reads in place.
func (c *inferConv) forward(y, x *padded, accumulate bool, reluChannels int, s *convScratch) {
	if x.C != c.In || y.C != c.Out || y.N != x.N || y.H != c.outSize(x.H) || y.W != c.outSize(x.W) {
		panic(fmt.Sprintf("nn: inference convolution %d→%d got %v→%v", c.In, c.Out, x, y))
	}
	if k := winogradTransforms(); k != nil && c.winograd() && x.H%2 == 0 && x.W%2 == 0 {
		c.forwardWinograd(k, y, x, accumulate, reluChannels, s)
		return
	}
	kk := c.In * c.Kernel * c.Kernel
	if cap(s.rows) < kk+1 {
		s.rows = make([][]float32, kk+1)
	}
	rows := s.rows[:kk+1]
	p := y.plane()
	// Images per chunk: enough columns to keep the product efficient, few
	// enough that its operands stay in the cache.
	per := max(1, inferChunkCols/p)
	for n0 := 0; n0 < x.N; n0 += per {
		n1 := min(n0+per, x.N)
		cols := (n1 - n0) * p
		if c.Stride == 1 {
			c.shiftedRows(rows, x, n0, cols)
		} else {
			c.phaseRows(rows, &s.phases, x, y, n0, n1)
		}
		if len(s.ones) < cols {
			s.ones = make([]float32, cols)
			for j := range s.ones {
				s.ones[j] = 1
			}
		}
		rows[kk] = s.ones[:cols]
		GemmRows(&c.gemm, c.Out, cols, c.weight, kk+1, rows, y.Data[y.at(0, n0):], y.stride(), accumulate)
		if reluChannels > 0 {
			from, to := y.at(0, n0), y.at(0, n1)
			reluRuns(y.Data[from:], to-from, reluChannels, y.stride())
			for o := range reluChannels {
				zeroBorders(y.Data[y.at(o, n0):y.at(o, n1)], y.H, y.W)
			}
		}
	}
	clear(rows) // keep no activation alive through the scratch
}

// forwardWinograd is forward for a Winograd convolution (see
// winograd.go), a chunk of images at a time: the transforms of its
// tiles' inputs, the 16 products, and the transforms back into y.
func (c *inferConv) forwardWinograd(k *WinogradKernels, y, x *padded, accumulate bool, reluChannels int, s *convScratch) {
	rows, cols := x.H/2, x.W/2
	// Images per chunk: few enough that the transforms and products stay
	// in the cache.
	per := min(x.N, max(1, winogradChunkFloats/(16*max(c.In, c.Out)*rows*cols)))
	stride := per*rows*cols + WinogradSpill
	if gemmAliasedRows(stride) {
		stride += 16
	}
	s.v = grow(s.v, 16*c.In*stride)
	s.m = grow(s.m, 16*c.Out*stride)
	for n0 := 0; n0 < x.N; n0 += per {
		n1 := min(n0+per, x.N)
		in := WinogradTiles{Channels: c.In, Images: n1 - n0, Rows: rows, Cols: cols,
			Row: x.W + 1, Plane: x.plane(), Channel: x.stride(), Stride: stride, Matrix: c.In * stride}
		k.Input(s.v, x.Data[x.at(0, n0)-1:], &in)
		for xi := range 16 {
			Gemm(&c.gemm, false, false, c.Out, in.tiles(), c.In, c.u[xi*c.Out*c.In:], c.In,
				s.v[xi*in.Matrix:], stride, s.m[xi*c.Out*stride:], stride, false)
		}
		out := WinogradTiles{Channels: c.Out, Images: n1 - n0, Rows: rows, Cols: cols,
			Row: y.W + 1, Plane: y.plane(), Channel: y.stride(), Stride: stride, Matrix: c.Out * stride}
		k.Output(y.Data[y.at(0, n0)+y.W+1:], s.m, &out, c.bias, accumulate, reluChannels)
	}
	for o := range reluChannels {
		zeroBorders(y.Data[y.at(o, 0):y.at(o, y.N)], y.H, y.W)
	}
}

// winogradChunkFloats is the size that forwardWinograd aims at for the
// transforms of a chunk, on the larger side.
const winogradChunkFloats = 64 << 10

// inferChunkCols is the number of columns of the im2col matrix that
// inferConv.forward aims at per product.
const inferChunkCols = 2048

// shiftedRows sets the first In*K*K rows of the im2col matrix, cols
// columns each, of a stride-1 convolution from image n0 on: in the
// padded layout, row (ch*K+ki)*K+kj is the run of planes of channel ch
// shifted by (ki-Pad, kj-Pad). Its columns on the output's borders are
// garbage.
func (c *inferConv) shiftedRows(rows [][]float32, x *padded, n0, cols int) {
	k, wr := c.Kernel, x.W+1
	r := 0
	for ch := 0; ch < c.In; ch++ {
		base := x.at(ch, n0)
		for ki := 0; ki < k; ki++ {
			for kj := 0; kj < k; kj++ {
				src := base + (ki-c.Pad)*wr + kj - c.Pad
				rows[r] = x.Data[src : src+cols]
				r++
			}
		}
	}
}

// phaseRows sets the first In*K*K rows of the im2col matrix for images
// [n0, n1) of x, of a convolution of stride S > 1 into y. It first
// splits those images by phase into ph, in y's geometry: phase (a, b)
// holds x[ch, n, S*i+a, S*j+b] at (i, j). Input row S*oh-Pad+ki is then
// row oh+⌊d/S⌋ of phase d mod S, for d = ki-Pad, and likewise for
// columns, so that row (ch*K+ki)*K+kj of the matrix is the run of planes
// of a phase's channel ch shifted by (⌊(ki-Pad)/S⌋, ⌊(kj-Pad)/S⌋), as in
// shiftedRows: the split copies x once, where writing the matrix out
// would copy it K*K times. Its columns on y's borders are garbage.
func (c *inferConv) phaseRows(rows [][]float32, ph *padded, x, y *padded, n0, n1 int) {
	k, s := c.Kernel, c.Stride
	// The phases the kernel reads, a*S+b, by their index in ph; -1 for
	// none.
	var index [4]int
	phase := func(d int) int { return ((d % s) + s) % s }
	shift := func(d int) int { return (d - phase(d)) / s }
	used := 0
	for i := range index {
		index[i] = -1
	}
	for ki := 0; ki < k; ki++ {
		for kj := 0; kj < k; kj++ {
			q := phase(ki-c.Pad)*s + phase(kj-c.Pad)
			if index[q] < 0 {
				index[q] = used
				used++
			}
		}
	}
	if ph.C != used*c.In || ph.N != n1-n0 || ph.H != y.H || ph.W != y.W {
		ph.resize(used*c.In, n1-n0, y.H, y.W) // zero borders, kept by what follows
	}
	// Columns of each phase split already, by the SplitKernel.
	var done [4]int
	wr, wro := x.W+1, y.W+1
	if k := splitKernel.Load(); k != nil && s == 2 {
		w4 := y.W &^ 3
		for a := range 2 {
			even, odd := index[2*a], index[2*a+1]
			if w4 == 0 || even < 0 || odd < 0 || 2*(y.H-1)+a > x.H {
				continue
			}
			for ch := 0; ch < c.In; ch++ {
				(*k)(ph.Data[ph.at(even*c.In+ch, 0)+wro:], ph.Data[ph.at(odd*c.In+ch, 0)+wro:], x.Data[x.at(ch, n0)+(a+1)*wr:],
					w4, y.H, n1-n0, 2*wr, x.plane(), wro, y.plane())
			}
			done[2*a], done[2*a+1] = w4, w4
		}
	}
	for q, at := range index {
		if at < 0 {
			continue
		}
		a, b := q/s, q%s
		// The columns of phase b that fall inside x's padded rows.
		inside := min(y.W, (x.W-b)/s+1)
		if done[q] == y.W {
			continue // every row, whole
		}
		j0 := min(done[q], inside)
		for ch := 0; ch < c.In; ch++ {
			for n := n0; n < n1; n++ {
				from := x.at(ch, n) + b
				for i := 0; i < y.H; i++ {
					dst := ph.Data[ph.at(at*c.In+ch, n-n0)+(i+1)*wro:][:y.W]
					if s*i+a > x.H {
						clear32(dst)
						continue
					}
					if j0 < inside {
						src := x.Data[from+(s*i+a+1)*wr:]
						_ = src[s*(inside-1)]
						p := unsafe.Pointer(unsafe.SliceData(src))
						for j := j0; j < inside; j++ {
							dst[j] = *(*float32)(unsafe.Add(p, 4*s*j))
						}
					}
					clear32(dst[max(inside, j0):])
				}
			}
		}
	}
	cols := (n1 - n0) * y.plane()
	r := 0
	for ch := 0; ch < c.In; ch++ {
		for ki := 0; ki < k; ki++ {
			for kj := 0; kj < k; kj++ {
				q := index[phase(ki-c.Pad)*s+phase(kj-c.Pad)]
				src := ph.at(q*c.In+ch, 0) + shift(ki-c.Pad)*wro + shift(kj-c.Pad)
				rows[r] = ph.Data[src : src+cols]
				r++
			}
		}
	}
}

// zeroBorders zeroes the borders of a run of padded h×w planes.
func zeroBorders(planes []float32, h, w int) {
	wr := w + 1
	for p := 0; p < len(planes); p += (h + 1) * wr {
		clear32(planes[p : p+wr])
		for y := 2; y <= h+1; y++ {
			planes[p+y*wr-1] = 0
		}
	}
}
