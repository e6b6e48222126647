package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// convShapes are the convolutions of the reference network at batch 64:
// input channels, output channels, input side, stride.
var convShapes = []struct{ in, out, size, stride int }{
	{3, 16, 32, 1},  // stem
	{16, 16, 32, 1}, // layer1
	{16, 32, 32, 2}, // layer2.0.conv1 and its shortcut
	{32, 32, 16, 1}, // layer2
	{32, 64, 16, 2}, // layer3.0.conv1 and its shortcut
	{64, 64, 8, 1},  // layer3
}

func BenchmarkConv(b *testing.B) {
	const batch = 64
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range convShapes {
		c := NewConv2D(s.in, s.out, 3, s.stride, 1, false, rng)
		x := randInput(rng, batch, s.in, s.size, s.size)
		out := c.OutSize(s.size)
		flops := 2 * float64(batch*s.out*out*out*s.in*9)
		name := fmt.Sprintf("%dx%dx%d-%d", s.in, s.out, s.size, s.stride)
		b.Run("forward/"+name, func(b *testing.B) {
			for b.Loop() {
				c.Forward(x, true)
			}
			report(b, flops, batch)
		})
		dy := randInput(rng, batch, s.out, out, out)
		b.Run("backward/"+name, func(b *testing.B) {
			c.Forward(x, true)
			for b.Loop() {
				c.Backward(dy)
			}
			report(b, 2*flops, batch)
		})
	}
}

// report adds GFLOP/s and images/s to a benchmark's figures.
func report(b *testing.B, flopsPerOp float64, images int) {
	s := b.Elapsed().Seconds()
	b.ReportMetric(flopsPerOp*float64(b.N)/s/1e9, "GFLOP/s")
	b.ReportMetric(float64(images*b.N)/s, "images/s")
}

// BenchmarkTrainStep is one reference-recipe step on a batch of 64 on one
// replica: forward, loss, backward, clipping and Adam.
func BenchmarkTrainStep(b *testing.B) {
	benchTrain(b, 1)
}

// BenchmarkTrainStepParallel is the same step split over two replicas.
func BenchmarkTrainStepParallel(b *testing.B) {
	benchTrain(b, 2)
}

func benchTrain(b *testing.B, replicas int) {
	const batch = 64
	rng := rand.New(rand.NewPCG(1, 1))
	set := tinySet(batch, 32, 6, rng)
	m, err := NewModel(Reference(), set.Classes, rng)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := NewTrainer(m, ReferenceRecipe(), 1<<20, replicas)
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	for b.Loop() {
		if _, _, err := tr.Step(set, idx); err != nil {
			b.Fatal(err)
		}
	}
	// 172 MFLOP an image for a training step (REFERENCE.md).
	report(b, 172e6*batch, batch)
}

// BenchmarkInference is eval-mode forward passes of 64 images, through
// Infer (what Predict runs) and through the plain Forward(x, false).
func BenchmarkInference(b *testing.B) {
	const batch = 64
	rng := rand.New(rand.NewPCG(1, 1))
	net, err := NewResNet(Reference(), rng)
	if err != nil {
		b.Fatal(err)
	}
	x := randInput(rng, batch, 3, 32, 32)
	for _, path := range []string{"infer", "forward"} {
		b.Run("path="+path, func(b *testing.B) {
			for b.Loop() {
				if path == "infer" {
					net.Infer(x)
				} else {
					net.Forward(x, false)
				}
			}
			report(b, 57.5e6*batch, batch)
		})
	}
}
