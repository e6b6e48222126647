//go:build js && wasm

package simd

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// randomBlocks returns n blocks of coefficients as a JPEG's are and as
// they are not: mostly zeros with small values at the low frequencies,
// or only a DC, or anything an int32 holds, where the arithmetic wraps.
func randomBlocks(rng *rand.Rand, n int) []int32 {
	c := make([]int32, 64*n)
	for i := range n {
		b := c[64*i : 64*i+64]
		switch rng.IntN(4) {
		case 0: // a DC alone
			b[0] = rng.Int32N(4096) - 2048
		case 1: // anything
			for j := range b {
				b[j] = int32(rng.Uint32())
			}
		default: // a photo's: a few values, larger at low frequencies
			for range 1 + rng.IntN(20) {
				k, r := rng.IntN(8), rng.IntN(8)
				b[8*k+r] = rng.Int32N(int32(2048>>(k+r)/2+2)) - int32(1024>>(k+r)/2+1)
			}
		}
	}
	return c
}

// TestIDCT checks the kernel's inverse DCT against nn/data's, byte for
// byte, on blocks of every kind, in rows of 1 to 9 blocks, and that it
// leaves the coefficients zero and the bytes around the blocks alone.
func TestIDCT(t *testing.T) {
	k := kernels(t)["simd"]
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 3000 {
		n := 1 + rng.IntN(9)
		stride := 8*n + rng.IntN(9)
		coefs := randomBlocks(rng, n)
		want := make([]uint8, 9*stride+8)
		for i := range want {
			want[i] = uint8(rng.Uint32())
		}
		got := slices.Clone(want)
		theirs := slices.Clone(coefs)
		data.IDCT(want[stride:], stride, theirs)
		k.IDCT(got[stride:], stride, coefs)
		if !bytes.Equal(got, want) {
			t.Fatalf("trial %d, %d blocks %d apart: the kernel's pixels differ from nn/data's IDCT\n got %v\nwant %v", trial, n, stride, got, want)
		}
		if slices.ContainsFunc(coefs, func(v int32) bool { return v != 0 }) {
			t.Fatalf("trial %d: the kernel left coefficients that are not zero", trial)
		}
	}
}

// TestIDCTDecodes decodes nn/data's test JPEGs with the kernel and
// without: the same pixels.
func TestIDCTDecodes(t *testing.T) {
	k := kernels(t)["simd"]
	paths, _ := filepath.Glob("../../nn/data/testdata/*/*.jpg")
	more, _ := filepath.Glob("../../nn/data/testdata/*.jpg")
	paths = append(paths, more...)
	if len(paths) < 10 {
		t.Fatalf("%d test JPEGs in nn/data/testdata, want at least 10", len(paths))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, werr := data.DecodeImage(b, p, 64, data.DefaultMaxPixels)
		data.SetIDCTKernel(k.IDCT)
		got, err := data.DecodeImage(b, p, 64, data.DefaultMaxPixels)
		data.SetIDCTKernel(nil)
		if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
			t.Errorf("%s: decoded with the kernel otherwise than without (errors %v, %v)", p, err, werr)
		}
	}
}

// BenchmarkDecodeIDCT times decoding a 150×150 JPEG of the data set to
// 32×32 with Go's inverse DCT and with the kernel's.
func BenchmarkDecodeIDCT(b *testing.B) {
	k := kernels(b)["simd"]
	src, err := os.ReadFile("../../nn/data/testdata/photo/street_10015.jpg")
	if err != nil {
		b.Fatal(err)
	}
	for _, kernel := range []struct {
		name string
		f    data.IDCTKernel
	}{{"go", nil}, {"simd", k.IDCT}} {
		b.Run("idct="+kernel.name, func(b *testing.B) {
			data.SetIDCTKernel(kernel.f)
			defer data.SetIDCTKernel(nil)
			for b.Loop() {
				if _, err := data.DecodeImage(src, "street_10015.jpg", 32, data.DefaultMaxPixels); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
