package data

import (
	"fmt"
	"math/rand/v2"
)

// Set is a set of labelled images, all Size x Size RGB.
type Set struct {
	// Size is the side of the square images, in pixels.
	Size int
	// Classes are the class names; a label is an index into Classes.
	Classes []string
	// Pix holds the images back to back: image i, row y, column x,
	// channel c at i*Size*Size*3 + (y*Size+x)*3 + c.
	Pix []uint8
	// Labels holds the label of each image.
	Labels []int
	// Names holds where each image came from, such as its path inside
	// the zip it was read from.
	Names []string
}

// Len returns the number of images in s.
func (s *Set) Len() int { return len(s.Labels) }

// Image returns the pixels of image i, in the layout of Pix, sharing
// Pix's memory.
func (s *Set) Image(i int) []uint8 {
	n := s.Size * s.Size * 3
	return s.Pix[i*n : (i+1)*n : (i+1)*n]
}

// Counts returns the number of images of each class.
func (s *Set) Counts() []int {
	counts := make([]int, len(s.Classes))
	for _, l := range s.Labels {
		counts[l]++
	}
	return counts
}

// Subset returns a new set holding images idx of s, in that order. Its
// pixels, labels and names are copies; its Classes is s.Classes. It
// panics if an index is out of range.
func (s *Set) Subset(idx []int) *Set {
	n := s.Size * s.Size * 3
	sub := &Set{
		Size:    s.Size,
		Classes: s.Classes,
		Pix:     make([]uint8, 0, len(idx)*n),
		Labels:  make([]int, len(idx)),
		Names:   make([]string, len(idx)),
	}
	for k, i := range idx {
		sub.Pix = append(sub.Pix, s.Image(i)...)
		sub.Labels[k] = s.Labels[i]
		sub.Names[k] = s.Names[i]
	}
	return sub
}

// SplitSizes returns the sizes of the two parts of a split of n images
// with fraction frac in the second part: the first has floor((1-frac)*n)
// images, as the reference notebook's int(0.8 * len(dataset)) does, and
// the second the rest. For 14,034 images and frac 0.2 that is 11,227 and
// 2,807. (torch's random_split with fractions [0.8, 0.2] would instead
// round the second part down too and give the leftover image to the
// first part: 11,228 and 2,806.) It panics unless 0 <= frac <= 1.
func SplitSizes(n int, frac float64) (first, second int) {
	if !(frac >= 0 && frac <= 1) {
		panic(fmt.Sprintf("data: split fraction %v not in [0, 1]", frac))
	}
	first = int((1 - frac) * float64(n))
	return first, n - first
}

// Split returns a random split of s into two subsets of the sizes given
// by SplitSizes, like torch.utils.data.random_split: a random permutation
// of the images (rng.Perm) of which the first part takes the leading
// images and the second the rest, in permuted order. The same rng state
// gives the same split. It panics unless 0 <= frac <= 1.
func (s *Set) Split(frac float64, rng *rand.Rand) (train, val *Set) {
	first, second := s.SplitIndices(frac, rng)
	return s.Subset(first), s.Subset(second)
}

// SplitIndices returns the indices of the images of the two parts of
// Split, drawing the same from rng. It panics unless 0 <= frac <= 1.
func (s *Set) SplitIndices(frac float64, rng *rand.Rand) (first, second []int) {
	n, _ := SplitSizes(s.Len(), frac)
	perm := rng.Perm(s.Len())
	return perm[:n], perm[n:]
}

// Fill writes images idx of s into dst as normalized float32 NCHW, image
// k of the batch at dst[k*3*Size*Size:], and their labels into labels.
// With aug nil the images are copied as they are and rng is not used;
// otherwise each image is augmented as Augment describes, drawing from
// rng. Fill allocates nothing. It panics if len(dst) is not
// len(idx)*3*Size*Size, if len(labels) is not len(idx), if an index is
// out of range, or if aug is not nil and rng is.
func (s *Set) Fill(dst []float32, labels []int, idx []int, norm Normalization, aug *Augment, rng *rand.Rand) {
	plane := s.Size * s.Size
	if len(dst) != len(idx)*3*plane || len(labels) != len(idx) {
		panic(fmt.Sprintf("data: Fill of %d images of %dx%d into %d values and %d labels",
			len(idx), s.Size, s.Size, len(dst), len(labels)))
	}
	if aug != nil && rng == nil {
		panic("data: Fill with augmentation needs a rng")
	}
	t := norm.table()
	for k, i := range idx {
		out := dst[k*3*plane : (k+1)*3*plane]
		if aug == nil {
			normalizeTable(out, s.Image(i), &t)
		} else {
			aug.apply(out, s.Image(i), s.Size, &t, rng)
		}
		labels[k] = s.Labels[i]
	}
}

// normalizeTable is Normalization.Normalize with a precomputed table.
func normalizeTable(dst []float32, pix []uint8, t *[3][256]float32) {
	plane := len(pix) / 3
	for i := range plane {
		p := pix[3*i : 3*i+3 : 3*i+3]
		dst[i] = t[0][p[0]]
		dst[plane+i] = t[1][p[1]]
		dst[2*plane+i] = t[2][p[2]]
	}
}
