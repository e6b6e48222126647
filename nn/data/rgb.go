package data

import (
	"image"
	"image/color"
)

// A rowReader writes row y (counted from the top of the image, from 0) of
// a decoded image into dst as packed RGB, 3 bytes a pixel.
type rowReader func(dst []uint8, y int)

// rgbRows returns the size of img and a reader of its rows as RGB, the
// RGB that Pillow's convert("RGB") gives for the same file:
//
//   - alpha is dropped, the colour kept as stored (not premultiplied);
//   - gray is replicated to the three channels;
//   - palette entries give their colour (alpha dropped);
//   - 16-bit samples keep their high byte;
//   - JPEG's YCbCr has its chroma upsampled with libjpeg's "fancy"
//     triangle filter and is converted with libjpeg's fixed-point
//     arithmetic, see yccRows; a lossy WebP's is upsampled alike and
//     converted as libwebp converts it, see vp8ToRGB.
func rgbRows(img image.Image) (w, h int, rows rowReader) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.NRGBA:
		return w, h, func(dst []uint8, y int) {
			copyRGB(dst, m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):], 4)
		}
	case *image.RGBA:
		// Go's PNG decoder gives *image.RGBA only for opaque images, where
		// premultiplied and straight colour agree.
		return w, h, func(dst []uint8, y int) {
			copyRGB(dst, m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):], 4)
		}
	case *image.NRGBA64:
		return w, h, func(dst []uint8, y int) {
			copyHighRGB(dst, m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.RGBA64: // opaque, as Go's PNG decoder gives it
		return w, h, func(dst []uint8, y int) {
			copyHighRGB(dst, m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.Gray16:
		return w, h, func(dst []uint8, y int) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				dst[3*x], dst[3*x+1], dst[3*x+2] = src[2*x], src[2*x], src[2*x]
			}
		}
	case *image.Gray:
		return w, h, func(dst []uint8, y int) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				dst[3*x], dst[3*x+1], dst[3*x+2] = src[x], src[x], src[x]
			}
		}
	case *image.Paletted:
		var pal [256][3]uint8
		for i, c := range m.Palette {
			pal[i] = straightRGB(c)
		}
		return w, h, func(dst []uint8, y int) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				p := pal[src[x]]
				dst[3*x], dst[3*x+1], dst[3*x+2] = p[0], p[1], p[2]
			}
		}
	case *image.YCbCr:
		return w, h, yccRows(m, yccToRGB)
	case vp8Image:
		return w, h, yccRows(m.YCbCr, vp8ToRGB)
	}
	return w, h, func(dst []uint8, y int) {
		for x := range w {
			p := straightRGB(img.At(b.Min.X+x, b.Min.Y+y))
			dst[3*x], dst[3*x+1], dst[3*x+2] = p[0], p[1], p[2]
		}
	}
}

// copyRGB copies the first three bytes of each pixel of src, whose pixels
// are n bytes apart, into the packed RGB row dst.
func copyRGB(dst, src []uint8, n int) {
	for x := range len(dst) / 3 {
		s := src[n*x : n*x+3 : n*x+3]
		dst[3*x], dst[3*x+1], dst[3*x+2] = s[0], s[1], s[2]
	}
}

// copyHighRGB copies the high bytes of the 16-bit red, green and blue of
// each pixel of src, 8 bytes a pixel, big-endian, into the packed RGB row
// dst.
func copyHighRGB(dst, src []uint8) {
	for x := range len(dst) / 3 {
		s := src[8*x : 8*x+5 : 8*x+5]
		dst[3*x], dst[3*x+1], dst[3*x+2] = s[0], s[2], s[4]
	}
}

// straightRGB returns the high bytes of c's colour without alpha.
func straightRGB(c color.Color) [3]uint8 {
	switch c := c.(type) {
	case color.NRGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.NRGBA64:
		return [3]uint8{uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}
