package data

import "math/rand/v2"

// Augment describes the random changes made to training images: a random
// crop with zero padding, then a horizontal flip, as torchvision's
// RandomCrop(Size, padding=Pad) followed by RandomHorizontalFlip(FlipProb)
// do. The zero value changes nothing. The reference notebook uses no
// augmentation; DefaultAugment is the usual choice for 32x32 images.
type Augment struct {
	// Pad is the padding, in pixels, added on every side before cropping
	// Size x Size at a uniformly random position; padding pixels have
	// channel value 0 (black), which normalization maps to -Mean/Std.
	// 0 turns cropping off.
	Pad int
	// FlipProb is the probability of flipping an image left to right.
	// 0 turns flipping off.
	FlipProb float64
}

// DefaultAugment pads by 4 pixels and flips half of the images, the
// standard augmentation of CIFAR-style training. It is never modified by
// this package.
var DefaultAugment = Augment{Pad: 4, FlipProb: 0.5}

// draw chooses the changes for one image: the crop's top and left in the
// padded image, drawn in that order with rng.IntN(2*Pad+1) when Pad > 0
// (else both Pad, that is no shift), then whether to flip,
// rng.Float64() < FlipProb, drawn when FlipProb > 0.
func (a *Augment) draw(rng *rand.Rand) (top, left int, flip bool) {
	top, left = a.Pad, a.Pad
	if a.Pad > 0 {
		top = rng.IntN(2*a.Pad + 1)
		left = rng.IntN(2*a.Pad + 1)
	}
	if a.FlipProb > 0 {
		flip = rng.Float64() < a.FlipProb
	}
	return top, left, flip
}

// apply writes the augmented, normalized image pix (size x size, the
// layout of Set.Pix) into dst as CHW, with changes drawn from rng.
func (a *Augment) apply(dst []float32, pix []uint8, size int, t *[3][256]float32, rng *rand.Rand) {
	top, left, flip := a.draw(rng)
	crop(dst, pix, size, a.Pad, top, left, flip, t)
}

// crop writes into dst, as normalized CHW, the size x size crop at (top,
// left) of image pix padded by pad zero pixels on every side, flipped left
// to right if flip: output pixel (y, x) is input pixel (y+top-pad,
// x'+left-pad), where x' is x, or size-1-x when flipped, or 0 outside
// the input.
func crop(dst []float32, pix []uint8, size, pad, top, left int, flip bool, t *[3][256]float32) {
	plane := size * size
	for y := range size {
		sy := y + top - pad
		for x := range size {
			xx := x
			if flip {
				xx = size - 1 - x
			}
			sx := xx + left - pad
			o := y*size + x
			if sy < 0 || sy >= size || sx < 0 || sx >= size {
				dst[o], dst[plane+o], dst[2*plane+o] = t[0][0], t[1][0], t[2][0]
				continue
			}
			p := pix[(sy*size+sx)*3:]
			dst[o], dst[plane+o], dst[2*plane+o] = t[0][p[0]], t[1][p[1]], t[2][p[2]]
		}
	}
}
