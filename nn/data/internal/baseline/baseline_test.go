package baseline

import (
	"archive/zip"
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// declined are the test images Decode must leave to image/jpeg.
var declined = []string{"arithmetic.jpg", "rgb.jpg", "progressive.jpg"}

// testImages returns the JPEGs of this package's testdata and of
// nn/data's, by path.
func testImages(t testing.TB) map[string][]byte {
	t.Helper()
	var paths []string
	for _, pattern := range []string{"testdata/*.jpg", "../../testdata/*.jpg", "../../testdata/*/*.jpg"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 30 {
		t.Fatalf("%d test images, want at least 30", len(paths))
	}
	files := make(map[string][]byte)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = b
	}
	return files
}

// same reports whether two decoded images are the same type with the
// same bounds, layout and samples.
func same(a, b image.Image) bool {
	switch x := a.(type) {
	case *image.YCbCr:
		y, ok := b.(*image.YCbCr)
		return ok && x.Rect == y.Rect && x.SubsampleRatio == y.SubsampleRatio &&
			x.YStride == y.YStride && x.CStride == y.CStride &&
			bytes.Equal(x.Y, y.Y) && bytes.Equal(x.Cb, y.Cb) && bytes.Equal(x.Cr, y.Cr)
	case *image.Gray:
		y, ok := b.(*image.Gray)
		return ok && x.Rect == y.Rect && x.Stride == y.Stride && bytes.Equal(x.Pix, y.Pix)
	}
	return false
}

// check fails t unless Decode either declines src or gives the image
// image/jpeg gives. It reports whether Decode declined.
func check(t *testing.T, name string, src []byte) (wasDeclined bool) {
	t.Helper()
	got, err := Decode(src)
	if err != nil {
		if !errors.Is(err, errDeclined) {
			t.Errorf("%s: error %v does not wrap errDeclined", name, err)
		}
		return true
	}
	want, werr := jpeg.Decode(bytes.NewReader(src))
	switch {
	case werr != nil:
		t.Errorf("%s: Decode gave an image, image/jpeg the error %v", name, werr)
	case !same(got, want):
		t.Errorf("%s: Decode gave %T %v, image/jpeg %T %v, or other samples", name, got, got.Bounds(), want, want.Bounds())
	}
	return false
}

// withKernels runs test with the decoder's own inverse DCT, a block at
// a time, then with IDCT as a Kernel, a row of blocks at a time.
func withKernels(t *testing.T, test func(t *testing.T)) {
	t.Run("kernel=none", test)
	t.Run("kernel=IDCT", func(t *testing.T) {
		SetKernel(IDCT)
		defer SetKernel(nil)
		test(t)
	})
}

func TestSameAsImageJPEG(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		for path, src := range testImages(t) {
			want := slices.Contains(declined, filepath.Base(path))
			if got := check(t, path, src); got != want {
				t.Errorf("%s: declined %v, want %v", path, got, want)
			}
		}
	})
}

// TestDamaged decodes thousands of damaged copies of the test images:
// bytes changed, markers put in, files cut short. Whatever Decode
// accepts must be what image/jpeg gives.
func TestDamaged(t *testing.T) { withKernels(t, testDamaged) }

func testDamaged(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, accepted := 0, 0
	for path, src := range testImages(t) {
		for range 150 {
			b := slices.Clone(src)
			switch rng.IntN(4) {
			case 0: // a few bytes changed anywhere
				for range 1 + rng.IntN(3) {
					b[rng.IntN(len(b))] = uint8(rng.Uint32())
				}
			case 1: // a marker byte pair in the scan's second half
				i := len(b)/2 + rng.IntN(len(b)/2-1)
				b[i], b[i+1] = 0xff, []uint8{0x00, 0xd0, 0xd1, 0xd9, 0xff, 0xc4, uint8(rng.Uint32())}[rng.IntN(7)]
			case 2: // cut short, sometimes with an end-of-image marker
				b = b[:rng.IntN(len(b))]
				if rng.IntN(2) == 0 {
					b = append(b, 0xff, 0xd9)
				}
			case 3: // a byte taken out or put in
				i := rng.IntN(len(b))
				if rng.IntN(2) == 0 {
					b = slices.Delete(b, i, i+1)
				} else {
					b = slices.Insert(b, i, uint8(rng.Uint32()))
				}
			}
			n++
			if !check(t, path, b) {
				accepted++
			}
		}
	}
	// Many changes are harmless (a coefficient's bits, a comment), and
	// many are fatal: a decoder that declined everything would not be
	// tested here.
	t.Logf("%d damaged files, %d decoded", n, accepted)
	if accepted < n/10 || accepted > n*9/10 {
		t.Errorf("%d of %d damaged files decoded, want between a tenth and nine tenths", accepted, n)
	}
}

func FuzzDecode(f *testing.F) {
	for _, src := range testImages(f) {
		if len(src) <= 16000 {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(src)); err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		check(t, "fuzz", src)
	})
}

// realZip is the real data set, from this package's directory.
var realZip = filepath.Join("..", "..", "..", "..", "..", "shared", "data", "intel-scenes-train.zip")

// TestRealData decodes every image of the real data set (under
// WebAssembly, where decoding is slower, every seventh), which must all
// be decoded here, each as image/jpeg decodes it.
func TestRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: it decodes the 14,034 images of the real data set twice")
	}
	z, err := zip.OpenReader(realZip)
	if err != nil {
		t.Skipf("the real data set is not here (%v); this test needs ../shared beside the repository", err)
	}
	defer z.Close()
	every := 1
	if runtime.GOOS == "js" {
		every = 7
	}
	n, seen := 0, 0
	var mine, theirs time.Duration
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, ".jpg") {
			continue
		}
		if seen++; seen%every != 0 {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		src, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		got, err := Decode(src)
		mine += time.Since(start)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		start = time.Now()
		want, err := jpeg.Decode(bytes.NewReader(src))
		theirs += time.Since(start)
		if err != nil || !same(got, want) {
			t.Errorf("%s: Decode's image is not image/jpeg's (its error: %v)", f.Name, err)
		}
		n++
	}
	if seen < 14000 {
		t.Errorf("%d JPEGs in %s, want the 14,034", seen, realZip)
	}
	t.Logf("%d images the same; decoding took %v here, %v with image/jpeg", n, mine, theirs)
}

func BenchmarkDecode(b *testing.B) {
	src, err := os.ReadFile("../../testdata/photo/street_10015.jpg")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decoder=baseline", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := Decode(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decoder=image-jpeg", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(src)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
