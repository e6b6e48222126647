package data

import (
	"errors"
	"fmt"
	"math"
)

// ErrNormalization means a Normalization has a standard deviation that is
// not positive, or a value that is not finite.
var ErrNormalization = errors.New("data: invalid normalization")

// Normalization maps a uint8 channel value v to (v/255 - Mean[c]) / Std[c],
// computed in float32 in that order, as torchvision's ToTensor followed by
// Normalize does.
type Normalization struct {
	Mean, Std [3]float32
}

// Reference is the normalization of the reference notebook: mean 0.5 and
// standard deviation 0.5 for every channel, so values land in [-1, 1].
// It is never modified by this package.
var Reference = Normalization{
	Mean: [3]float32{0.5, 0.5, 0.5},
	Std:  [3]float32{0.5, 0.5, 0.5},
}

// Value returns the normalized value of channel value v in channel c.
func (n Normalization) Value(c int, v uint8) float32 {
	x := float32(v) / 255
	return (x - n.Mean[c]) / n.Std[c]
}

// Validate reports whether every mean and standard deviation is finite and
// every standard deviation is positive.
func (n Normalization) Validate() error {
	for c := range 3 {
		m, s := float64(n.Mean[c]), float64(n.Std[c])
		if math.IsNaN(m) || math.IsInf(m, 0) || math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 {
			return fmt.Errorf("%w: channel %d has mean %v and std %v", ErrNormalization, c, m, s)
		}
	}
	return nil
}

// table returns Value for every channel and channel value.
func (n Normalization) table() (t [3][256]float32) {
	for c := range 3 {
		for v := range 256 {
			t[c][v] = n.Value(c, uint8(v))
		}
	}
	return t
}

// Normalize writes one image as normalized float32 CHW into dst.
// pix holds size*size*3 bytes in the layout of Set.Pix, and dst must
// hold len(pix) values, laid out as dst[(c*size+y)*size+x]. It panics
// if the lengths differ.
func (n Normalization) Normalize(dst []float32, pix []uint8) {
	if len(dst) != len(pix) || len(pix)%3 != 0 {
		panic(fmt.Sprintf("data: Normalize: len(dst) = %d, len(pix) = %d", len(dst), len(pix)))
	}
	t := n.table()
	normalizeTable(dst, pix, &t)
}
