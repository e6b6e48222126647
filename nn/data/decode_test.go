package data

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"
)

func TestDecodeImageErrors(t *testing.T) {
	jpg := readTestdata(t, "photo/sea_1.jpg")
	tests := []struct {
		name    string
		data    []byte
		max     int
		want    error
		mention string
	}{
		{"empty", nil, DefaultMaxPixels, ErrFormat, ""},
		{"text", []byte("hello, world"), DefaultMaxPixels, ErrFormat, ""},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x00\x00"), DefaultMaxPixels, ErrCorrupt, "WebP"},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), DefaultMaxPixels, ErrFormat, "convert it to JPEG"},
		{"avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1"), DefaultMaxPixels, ErrFormat, "AVIF"},
		{"bmp", []byte("BM\x00\x00\x00\x00"), DefaultMaxPixels, ErrFormat, "BMP"},
		{"jpeg magic only", []byte("\xff\xd8"), DefaultMaxPixels, ErrCorrupt, "JPEG header"},
		{"truncated jpeg", jpg[:len(jpg)*2/3], DefaultMaxPixels, ErrCorrupt, "JPEG"},
		{"huge png header", hugePNG(20000, 20000), DefaultMaxPixels, ErrTooLarge, "20000x20000"},
		{"png without pixels", hugePNG(2, 2), DefaultMaxPixels, ErrCorrupt, "PNG"},
		{"over the limit", jpg, 150*150 - 1, ErrTooLarge, "150x150"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pix, err := DecodeImage(tt.data, "dir/file.x", 32, tt.max)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeImage: got %d bytes, error %v; want error %v", len(pix), err, tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "dir/file.x: ") || !strings.Contains(msg, tt.mention) {
				t.Errorf("error %q: want it to start with the name and mention %q", msg, tt.mention)
			}
		})
	}
	if _, err := DecodeImage(jpg, "sea_1.jpg", 32, 150*150); err != nil {
		t.Errorf("DecodeImage at exactly the pixel limit: %v", err)
	}
}

func TestDecodeImageFormats(t *testing.T) {
	for _, name := range []string{"photo/sea_1.jpg", "gray.jpg", "alpha.png", "palette.png", "frame.gif", "large.png", "small.png", "jpeg/progressive.jpg"} {
		for _, size := range []int{1, 7, 32, 64} {
			pix, err := DecodeImage(readTestdata(t, name), name, size, DefaultMaxPixels)
			if err != nil {
				t.Fatal(err)
			}
			if len(pix) != size*size*3 {
				t.Errorf("DecodeImage(%s, %d) gave %d bytes, want %d", name, size, len(pix), size*size*3)
			}
		}
	}
	pix, err := DecodeImage(readTestdata(t, "gray.jpg"), "gray.jpg", 32, DefaultMaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pix); i += 3 {
		if pix[i] != pix[i+1] || pix[i] != pix[i+2] {
			t.Fatalf("gray pixel %d is %v, want equal channels", i/3, pix[i:i+3])
		}
	}
}

// TestRGBRows checks the conversion of each image type against a pixel
// built by hand.
func TestRGBRows(t *testing.T) {
	r := image.Rect(0, 0, 2, 1)
	nrgba := image.NewNRGBA(r)
	nrgba.SetNRGBA(0, 0, color.NRGBA{200, 100, 50, 0}) // transparent: colour kept
	nrgba.SetNRGBA(1, 0, color.NRGBA{1, 2, 3, 128})
	rgba := image.NewRGBA(r)
	rgba.SetRGBA(0, 0, color.RGBA{200, 100, 50, 255})
	rgba.SetRGBA(1, 0, color.RGBA{1, 2, 3, 255})
	gray := image.NewGray(r)
	gray.SetGray(0, 0, color.Gray{7})
	gray.SetGray(1, 0, color.Gray{250})
	pal := image.NewPaletted(r, color.Palette{color.NRGBA{9, 8, 7, 0}, color.RGBA{10, 20, 30, 255}})
	pal.SetColorIndex(1, 0, 1)
	rgba64 := image.NewNRGBA64(r)
	rgba64.SetNRGBA64(0, 0, color.NRGBA64{0x1234, 0xff00, 0x00ff, 0xffff})
	rgba64.SetNRGBA64(1, 0, color.NRGBA64{0xabcd, 0, 0xffff, 0})
	opaque64 := image.NewRGBA64(r)
	opaque64.SetRGBA64(0, 0, color.RGBA64{0x1234, 0xff00, 0x00ff, 0xffff})
	opaque64.SetRGBA64(1, 0, color.RGBA64{0xabcd, 0, 0xfffe, 0xffff})
	gray16 := image.NewGray16(r)
	gray16.SetGray16(0, 0, color.Gray16{0x07ff})
	gray16.SetGray16(1, 0, color.Gray16{0xfa00})
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	copy(ycc.Y, []uint8{0, 255})
	copy(ycc.Cb, []uint8{128, 0})
	copy(ycc.Cr, []uint8{255, 128})
	// A subimage not at the origin.
	big := image.NewNRGBA(image.Rect(-1, -1, 3, 2))
	big.SetNRGBA(1, 1, color.NRGBA{5, 6, 7, 255})
	big.SetNRGBA(2, 1, color.NRGBA{8, 9, 10, 255})
	sub := big.SubImage(image.Rect(1, 1, 3, 2))

	tests := []struct {
		name string
		img  image.Image
		want []uint8
	}{
		{"NRGBA", nrgba, []uint8{200, 100, 50, 1, 2, 3}},
		{"RGBA", rgba, []uint8{200, 100, 50, 1, 2, 3}},
		{"Gray", gray, []uint8{7, 7, 7, 250, 250, 250}},
		{"Paletted", pal, []uint8{9, 8, 7, 10, 20, 30}},
		{"NRGBA64", rgba64, []uint8{0x12, 0xff, 0x00, 0xab, 0, 0xff}},
		{"RGBA64", opaque64, []uint8{0x12, 0xff, 0x00, 0xab, 0, 0xff}},
		{"Gray16", gray16, []uint8{7, 7, 7, 0xfa, 0xfa, 0xfa}},
		// Y 0, Cr 255: R = 0 + 1.402*127 = 178.05 -> 178, G = -0.71414*127 < 0 -> 0.
		// Y 255, Cb 0: B = 255 - 1.772*128 = 28.18 -> 28, G = 255 + 0.34414*128 -> 255.
		{"YCbCr", ycc, []uint8{178, 0, 0, 255, 255, 28}},
		{"subimage", sub, []uint8{5, 6, 7, 8, 9, 10}},
	}
	for _, tt := range tests {
		w, h, rows := rgbRows(tt.img)
		if w != 2 || h != 1 {
			t.Fatalf("%s: size %dx%d, want 2x1", tt.name, w, h)
		}
		got := make([]uint8, 6)
		rows(got, 0)
		if string(got) != string(tt.want) {
			t.Errorf("%s: RGB %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestYCCToRGBFixedPoint checks yccToRGB's tables against jdcolor.c's
// arithmetic written out, for every Y, Cb and Cr.
func TestYCCToRGBFixedPoint(t *testing.T) {
	const half = 1 << 15
	clamp := func(v int32) uint8 { return uint8(min(max(v, 0), 255)) }
	lum, cb, cr := make([]uint8, 256), make([]uint8, 256), make([]uint8, 256)
	got := make([]uint8, 3*256)
	for i := range lum {
		lum[i] = uint8(i)
	}
	for b := range 256 {
		for r := range 256 {
			for i := range cb {
				cb[i], cr[i] = uint8(b), uint8(r)
			}
			yccToRGB(got, lum, cb, cr)
			cbx, crx := int32(b)-128, int32(r)-128
			for y := range int32(256) {
				want := [3]uint8{
					clamp(y + (91881*crx+half)>>16),
					clamp(y + (-22554*cbx+half-46802*crx)>>16),
					clamp(y + (116130*cbx+half)>>16),
				}
				if [3]uint8(got[3*y:]) != want {
					t.Fatalf("yccToRGB(%d, %d, %d) = %v, want %v", y, b, r, got[3*y:3*y+3], want)
				}
			}
		}
	}
}

func TestYCCToRGBNearFormula(t *testing.T) {
	// libjpeg's fixed point rounds the exact formula to within 1.
	for y := 0; y < 256; y += 5 {
		for cb := 0; cb < 256; cb += 3 {
			for cr := 0; cr < 256; cr += 3 {
				var got [3]uint8
				yccToRGB(got[:], []uint8{uint8(y)}, []uint8{uint8(cb)}, []uint8{uint8(cr)})
				fy, fcb, fcr := float64(y), float64(cb)-128, float64(cr)-128
				want := [3]float64{fy + 1.402*fcr, fy - 0.34414*fcb - 0.71414*fcr, fy + 1.772*fcb}
				for c := range 3 {
					w := min(max(want[c], 0), 255)
					if d := float64(got[c]) - w; d > 1 || d < -1 {
						t.Fatalf("yccToRGB(%d, %d, %d)[%d] = %d, want %.2f", y, cb, cr, c, got[c], w)
					}
				}
			}
		}
	}
}

func TestResizeEmptyAndSubimage(t *testing.T) {
	empty := image.NewNRGBA(image.Rect(0, 0, 0, 5))
	if got := Resize(empty, 4); len(got) != 48 || strings.Trim(string(got), "\x00") != "" {
		t.Errorf("Resize of an empty image = %v, want 48 zeros", got)
	}
	img, err := decodeLimited(readTestdata(t, "large.png"), DefaultMaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	r := image.Rect(100, 50, 400, 250)
	sub := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
	copied := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		for x := range r.Dx() {
			copied.Set(x, y, sub.At(r.Min.X+x, r.Min.Y+y))
		}
	}
	if a, b := Resize(sub, 32), Resize(copied, 32); string(a) != string(b) {
		t.Errorf("Resize of a subimage differs from Resize of its copy")
	}
}

// TestChromaUpsampling checks libjpeg's fancy upsampling on chroma worked
// out by hand.
func TestChromaUpsampling(t *testing.T) {
	tests := []struct {
		ratio image.YCbCrSubsampleRatio
		w, h  int
		cb    []uint8 // the chroma plane, CStride = its width
		want  []uint8 // upsampled Cb, row by row
	}{
		// Both output rows of a single chroma row: 3/4 and 1/4 weights
		// horizontally with biases 8 and 7 (sums 4*[0 100 200] / 16).
		{image.YCbCrSubsampleRatio420, 6, 2, []uint8{0, 100, 200}, []uint8{0, 25, 75, 125, 175, 200, 0, 25, 75, 125, 175, 200}},
		// Biases 1 and 2: (3*100 + 0 + 1) >> 2 = 75, (3*100 + 200 + 2) >> 2 = 125.
		{image.YCbCrSubsampleRatio422, 6, 1, []uint8{0, 100, 200}, []uint8{0, 25, 75, 125, 175, 200}},
		// Vertically, the rows beyond the edges repeat the edge rows.
		{image.YCbCrSubsampleRatio440, 1, 4, []uint8{100, 200}, []uint8{100, 125, 175, 200}},
		// Chroma 2 samples wide is repeated, not interpolated.
		{image.YCbCrSubsampleRatio420, 4, 2, []uint8{0, 100}, []uint8{0, 0, 100, 100, 0, 0, 100, 100}},
	}
	for _, tt := range tests {
		m := image.NewYCbCr(image.Rect(0, 0, tt.w, tt.h), tt.ratio)
		for i := range m.Y {
			m.Y[i] = uint8(40 * i)
		}
		copy(m.Cb, tt.cb)
		for i := range m.Cr {
			m.Cr[i] = 128
		}
		_, _, rows := rgbRows(m)
		for y := range tt.h {
			got := make([]uint8, 3*tt.w)
			rows(got, y)
			want := make([]uint8, 3*tt.w)
			cr := make([]uint8, tt.w)
			for i := range cr {
				cr[i] = 128
			}
			yccToRGB(want, m.Y[y*m.YStride:], tt.want[y*tt.w:], cr)
			if string(got) != string(want) {
				t.Errorf("%v %dx%d row %d: RGB %v, want %v (Cb %v)", tt.ratio, tt.w, tt.h, y, got, want, tt.want[y*tt.w:(y+1)*tt.w])
			}
		}
	}
}

func TestThumbnail(t *testing.T) {
	for _, tt := range []struct {
		name string
		w, h int
	}{{"photo/street_10015.jpg", 96, 96}, {"large.png", 96, 0}} {
		b, err := Thumbnail(readTestdata(t, tt.name), tt.name, 96, DefaultMaxPixels)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: the thumbnail is no JPEG: %v", tt.name, err)
		}
		if max(cfg.Width, cfg.Height) != 96 || tt.h != 0 && cfg.Height != tt.h || cfg.Width != tt.w {
			t.Errorf("%s: thumbnail of %dx%d, want %d wide and at most 96 high", tt.name, cfg.Width, cfg.Height, tt.w)
		}
	}
	if _, err := Thumbnail(hugePNG(20000, 20000), "huge.png", 96, DefaultMaxPixels); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Thumbnail of a huge PNG: got %v, want ErrTooLarge", err)
	}
}

func TestDecodeWebPNearPillow(t *testing.T) {
	// Lossless WebP is exact pixels, resized as Pillow does; a lossy
	// WebP's YCbCr is upsampled as libjpeg does and converted as libwebp
	// does, whose upsampling rounds differently in places.
	for _, tt := range []struct {
		name          string
		maxDiff       int
		meanTolerance float64
	}{{"webp/sea_1_lossless.webp", 0, 0}, {"webp/street_10015_lossy.webp", 1, 0.1}} {
		got, err := DecodeImage(readTestdata(t, tt.name), tt.name, 32, DefaultMaxPixels)
		if err != nil {
			t.Fatal(err)
		}
		d, mean := diff(got, golden(t, tt.name, 32))
		t.Logf("%s: |diff| from Pillow max %d, mean %.4f", tt.name, d, mean)
		if d > tt.maxDiff || mean > tt.meanTolerance {
			t.Errorf("%s: |diff| from Pillow max %d, mean %.4f; want <= %d, %.2f", tt.name, d, mean, tt.maxDiff, tt.meanTolerance)
		}
	}
}

func TestDecodeCost(t *testing.T) {
	progressive := readTestdata(t, "jpeg/progressive.jpg")
	_, cfg, err := header(progressive)
	if err != nil {
		t.Fatal(err)
	}
	px := int64(cfg.Width * cfg.Height)
	for _, tt := range []struct {
		name string
		b    []byte
		want int64
	}{
		{"a 20000x20000 RGB PNG header", hugePNG(20000, 20000), 4 * 20000 * 20000},
		{"a baseline colour JPEG", readTestdata(t, "photo/street_10015.jpg"), 3 * 150 * 150},
		{"a progressive colour JPEG", progressive, 15 * px},
		{"a grey JPEG", readTestdata(t, "gray.jpg"), 0}, // its size is checked below
		{"not an image", []byte("hello"), 0},
	} {
		got := DecodeCost(tt.b)
		if tt.name == "a grey JPEG" {
			_, c, _ := header(tt.b)
			tt.want = int64(c.Width * c.Height)
		}
		if got != tt.want {
			t.Errorf("DecodeCost(%s) = %d, want %d", tt.name, got, tt.want)
		}
	}
}
