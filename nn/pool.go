package nn

import "math"

// GlobalAvgPool averages each channel over its whole plane and flattens:
// (N, C, H, W) -> (N, C). For the reference network's 8×8 final maps it is
// PyTorch's avg_pool2d(x, 8) followed by flatten. It has no state.
type GlobalAvgPool struct {
	h, w  int
	y, dx Tensor
}

// Forward returns the per-channel means.
func (g *GlobalAvgPool) Forward(x *Tensor, train bool) *Tensor {
	n, c, h, w := dims4(x)
	g.h, g.w = h, w
	g.y.Resize(n, c)
	hw := h * w
	for i := range g.y.Data {
		var s float32
		for _, v := range x.Data[i*hw : (i+1)*hw] {
			s += v
		}
		g.y.Data[i] = s / float32(hw)
	}
	return &g.y
}

// Backward spreads each gradient evenly over its plane.
func (g *GlobalAvgPool) Backward(dy *Tensor) *Tensor {
	n, c := dy.Shape[0], dy.Shape[1]
	hw := g.h * g.w
	g.dx.Resize(n, c, g.h, g.w)
	for i, d := range dy.Data {
		v := d / float32(hw)
		plane := g.dx.Data[i*hw : (i+1)*hw]
		for j := range plane {
			plane[j] = v
		}
	}
	return &g.dx
}

// Params returns nothing.
func (g *GlobalAvgPool) Params() []*Param { return nil }

// MaxPool2D takes the maximum over square windows, like
// torch.nn.MaxPool2d(Kernel, Stride, Pad): padding never wins. It has no
// state.
type MaxPool2D struct {
	Kernel, Stride, Pad int

	h, w  int
	arg   []int32 // index in the input plane of each output's maximum
	y, dx Tensor
}

// Forward returns the window maxima. x is (N, C, H, W).
func (m *MaxPool2D) Forward(x *Tensor, train bool) *Tensor {
	n, c, h, w := dims4(x)
	m.h, m.w = h, w
	ho := (h+2*m.Pad-m.Kernel)/m.Stride + 1
	wo := (w+2*m.Pad-m.Kernel)/m.Stride + 1
	m.y.Resize(n, c, ho, wo)
	if cap(m.arg) < m.y.Len() {
		m.arg = make([]int32, m.y.Len())
	}
	m.arg = m.arg[:m.y.Len()]
	for p := 0; p < n*c; p++ {
		plane := x.Data[p*h*w : (p+1)*h*w]
		for oh := 0; oh < ho; oh++ {
			for ow := 0; ow < wo; ow++ {
				best, arg := float32(math.Inf(-1)), int32(-1)
				for ki := 0; ki < m.Kernel; ki++ {
					ih := oh*m.Stride - m.Pad + ki
					if ih < 0 || ih >= h {
						continue
					}
					for kj := 0; kj < m.Kernel; kj++ {
						iw := ow*m.Stride - m.Pad + kj
						if iw < 0 || iw >= w {
							continue
						}
						if v := plane[ih*w+iw]; arg < 0 || v > best {
							best, arg = v, int32(ih*w+iw)
						}
					}
				}
				o := (p*ho+oh)*wo + ow
				m.y.Data[o], m.arg[o] = best, arg
			}
		}
	}
	return &m.y
}

// Backward routes each gradient to the input that was the maximum.
func (m *MaxPool2D) Backward(dy *Tensor) *Tensor {
	n, c, ho, wo := dims4(dy)
	m.dx.Resize(n, c, m.h, m.w)
	clear32(m.dx.Data)
	for p := 0; p < n*c; p++ {
		plane := m.dx.Data[p*m.h*m.w : (p+1)*m.h*m.w]
		for o := p * ho * wo; o < (p+1)*ho*wo; o++ {
			plane[m.arg[o]] += dy.Data[o]
		}
	}
	return &m.dx
}

// Params returns nothing.
func (m *MaxPool2D) Params() []*Param { return nil }
