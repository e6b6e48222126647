//go:build js && wasm

package simd

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// benchKernels runs f once with each kernel set in nn, by name: "go" (nn's
// own, none set), "simd" and "fma".
func benchKernels(b *testing.B, f func(b *testing.B)) {
	ks := kernels(b)
	for _, name := range []string{"go", "simd", "fma"} {
		b.Run("kernel="+name, func(b *testing.B) {
			if k := ks[name]; k != nil { // as the worker sets them
				nn.SetGemmKernel(k.Gemm)
				nn.SetInterleaveKernel(k.Interleave)
				nn.SetGatherKernel(k.Gather)
				nn.SetRowsGemmKernel(k.GemmRows)
				nn.SetSplitKernel(k.Split)
				nn.SetWinogradKernels(k.Winograd())
				nn.SetChannelPasses(k.ChannelPasses())
				nn.SetReLUKernels(k.ReLUKernels())
				defer nn.SetChannelPasses(nil)
				defer nn.SetGemmKernel(nil)
				defer nn.SetInterleaveKernel(nil)
				defer nn.SetGatherKernel(nil)
				defer nn.SetRowsGemmKernel(nil)
				defer nn.SetSplitKernel(nil)
				defer nn.SetWinogradKernels(nil)
				defer nn.SetReLUKernels(nil)
			}
			f(b)
		})
	}
}

// BenchmarkGemm runs the im2col products of the reference network's
// convolutions for one image: the forward y = w·col (named by its
// m×n×k), and in backward the weight gradient dw += dy·colᵀ and the
// column gradient dcol = wᵀ·dy.
func BenchmarkGemm(b *testing.B) {
	var cases []gemmCase
	for _, s := range networkShapes {
		cases = append(cases, gemmCase{m: s[0], n: s[1], k: s[2]})
	}
	for _, s := range networkShapes {
		cases = append(cases, gemmCase{m: s[0], n: s[2], k: s[1], transB: true, accumulate: true})
	}
	for _, s := range networkShapes {
		cases = append(cases, gemmCase{m: s[2], n: s[1], k: s[0], transA: true})
	}
	for _, g := range cases {
		name := fmt.Sprintf("%dx%dx%d", g.m, g.n, g.k)
		switch {
		case g.transB:
			name = "dw/" + name
		case g.transA:
			name = "dcol/" + name
		}
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			a, lda, bb, ldb, c, ldc := g.operands(rng)
			var buf nn.GemmBuffer
			benchKernels(b, func(b *testing.B) {
				for b.Loop() {
					nn.Gemm(&buf, g.transA, g.transB, g.m, g.n, g.k, a, lda, bb, ldb, c, ldc, g.accumulate)
				}
				b.ReportMetric(2*float64(g.m*g.n*g.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		})
	}
}

// BenchmarkKernelLayout runs the fma kernel alone on the products of
// inference at batch 64 (out channels, with a joined shortcut's, by the
// im2col matrix's columns for a chunk of images, by its rows with the
// ones row), its whole panels only and in Gemm's blocks of depth, with
// B read in place (rows n apart, as inference hands it over) and with B
// packed (each panel's rows 8 floats apart, as Gemm packs a transposed
// B).
func BenchmarkKernelLayout(b *testing.B) {
	k := kernels(b)["fma"]
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{16, 1089, 28}, {16, 1089, 145}, {64, 2023, 145}, {32, 2023, 289}, {128, 2025, 289}, {64, 2025, 577}} {
		m, n, depth := s[0], s[1], s[2]
		tiles, panels := m/4, n/8
		blocks := (depth + 255) / 256 // as gemmWith splits the depth
		kc := (depth + blocks - 1) / blocks
		a, bm, c := randSlice(rng, m*depth), randSlice(rng, depth*n), randSlice(rng, m*n)
		for _, packed := range []bool{false, true} {
			b.Run(fmt.Sprintf("%dx%dx%d/packed=%v", m, n, depth, packed), func(b *testing.B) {
				for b.Loop() {
					for p0 := 0; p0 < depth; p0 += kc {
						kb := min(kc, depth-p0)
						ps, bs := 8, n
						if packed {
							ps, bs = 8*kb, 8
						}
						k.Gemm(kb, tiles, panels, a[m*p0:], bm[n*p0:], ps, bs, c, n, p0 > 0)
					}
				}
				b.ReportMetric(2*float64(m*panels*8*depth)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkTrainStep is one reference-recipe step on a batch of 64:
// forward, loss, backward, clipping and Adam, as nn's benchmark of the
// same name, on one replica.
func BenchmarkTrainStep(b *testing.B) {
	const batch = 64
	rng := rand.New(rand.NewPCG(1, 1))
	set := randomSet(batch, 32, rng)
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	benchKernels(b, func(b *testing.B) {
		m, err := nn.NewModel(nn.Reference(), set.Classes, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			b.Fatal(err)
		}
		tr, err := nn.NewTrainer(m, nn.ReferenceRecipe(), 1<<20, 1)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, _, err := tr.Step(set, idx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
	})
}

// BenchmarkInference is eval-mode forward passes of 64 images, through
// Predict (ResNet.Infer, what the worker runs) and through the plain
// Forward(x, false) of a fresh reference network, and through Predict of
// the built-in model (assets/model.safetensors) at its own input size,
// with each kernel.
func BenchmarkInference(b *testing.B) {
	const batch = 64
	builtin, err := os.ReadFile(filepath.Join("..", "..", "assets", "model.safetensors"))
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"infer", "forward", "builtin"} {
		b.Run("path="+path, func(b *testing.B) {
			benchKernels(b, func(b *testing.B) {
				var m *nn.Model
				var err error
				if path == "builtin" {
					m, err = nn.ReadModel(bytes.NewReader(builtin), int64(len(builtin)), "built-in")
				} else {
					m, err = nn.NewModel(nn.Reference(), nn.SceneClasses, rand.New(rand.NewPCG(1, 1)))
				}
				if err != nil {
					b.Fatal(err)
				}
				set := randomSet(batch, m.Meta.InputSize, rand.New(rand.NewPCG(1, 1)))
				x := &nn.Tensor{Shape: []int{batch, 3, set.Size, set.Size}, Data: make([]float32, len(set.Pix))}
				data.Reference.Normalize(x.Data, set.Pix)
				for b.Loop() {
					if path == "forward" {
						m.Net.Forward(x, false)
					} else {
						m.Predict(set.Pix, batch)
					}
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
			})
		})
	}
}

// randomSet returns n random images of side×side pixels of the
// reference's classes.
func randomSet(n, side int, rng *rand.Rand) *data.Set {
	s := &data.Set{Size: side, Classes: slices.Clone(nn.SceneClasses), Pix: make([]uint8, n*side*side*3), Labels: make([]int, n), Names: make([]string, n)}
	for i := range s.Pix {
		s.Pix[i] = uint8(rng.IntN(256))
	}
	for i := range s.Labels {
		s.Labels[i] = i % len(s.Classes)
		s.Names[i] = fmt.Sprint(i)
	}
	return s
}

// BenchmarkReLU is a ReLU layer's forward and backward on the largest
// activation of a training step of the reference network (64 images,
// 16 channels of 32×32), with each kernel.
func BenchmarkReLU(b *testing.B) {
	x, dy := nn.NewTensor(64, 16, 32, 32), nn.NewTensor(64, 16, 32, 32)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range x.Data {
		x.Data[i], dy.Data[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	benchKernels(b, func(b *testing.B) {
		var r nn.ReLU
		for b.Loop() {
			r.Forward(x, true)
			r.Backward(dy)
		}
		b.SetBytes(int64(4 * 5 * len(x.Data))) // read x; write y; read dy, y; write dx
	})
}
