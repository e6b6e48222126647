package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fixtures made by testdata/gen_resize.py with Pillow 9.4 and
// libjpeg-turbo 2.1.
var (
	// losslessInputs decode to exactly the pixels Pillow decoded.
	losslessInputs = []string{
		"decoded/photo_buildings_0.png", "decoded/photo_forest_10007.png",
		"decoded/photo_glacier_10.png", "decoded/photo_glacier_2837.png",
		"decoded/photo_mountain_10000.png", "decoded/photo_sea_1.png",
		"decoded/photo_street_10015.png", "decoded/jpeg_422.png",
		"decoded/jpeg_odd420.png", "decoded/jpeg_tiny420.png",
		"decoded/jpeg_narrow420.png", "alpha.png", "palette.png", "frame.gif", "large.png", "small.png",
	}
	// jpegInputs are decoded by Go and by libjpeg-turbo, whose inverse
	// DCTs round differently.
	jpegInputs = []string{
		"photo/buildings_0.jpg", "photo/buildings_10006.jpg",
		"photo/forest_10007.jpg", "photo/forest_10010.jpg",
		"photo/glacier_10.jpg", "photo/glacier_10003.jpg",
		"photo/glacier_2837.jpg", "photo/mountain_10000.jpg",
		"photo/mountain_10001.jpg", "photo/sea_1.jpg", "photo/sea_10016.jpg",
		"photo/street_10015.jpg", "photo/street_10019.jpg", "gray.jpg",
		"jpeg/444.jpg", "jpeg/422.jpg", "jpeg/progressive.jpg",
		"jpeg/odd420.jpg", "jpeg/tiny420.jpg", "jpeg/narrow420.jpg",
	}
	goldenSizes = []int{32, 13}
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readRGB decodes a lossless testdata image as packed RGB.
func readRGB(t testing.TB, name string) (pix []uint8, w, h int) {
	t.Helper()
	img, err := decodeLimited(readTestdata(t, name), DefaultMaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	w, h, rows := rgbRows(img)
	pix = make([]uint8, w*h*3)
	for y := range h {
		rows(pix[y*w*3:(y+1)*w*3], y)
	}
	return pix, w, h
}

// golden returns Pillow's resize of input to size x size.
func golden(t testing.TB, input string, size int) []uint8 {
	t.Helper()
	name := fmt.Sprintf("golden/%s.%d.png", strings.ReplaceAll(input, "/", "_"), size)
	pix, w, h := readRGB(t, name)
	if w != size || h != size {
		t.Fatalf("%s is %dx%d, want %dx%d", name, w, h, size, size)
	}
	return pix
}

// diff returns the largest and the mean absolute difference of a and b.
func diff(a, b []uint8) (maxDiff int, mean float64) {
	sum := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		d = max(d, -d)
		maxDiff = max(maxDiff, d)
		sum += d
	}
	return maxDiff, float64(sum) / float64(len(a))
}

func TestResizeMatchesPillow(t *testing.T) {
	const tolerance = 0 // Resize is Pillow's algorithm, bit for bit.
	for _, input := range losslessInputs {
		img, err := decodeLimited(readTestdata(t, input), DefaultMaxPixels)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range goldenSizes {
			got, want := Resize(img, size), golden(t, input, size)
			if d, mean := diff(got, want); d > tolerance {
				t.Errorf("Resize(%s, %d): max |diff| from Pillow %d (mean %.4f), want <= %d",
					input, size, d, mean, tolerance)
			}
		}
	}
}

func TestDecodeImageNearPillow(t *testing.T) {
	// Go's and libjpeg's inverse DCTs round differently; the rest of the
	// decoding and the resize are libjpeg's and Pillow's.
	const maxTolerance, meanTolerance = 1, 0.1
	worst, total, n := 0, 0.0, 0
	for _, input := range jpegInputs {
		for _, size := range goldenSizes {
			got, err := DecodeImage(readTestdata(t, input), input, size, DefaultMaxPixels)
			if err != nil {
				t.Fatal(err)
			}
			d, mean := diff(got, golden(t, input, size))
			if d > maxTolerance || mean > meanTolerance {
				t.Errorf("DecodeImage(%s, %d): |diff| from Pillow max %d, mean %.4f; want <= %d, %.2f",
					input, size, d, mean, maxTolerance, meanTolerance)
			}
			worst, total, n = max(worst, d), total+mean, n+1
		}
	}
	t.Logf("DecodeImage vs Pillow over %d JPEG resizes: max |diff| %d, mean %.4f", n, worst, total/float64(n))
}

func TestJPEGRowsNearLibjpeg(t *testing.T) {
	const maxTolerance, meanTolerance = 3, 0.1
	for _, input := range []string{
		"photo/buildings_0.jpg", "photo/forest_10007.jpg", "photo/glacier_10.jpg",
		"photo/glacier_2837.jpg", "photo/mountain_10000.jpg", "photo/sea_1.jpg",
		"photo/street_10015.jpg", "jpeg/422.jpg", "jpeg/odd420.jpg", "jpeg/tiny420.jpg",
		"jpeg/narrow420.jpg",
	} {
		got, w, h := readRGB(t, input)
		want, ww, wh := readRGB(t, "decoded/"+strings.ReplaceAll(strings.TrimSuffix(input, ".jpg"), "/", "_")+".png")
		if w != ww || h != wh {
			t.Fatalf("%s: Go decodes %dx%d, Pillow %dx%d", input, w, h, ww, wh)
		}
		d, mean := diff(got, want)
		t.Logf("%s: max |diff| %d, mean %.4f", input, d, mean)
		if d > maxTolerance || mean > meanTolerance {
			t.Errorf("%s: |diff| from libjpeg max %d, mean %.4f; want <= %d, %.2f",
				input, d, mean, maxTolerance, meanTolerance)
		}
	}
}
