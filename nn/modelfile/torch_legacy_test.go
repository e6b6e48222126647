package modelfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
)

// Sections of a legacy file, as torch.save writes them.
var (
	legacyMagicPickle   = []byte(legacyMagic + ".")
	legacyVersionPickle = newPickle().int(legacyVersion).op('.').b
	legacySysInfoPickle = sysInfoPickle(0x88) // little_endian=True
)

// sysInfoPickle returns a system-info pickle whose little_endian is the
// value opcode endian pushes (NEWTRUE, NEWFALSE...).
func sysInfoPickle(endian byte) []byte {
	return newPickle().op('}').str("protocol_version").int(legacyVersion).op('s').
		str("little_endian").op(endian, 's', '.').b
}

// keysPickle returns a pickle of the list keys.
func keysPickle(keys ...string) []byte {
	p := newPickle().op(']')
	for _, k := range keys {
		p.str(k).op('a')
	}
	return p.op('.').b
}

// legacyStorage returns a storage as the legacy format stores it: the
// element count count, then raw.
func legacyStorage(count uint64, raw []byte) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, count), raw...)
}

// legacyObject returns a pickle of {"w": a 2x2 float32 tensor of storage
// "0"}, with the legacy persistent id's sixth element written by view.
func legacyObject(view func(*pickleBuilder)) []byte {
	p := newPickle().op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
	p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").int(4)
	view(p)
	p.op('t', 'Q').int(0).tuple(2, 2).tuple(2, 1).op(0x89, 'N', 't', 'R', 's', '.')
	return p.b
}

// noView writes None, a whole storage.
func noView(p *pickleBuilder) { p.op('N') }

// legacyFromZip rewrites a torch.save zip archive in the legacy format,
// with the same pickle and storages.
func legacyFromZip(t *testing.T, file []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	entries := make(map[string][]byte)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		_, name, _ := strings.Cut(f.Name, "/")
		entries[name] = b
	}
	pkl := entries["data.pkl"]
	_, storages, err := unpickleTorch(pkl)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range storages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := slices.Concat(legacyMagicPickle, legacyVersionPickle, legacySysInfoPickle, pkl, keysPickle(keys...))
	for _, k := range keys {
		out = append(out, legacyStorage(uint64(storages[k].numel), entries["data/"+k])...)
	}
	return out
}

func TestReadLegacyPyTorch(t *testing.T) {
	got, err := readPyTorchBytes(readTestdata(t, "legacy.pth"))
	if err != nil {
		t.Fatal(err)
	}
	// gen.py saves {"x": torch.ones(2)} with _use_new_zipfile_serialization=False.
	want := []Tensor{{Name: "x", Shape: []int{2}, DType: "F32", Data: []float32{1, 1}}}
	checkSameTensors(t, "legacy.pth", got, want)

	longName := strings.Repeat("n", 2*legacyHeadStart) // pickles longer than the first read
	long := slices.Concat(legacyMagicPickle, legacyVersionPickle, legacySysInfoPickle,
		statePickle(pickledTensor{longName, "FloatStorage", "0", 2, 0, []int{2}, []int{1}}),
		keysPickle("0"), legacyStorage(2, float32Bytes(3, 4)))
	got, err = readPyTorchBytes(long)
	if err != nil {
		t.Fatal(err)
	}
	checkSameTensors(t, "long pickles", got, []Tensor{{Name: longName, Shape: []int{2}, DType: "F32", Data: []float32{3, 4}}})
}

// TestReadLegacyMatchesZip rewrites the zip fixtures in the legacy format
// and checks that both read the same.
func TestReadLegacyMatchesZip(t *testing.T) {
	for _, name := range []string{"plain.pth", "nested.pth", "mixed.pth", "seed-resnet14.pth"} {
		file := readTestdata(t, name)
		want, err := readPyTorchBytes(file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readPyTorchBytes(legacyFromZip(t, file))
		if err != nil {
			t.Fatalf("%s in the legacy format: %v", name, err)
		}
		checkSameTensors(t, name+" in the legacy format", got, want)
	}
}

// checkSameTensors compares tensors name by name, value bits included.
func checkSameTensors(t *testing.T, what string, got, want []Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d tensors, want %d", what, len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name || !slices.Equal(g.Shape, w.Shape) || g.DType != w.DType || len(g.Data) != len(w.Data) {
			t.Errorf("%s: got tensor %q %v %s of %d values, want %q %v %s of %d", what,
				shorten(g.Name), g.Shape, g.DType, len(g.Data), shorten(w.Name), w.Shape, w.DType, len(w.Data))
			continue
		}
		for j := range w.Data {
			if math.Float32bits(g.Data[j]) != math.Float32bits(w.Data[j]) {
				t.Errorf("%s: %s[%d]: got %g, want %g", what, w.Name, j, g.Data[j], w.Data[j])
				break
			}
		}
	}
}

func TestReadLegacyHostile(t *testing.T) {
	head := slices.Concat(legacyMagicPickle, legacyVersionPickle, legacySysInfoPickle)
	object := legacyObject(noView)
	storage := legacyStorage(4, float32Bytes(1, 2, 3, 4))
	good := slices.Concat(head, object, keysPickle("0"), storage)
	if _, err := readPyTorchBytes(good); err != nil {
		t.Fatalf("the well-formed base file: %v", err)
	}
	view := legacyObject(func(p *pickleBuilder) { p.op('(').str("1").int(0).int(2).op('t') })
	hugeString := binary.LittleEndian.AppendUint32(newPickle().op('X').b, math.MaxUint32)
	tests := []struct {
		name    string
		file    []byte
		want    error
		wantMsg string // "": not checked
	}{
		{"magic only", legacyMagicPickle, ErrFormat, "pickle ends without STOP"},
		{"magic of protocol 2 then junk", slices.Concat([]byte(legacyMagic), []byte("K\x01."), good[15:]), ErrFormat, "magic number"},
		{"version 1000", slices.Concat(legacyMagicPickle, newPickle().int(1000).op('.').b, legacySysInfoPickle, object, keysPickle("0"), storage), ErrUnsupported, "version 1000"},
		{"big-endian", slices.Concat(legacyMagicPickle, legacyVersionPickle, sysInfoPickle(0x89), object, keysPickle("0"), storage), ErrUnsupported, "big-endian"},
		{"system info a list", slices.Concat(legacyMagicPickle, legacyVersionPickle, keysPickle(), object, keysPickle("0"), storage), ErrFormat, "system info"},
		{"no little_endian", slices.Concat(legacyMagicPickle, legacyVersionPickle, newPickle().op('}', '.').b, object, keysPickle("0"), storage), ErrFormat, "little_endian"},
		{"huge string length", slices.Concat(head, hugeString), ErrFormat, "length 4294967295 is larger than the file"},
		{"storage view", slices.Concat(head, view, keysPickle("0"), storage), ErrUnsupported, "view"},
		{"whole model", slices.Concat(head, newPickle().op('(').str("module").global("m", "Net").str("m.py").str("src").op('t', 'Q', '.').b, keysPickle()), ErrUnsupported, "state_dict()"},
		{"keys a dict", slices.Concat(head, object, newPickle().op('}', '.').b, storage), ErrFormat, "want a list"},
		{"key of no storage", slices.Concat(head, object, keysPickle("7"), storage), ErrFormat, "names no storage"},
		{"key twice", slices.Concat(head, statePickle(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{4}, []int{1}}, pickledTensor{"v", "FloatStorage", "1", 1, 0, []int{1}, []int{1}}), keysPickle("0", "0"), storage, storage), ErrFormat, "listed twice"},
		{"storage not listed", slices.Concat(head, object, keysPickle(), storage), ErrFormat, "not in the file"},
		{"no storages", slices.Concat(head, object, keysPickle("0")), ErrFormat, "before its element count"},
		{"wrong count", slices.Concat(head, object, keysPickle("0"), legacyStorage(3, float32Bytes(1, 2, 3, 4))), ErrFormat, "holds 3 elements, want 4"},
		{"storage cut", slices.Concat(head, object, keysPickle("0"), storage[:len(storage)-1]), ErrFormat, "larger than the rest of the file"},
		{"expand bomb", slices.Concat(head, statePickle(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{1 << 30}, []int{0}}), keysPickle("0"), storage), ErrTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readPyTorchBytes(tt.file)
			if !errors.Is(err, tt.want) || err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %d tensors, error %v; want an error wrapping %v saying %q", len(got), err, tt.want, tt.wantMsg)
			}
		})
	}
}

// TestReadLegacyTruncated cuts legacy files at every length: all but the
// whole file must be refused.
func TestReadLegacyTruncated(t *testing.T) {
	files := map[string][]byte{
		"legacy.pth":                  readTestdata(t, "legacy.pth"),
		"nested.pth in legacy format": legacyFromZip(t, readTestdata(t, "nested.pth")),
	}
	for name, file := range files {
		for n := range len(file) {
			got, err := readPyTorchBytes(file[:n])
			if !isInputError(err) {
				t.Errorf("%s cut to %d bytes: got %d tensors, error %v; want an input error", name, n, len(got), err)
			}
		}
	}
}
