package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Conv2D is a 2-d convolution with square kernels, like torch.nn.Conv2d
// with dilation 1 and one group. Its state-dict names are "weight"
// ([out, in, k, k]) and, when it has one, "bias" ([out]).
type Conv2D struct {
	In, Out, Kernel, Stride, Pad int
	Weight                       *Param
	Bias                         *Param // nil for a convolution without bias

	x     *Tensor // input of the last training Forward
	y, dx Tensor
	col   []float32 // one image's im2col matrix, (In*K*K) × (Ho*Wo)
	gemm  GemmBuffer
	// Where the im2col matrix is read from the shifted input in place
	// (see usesShifted): the input, and the weight gradient laid out by
	// kernel position (see addShiftedWeightGrads).
	sh   shifted
	rows []int // the offsets in sh of the im2col matrix's rows
	dwk  []float32
	// dL/dx as a convolution of dy (see flippedInputGrad): its weights,
	// dy shifted, and the rows of dy's im2col matrix in it.
	flip   []float32
	shdy   shifted
	dyRows []int
	slices [][]float32 // the rows for GemmRows
}

// NewConv2D returns a convolution initialized as PyTorch does by default:
// weights and bias uniform in ±1/sqrt(in*k*k) (Kaiming-uniform with
// a = sqrt(5)), drawn from rng.
func NewConv2D(in, out, kernel, stride, pad int, bias bool, rng *rand.Rand) *Conv2D {
	c := &Conv2D{In: in, Out: out, Kernel: kernel, Stride: stride, Pad: pad}
	c.Weight = newParam("weight", out, in, kernel, kernel)
	bound := 1 / math.Sqrt(float64(in*kernel*kernel))
	uniform(c.Weight.Value.Data, bound, rng)
	if bias {
		c.Bias = newParam("bias", out)
		uniform(c.Bias.Value.Data, bound, rng)
	}
	return c
}

// uniform fills s with values drawn uniformly from [-bound, bound).
func uniform(s []float32, bound float64, rng *rand.Rand) {
	for i := range s {
		s[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// OutSize returns the output side for an input side.
func (c *Conv2D) OutSize(in int) int { return (in+2*c.Pad-c.Kernel)/c.Stride + 1 }

// Params returns weight and bias.
func (c *Conv2D) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

// Forward computes y = conv(x, weight) + bias.
// x is (N, In, H, W); y is (N, Out, Ho, Wo).
func (c *Conv2D) Forward(x *Tensor, train bool) *Tensor {
	n, ch, h, w := dims4(x)
	if ch != c.In {
		panic(fmt.Sprintf("nn: Conv2D with %d input channels got input %v", c.In, x.Shape))
	}
	ho, wo := c.OutSize(h), c.OutSize(w)
	c.y.Resize(n, c.Out, ho, wo)
	kk := c.In * c.Kernel * c.Kernel
	ld := colStride(ho * wo)
	inLen, outLen := c.In*h*w, c.Out*ho*wo
	inPlace := c.usesShifted(h, w, ho, wo)
	if !inPlace {
		c.col = grow(c.col, kk*ld)
	}
	for i := 0; i < n; i++ {
		xi := x.Data[i*inLen : (i+1)*inLen]
		y := c.y.Data[i*outLen : (i+1)*outLen]
		if inPlace {
			c.sh.fill(xi, c.In, h, w)
			if i == 0 {
				c.rows = c.sh.rows(c.rows)
			}
			c.convShifted(y, c.Weight.Value.Data, c.Out, &c.sh, c.rows)
		} else {
			c.im2col(xi, h, w, ho, wo)
			Gemm(&c.gemm, false, false, c.Out, ho*wo, kk, c.Weight.Value.Data, kk, c.col, ld, y, ho*wo, false)
		}
		if c.Bias != nil {
			for o, b := range c.Bias.Value.Data {
				row := y[o*ho*wo : (o+1)*ho*wo]
				for j := range row {
					row[j] += b
				}
			}
		}
	}
	if train {
		c.x = x
	}
	return &c.y
}

// Backward adds dL/dweight and dL/dbias and returns dL/dx.
// dy is (N, Out, Ho, Wo).
func (c *Conv2D) Backward(dy *Tensor) *Tensor { return c.backward(dy, true) }

// backward is Backward, computing dL/dx only where inputGrad is set (and
// returning nil where it is not).
func (c *Conv2D) backward(dy *Tensor, inputGrad bool) *Tensor {
	x := c.x
	n, _, h, w := dims4(x)
	ho, wo := c.OutSize(h), c.OutSize(w)
	kk := c.In * c.Kernel * c.Kernel
	ld := colStride(ho * wo)
	if inputGrad {
		c.dx.Resize(n, c.In, h, w)
	}
	// A 3×3 convolution of stride 1 and padding 1 has dL/dx = the same
	// convolution of dy with its kernel flipped and its channels swapped,
	// which reads dy's im2col matrix in place where col2im would sum up a
	// matrix nine times x's size.
	flipped := inputGrad && c.Kernel == 3 && c.Pad == 1 && c.shifts(h, w, ho, wo)
	if flipped {
		c.flipWeights()
	}
	inLen, outLen := c.In*h*w, c.Out*ho*wo
	inPlace := c.usesShifted(h, w, ho, wo) && shiftedWeightGrads(c.In, c.Out)
	if inPlace {
		c.dwk = grow(c.dwk, kk*c.Out)
		c.byPosition(c.dwk, c.Weight.Grad, true)
	}
	if !inPlace || inputGrad && !flipped {
		c.col = grow(c.col, kk*ld)
	}
	for i := 0; i < n; i++ {
		d := dy.Data[i*outLen : (i+1)*outLen]
		xi := x.Data[i*inLen : (i+1)*inLen]
		if inPlace {
			c.sh.fill(xi, c.In, h, w)
			addShiftedWeightGrads(&c.gemm, c.dwk, &c.sh, d, c.Out)
		} else {
			c.im2col(xi, h, w, ho, wo)
			// dW (Out × kk) += dy (Out × HoWo) · colᵀ
			Gemm(&c.gemm, false, true, c.Out, kk, ho*wo, d, ho*wo, c.col, ld, c.Weight.Grad, kk, true)
		}
		if c.Bias != nil {
			for o := range c.Bias.Grad {
				var s float32
				for _, v := range d[o*ho*wo : (o+1)*ho*wo] {
					s += v
				}
				c.Bias.Grad[o] += s
			}
		}
		if !inputGrad {
			continue
		}
		dx := c.dx.Data[i*inLen : (i+1)*inLen]
		if flipped {
			c.flippedInputGrad(dx, d, h, w, i == 0)
			continue
		}
		// dcol (kk × HoWo) = Wᵀ · dy
		Gemm(&c.gemm, true, false, kk, ho*wo, c.Out, c.Weight.Value.Data, kk, d, ho*wo, c.col, ld, false)
		c.col2im(dx, h, w, ho, wo)
	}
	if inPlace {
		c.byPosition(c.dwk, c.Weight.Grad, false)
	}
	if !inputGrad {
		return nil
	}
	return &c.dx
}

// flipWeights sets c.flip to the weights of the convolution that
// computes dL/dx from dy (see flippedInputGrad): In × (Out*3*3), the
// weight of input channel ch and output channel o at kernel position
// (ki, kj) in row ch, column (o*3+2-ki)*3+2-kj.
func (c *Conv2D) flipWeights() {
	in, out := c.In, c.Out
	c.flip = grow(c.flip, in*out*9)
	wt := c.Weight.Value.Data
	for o := range out {
		for ch := range in {
			for pos := range 9 {
				c.flip[(ch*out+o)*9+8-pos] = wt[(o*in+ch)*9+pos]
			}
		}
	}
}

// flippedInputGrad sets dx (In × H × W) to dL/dx of one image, from its
// dy (Out × H × W), for a 3×3 convolution of stride 1 and padding 1: the
// convolution of dy by c.flip. first says whether dy is the batch's
// first, whose shape sets the rows' offsets for the others.
func (c *Conv2D) flippedInputGrad(dx, dy []float32, h, w int, first bool) {
	c.shdy.fill(dy, c.Out, h, w)
	if first {
		c.dyRows = c.shdy.rows(c.dyRows)
	}
	c.convShifted(dx, c.flip, c.In, &c.shdy, c.dyRows)
}

// convShifted sets y (m × H*W) to the product of the weights wt (m ×
// len(offs)) and the im2col matrix read in place from s, its rows at
// offs: by gemmShifted where it runs, else by GemmRows. Both sum as Gemm
// on the matrix, so the bits are the same everywhere the kernels round
// alike.
func (c *Conv2D) convShifted(y, wt []float32, m int, s *shifted, offs []int) {
	n, k := s.H*s.W, len(offs)
	if shiftedForward(m) {
		gemmShifted(m, n, wt, k, s.Data, offs, y, n)
		return
	}
	if cap(c.slices) < k {
		c.slices = make([][]float32, k)
	}
	rows := c.slices[:k]
	for p, off := range offs {
		rows[p] = s.Data[off : off+n]
	}
	GemmRows(&c.gemm, m, n, wt, k, rows, y, n, false)
	clear(rows) // keep no activation alive through the scratch
}

// usesShifted reports whether the convolution's im2col matrix can be
// read from a shifted input (see shifted): a 3×3 kernel of stride 1 and
// padding 1.
func (c *Conv2D) usesShifted(h, w, ho, wo int) bool {
	return shiftedIm2col && c.Kernel == 3 && c.Pad == 1 && c.shifts(h, w, ho, wo)
}

// shiftedIm2col is whether convolutions read their im2col matrix from a
// shifted input where they can, in the forward pass and for the weight
// gradient (tests turn it off to have the matrix written out). dL/dx is
// the convolution of dy whatever it says, since its sums run in another
// order than col2im's.
var shiftedIm2col = true

// byPosition copies the weight gradient g (Out × In × 3 × 3) into pg,
// laid out by kernel position (row shiftedGradRow(In, ch, ki, kj),
// column o), or back into g from pg when into is false.
func (c *Conv2D) byPosition(pg, g []float32, into bool) {
	in, out := c.In, c.Out
	_, _ = pg[9*in*out-1], g[9*in*out-1]
	for o := range out {
		for ch := range in {
			for pos := range 9 {
				gi, pi := (o*in+ch)*9+pos, shiftedGradRow(in, ch, pos/3, pos%3)*out+o
				if into {
					pg[pi] = g[gi]
				} else {
					g[gi] = pg[pi]
				}
			}
		}
	}
}

// shiftedGradRow returns the row of weight (ch, ki, kj) in the weight
// gradient of a 3×3 convolution of in input channels laid out by kernel
// position, as addShiftedWeightGrads computes it: by kernel row, then
// channel, then kernel column.
func shiftedGradRow(in, ch, ki, kj int) int { return (ki*in+ch)*3 + kj }

// im2col fills c.col from one image x (In × H × W): row (ch*K+ki)*K+kj,
// column oh*Wo+ow holds x[ch, oh*S-P+ki, ow*S-P+kj], or 0 in the padding.
// Its rows are colStride(Ho*Wo) apart.
func (c *Conv2D) im2col(x []float32, h, w, ho, wo int) {
	k, s, p := c.Kernel, c.Stride, c.Pad
	if k == 3 && s == 2 && p == 1 && h%2 == 0 && w%2 == 0 {
		im2col3x3Stride2(c.col, colStride(ho*wo), x, c.In, h, w)
		return
	}
	c.copyCols(x, h, w, ho, wo)
}

// copyCols is im2col for any convolution: it copies each column row from
// the plane in turn.
func (c *Conv2D) copyCols(x []float32, h, w, ho, wo int) {
	k, s, p := c.Kernel, c.Stride, c.Pad
	ld := colStride(ho * wo)
	r := 0
	for ch := 0; ch < c.In; ch++ {
		plane := x[ch*h*w : (ch+1)*h*w]
		for ki := 0; ki < k; ki++ {
			for kj := 0; kj < k; kj++ {
				row := c.col[r*ld : r*ld+ho*wo]
				r++
				if c.shifts(h, w, ho, wo) {
					shiftPlane(row, plane, h, w, ki-p, kj-p)
					continue
				}
				lo, hi := validRange(wo, w, s, kj-p)
				for oh := 0; oh < ho; oh++ {
					out := row[oh*wo : (oh+1)*wo]
					ih := oh*s - p + ki
					if ih < 0 || ih >= h {
						clear32(out)
						continue
					}
					src := plane[ih*w : (ih+1)*w]
					clear32(out[:lo])
					clear32(out[hi:])
					if s == 1 {
						copy(out[lo:hi], src[lo+kj-p:])
						continue
					}
					for ow := lo; ow < hi; ow++ {
						out[ow] = src[ow*s+kj-p]
					}
				}
			}
		}
	}
}

// shifts reports whether each row of the im2col matrix is its plane
// shifted (see shiftPlane): for a stride of 1, an output of the input's
// size, and a plane wider and taller than the padding.
func (c *Conv2D) shifts(h, w, ho, wo int) bool {
	k, p := c.Kernel, c.Pad
	return c.Stride == 1 && ho == h && wo == w && max(p, k-1-p) < min(h, w)
}

// im2col3x3Stride2 is im2col for a 3×3 kernel of stride 2 and padding 1
// on planes of even sides h × w, from x (in × h × w) into col, whose rows
// are ld apart. Of a
// channel's nine rows it gathers only the four of kernel rows and columns
// 1 and 2, both columns of a kernel row in one pass over each input row
// (kj = 1 takes its even columns, kj = 2 its odd ones). The other five
// are copies of those shifted by one output row or column: kernel row 0
// reads, for output row oh, the input row that kernel row 2 read for
// output row oh-1, and its first output row lies in the padding; the
// same holds of kernel columns 0 and 2.
func im2col3x3Stride2(col []float32, ld int, x []float32, in, h, w int) {
	ho, wo := h/2, w/2
	n := ho * wo
	for ch := 0; ch < in; ch++ {
		plane := x[ch*h*w : (ch+1)*h*w]
		rows := col[ch*9*ld:]
		for ki := 1; ki < 3; ki++ {
			r0, r1, r2 := rows[(3*ki)*ld:][:n], rows[(3*ki+1)*ld:][:n], rows[(3*ki+2)*ld:][:n]
			// Output row oh reads input row 2*oh-1+ki.
			splitRows(r1, r2, plane[(ki-1)*w:], wo, ho, 2*w, wo)
			shiftPlane(r0, r2, ho, wo, 0, -1)
		}
		for kj := 0; kj < 3; kj++ {
			shiftPlane(rows[kj*ld:][:n], rows[(6+kj)*ld:][:n], ho, wo, -1, 0)
		}
	}
}

// splitRows sets, for each of rows rows r, even[r*dstRow+j] to
// src[r*srcRow+2j] and odd[r*dstRow+j] to src[r*srcRow+2j+1], for j < w:
// with the SplitKernel where one is set, else in assembly where there is
// one, the columns past the last multiple of 4 in Go.
func splitRows(even, odd, src []float32, w, rows, srcRow, dstRow int) {
	j0 := 0
	if k := splitKernel.Load(); k != nil && w >= 4 {
		j0 = w &^ 3
		(*k)(even, odd, src, j0, rows, 1, srcRow, 0, dstRow, 0)
	} else {
		j0 = splitBulk(even, odd, src, w, rows, srcRow, dstRow)
	}
	if j0 == w {
		return
	}
	for r := range rows {
		deinterleave(even[r*dstRow+j0:r*dstRow+w], odd[r*dstRow+j0:r*dstRow+w], src[r*srcRow+2*j0:r*srcRow+2*w])
	}
}

// deinterleave sets even[i] to src[2i] and odd[i] to src[2i+1], for src
// of twice even's length and odd of even's.
func deinterleave(even, odd, src []float32) {
	odd, src = odd[:len(even)], src[:2*len(even)]
	for i := range even {
		p := src[2*i : 2*i+2 : 2*i+2]
		even[i], odd[i] = p[0], p[1]
	}
}

// shiftPlane sets dst (h × w) to src (h × w) shifted by (di, dj):
// dst[y][x] = src[y+di][x+dj], or 0 outside src. One copy moves the
// whole overlap, since rows are contiguous; the columns that wrapped
// around from the neighbouring row, and the rows past the edge, are then
// zeroed. For small planes this is far cheaper than a copy per row.
func shiftPlane(dst, src []float32, h, w, di, dj int) {
	n := h * w
	dst = dst[:n]
	// dst[t] = src[t+off] where that is in src.
	off := di*w + dj
	lo, hi := min(max(0, -off), n), min(max(0, h*w-off), n)
	clear32(dst[:lo])
	if lo < hi {
		copy(dst[lo:hi], src[lo+off:])
	}
	clear32(dst[max(lo, hi):])
	// The rows past the edge.
	switch {
	case di > 0:
		clear32(dst[min(max(0, (h-di)*w), n):])
	case di < 0:
		clear32(dst[:min(max(0, -di*w), n)])
	}
	// The |dj| columns that wrapped around, from column c0 of each row,
	// zeroed with plain stores: clear32 would call memclr for every row,
	// which under GOOS=js costs far more than the single store per row of
	// a 3×3 kernel.
	c0, cols := 0, -dj
	if dj > 0 {
		c0, cols = w-dj, dj
	}
	switch cols {
	case 0:
		return
	case 1: // a 3×3 kernel's
		for t := c0; t < n; t += w {
			dst[t] = 0
		}
		return
	}
	for t := c0; t < n; t += w {
		for k := t; k < min(t+cols, n); k++ {
			dst[k] = 0
		}
	}
}

// col2im3x3Stride2 is col2im for a 3×3 kernel of stride 2 and padding 1
// on planes of even sides h × w, into dx (in × h × w). It sums each
// pixel's terms as scatterCols does, in the order of their column rows,
// from +0, but a whole input row at a time: an even input row 2m is
// reached by kernel row 1 from output row m; an odd one, 2m+1, by kernel
// row 0 from output row m+1 (but for the last) and then by kernel row 2
// from output row m. The rows of col are ld apart.
func col2im3x3Stride2(dx, col []float32, ld, in, h, w int) {
	ho, wo := h/2, w/2
	for ch := 0; ch < in; ch++ {
		plane := dx[ch*h*w : (ch+1)*h*w]
		rows := col[ch*9*ld:]
		// Kernel row ki's column rows start at rows[3*ki*ld:], ld apart.
		clear32(plane)
		for m := 0; m < ho; m++ {
			addKernelRow(plane[2*m*w:][:w], rows[3*ld+m*wo:], ld)
			odd := plane[(2*m+1)*w:][:w]
			if m+1 < ho {
				addKernelRow(odd, rows[(m+1)*wo:], ld)
			}
			addKernelRow(odd, rows[6*ld+m*wo:], ld)
		}
	}
}

// addKernelRow adds to d, an input row of even width, the terms of one
// kernel row of stride 2, as scatterCols adds them. Its column rows (kj
// = 0, 1, 2), at the output row that reaches d, are r0 = r[:w/2], r1 =
// r[ld:] and r2 = r[2ld:]: d[2j] += r1[j], d[2j+1] = (d[2j+1] + r0[j+1]) +
// r2[j], without r0's term at the last j.
func addKernelRow(d, r []float32, ld int) {
	wo := len(d) / 2
	r0, r1, r2 := r[:wo], r[ld:][:wo], r[2*ld:][:wo]
	for j := 0; j < wo-1; j++ {
		q := d[2*j : 2*j+2 : 2*j+2]
		q[0] += r1[j]
		q[1] = (q[1] + r0[j+1]) + r2[j]
	}
	d[2*wo-2] += r1[wo-1]
	d[2*wo-1] += r2[wo-1]
}

// colStride returns the distance between two rows of an im2col matrix of
// cols columns: cols, or one cache line more where cols floats make a
// multiple of 2 KiB. Rows that far apart fall into the same few sets of
// the L1 cache, and a product that reads a panel of the matrix down its
// rows, once for every tile of output rows, would keep evicting it (Gemm
// packs such a B instead, where it is not the im2col matrix).
func colStride(cols int) int {
	if gemmAliasedRows(cols) {
		return cols + 16
	}
	return cols
}

// validRange returns the outputs [lo, hi) of a row of wo whose input
// column ow*s+off falls inside [0, w).
func validRange(wo, w, s, off int) (lo, hi int) {
	for lo < wo && lo*s+off < 0 {
		lo++
	}
	hi = wo
	for hi > lo && (hi-1)*s+off >= w {
		hi--
	}
	return lo, hi
}

// col2im sets dx (In × H × W) to the sum of c.col's entries over the
// positions im2col copied them from.
func (c *Conv2D) col2im(dx []float32, h, w, ho, wo int) {
	if c.Kernel == 3 && c.Stride == 2 && c.Pad == 1 && h%2 == 0 && w%2 == 0 {
		col2im3x3Stride2(dx, c.col, colStride(ho*wo), c.In, h, w)
		return
	}
	c.scatterCols(dx, h, w, ho, wo)
}

// scatterCols is col2im for any convolution: it adds each column row
// into the plane in turn.
func (c *Conv2D) scatterCols(dx []float32, h, w, ho, wo int) {
	clear32(dx)
	k, s, p := c.Kernel, c.Stride, c.Pad
	ld := colStride(ho * wo)
	r := 0
	for ch := 0; ch < c.In; ch++ {
		plane := dx[ch*h*w : (ch+1)*h*w]
		for ki := 0; ki < k; ki++ {
			for kj := 0; kj < k; kj++ {
				row := c.col[r*ld : r*ld+ho*wo]
				r++
				lo, hi := validRange(wo, w, s, kj-p)
				for oh := 0; oh < ho; oh++ {
					ih := oh*s - p + ki
					if ih < 0 || ih >= h {
						continue
					}
					dst := plane[ih*w : (ih+1)*w]
					src := row[oh*wo+lo : oh*wo+hi]
					if s == 1 {
						d := dst[lo+kj-p : lo+kj-p+len(src)]
						for i, v := range src {
							d[i] += v
						}
						continue
					}
					for i, v := range src {
						dst[(lo+i)*s+kj-p] += v
					}
				}
			}
		}
	}
}
