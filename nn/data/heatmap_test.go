package data

import (
	"image"
	"slices"
	"testing"
)

func TestUpsample(t *testing.T) {
	src := []float32{1, 2, 3, 4, 5, 6} // 2×3
	if got := Upsample(src, 2, 3, 2, 3); !slices.Equal(got, src) {
		t.Errorf("to its own size: %v", got)
	}
	if got := Upsample([]float32{7}, 1, 1, 3, 2); !slices.Equal(got, []float32{7, 7, 7, 7, 7, 7}) {
		t.Errorf("one pixel: %v", got)
	}
	// Doubling a row: edges clamped, the inside a quarter and three
	// quarters of the way, as F.interpolate(scale_factor=2) gives.
	if got, want := Upsample([]float32{0, 4}, 1, 2, 1, 4), []float32{0, 1, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("doubled: %v, want %v", got, want)
	}
}

func TestHeatMap(t *testing.T) {
	img := image.NewRGBA(image.Rect(10, 20, 30, 30)) // 20×10, not at the origin
	for i := range img.Pix {
		img.Pix[i] = 128
		if i%4 == 3 {
			img.Pix[i] = 255 // opaque
		}
	}
	same := HeatMap(img, make([]float32, 4), 2, 2)
	if same.Bounds().Dx() != 20 || same.Bounds().Dy() != 10 || !slices.Equal(same.Pix, img.Pix) {
		t.Errorf("a map of zeros changed the image (%v)", same.Bounds())
	}
	hot := HeatMap(img, []float32{0, 0, 0, 2}, 2, 2) // the bottom right matters
	if c := hot.RGBAAt(19, 9); c.R <= 128 || c.G >= c.R || c.B >= 128 {
		t.Errorf("the hottest corner is %v, want reddened", c)
	}
	if c := hot.RGBAAt(0, 0); c.B <= 128 || c.R >= 128 {
		t.Errorf("the coldest corner is %v, want blued", c)
	}
}
