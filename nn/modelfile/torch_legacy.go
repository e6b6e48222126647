package modelfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/nlpodyssey/gopickle/types"
)

// legacyMagic starts the files of PyTorch's legacy format: a protocol-2
// pickle of the magic number 0x1950a86a20f9469cfc6c (a LONG1 of 10 bytes).
const legacyMagic = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"

// legacyVersion is the version of the legacy format, pickled after the
// magic number; torch.save has written no other.
const legacyVersion = 1001

// legacyPickles names the pickles at the start of a legacy file, in order.
var legacyPickles = [...]string{"magic number", "format version", "system info", "saved object", "storage keys"}

// legacyHeadStart is how many bytes are read first to find the pickles of
// a legacy file; the read doubles, up to maxPickleLen, until they fit.
const legacyHeadStart = 64 << 10

// isLegacyPyTorch reports whether the file of size bytes starts like one
// in the legacy format.
func isLegacyPyTorch(r io.ReaderAt, size int64) bool {
	head := make([]byte, len(legacyMagic))
	return size >= int64(len(head)) && readFullAt(r, head, 0) == nil && string(head) == legacyMagic
}

// readLegacyPyTorch reads a file of size bytes in the legacy torch.save
// format, which PyTorch wrote before 1.6 (and later versions given
// _use_new_zipfile_serialization=False):
//
//	pickle     the magic number (legacyMagic)
//	pickle     the format version, 1001
//	pickle     system info: {"protocol_version", "little_endian", "type_sizes"}
//	pickle     the saved object, whose persistent ids name storages by key
//	pickle     the list of the storages' keys, sorted
//	storages   in that order, each an 8-byte little-endian element count,
//	           then its elements
//
// The saved object is looked at as in ReadPyTorch; nothing is executed.
// Only little-endian files are read.
func readLegacyPyTorch(r io.ReaderAt, size int64) ([]Tensor, error) {
	pickles, end, err := readLegacyPickles(r, size)
	if err != nil {
		return nil, err
	}
	if string(pickles[0]) != legacyMagic+"." {
		return nil, fmt.Errorf("%w: legacy file without its magic number", ErrFormat)
	}
	// values[i] is pickle i unpickled; storages, those the saved object names.
	var values [len(pickles)]any
	var storages map[string]*storageRef
	for i := 1; i < len(pickles); i++ {
		v, s, err := unpickleTorch(pickles[i])
		if err != nil {
			return nil, withContext("legacy "+legacyPickles[i], err)
		}
		values[i] = v
		if legacyPickles[i] == "saved object" {
			storages = s
		}
	}
	if v, ok := values[1].(int); !ok || v != legacyVersion {
		return nil, fmt.Errorf("%w: legacy format version %s, want %d", ErrUnsupported, describe(values[1]), legacyVersion)
	}
	if err := checkLittleEndian(values[2]); err != nil {
		return nil, err
	}
	entries, err := findStateDict(values[3])
	if err != nil {
		return nil, err
	}
	offsets, err := legacyStorageOffsets(r, size, end, values[4], storages)
	if err != nil {
		return nil, err
	}
	return buildTensors(entries, size, func(s *storageRef) ([]byte, error) {
		off, ok := offsets[s]
		if !ok {
			return nil, fmt.Errorf("%w: storage %s is not in the file", ErrFormat, s.key)
		}
		b := make([]byte, s.numel*int64(s.dt.size)) // fits: checked by legacyStorageOffsets
		if err := readFullAt(r, b, off); err != nil {
			return nil, err
		}
		return b, nil
	})
}

// readLegacyPickles returns the pickles at the start of a legacy file of
// size bytes (see legacyPickles) and the offset where the storages start.
// Together they may take at most maxPickleLen bytes.
func readLegacyPickles(r io.ReaderAt, size int64) ([len(legacyPickles)][]byte, int64, error) {
	var pickles [len(legacyPickles)][]byte
	for n := min(size, legacyHeadStart); ; n = min(2*n, size, maxPickleLen) {
		head := make([]byte, n)
		if err := readFullAt(r, head, 0); err != nil {
			return pickles, 0, err
		}
		pos, err := 0, error(nil)
		for i := range pickles {
			var k int
			if k, err = scanPickle(head[pos:]); err != nil {
				err = withContext("legacy "+legacyPickles[i], err)
				break
			}
			pickles[i] = head[pos : pos+k]
			pos += k
		}
		var short shortPickle
		switch {
		case err == nil:
			return pickles, int64(pos), nil
		case !errors.As(err, &short) || n == size:
			return pickles, 0, err
		case n == maxPickleLen:
			return pickles, 0, fmt.Errorf("%w: the pickles of a legacy file take more than %d bytes", ErrTooLarge, maxPickleLen)
		}
	}
}

// checkLittleEndian checks the system info of a legacy file: the storages
// must be little-endian.
func checkLittleEndian(sysInfo any) error {
	items, ok := dictItems(sysInfo)
	if !ok {
		return fmt.Errorf("%w: legacy system info is %s, want a dict", ErrFormat, describe(sysInfo))
	}
	for _, it := range items {
		if k, _ := it.key.(string); k != "little_endian" {
			continue
		}
		switch it.value {
		case true:
			return nil
		case false:
			return fmt.Errorf("%w: a legacy file saved on a big-endian machine", ErrUnsupported)
		}
	}
	return fmt.Errorf("%w: legacy system info without little_endian", ErrFormat)
}

// legacyStorageOffsets walks the storages of a legacy file of size bytes,
// from offset start, in the order of keys (the last pickle), and returns
// where each one's elements start. Each key must name one of storages,
// once, with the element count its persistent id gave.
func legacyStorageOffsets(r io.ReaderAt, size, start int64, keys any, storages map[string]*storageRef) (map[*storageRef]int64, error) {
	list, ok := keys.(*types.List)
	if !ok {
		return nil, fmt.Errorf("%w: legacy storage keys are %s, want a list", ErrFormat, describe(keys))
	}
	if list.Len() > len(storages) {
		return nil, fmt.Errorf("%w: %d storage keys for %d storages", ErrFormat, list.Len(), len(storages))
	}
	offsets := make(map[*storageRef]int64, list.Len())
	pos := start
	for i := range list.Len() {
		key, _ := list.Get(i).(string)
		s := storages[key]
		if s == nil {
			return nil, fmt.Errorf("%w: storage key %s names no storage of the pickle", ErrFormat, describe(list.Get(i)))
		}
		if _, dup := offsets[s]; dup {
			return nil, fmt.Errorf("%w: storage %s listed twice", ErrFormat, key)
		}
		var count [8]byte
		if size-pos < 8 {
			return nil, fmt.Errorf("%w: storage %s: the file ends at offset %d, before its element count", ErrFormat, key, size)
		}
		if err := readFullAt(r, count[:], pos); err != nil {
			return nil, err
		}
		if n := binary.LittleEndian.Uint64(count[:]); n != uint64(s.numel) {
			return nil, fmt.Errorf("%w: storage %s holds %d elements, want %d", ErrFormat, key, n, s.numel)
		}
		pos += 8
		n, err := mulBytes(s.numel, s.dt.size)
		if err != nil {
			return nil, withContext("storage "+key, err)
		}
		if n > size-pos {
			return nil, fmt.Errorf("%w: storage %s of %d bytes is larger than the rest of the file (%d bytes)", ErrFormat, key, n, size-pos)
		}
		offsets[s] = pos
		pos += n
	}
	return offsets, nil
}
