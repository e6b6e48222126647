package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/nfnt/resize"
)

// Upsample returns the h×w plane src stretched to outH×outW by bilinear
// interpolation, as PyTorch's F.interpolate(mode="bilinear",
// align_corners=False) computes it: output pixel centres map back onto
// the input's, coordinates before the first pixel are clamped to it, and
// the arithmetic is float32.
func Upsample(src []float32, h, w, outH, outW int) []float32 {
	dst := make([]float32, outH*outW)
	ys, xs := sourceIndex(h, outH), sourceIndex(w, outW)
	for oy, sy := range ys {
		row0, row1 := src[sy.lo*w:], src[sy.hi*w:]
		for ox, sx := range xs {
			top := sx.w0*row0[sx.lo] + sx.w1*row0[sx.hi]
			bottom := sx.w0*row1[sx.lo] + sx.w1*row1[sx.hi]
			dst[oy*outW+ox] = sy.w0*top + sy.w1*bottom
		}
	}
	return dst
}

// tap is where an output pixel reads along one axis: inputs lo and hi,
// weighed w0 and w1.
type tap struct {
	lo, hi int
	w0, w1 float32
}

// sourceIndex returns the taps of out pixels read from in, as PyTorch's
// area_pixel_compute_source_index and upsample_bilinear2d do.
func sourceIndex(in, out int) []tap {
	taps := make([]tap, out)
	scale := float32(in) / float32(out)
	for i := range taps {
		src := max(scale*(float32(i)+0.5)-0.5, 0)
		lo := int(src)
		hi := lo
		if lo < in-1 {
			hi = lo + 1
		}
		l1 := src - float32(lo)
		taps[i] = tap{lo: lo, hi: hi, w0: 1 - l1, w1: l1}
	}
	return taps
}

// HeatMap paints the h×w map m (a Grad-CAM map: zero or more, larger
// where it matters more) over img: m is stretched to img's size
// (Upsample), scaled so that its largest value is 1, and coloured from
// transparent blue at 0 through green and yellow to red at 1, more
// opaque the larger. A map of zeros leaves img as it is.
func HeatMap(img image.Image, m []float32, h, w int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	up := Upsample(m, h, w, b.Dy(), b.Dx())
	var top float32
	for _, v := range up {
		top = max(top, v)
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			c := [3]float64{float64(r >> 8), float64(g >> 8), float64(bl >> 8)}
			if top > 0 {
				v := float64(up[y*b.Dx()+x] / top)
				heat, alpha := heatColour(v), 0.15+0.5*v
				for i := range c {
					c[i] = (1-alpha)*c[i] + alpha*heat[i]
				}
			}
			out.SetRGBA(x, y, color.RGBA{uint8(math.Round(c[0])), uint8(math.Round(c[1])), uint8(math.Round(c[2])), 255})
		}
	}
	return out
}

// heatColour is the colour of v in [0, 1]: blue, cyan, green, yellow,
// red, evenly spaced, linear in between.
func heatColour(v float64) [3]float64 {
	stops := [...][3]float64{{0, 0, 255}, {0, 255, 255}, {0, 255, 0}, {255, 255, 0}, {255, 0, 0}}
	f := min(max(v, 0), 1) * float64(len(stops)-1)
	i := min(int(f), len(stops)-2)
	t := f - float64(i)
	var c [3]float64
	for k := range c {
		c[k] = (1-t)*stops[i][k] + t*stops[i+1][k]
	}
	return c
}

// HeatMapPNG decodes the image file b as DecodeImage does (refusing one
// of more than maxPixels pixels), once for two uses: explain gets the
// network's input, size pixels square as DecodeImage gives it, and
// returns an h×w map of it; the image, fitted into a side×side box as
// Thumbnail fits it, gets the map painted over it (HeatMap), and comes
// back as a PNG. name is used in errors.
func HeatMapPNG(b []byte, name string, size, side, maxPixels int, explain func(pix []uint8) (m []float32, h, w int)) ([]byte, error) {
	img, err := DecodeFile(b, name, maxPixels)
	if err != nil {
		return nil, err
	}
	pix := make([]uint8, size*size*3)
	resizeInto(pix, img, size)
	m, h, w := explain(pix)
	return HeatMapImagePNG(img, name, m, h, w, side)
}

// HeatMapImagePNG is HeatMapPNG of a decoded image and its map.
func HeatMapImagePNG(img image.Image, name string, m []float32, h, w, side int) ([]byte, error) {
	small := resize.Thumbnail(uint(side), uint(side), img, resize.Bilinear)
	var out bytes.Buffer
	if err := png.Encode(&out, HeatMap(small, m, h, w)); err != nil {
		return nil, &FileError{Name: name, Err: fmt.Errorf("making its heat map: %w", err)}
	}
	return out.Bytes(), nil
}
