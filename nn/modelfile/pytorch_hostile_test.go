package modelfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// isInputError reports whether err wraps one of the package's errors
// about input.
func isInputError(err error) bool {
	return errors.Is(err, ErrFormat) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge)
}

func TestReadPyTorchHostile(t *testing.T) {
	w := pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{2, 2}, []int{2, 1}}
	data0 := zipEntry{"a/data/0", float32Bytes(1, 2, 3, 4)}
	withPickle := func(pkl []byte, more ...zipEntry) []byte {
		return buildZip(t, append([]zipEntry{{"a/data.pkl", pkl}}, more...)...)
	}
	withTensor := func(pt pickledTensor) []byte { return withPickle(statePickle(pt), data0) }
	good := withPickle(statePickle(w), data0)
	if _, err := readPyTorchBytes(good); err != nil {
		t.Fatalf("the well-formed base file: %v", err)
	}
	corrupt := bytes.Clone(good)
	corrupt[bytes.Index(corrupt, data0.data)] ^= 1
	var deflated bytes.Buffer
	zw := zip.NewWriter(&deflated)
	bomb := pickledTensor{"w", "FloatStorage", "0", 10 << 20 / 4, 0, []int{10 << 20 / 4}, []int{1}}
	for _, e := range []zipEntry{{"a/data.pkl", statePickle(bomb)}, {"a/data/0", make([]byte, 10<<20)}} {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	huge8 := binary.LittleEndian.AppendUint64([]byte{0x80, 2, 0x8e}, 1<<40)
	frame := binary.LittleEndian.AppendUint64([]byte{0x80, 4, 0x95}, 1<<50)
	markBomb := append(bytes.Repeat([]byte{'('}, 1<<20), '.')
	longStr := binary.LittleEndian.AppendUint32([]byte{0x80, 2, 'X'}, 2<<20)
	longStr = append(longStr, make([]byte, 2<<20)...)
	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrFormat},
		{"not a zip", []byte("hello, world"), ErrFormat},
		{"safetensors", stFile(`{}`, nil), ErrFormat},
		{"no data.pkl", buildZip(t, zipEntry{"a/other", nil}), ErrFormat},
		{"data.pkl too deep", buildZip(t, zipEntry{"a/b/data.pkl", statePickle(w)}), ErrFormat},
		{"two data.pkl", buildZip(t, zipEntry{"a/data.pkl", statePickle(w)}, zipEntry{"b/data.pkl", statePickle(w)}), ErrFormat},
		{"duplicate entry", withPickle(statePickle(w), data0, data0), ErrFormat},
		{"TorchScript", withPickle(statePickle(w), data0, zipEntry{"a/constants.pkl", nil}), ErrUnsupported},
		{"bad byteorder", withPickle(statePickle(w), data0, zipEntry{"a/byteorder", []byte("middle")}), ErrFormat},
		{"long byteorder", withPickle(statePickle(w), data0, zipEntry{"a/byteorder", make([]byte, 100)}), ErrTooLarge},
		{"corrupt storage", corrupt, ErrFormat},
		{"deflate bomb", deflated.Bytes(), ErrTooLarge},
		{"garbage pickle", withPickle([]byte("not a pickle"), data0), ErrFormat},
		{"empty pickle", withPickle(nil, data0), ErrFormat},
		{"pickle without STOP", withPickle(bytes.TrimSuffix(statePickle(w), []byte(".")), data0), ErrFormat},
		{"huge BINBYTES8", withPickle(huge8), ErrFormat},
		{"frame beyond end", withPickle(frame), ErrFormat},
		{"mark bomb", withPickle(markBomb), ErrTooLarge},
		{"long string", withPickle(longStr), ErrFormat},
		{"empty LONG1", withPickle([]byte{0x80, 2, 0x8a, 0, '.'}), ErrFormat},
		{"unpickler panic", withPickle([]byte("\x80\x02(K\x01d.")), ErrFormat},
		{"top-level list", withPickle([]byte("\x80\x02].")), ErrUnsupported},
		{"top-level tensor", withPickle(newPickle().tensor(w).op('.').b, data0), ErrUnsupported},
		{"no state dict", withPickle(newPickle().op('}').str("a").op('K', 1, 's', '.').b), ErrUnsupported},
		{"state_dict of ints", withPickle(newPickle().op('}').str("state_dict").op('}').str("a").op('K', 1, 's', 's', '.').b), ErrUnsupported},
		{"non-string key", withPickle(newPickle().op('}').int(1).tensor(w).op('s', '.').b, data0), ErrFormat},
		{"duplicate key", withPickle(newPickle().op('}').str("w").tensor(w).op('s').str("w").tensor(w).op('s', '.').b, data0), ErrFormat},
		{"missing storage", withPickle(statePickle(w)), ErrFormat},
		{"storage other key", withTensor(pickledTensor{"w", "FloatStorage", "7", 4, 0, []int{4}, []int{1}}), ErrFormat},
		{"storage too short for shape", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{3, 3}, []int{3, 1}}), ErrFormat},
		{"offset past storage", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, 3, []int{2}, []int{1}}), ErrFormat},
		{"storage size mismatch", withTensor(pickledTensor{"w", "FloatStorage", "0", 8, 0, []int{2}, []int{1}}), ErrFormat},
		{"storage dtype mismatch", withTensor(pickledTensor{"w", "DoubleStorage", "0", 4, 0, []int{2}, []int{1}}), ErrFormat},
		{"huge storage", withTensor(pickledTensor{"w", "FloatStorage", "0", 1<<31 - 1, 0, []int{2}, []int{1}}), ErrFormat},
		{"storage declared twice", withPickle(statePickle(w, pickledTensor{"v", "FloatStorage", "0", 2, 0, []int{2}, []int{1}}), data0), ErrFormat},
		{"unsupported storage", withTensor(pickledTensor{"w", "ComplexFloatStorage", "0", 2, 0, []int{2}, []int{1}}), ErrUnsupported},
		{"negative dim", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{-1}, []int{1}}), ErrFormat},
		{"negative offset", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, -1, []int{1}, []int{1}}), ErrFormat},
		{"strides mismatch", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{2, 2}, []int{1}}), ErrFormat},
		{"too many dims", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, 0, make([]int, 40), make([]int, 40)}), ErrFormat},
		{"expand bomb", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{1 << 30}, []int{0}}), ErrTooLarge},
		{"shape overflow", withTensor(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{1 << 30, 1 << 30, 1 << 30}, []int{0, 0, 0}}), ErrTooLarge},
		{"persistent id not a tuple", withPickle([]byte("\x80\x02K\x01Q.")), ErrFormat},
		{"persistent id text", withPickle([]byte("\x80\x02P0\n.")), ErrFormat},
		{"persistent id of a module", withPickle(newPickle().op('(').str("module").str("m").str("k").str("cpu").int(1).op('t', 'Q', '.').b), ErrUnsupported},
		{"rebuild of ints", withPickle(newPickle().op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").tuple(1, 2, 3, 4).op('R', 's', '.').b), ErrFormat},
		{"rebuild without args", withPickle(newPickle().global("torch._utils", "_rebuild_tensor_v2").op(')', 'R', '.').b), ErrFormat},
		{"parameter of an int", withPickle(newPickle().global("torch._utils", "_rebuild_parameter").tuple(1).op('R', '.').b), ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readPyTorchBytes(tt.file)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %d tensors, error %v; want an error wrapping %v", len(got), err, tt.want)
			}
		})
	}
}

// TestReadPyTorchTruncated cuts valid files at every length (every 97th
// for the large seed): all but the whole file must be refused.
func TestReadPyTorchTruncated(t *testing.T) {
	for _, tt := range []struct {
		name string
		step int
	}{{"nested.pth", 1}, {"mixed.pth", 1}, {"seed-resnet14.pth", 97}} {
		file := readTestdata(t, tt.name)
		for n := 0; n < len(file); n += tt.step {
			got, err := readPyTorchBytes(file[:n])
			if !isInputError(err) {
				t.Errorf("%s cut to %d bytes: got %d tensors, error %v; want an input error", tt.name, n, len(got), err)
			}
		}
	}
}

// TestReadPyTorchTruncatedPickle cuts the pickle of a valid file at every
// length.
func TestReadPyTorchTruncatedPickle(t *testing.T) {
	pkl := statePickle(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{2, 2}, []int{2, 1}})
	for n := range len(pkl) {
		file := buildZip(t, zipEntry{"a/data.pkl", pkl[:n]}, zipEntry{"a/data/0", float32Bytes(1, 2, 3, 4)})
		if got, err := readPyTorchBytes(file); !isInputError(err) {
			t.Errorf("pickle cut to %d bytes: got %d tensors, error %v; want an input error", n, len(got), err)
		}
	}
}
