package data

import (
	"bytes"
	"strings"
	"testing"
)

// TestStoredArchive keeps a data set's header and pixels apart and reads
// them back: the same data set, the same digest; a changed pixel, label
// or name changes the digest; a header of another decoder is refused.
func TestStoredArchive(t *testing.T) {
	a := &Archive{Train: &Set{Size: 2, Classes: []string{"a", "b"}, Pix: bytes.Repeat([]uint8{1, 2, 3}, 12),
		Labels: []int{0, 1, 1}, Names: []string{"a/1.jpg", "b/2.jpg", "b/3.jpg"}}, TrainDir: "train/", TestDir: "test/"}
	a.Test = &Set{Size: 2, Classes: a.Train.Classes, Pix: make([]uint8, 12), Labels: []int{1}, Names: []string{"b/9.png"}}
	h := a.Header()
	digest := a.Digest(h)
	b, err := ArchiveOf(h)
	if err != nil {
		t.Fatal(err)
	}
	copy(b.Train.Pix, a.Train.Pix)
	copy(b.Test.Pix, a.Test.Pix)
	if got := b.Digest(b.Header()); got != digest {
		t.Errorf("read back: digest %s, want %s", got, digest)
	}
	if b.TrainDir != "train/" || b.Test.Names[0] != "b/9.png" || b.Train.Labels[2] != 1 || len(b.Train.Pix) != len(a.Train.Pix) {
		t.Errorf("read back: %+v %+v", b.Train, b.Test)
	}
	b.Train.Pix[5]++
	if b.Digest(b.Header()) == digest {
		t.Error("a changed pixel keeps the digest")
	}
	b.Train.Pix[5]--
	b.Train.Names[0] = "a/0.jpg"
	if b.Digest(b.Header()) == digest {
		t.Error("a changed name keeps the digest")
	}
	old := bytes.Replace(h, []byte(`"decoder":"`+DecoderVersion+`"`), []byte(`"decoder":"0"`), 1)
	if _, err := ArchiveOf(old); err == nil || !strings.Contains(err.Error(), "another version") {
		t.Errorf("another decoder: %v", err)
	}
	if _, err := ArchiveOf(h[:len(h)/2]); err == nil {
		t.Error("half a header read")
	}
	bad := bytes.Replace(h, []byte(`"labels":[0,1,1]`), []byte(`"labels":[0,1,7]`), 1)
	if _, err := ArchiveOf(bad); err == nil {
		t.Error("a label past the classes read")
	}
}
