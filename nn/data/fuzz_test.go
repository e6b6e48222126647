package data

import (
	"bytes"
	"testing"
)

// fuzzMaxPixels keeps the images of fuzzing small.
const fuzzMaxPixels = 1 << 20

func FuzzDecodeImage(f *testing.F) {
	for _, name := range slicesOf(losslessInputs, jpegInputs) {
		if b := readTestdata(f, name); len(b) <= 20000 { // small inputs fuzz faster
			f.Add(b)
			f.Add(b[:len(b)/2])
		}
	}
	f.Add(hugePNG(20000, 20000))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pix, err := DecodeImage(b, "fuzz", 5, fuzzMaxPixels)
		if err == nil && len(pix) != 5*5*3 {
			t.Errorf("DecodeImage gave %d bytes, want 75", len(pix))
		}
	})
}

func FuzzReadZip(f *testing.F) {
	jpg, jpg2, png, gif := testImages(f)
	text := []byte("not an image")
	f.Add(makeZip(f, entry{"a/1.jpg", jpg}, entry{"b/2.png", png}))
	f.Add(makeZip(f, entry{"seg_train/seg_train/a/1.jpg", jpg}, entry{"seg_train/seg_train/b/1.gif", gif},
		entry{"seg_test/seg_test/b/1.jpg", jpg2}, entry{"seg_pred/seg_pred/x.jpg", jpg}))
	f.Add(makeZip(f, entry{"d/train/a/1.jpg", jpg}, entry{"d/train/b/1.jpg", text}, entry{"d/val/", nil}))
	f.Add(makeZip(f, entry{"a/", nil}, entry{"b/x.txt", text}))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadZip(bytes.NewReader(b), int64(len(b)), Options{Size: 4, MaxPixels: fuzzMaxPixels})
		if err != nil {
			return
		}
		for _, s := range []*Set{a.Train, a.Test} {
			if s == nil {
				continue
			}
			if len(s.Classes) < 2 || s.Len() == 0 || len(s.Pix) != s.Len()*48 || len(s.Names) != s.Len() {
				t.Fatalf("set of %d classes, %d labels, %d names, %d bytes", len(s.Classes), s.Len(), len(s.Names), len(s.Pix))
			}
			for _, l := range s.Labels {
				if l < 0 || l >= len(s.Classes) {
					t.Fatalf("label %d of %d classes", l, len(s.Classes))
				}
			}
		}
	})
}

func slicesOf(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}
