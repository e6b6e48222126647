package data

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// entry is a file of a test zip; a name ending in "/" is a folder.
type entry struct {
	name string
	data []byte
}

// makeZip returns a zip of entries, in memory.
func makeZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		f, err := w.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readZipBytes(b []byte, size int) (*Archive, error) {
	return ReadZip(bytes.NewReader(b), int64(len(b)), Options{Size: size, MaxPixels: DefaultMaxPixels})
}

// hugePNG returns a PNG whose header says it is w x h pixels, followed by
// no pixel data at all.
func hugePNG(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		var b []byte
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, typ...)
		b = append(b, data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, chunk("IHDR", ihdr)...)
	b = append(b, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00})...)
	return append(b, chunk("IEND", nil)...)
}

// Small images for test zips.
func testImages(t testing.TB) (jpg, jpg2, png, gif []byte) {
	return readTestdata(t, "jpeg/tiny420.jpg"), readTestdata(t, "jpeg/narrow420.jpg"),
		readTestdata(t, "small.png"), readTestdata(t, "frame.gif")
}

func skipReason(a *Archive, name string) (string, bool) {
	for _, s := range a.Skipped {
		if s.Name == name {
			return s.Reason, true
		}
	}
	return "", false
}

func TestReadZipLayouts(t *testing.T) {
	jpg, jpg2, png, gif := testImages(t)
	type want struct {
		classes            []string
		train, test        []string // Names, in order
		trainDir, testDir  string
		labels, testLabels []int
		skipped            []string // Skipped names, in order
	}
	tests := []struct {
		name    string
		entries []entry
		want    want
	}{{
		name: "kaggle",
		entries: []entry{
			{"seg_train/", nil}, {"seg_train/seg_train/", nil},
			{"seg_train/seg_train/sea/2.jpg", jpg}, {"seg_train/seg_train/sea/10.jpg", jpg2},
			{"seg_train/seg_train/forest/1.jpg", jpg},
			{"seg_test/seg_test/forest/5.jpg", jpg2}, {"seg_test/seg_test/sea/6.jpg", jpg},
			{"seg_pred/seg_pred/7.jpg", jpg}, {"seg_pred/seg_pred/8.jpg", jpg},
		},
		want: want{
			classes:    []string{"forest", "sea"},
			train:      []string{"seg_train/seg_train/forest/1.jpg", "seg_train/seg_train/sea/10.jpg", "seg_train/seg_train/sea/2.jpg"},
			labels:     []int{0, 1, 1},
			test:       []string{"seg_test/seg_test/forest/5.jpg", "seg_test/seg_test/sea/6.jpg"},
			testLabels: []int{0, 1},
			trainDir:   "seg_train/seg_train/", testDir: "seg_test/seg_test/",
			skipped: []string{"seg_pred/"},
		},
	}, {
		name: "plain class folders, junk ignored, nested images, loose file",
		entries: []entry{
			{"street/b.png", png}, {"street/a.gif", gif}, {"street/sub/0.jpg", jpg},
			{"buildings/x.JPG", jpg}, {"buildings/notes.txt", []byte("hello")},
			{"README.md", []byte("# data")}, {"loose.jpg", jpg},
			{"__MACOSX/street/._a.gif", []byte("junk")}, {"street/.DS_Store", []byte("junk")},
			{"buildings/Thumbs.db", []byte("junk")}, {".hidden/x.jpg", jpg},
		},
		want: want{
			classes: []string{"buildings", "street"},
			train:   []string{"buildings/x.JPG", "street/a.gif", "street/b.png", "street/sub/0.jpg"},
			labels:  []int{0, 1, 1, 1},
			skipped: []string{"README.md", "buildings/notes.txt", "loose.jpg"},
		},
	}, {
		name: "wrapped train and test, test missing a class",
		entries: []entry{
			{"my data/", nil}, {"my data/read me.txt", []byte("hi")}, {"my data/Train/a/1.jpg", jpg}, {"my data/Train/b/1.jpg", jpg},
			{"my data/Train/c/1.jpg", jpg}, {"my data/Test/c/9.jpg", jpg2},
			{"my data/other/a/1.jpg", jpg},
		},
		want: want{
			classes: []string{"a", "b", "c"},
			train:   []string{"my data/Train/a/1.jpg", "my data/Train/b/1.jpg", "my data/Train/c/1.jpg"},
			labels:  []int{0, 1, 2},
			test:    []string{"my data/Test/c/9.jpg"}, testLabels: []int{2},
			trainDir: "my data/Train/", testDir: "my data/Test/",
			skipped: []string{"my data/other/", "my data/read me.txt"},
		},
	}, {
		name: "train and val",
		entries: []entry{
			{"train/x/1.jpg", jpg}, {"train/y/1.jpg", jpg}, {"val/y/2.jpg", jpg},
		},
		want: want{
			classes: []string{"x", "y"},
			train:   []string{"train/x/1.jpg", "train/y/1.jpg"}, labels: []int{0, 1},
			test: []string{"val/y/2.jpg"}, testLabels: []int{1},
			trainDir: "train/", testDir: "val/",
		},
	}, {
		name: "train, val and test",
		entries: []entry{
			{"d/train/x/1.jpg", jpg}, {"d/train/y/1.jpg", jpg}, {"d/val/y/2.jpg", jpg}, {"d/test/x/3.jpg", jpg},
		},
		want: want{
			classes: []string{"x", "y"},
			train:   []string{"d/train/x/1.jpg", "d/train/y/1.jpg"}, labels: []int{0, 1},
			test: []string{"d/test/x/3.jpg"}, testLabels: []int{0},
			trainDir: "d/train/", testDir: "d/test/",
			skipped: []string{"d/val/"},
		},
	}, {
		name: "bad files are skipped",
		entries: []entry{
			{"a/good.jpg", jpg}, {"a/text.jpg", []byte("this is not an image\n")},
			{"a/truncated.jpg", jpg[:len(jpg)/2]}, {"b/huge.png", hugePNG(20000, 20000)},
			{"b/good.png", png}, {"b/empty.gif", nil}, {`b\win.jpg`, jpg},
		},
		want: want{
			classes: []string{"a", "b"},
			train:   []string{"a/good.jpg", "b/good.png", `b\win.jpg`}, labels: []int{0, 1, 1},
			skipped: []string{"a/text.jpg", "a/truncated.jpg", "b/empty.gif", "b/huge.png"},
		},
	}, {
		name: "failures in train and test",
		entries: []entry{
			{"train/a/1.jpg", []byte("bad")}, {"train/a/2.jpg", jpg}, {"train/b/1.png", png}, {"train/b/2.gif", []byte("bad")},
			{"test/a/1.gif", gif}, {"test/a/2.jpg", []byte("bad")}, {"test/b/3.jpg", jpg2},
		},
		want: want{
			classes: []string{"a", "b"},
			train:   []string{"train/a/2.jpg", "train/b/1.png"}, labels: []int{0, 1},
			test: []string{"test/a/1.gif", "test/b/3.jpg"}, testLabels: []int{0, 1},
			trainDir: "train/", testDir: "test/",
			skipped: []string{"test/a/2.jpg", "train/a/1.jpg", "train/b/2.gif"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := readZipBytes(makeZip(t, tt.entries...), 8)
			if err != nil {
				t.Fatal(err)
			}
			w := tt.want
			check := func(what string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("Train.Classes", a.Train.Classes, w.classes)
			check("Train.Names", a.Train.Names, w.train)
			check("Train.Labels", a.Train.Labels, w.labels)
			check("TrainDir", a.TrainDir, w.trainDir)
			check("TestDir", a.TestDir, w.testDir)
			var skipped []string
			for _, s := range a.Skipped {
				skipped = append(skipped, s.Name)
				t.Logf("skipped %s: %s", s.Name, s.Reason)
			}
			check("Skipped", skipped, w.skipped)
			if w.test == nil {
				if a.Test != nil {
					t.Errorf("Test has %d images, want none", a.Test.Len())
				}
			} else if a.Test == nil {
				t.Errorf("Test = nil, want %q", w.test)
			} else {
				check("Test.Names", a.Test.Names, w.test)
				check("Test.Labels", a.Test.Labels, w.testLabels)
				check("Test.Classes", a.Test.Classes, w.classes)
			}
			checkPixels(t, a, tt.entries)
		})
	}
}

// checkPixels checks that every image of a is DecodeImage of its file.
func checkPixels(t *testing.T, a *Archive, entries []entry) {
	t.Helper()
	data := map[string][]byte{}
	for _, e := range entries {
		data[e.name] = e.data
	}
	for _, s := range []*Set{a.Train, a.Test} {
		if s == nil {
			continue
		}
		if len(s.Pix) != s.Len()*s.Size*s.Size*3 || len(s.Names) != s.Len() {
			t.Fatalf("%d images with %d bytes and %d names", s.Len(), len(s.Pix), len(s.Names))
		}
		for i, name := range s.Names {
			want, err := DecodeImage(data[name], name, s.Size, DefaultMaxPixels)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.Image(i), want) {
				t.Errorf("image %d (%s) differs from DecodeImage of its file", i, name)
			}
		}
	}
}

func TestReadZipSkipReasons(t *testing.T) {
	jpg, _, _, _ := testImages(t)
	a, err := readZipBytes(makeZip(t,
		entry{"a/good.jpg", jpg}, entry{"b/good.jpg", jpg},
		entry{"a/text.jpg", []byte("this is not an image\n")},
		entry{"a/truncated.jpg", jpg[:len(jpg)/2]},
		entry{"b/huge.png", hugePNG(20000, 20000)},
		entry{"b/notes.txt", []byte("hello")},
		entry{"b/empty.jpg", nil},
		entry{"photo.webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 ")},
	), 8)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"a/text.jpg":      "not a JPEG, PNG, GIF or WebP image",
		"a/truncated.jpg": "cannot decode image: the JPEG data is damaged or cut short",
		"b/huge.png":      "image too large: PNG of 20000x20000 pixels",
		"b/notes.txt":     "not a JPEG, PNG, GIF or WebP file name",
		"b/empty.jpg":     "not a JPEG, PNG, GIF or WebP image: the file is empty",
		"photo.webp":      "not in a class folder",
	} {
		got, ok := skipReason(a, name)
		if !ok || !strings.Contains(got, want) {
			t.Errorf("reason for skipping %s = %q (skipped: %v), want it to contain %q", name, got, ok, want)
		}
	}
}

func TestReadZipErrors(t *testing.T) {
	jpg, _, _, _ := testImages(t)
	text := []byte("not an image")
	valid := makeZip(t, entry{"a/1.jpg", jpg}, entry{"b/1.jpg", jpg})
	tests := []struct {
		name    string
		zip     []byte
		want    error
		mention string
	}{
		{"not a zip", []byte("this is plain text, not a zip archive at all"), zip.ErrFormat, ""},
		{"truncated zip", valid[:len(valid)-30], zip.ErrFormat, ""},
		{"empty zip", makeZip(t), ErrNoClasses, ""},
		{"only loose files", makeZip(t, entry{"1.jpg", jpg}, entry{"2.jpg", jpg}), ErrNoClasses, ""},
		{"one class", makeZip(t, entry{"data/forest/1.jpg", jpg}, entry{"data/forest/2.jpg", jpg}), ErrOneClass, "data/forest/"},
		{"one class in train", makeZip(t, entry{"train/forest/1.jpg", jpg}, entry{"test/forest/2.jpg", jpg}), ErrOneClass, "train/forest/"},
		{"empty class folder", makeZip(t, entry{"train/a/1.jpg", jpg}, entry{"train/b/", nil}), ErrEmptyClass, "train/b/"},
		{"class without images", makeZip(t, entry{"a/1.jpg", jpg}, entry{"b/read.me", text}), ErrEmptyClass, "b/"},
		{"class without decodable images", makeZip(t, entry{"a/1.jpg", jpg}, entry{"b/1.jpg", text}), ErrEmptyClass, "b/"},
		{"empty test class folder", makeZip(t, entry{"train/a/1.jpg", jpg}, entry{"train/b/1.jpg", jpg}, entry{"test/b/", nil}), ErrEmptyClass, "test/b/"},
		{"unknown test class", makeZip(t, entry{"train/a/1.jpg", jpg}, entry{"train/b/1.jpg", jpg}, entry{"test/c/1.jpg", jpg}), ErrUnknownClass, "test/c/"},
		{"no images", makeZip(t, entry{"a/1.txt", text}, entry{"b/2.txt", text}), ErrNoImages, ""},
		{"nothing decodable", makeZip(t, entry{"a/1.jpg", text}, entry{"b/2.png", text}), ErrNoImages, "2 image files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := readZipBytes(tt.zip, 8)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadZip: got %v, %v; want error %v", a, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

func TestReadZipOptions(t *testing.T) {
	jpg, _, _, _ := testImages(t)
	b := makeZip(t, entry{"a/1.jpg", jpg}, entry{"b/1.jpg", jpg})
	for _, opt := range []Options{{Size: 0, MaxPixels: 100}, {Size: 8, MaxPixels: 0}} {
		if _, err := ReadZip(bytes.NewReader(b), int64(len(b)), opt); err == nil {
			t.Errorf("ReadZip with %+v: no error", opt)
		}
	}
	// A pixel limit below the images' size skips them all.
	_, err := ReadZip(bytes.NewReader(b), int64(len(b)), Options{Size: 8, MaxPixels: 10})
	if !errors.Is(err, ErrNoImages) || !strings.Contains(err.Error(), "too large") {
		t.Errorf("ReadZip with MaxPixels 10: got %v, want ErrNoImages saying too large", err)
	}
}

func TestReadZipProgressAndDeterminism(t *testing.T) {
	jpg, jpg2, png, gif := testImages(t)
	var entries []entry
	for i := range 150 {
		img := [][]byte{jpg, jpg2, png, gif}[i%4]
		entries = append(entries, entry{string(rune('a'+i%3)) + "/" + strings.Repeat("x", i%7) + string(rune('0'+i%10)) + ".img" + [4]string{".jpg", ".jpg", ".png", ".gif"}[i%4], img})
	}
	b := makeZip(t, entries...)
	var calls [][2]int
	opt := Options{Size: 8, MaxPixels: DefaultMaxPixels, Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}}
	a1, err := ReadZip(bytes.NewReader(b), int64(len(b)), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{64, 150}, {128, 150}, {150, 150}}
	if !slices.Equal(calls, want) {
		t.Errorf("Progress calls %v, want %v", calls, want)
	}
	a2, err := readZipBytes(b, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a1.Train, a2.Train) || !reflect.DeepEqual(a1.Skipped, a2.Skipped) {
		t.Errorf("two reads of the same zip differ")
	}
	if !slices.IsSorted(a1.Train.Names) {
		t.Errorf("Names not in order: %q", a1.Train.Names)
	}
}

func TestBudget(t *testing.T) {
	b := newBudget(100)
	if got := b.take(250); got != 100 {
		t.Fatalf("take(250) of 100 took %d, want all 100", got)
	}
	took := make(chan int64)
	go func() { took <- b.take(30) }()
	select {
	case n := <-took:
		t.Fatalf("take(30) of an empty budget took %d at once", n)
	case <-time.After(20 * time.Millisecond):
	}
	b.give(100)
	if got := <-took; got != 30 || b.left != 70 {
		t.Errorf("take(30) after give(100) took %d, left %d; want 30 and 70", got, b.left)
	}
}
