package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// bnShapes are the BatchNorms of the reference network at batch 64, by
// channels and side.
var bnShapes = []struct{ c, size int }{{16, 32}, {32, 16}, {64, 8}}

// BenchmarkBatchNorm times a training forward and a backward pass of
// each size of BatchNorm in the reference network, alone and followed by
// a ReLU, as the network runs them.
func BenchmarkBatchNorm(b *testing.B) {
	const batch = 64
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range bnShapes {
		x := randInput(rng, batch, s.c, s.size, s.size)
		dy := randInput(rng, batch, s.c, s.size, s.size)
		name := fmt.Sprintf("%dx%d", s.c, s.size)
		bn := NewBatchNorm2D(s.c)
		b.Run("forward/"+name, func(b *testing.B) {
			for b.Loop() {
				bn.Forward(x, true)
			}
		})
		b.Run("backward/"+name, func(b *testing.B) {
			bn.Forward(x, true)
			for b.Loop() {
				bn.Backward(dy)
			}
		})
		seq := &Sequential{Names: []string{"bn", ""}, Layers: []Layer{bn, &ReLU{}}}
		b.Run("forward+relu/"+name, func(b *testing.B) {
			for b.Loop() {
				seq.Forward(x, true)
			}
		})
		b.Run("backward+relu/"+name, func(b *testing.B) {
			seq.Forward(x, true)
			for b.Loop() {
				seq.Backward(dy)
			}
		})
	}
}

// BenchmarkColumns times im2col and col2im of each convolution of the
// reference network on a batch of 64 images, one image at a time as the
// training passes run them.
func BenchmarkColumns(b *testing.B) {
	const batch = 64
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range convShapes {
		c := NewConv2D(s.in, s.out, 3, s.stride, 1, false, rng)
		out := c.OutSize(s.size)
		x := randInput(rng, batch, s.in, s.size, s.size)
		c.col = randInput(rng, s.in*9*colStride(out*out)).Data
		dx := make([]float32, len(x.Data))
		inLen := s.in * s.size * s.size
		name := fmt.Sprintf("%dx%d-%d", s.in, s.size, s.stride)
		b.Run("im2col/"+name, func(b *testing.B) {
			for b.Loop() {
				for i := range batch {
					c.im2col(x.Data[i*inLen:(i+1)*inLen], s.size, s.size, out, out)
				}
			}
		})
		b.Run("col2im/"+name, func(b *testing.B) {
			for b.Loop() {
				for i := range batch {
					c.col2im(dx[i*inLen:(i+1)*inLen], s.size, s.size, out, out)
				}
			}
		})
	}
}
