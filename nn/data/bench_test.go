package data

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkDecodeImage(b *testing.B) {
	for _, name := range []string{"photo/street_10015.jpg", "large.png"} {
		src := readTestdata(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := DecodeImage(src, name, 32, DefaultMaxPixels); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeStages times the stages of DecodeImage on a 150x150
// JPEG of the dataset: Go's decoder, libjpeg's upsampling and colour
// conversion, and Pillow's resampling.
func BenchmarkDecodeStages(b *testing.B) {
	src := readTestdata(b, "photo/street_10015.jpg")
	img, err := decodeLimited(src, DefaultMaxPixels)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeLimited(src, DefaultMaxPixels); err != nil {
				b.Fatal(err)
			}
		}
	})
	w, h, rows := rgbRows(img)
	row := make([]uint8, w*3)
	b.Run("rgb", func(b *testing.B) {
		for b.Loop() {
			for y := range h {
				rows(row, y)
			}
		}
	})
	dst := make([]uint8, 32*32*3)
	b.Run("resample", func(b *testing.B) {
		for b.Loop() {
			resample(dst, 32, 32, w, h, func([]uint8, int) {})
		}
	})
}

func BenchmarkFill(b *testing.B) {
	s := numberedSet(256, 32)
	idx := rand.New(rand.NewPCG(1, 1)).Perm(256)[:64]
	dst := make([]float32, 64*3*32*32)
	labels := make([]int, 64)
	rng := rand.New(rand.NewPCG(2, 2))
	for _, aug := range []*Augment{nil, &DefaultAugment} {
		name := "plain"
		if aug != nil {
			name = "augment"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				s.Fill(dst, labels, idx, Reference, aug, rng)
			}
		})
	}
}
