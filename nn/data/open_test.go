package data

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"
)

func TestOpenZipUnsafeNames(t *testing.T) {
	jpg, _, _, _ := testImages(t)
	unsafe := map[string]string{
		"../../evil.jpg":          "climbs out",
		"sea/../../../tmp/x.jpg":  "climbs out",
		"/tmp/abs.jpg":            "root",
		`C:\evil\sea\x.jpg`:       "drive",
		`forest\..\..\win.jpg`:    "climbs out",
		"c:/windows/forest/1.jpg": "drive",
	}
	entries := []entry{{"sea/1.jpg", jpg}, {"forest/1.jpg", jpg}, {`forest\2.jpg`, jpg}, {"sea/../forest/3.jpg", jpg}}
	for name := range unsafe {
		entries = append(entries, entry{name, jpg})
	}
	a, err := readZipBytes(makeZip(t, entries...), 8)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"forest", "sea"}; !reflect.DeepEqual(a.Train.Classes, want) {
		t.Errorf("classes %q, want %q", a.Train.Classes, want)
	}
	if want := []string{"forest/1.jpg", `forest\2.jpg`, "sea/../forest/3.jpg", "sea/1.jpg"}; !reflect.DeepEqual(a.Train.Names, want) {
		t.Errorf("images %q, want %q", a.Train.Names, want)
	}
	for name, why := range unsafe {
		got, ok := skipReason(a, name)
		if !ok || !strings.HasPrefix(got, "unsafe path") || !strings.Contains(got, why) {
			t.Errorf("%s: skipped %v with %q, want an unsafe path that %s", name, ok, got, why)
		}
	}
}

// zipWithHeaders returns a zip of files written raw with the given
// headers and bodies (already compressed as the header says).
func zipWithHeaders(t *testing.T, files []*zip.FileHeader, bodies [][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i, fh := range files {
		f, err := w.CreateRaw(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(bodies[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func stored(name string, b []byte, flags uint16) *zip.FileHeader {
	return &zip.FileHeader{Name: name, Method: zip.Store, Flags: flags, CRC32: crc32.ChecksumIEEE(b),
		CompressedSize64: uint64(len(b)), UncompressedSize64: uint64(len(b))}
}

func TestOpenZipEncrypted(t *testing.T) {
	jpg, _, _, _ := testImages(t)
	secret := bytes.Repeat([]byte{0x5a}, 200) // what ZipCrypto would have written
	all := zipWithHeaders(t, []*zip.FileHeader{stored("a/1.jpg", secret, 1), stored("b/1.jpg", secret, 1)}, [][]byte{secret, secret})
	if _, err := readZipBytes(all, 8); !errors.Is(err, ErrEncrypted) || !strings.Contains(err.Error(), "password") {
		t.Errorf("all encrypted: got %v, want ErrEncrypted saying password", err)
	}
	some := zipWithHeaders(t,
		[]*zip.FileHeader{stored("a/1.jpg", jpg, 0), stored("b/1.jpg", jpg, 0), stored("b/2.jpg", secret, 1)},
		[][]byte{jpg, jpg, secret})
	a, err := readZipBytes(some, 8)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := skipReason(a, "b/2.jpg"); !strings.HasPrefix(got, "encrypted") {
		t.Errorf("b/2.jpg skipped with %q, want encrypted", got)
	}
}

func TestOpenZipTooManyEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a zip of 80,001 entries")
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := range MaxEntries + 1 {
		if _, err := w.CreateHeader(&zip.FileHeader{Name: "c" + string(rune('a'+i%2)) + "/" + strings.Repeat("x", i%5) + ".jpg", Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n, err := countEntries(bytes.NewReader(b), int64(len(b)))
	if err != nil || n != MaxEntries+1 {
		t.Errorf("countEntries (zip64 end record) = %d, %v; want %d", n, err, MaxEntries+1)
	}
	if _, err := OpenZip(bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrTooManyEntries) {
		t.Errorf("OpenZip: got %v, want ErrTooManyEntries", err)
	}
}

func TestOpenZipBombs(t *testing.T) {
	jpg, _, _, _ := testImages(t)
	var zeros bytes.Buffer
	fw, _ := flate.NewWriter(&zeros, flate.BestCompression)
	fw.Write(make([]byte, MaxFileBytes+1<<20))
	fw.Close()
	honest := &zip.FileHeader{Name: "b/declared.jpg", Method: zip.Deflate, CompressedSize64: uint64(zeros.Len()),
		UncompressedSize64: MaxFileBytes + 1<<20, CRC32: crc32.ChecksumIEEE(make([]byte, MaxFileBytes+1<<20))}
	liar := *honest
	liar.Name, liar.UncompressedSize64 = "b/liar.jpg", 1000
	b := zipWithHeaders(t, []*zip.FileHeader{stored("a/1.jpg", jpg, 0), stored("b/1.jpg", jpg, 0), honest, &liar},
		[][]byte{jpg, jpg, zeros.Bytes(), zeros.Bytes()})
	a, err := readZipBytes(b, 8)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := skipReason(a, "b/declared.jpg"); !strings.Contains(got, "image too large: the zip says it unpacks to 33 MB, more than the 32 MB") {
		t.Errorf("declared bomb skipped with %q", got)
	}
	if got, ok := skipReason(a, "b/liar.jpg"); !ok {
		t.Errorf("lying bomb not skipped (%q)", got)
	}
	// A reader of the lying file stops at the limit, whatever it claims.
	z, err := OpenZip(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for i, im := range z.Images {
		if im.Name == "b/liar.jpg" {
			z.Images[i].Bytes = 1 // even if the directory said less still
			got, err := z.ReadFile(i)
			if err == nil || len(got) > MaxFileBytes+1 {
				t.Errorf("ReadFile of the lying bomb: %d bytes, %v; want an error within %d bytes", len(got), err, MaxFileBytes+1)
			}
		}
	}
}

func TestWarnings(t *testing.T) {
	jpg, jpg2, png, gif := testImages(t)
	other := append(bytes.Clone(png), 0) // same length as nothing else
	b := makeZip(t,
		entry{"train/a/1.jpg", jpg}, entry{"train/b/2.jpg", jpg}, // across classes
		entry{"train/a/3.png", png}, entry{"train/a/4.png", png}, entry{"train/a/5.png", png}, // two copies
		entry{"train/a/6.gif", gif}, entry{"train/a/7.png", other}, entry{"train/a/8.jpg", jpg2},
		entry{"train/c/9.gif", gif}, // in test too; c is small
		entry{"test/c/9.gif", gif},
	)
	z, err := OpenZip(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	a, err := readZipBytes(b, 8)
	if err != nil {
		t.Fatal(err)
	}
	dups := z.Duplicates()
	var got [][]string
	for _, g := range dups {
		var names []string
		for _, i := range g {
			names = append(names, z.Images[i].Name)
		}
		got = append(got, names)
	}
	want := [][]string{
		{"train/a/1.jpg", "train/b/2.jpg"},
		{"train/a/3.png", "train/a/4.png", "train/a/5.png"},
		{"train/a/6.gif", "train/c/9.gif", "test/c/9.gif"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Duplicates: %q, want %q", got, want)
	}
	ws := z.Warnings(a, dups)
	var msgs []string
	for _, w := range ws {
		msgs = append(msgs, w.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"3 files are a byte-identical copy of another file; 1 copy is filed under a different class",
		"1 image is in both the training and the test split",
		`Class "b" has 1 image in the training split`,
		`Class "c" has 1 image in the training split`,
		`Class "b" has 0 images in the test split`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if len(ws) == 0 || !reflect.DeepEqual(ws[0].Files, []string{"train/a/1.jpg = train/b/2.jpg", "train/a/3.png = train/a/4.png = train/a/5.png"}) {
		t.Errorf("files of the first warning: %q", ws[0].Files)
	}
}
