package modelfile

import (
	"archive/zip"
	"fmt"
	"io"
	"math/bits"
	"path"
	"strings"
)

// torchArchive is an opened torch.save zip archive.
type torchArchive struct {
	r         *recordingReader     // the archive's reader, recording its errors
	files     map[string]*zip.File // entries by name below the top directory
	size      int64                // the file's size, the cap on any entry
	budget    int64                // bytes entries may still decompress to
	bigEndian bool                 // storages are big-endian (the byteorder entry)
}

// namedTensor is one entry of an unpickled state dict.
type namedTensor struct {
	name string
	ref  *tensorRef
}

// ReadPyTorch reads a file of size bytes written by torch.save(state_dict)
// in the zip format of PyTorch 1.6 and later: <dir>/data.pkl holding the
// pickle and <dir>/data/<key> the storages, whatever <dir> is. It also
// reads the legacy format of earlier versions (see readLegacyPyTorch). It
// returns the tensors in pickle order, which is the state dict's.
//
// The pickle may hold the state dict itself (an OrderedDict or dict of
// tensors) or a checkpoint dict holding it under "state_dict",
// "model_state_dict" or "model", or as its only dict of tensors; other
// entries of a checkpoint are ignored. Storages may be float32, float64,
// float16, bfloat16, int64, int32, int16, int8, uint8 or bool, little- or
// big-endian; tensors may be any strided view of them (offsets,
// transposes, expansions). Nothing in the pickle is executed: only
// tensors and containers are rebuilt.
//
// A malformed or unsupported file gives an error wrapping ErrFormat,
// ErrUnsupported or ErrTooLarge; a failure of r itself is returned
// wrapped as it is.
func ReadPyTorch(r io.ReaderAt, size int64) ([]Tensor, error) {
	if size < 0 {
		return nil, fmt.Errorf("%w: negative size %d", ErrFormat, size)
	}
	if isLegacyPyTorch(r, size) {
		return readLegacyPyTorch(r, size)
	}
	a, err := openTorchArchive(r, size)
	if err != nil {
		return nil, err
	}
	pkl, err := a.read("data.pkl", min(size, maxPickleLen))
	if err != nil {
		return nil, err
	}
	if _, err := scanPickle(pkl); err != nil {
		return nil, err
	}
	root, _, err := unpickleTorch(pkl)
	if err != nil {
		return nil, err
	}
	entries, err := findStateDict(root)
	if err != nil {
		return nil, err
	}
	return buildTensors(entries, size, a.storage)
}

// openTorchArchive opens the zip archive and finds its top directory, the
// one holding data.pkl.
func openTorchArchive(r io.ReaderAt, size int64) (*torchArchive, error) {
	rr := &recordingReader{r: r}
	zr, err := zip.NewReader(rr, size)
	if err != nil {
		if rr.err != nil {
			return nil, fmt.Errorf("modelfile: reading zip archive: %w", rr.err)
		}
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrFormat, err)
	}
	prefix, found := "", false
	for _, f := range zr.File {
		dir, base := path.Split(f.Name)
		if base != "data.pkl" || strings.Count(dir, "/") > 1 {
			continue
		}
		if found && dir != prefix {
			return nil, fmt.Errorf("%w: both %sdata.pkl and %sdata.pkl", ErrFormat, prefix, dir)
		}
		prefix, found = dir, true
	}
	if !found {
		return nil, fmt.Errorf("%w: no data.pkl: not a torch.save archive", ErrFormat)
	}
	a := &torchArchive{r: rr, files: make(map[string]*zip.File), size: size, budget: 2 * size}
	for _, f := range zr.File {
		name, ok := strings.CutPrefix(f.Name, prefix)
		if !ok {
			continue
		}
		if a.files[name] != nil {
			return nil, fmt.Errorf("%w: duplicate entry %s", ErrFormat, f.Name)
		}
		a.files[name] = f
	}
	if a.files["constants.pkl"] != nil {
		return nil, fmt.Errorf("%w: TorchScript archive (torch.jit.save), want torch.save", ErrUnsupported)
	}
	if a.files["byteorder"] != nil {
		order, err := a.read("byteorder", 16)
		if err != nil {
			return nil, err
		}
		switch string(order) {
		case "little":
		case "big":
			a.bigEndian = true
		default:
			return nil, fmt.Errorf("%w: byteorder %q", ErrFormat, shorten(string(order)))
		}
	}
	return a, nil
}

// read returns the contents of entry name, at most limit bytes.
func (a *torchArchive) read(name string, limit int64) ([]byte, error) {
	f := a.files[name]
	if f == nil {
		return nil, fmt.Errorf("%w: missing entry %s", ErrFormat, name)
	}
	n := f.UncompressedSize64
	switch {
	case n > uint64(limit):
		return nil, fmt.Errorf("%w: entry %s of %d bytes, more than %d", ErrTooLarge, name, n, limit)
	case n > uint64(a.budget):
		return nil, fmt.Errorf("%w: entries decompress to more than %d bytes, twice the file size", ErrTooLarge, 2*a.size)
	}
	a.budget -= int64(n)
	rc, err := f.Open()
	if err != nil {
		return nil, a.entryError(name, err)
	}
	defer rc.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, a.entryError(name, err)
	}
	// Reading on to the end checks the CRC and the declared size.
	var one [1]byte
	if k, err := rc.Read(one[:]); k != 0 || err != io.EOF {
		if err == nil {
			err = fmt.Errorf("longer than its declared %d bytes", n)
		}
		return nil, a.entryError(name, err)
	}
	return buf, nil
}

// entryError reports a failure to read entry name: the reader's own
// error if it failed, else a malformed archive.
func (a *torchArchive) entryError(name string, err error) error {
	if a.r.err != nil {
		return fmt.Errorf("modelfile: reading entry %s: %w", name, a.r.err)
	}
	return fmt.Errorf("%w: entry %s: %v", ErrFormat, name, err)
}

// recordingReader is an io.ReaderAt that remembers the first error of r
// other than io.EOF, telling a failing reader from a malformed archive.
type recordingReader struct {
	r   io.ReaderAt
	err error
}

func (rr *recordingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := rr.r.ReadAt(p, off)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// storage returns the little-endian bytes of s.
func (a *torchArchive) storage(s *storageRef) ([]byte, error) {
	name := "data/" + s.key
	want, err := mulBytes(s.numel, s.dt.size)
	if err != nil {
		return nil, withContext("storage "+name, err)
	}
	if f := a.files[name]; f != nil && f.UncompressedSize64 != uint64(want) {
		return nil, fmt.Errorf("%w: storage %s holds %d bytes, want %d for %d %s elements",
			ErrFormat, name, f.UncompressedSize64, want, s.numel, s.dt.name)
	}
	b, err := a.read(name, a.size)
	if err != nil {
		return nil, err
	}
	if a.bigEndian {
		swapBytes(b, s.dt.size)
	}
	return b, nil
}

// buildTensors builds the tensors of entries from a file of size bytes,
// calling load once per storage for its little-endian bytes. The tensors
// may hold at most 2*size elements in all.
func buildTensors(entries []namedTensor, size int64, load func(*storageRef) ([]byte, error)) ([]Tensor, error) {
	loaded := make(map[*storageRef][]byte)
	budget := 2 * size // elements the tensors may still hold
	out := make([]Tensor, 0, len(entries))
	for _, e := range entries {
		n, err := numElements(e.ref.shape)
		if err != nil {
			return nil, withContext("tensor "+e.name, err)
		}
		if n > budget {
			return nil, fmt.Errorf("%w: tensor %s: tensors hold more than %d elements, twice the file size", ErrTooLarge, e.name, 2*size)
		}
		budget -= n
		raw, ok := loaded[e.ref.storage]
		if !ok {
			if raw, err = load(e.ref.storage); err != nil {
				return nil, withContext("tensor "+e.name, err)
			}
			loaded[e.ref.storage] = raw
		}
		data, err := e.ref.values(raw, n)
		if err != nil {
			return nil, withContext("tensor "+e.name, err)
		}
		out = append(out, Tensor{Name: e.name, Shape: toInts(e.ref.shape), DType: e.ref.storage.dt.kind(), Data: data})
	}
	return out, nil
}

// values returns the n elements of the view t in row-major order, decoded
// from raw, the bytes of t's storage.
func (t *tensorRef) values(raw []byte, n int64) ([]float32, error) {
	s := t.storage
	if len(t.stride) != len(t.shape) {
		return nil, fmt.Errorf("%w: %d strides for shape %v", ErrFormat, len(t.stride), t.shape)
	}
	data := make([]float32, n)
	if n == 0 {
		return data, nil
	}
	last, ok := t.lastIndex()
	if !ok {
		return nil, fmt.Errorf("%w: view (offset %d, shape %v, stride %v) beyond storage data/%s of %d elements",
			ErrFormat, t.offset, t.shape, t.stride, s.key, s.numel)
	}
	size := int64(s.dt.size)
	src := raw[t.offset*size : (last+1)*size]
	if t.contiguous() {
		s.dt.decode(data, src)
		return data, nil
	}
	span := make([]float32, last+1-t.offset)
	s.dt.decode(span, src)
	gather(data, span, t.shape, t.stride)
	return data, nil
}

// lastIndex returns the storage index of the view's last element, and
// whether it (so every element) lies within the storage. The view has at
// least one element.
func (t *tensorRef) lastIndex() (int64, bool) {
	numel := t.storage.numel
	last := t.offset
	if last >= numel {
		return 0, false
	}
	for d, dim := range t.shape {
		hi, step := bits.Mul64(uint64(dim-1), uint64(t.stride[d]))
		if hi != 0 || step >= uint64(numel) {
			return 0, false
		}
		last += int64(step)
		if last >= numel {
			return 0, false
		}
	}
	return last, true
}

// contiguous reports whether the view's elements are in row-major order
// without gaps.
func (t *tensorRef) contiguous() bool {
	want := int64(1)
	for d := len(t.shape) - 1; d >= 0; d-- {
		if t.shape[d] != 1 && t.stride[d] != want {
			return false
		}
		want *= t.shape[d]
	}
	return true
}

// gather copies the strided view of src to dst in row-major order:
// dst[i] = src[i0*stride[0] + ... + ik*stride[k]] for the i-th index
// (i0, ..., ik) of shape.
func gather(dst, src []float32, shape, stride []int64) {
	idx := make([]int64, len(shape))
	var pos int64
	for i := range dst {
		dst[i] = src[pos]
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			pos += stride[d]
			if idx[d] < shape[d] {
				break
			}
			pos -= idx[d] * stride[d]
			idx[d] = 0
		}
	}
}
