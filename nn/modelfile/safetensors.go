package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"
)

// metadataKey is the header entry holding the file's string metadata.
const metadataKey = "__metadata__"

// stEntry is one tensor of a safetensors header as parsed and checked:
// its bytes are data[begin:end] of the data section after the header.
type stEntry struct {
	name       string
	dt         *dtype
	shape      []int64
	begin, end int64
}

// stEntryJSON is a header entry as it appears in the JSON; a nil field is
// missing.
type stEntryJSON struct {
	DType       *string  `json:"dtype"`
	Shape       *[]int64 `json:"shape"`
	DataOffsets *[]int64 `json:"data_offsets"`
}

// ReadSafetensors parses a safetensors file of size bytes. It returns the
// tensors in the order of their data in the file (the order
// WriteSafetensors wrote them in) and the header's "__metadata__" map,
// nil if absent.
//
// It accepts the dtypes F32, F64, F16, BF16, I64, I32, I16, I8, U64, U32,
// U16, U8 and BOOL, converted to float32; DType is reported as "F32" for
// the float kinds and "I64" for the others. The file is checked
// throughout: header length and JSON, known dtypes, shapes, and data
// offsets that lie in the data section, match shape and dtype, and cover
// it exactly without overlap, as the format requires. A malformed or
// unsupported file gives an error wrapping ErrFormat, ErrUnsupported or
// ErrTooLarge; a failure of r itself is returned wrapped as it is.
func ReadSafetensors(r io.ReaderAt, size int64) (tensors []Tensor, metadata map[string]string, err error) {
	if size < 8 {
		return nil, nil, fmt.Errorf("%w: file of %d bytes is shorter than the 8-byte header length", ErrFormat, size)
	}
	var lenBuf [8]byte
	if err := readFullAt(r, lenBuf[:], 0); err != nil {
		return nil, nil, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderLen {
		return nil, nil, fmt.Errorf("%w: header length %d exceeds the limit of %d", ErrTooLarge, n, maxHeaderLen)
	}
	if n > uint64(size-8) {
		return nil, nil, fmt.Errorf("%w: header length %d beyond file size %d", ErrFormat, n, size)
	}
	header := make([]byte, n)
	if err := readFullAt(r, header, 8); err != nil {
		return nil, nil, err
	}
	dataStart := 8 + int64(n)
	entries, metadata, err := parseSafetensorsHeader(header, size-dataStart)
	if err != nil {
		return nil, nil, err
	}
	tensors, err = readSafetensorsData(r, dataStart, entries)
	if err != nil {
		return nil, nil, err
	}
	return tensors, metadata, nil
}

// parseSafetensorsHeader parses and checks the JSON header of a file whose
// data section holds dataLen bytes. The entries come back sorted by data
// offset.
func parseSafetensorsHeader(header []byte, dataLen int64) ([]stEntry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, fmt.Errorf("%w: header is not valid UTF-8", ErrFormat)
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, fmt.Errorf("%w: header does not start with '{'", ErrFormat)
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	var (
		entries  []stEntry
		metadata map[string]string
		seen     = make(map[string]bool)
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, nil, fmt.Errorf("%w: header: duplicate name %q", ErrFormat, name)
		}
		seen[name] = true
		if name == metadataKey {
			if err := dec.Decode(&metadata); err != nil {
				return nil, nil, fmt.Errorf("%w: header: %s: %v", ErrFormat, metadataKey, err)
			}
			continue
		}
		if len(entries) == maxTensors {
			return nil, nil, fmt.Errorf("%w: more than %d tensors", ErrTooLarge, maxTensors)
		}
		var ej stEntryJSON
		if err := dec.Decode(&ej); err != nil {
			return nil, nil, fmt.Errorf("%w: tensor %s: %v", ErrFormat, name, err)
		}
		e, err := checkEntry(name, ej, dataLen)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("%w: header: data after the JSON object", ErrFormat)
	}
	if err := checkCoverage(entries, dataLen); err != nil {
		return nil, nil, err
	}
	return entries, metadata, nil
}

// checkEntry checks one header entry against a data section of dataLen
// bytes.
func checkEntry(name string, ej stEntryJSON, dataLen int64) (stEntry, error) {
	if ej.DType == nil || ej.Shape == nil || ej.DataOffsets == nil {
		return stEntry{}, fmt.Errorf("%w: tensor %s: want dtype, shape and data_offsets", ErrFormat, name)
	}
	dt := lookupDType(*ej.DType)
	if dt == nil {
		return stEntry{}, fmt.Errorf("%w: tensor %s: dtype %q", ErrUnsupported, name, *ej.DType)
	}
	n, err := numElements(*ej.Shape)
	if err != nil {
		return stEntry{}, withContext("tensor "+name, err)
	}
	off := *ej.DataOffsets
	if len(off) != 2 {
		return stEntry{}, fmt.Errorf("%w: tensor %s: data_offsets has %d values, want 2", ErrFormat, name, len(off))
	}
	if off[0] < 0 || off[0] > off[1] || off[1] > dataLen {
		return stEntry{}, fmt.Errorf("%w: tensor %s: data offsets [%d,%d) beyond data size %d", ErrFormat, name, off[0], off[1], dataLen)
	}
	nbytes, err := mulBytes(n, dt.size)
	if err != nil {
		return stEntry{}, withContext("tensor "+name, err)
	}
	if off[1]-off[0] != nbytes {
		return stEntry{}, fmt.Errorf("%w: tensor %s: data offsets [%d,%d) hold %d bytes, want %d for %s%v",
			ErrFormat, name, off[0], off[1], off[1]-off[0], nbytes, dt.name, *ej.Shape)
	}
	return stEntry{name: name, dt: dt, shape: *ej.Shape, begin: off[0], end: off[1]}, nil
}

// checkCoverage sorts entries by offset and checks that they cover the
// data section of dataLen bytes exactly, without gaps or overlaps.
func checkCoverage(entries []stEntry, dataLen int64) error {
	slices.SortStableFunc(entries, func(a, b stEntry) int {
		if a.begin != b.begin {
			return compareInt64(a.begin, b.begin)
		}
		return compareInt64(a.end, b.end)
	})
	var pos int64
	prev := "the header"
	for _, e := range entries {
		if e.begin < pos {
			return fmt.Errorf("%w: tensor %s: data offsets [%d,%d) overlap %s", ErrFormat, e.name, e.begin, e.end, prev)
		}
		if e.begin > pos {
			return fmt.Errorf("%w: tensor %s: %d unused bytes before its data offsets [%d,%d)", ErrFormat, e.name, e.begin-pos, e.begin, e.end)
		}
		pos, prev = e.end, "tensor "+e.name
	}
	if pos != dataLen {
		return fmt.Errorf("%w: tensors cover %d bytes of a data section of %d", ErrFormat, pos, dataLen)
	}
	return nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readSafetensorsData reads and decodes the checked entries from the data
// section starting at dataStart.
func readSafetensorsData(r io.ReaderAt, dataStart int64, entries []stEntry) ([]Tensor, error) {
	var maxBytes int64
	for _, e := range entries {
		maxBytes = max(maxBytes, e.end-e.begin)
	}
	buf := make([]byte, maxBytes)
	tensors := make([]Tensor, len(entries))
	for i, e := range entries {
		raw := buf[:e.end-e.begin]
		if err := readFullAt(r, raw, dataStart+e.begin); err != nil {
			return nil, withContext("tensor "+e.name, err)
		}
		data := make([]float32, len(raw)/e.dt.size)
		e.dt.decode(data, raw)
		tensors[i] = Tensor{Name: e.name, Shape: toInts(e.shape), DType: e.dt.kind(), Data: data}
	}
	return tensors, nil
}

// readFullAt fills p from r at off. A short read is reported as
// ErrFormat wrapping io.ErrUnexpectedEOF; other errors of r are wrapped
// as they are.
func readFullAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: read %d of %d bytes at offset %d: %w", ErrFormat, n, len(p), off, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("modelfile: reading %d bytes at offset %d: %w", len(p), off, err)
}
