package e2e

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// bigJPEG returns a w×h baseline JPEG of smooth gradients, as a phone
// photo is sized.
func bigJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		row := img.Y[y*img.YStride : y*img.YStride+w]
		for x := range row {
			row[x] = uint8(40 + 160*x/w)
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 150, 110
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestClassifiesAPhonePhoto gives the page an 8000×6000 JPEG, an
// ordinary phone photo: it is classified, in a worker of its own, and
// its card shows a small thumbnail, not the photo.
func TestClassifiesAPhonePhoto(t *testing.T) {
	p := openPage(t)
	path := filepath.Join(t.TempDir(), "phone-photo.jpg")
	if err := os.WriteFile(path, bigJPEG(t, 8000, 6000), 0o644); err != nil {
		t.Fatal(err)
	}
	before := rendererPSS()
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#pick-images"), []string{path}))
	rs := p.settled(1, 1)
	if rs[0].Status != "done" || len(rs[0].Predictions) != 3 {
		t.Fatalf("the photo's card: %+v, want it classified", rs[0])
	}
	thumb, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(async () => {
		const img = document.querySelector("#results .result img");
		await img.decode();
		return img.src.slice(0, 5) + " " + img.naturalWidth + "x" + img.naturalHeight;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if thumb != "blob: 96x72" {
		t.Errorf("the card's image is %q, want a 96x72 thumbnail", thumb)
	}
	t.Logf("renderer memory (PSS) before %d MB, after %d MB", before>>20, rendererPSS()>>20)
	// The page's worker still classifies.
	checkClassified(t, p.pick("sea-10016.jpg"), []string{"sea-10016.jpg"})
	if got := p.text("#worker-notice"); got != "" || strings.Contains(got, "stopped") {
		t.Errorf("worker notice: %q", got)
	}
}
