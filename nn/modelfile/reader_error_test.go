package modelfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

var errDisk = errors.New("disk on fire")

// failingReader fails every read that covers the byte at bad.
type failingReader struct {
	r   io.ReaderAt
	bad int64
}

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.bad && f.bad < off+int64(len(p)) {
		return 0, errDisk
	}
	return f.r.ReadAt(p, off)
}

// TestReaderErrors checks that a failing reader's error comes back as
// itself, not as a malformed file.
func TestReaderErrors(t *testing.T) {
	readers := []struct {
		file string
		read func(r io.ReaderAt, size int64) error
	}{
		{"independent.safetensors", func(r io.ReaderAt, size int64) error {
			_, _, err := ReadSafetensors(r, size)
			return err
		}},
		{"mixed.pth", func(r io.ReaderAt, size int64) error {
			_, err := ReadPyTorch(r, size)
			return err
		}},
	}
	for _, rd := range readers {
		b := readTestdata(t, rd.file)
		for _, bad := range []int64{0, 8, 100, int64(len(b)) / 2, int64(len(b)) - 1} {
			err := rd.read(failingReader{bytes.NewReader(b), bad}, int64(len(b)))
			if !errors.Is(err, errDisk) || isInputError(err) {
				t.Errorf("%s failing at byte %d: got error %v, want %v only", rd.file, bad, err, errDisk)
			}
		}
	}
}
