package modelfile

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// goldenTensor is a tensor as testdata/gen.py describes it with PyTorch.
type goldenTensor struct {
	Name   string    `json:"name"`
	Shape  []int     `json:"shape"`
	DType  string    `json:"dtype"`
	First  []float64 `json:"first"`
	Sum    float64   `json:"sum"`
	SHA256 string    `json:"sha256"`
	Values []float64 `json:"values"`
}

// readTestdata returns the bytes of testdata/name.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readGolden decodes testdata/name into v.
func readGolden(t *testing.T, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(readTestdata(t, name), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// valuesSHA256 is the hex SHA-256 of data as little-endian float32, as
// gen.py computes it.
func valuesSHA256(data []float32) string {
	b := make([]byte, 0, 4*len(data))
	for _, v := range data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkGolden compares tensors with their golden description: names and
// order, shapes, kinds, every value's bits (through the hash, and each
// value if listed) and the sum.
func checkGolden(t *testing.T, got []Tensor, want []goldenTensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d tensors, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name {
			t.Errorf("tensor %d: got name %q, want %q", i, g.Name, w.Name)
			continue
		}
		if !slices.Equal(g.Shape, w.Shape) || g.DType != w.DType {
			t.Errorf("%s: got shape %v dtype %s, want %v %s", w.Name, g.Shape, g.DType, w.Shape, w.DType)
			continue
		}
		if w.SHA256 != "" && valuesSHA256(g.Data) != w.SHA256 {
			t.Errorf("%s: got values hashing to %s, want %s", w.Name, valuesSHA256(g.Data), w.SHA256)
		}
		if w.Values != nil && len(g.Data) != len(w.Values) {
			t.Errorf("%s: got %d values, want %d", w.Name, len(g.Data), len(w.Values))
			continue
		}
		for j, v := range w.Values {
			if math.Float32bits(g.Data[j]) != math.Float32bits(float32(v)) {
				t.Errorf("%s[%d]: got %g, want %g", w.Name, j, g.Data[j], float32(v))
			}
		}
		for j, v := range w.First {
			if g.Data[j] != float32(v) {
				t.Errorf("%s[%d]: got %g, want %g", w.Name, j, g.Data[j], float32(v))
			}
		}
		var sum float64
		for _, v := range g.Data {
			sum += float64(v)
		}
		if math.Abs(sum-w.Sum) > 1e-9*max(1, math.Abs(w.Sum)) {
			t.Errorf("%s: got sum %.17g, want %.17g", w.Name, sum, w.Sum)
		}
	}
}

// zipEntry is one file of a zip archive built by buildZip.
type zipEntry struct {
	name string
	data []byte
}

// buildZip returns a zip archive of entries, stored uncompressed as
// torch.save does.
func buildZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pickleBuilder writes protocol-2 pickles opcode by opcode, as torch.save
// lays out a state dict.
type pickleBuilder struct{ b []byte }

func (p *pickleBuilder) op(ops ...byte) *pickleBuilder {
	p.b = append(p.b, ops...)
	return p
}

func (p *pickleBuilder) str(s string) *pickleBuilder {
	p.b = append(p.b, 'X')
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	p.b = append(p.b, s...)
	return p
}

func (p *pickleBuilder) int(v int) *pickleBuilder {
	p.b = append(p.b, 'J')
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(int32(v)))
	return p
}

func (p *pickleBuilder) global(module, name string) *pickleBuilder {
	p.b = append(p.b, 'c')
	p.b = append(p.b, module+"\n"+name+"\n"...)
	return p
}

func (p *pickleBuilder) tuple(vs ...int) *pickleBuilder {
	p.op('(')
	for _, v := range vs {
		p.int(v)
	}
	return p.op('t')
}

// pickledTensor describes one tensor of a pickle built by statePickle.
type pickledTensor struct {
	name, storageClass, key string
	numel, offset           int
	shape, stride           []int
}

// statePickle returns a pickle of a dict mapping each tensor's name to a
// _rebuild_tensor_v2 of its storage.
func statePickle(tensors ...pickledTensor) []byte {
	p := &pickleBuilder{b: []byte{0x80, 2}}
	p.op('}')
	for _, t := range tensors {
		p.str(t.name).tensor(t).op('s')
	}
	return p.op('.').b
}

// tensor writes the _rebuild_tensor_v2 call that torch.save writes for t
// (but for its name).
func (p *pickleBuilder) tensor(t pickledTensor) *pickleBuilder {
	p.global("torch._utils", "_rebuild_tensor_v2").op('(')
	p.op('(').str("storage").global("torch", t.storageClass).str(t.key).str("cpu").int(t.numel).op('t', 'Q')
	return p.int(t.offset).tuple(t.shape...).tuple(t.stride...).op(0x89, 'N', 't', 'R')
}

// newPickle starts a protocol-2 pickle.
func newPickle() *pickleBuilder { return &pickleBuilder{b: []byte{0x80, 2}} }

// float32Bytes returns vs as little-endian float32.
func float32Bytes(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// decodeRaw decodes one part of a golden file into v.
func decodeRaw(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}
