package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSafetensorsRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		tensors  []Tensor
		metadata map[string]string
	}{
		{"empty", nil, nil},
		{"empty metadata", nil, map[string]string{}},
		{"mixed", []Tensor{
			{Name: "z.weight", Shape: []int{2, 3}, DType: "F32", Data: []float32{1, -2, 3.5, float32(math.Inf(-1)), 1e-40, 0}},
			{Name: "a.num_batches_tracked", Shape: []int{}, DType: "I64", Data: []float32{4224}},
			{Name: "m.scalar", DType: "F32", Data: []float32{0.25}},
			{Name: "e.empty", Shape: []int{0, 4}, DType: "F32", Data: []float32{}},
			{Name: "d.empty", Shape: []int{0}, DType: "I64", Data: nil},
			{Name: "b.ints", Shape: []int{1, 1, 3}, DType: "I64", Data: []float32{-1, 1 << 40, 7}},
			{Name: "ü <&> \"quoted\"", Shape: []int{1}, DType: "F32", Data: []float32{float32(math.NaN())}},
		}, map[string]string{"classes": `["buildings","forest"]`, "arch": "resnet14", "": "empty key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSafetensors(&buf, tt.tensors, tt.metadata); err != nil {
				t.Fatal(err)
			}
			if n := binary.LittleEndian.Uint64(buf.Bytes()); (8+n)%8 != 0 {
				t.Errorf("got header length %d, want the data aligned to 8 bytes", n)
			}
			got, meta, err := ReadSafetensors(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if (meta == nil) != (tt.metadata == nil) || !maps.Equal(meta, tt.metadata) {
				t.Errorf("got metadata %v, want %v", meta, tt.metadata)
			}
			if len(got) != len(tt.tensors) {
				t.Fatalf("got %d tensors, want %d", len(got), len(tt.tensors))
			}
			for i, w := range tt.tensors {
				g := got[i]
				if g.Name != w.Name || !slices.Equal(g.Shape, w.Shape) || g.DType != w.DType || len(g.Data) != len(w.Data) {
					t.Errorf("tensor %d: got %s %v %s %d values, want %s %v %s %d values",
						i, g.Name, g.Shape, g.DType, len(g.Data), w.Name, w.Shape, w.DType, len(w.Data))
					continue
				}
				for j := range w.Data {
					if math.Float32bits(g.Data[j]) != math.Float32bits(w.Data[j]) {
						t.Errorf("%s[%d]: got %g, want %g", w.Name, j, g.Data[j], w.Data[j])
					}
				}
			}
		})
	}
}

// TestWriteSafetensorsBytes checks the exact bytes written for a small
// file against the format's specification.
func TestWriteSafetensorsBytes(t *testing.T) {
	tensors := []Tensor{
		{Name: "w", Shape: []int{2}, DType: "F32", Data: []float32{1, -2}},
		{Name: "n", Shape: []int{}, DType: "I64", Data: []float32{2.6}},
	}
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, tensors, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	header := `{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"n":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	want = append(want, header...)
	want = append(want, float32Bytes(1, -2)...)
	want = binary.LittleEndian.AppendUint64(want, 3)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("got\n%q\nwant\n%q", buf.Bytes(), want)
	}
}

func TestWriteSafetensorsInvalid(t *testing.T) {
	ok := Tensor{Name: "ok", Shape: []int{1}, DType: "F32", Data: []float32{1}}
	tests := []struct {
		name   string
		tensor Tensor
	}{
		{"empty name", Tensor{Shape: []int{1}, DType: "F32", Data: []float32{1}}},
		{"metadata name", Tensor{Name: "__metadata__", Shape: []int{1}, DType: "F32", Data: []float32{1}}},
		{"duplicate name", ok},
		{"bad utf-8", Tensor{Name: "\xff", Shape: []int{1}, DType: "F32", Data: []float32{1}}},
		{"no dtype", Tensor{Name: "x", Shape: []int{1}, Data: []float32{1}}},
		{"other dtype", Tensor{Name: "x", Shape: []int{1}, DType: "F16", Data: []float32{1}}},
		{"negative dim", Tensor{Name: "x", Shape: []int{-1}, DType: "F32"}},
		{"short data", Tensor{Name: "x", Shape: []int{2, 2}, DType: "F32", Data: []float32{1, 2, 3}}},
		{"scalar without data", Tensor{Name: "x", DType: "F32"}},
		{"NaN int", Tensor{Name: "x", Shape: []int{1}, DType: "I64", Data: []float32{float32(math.NaN())}}},
		{"huge int", Tensor{Name: "x", Shape: []int{1}, DType: "I64", Data: []float32{1e19}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteSafetensors(&buf, []Tensor{ok, tt.tensor}, nil)
			if !errors.Is(err, ErrInvalidTensor) {
				t.Errorf("got error %v, want ErrInvalidTensor", err)
			}
			if buf.Len() != 0 {
				t.Errorf("got %d bytes written, want 0", buf.Len())
			}
		})
	}
}

func TestReadSafetensorsIndependent(t *testing.T) {
	var golden map[string]json.RawMessage
	readGolden(t, "fixtures.golden.json", &golden)
	var want []goldenTensor
	var wantMeta map[string]string
	decodeRaw(t, golden["independent.safetensors"], &want)
	decodeRaw(t, golden["independent.safetensors.metadata"], &wantMeta)
	b := readTestdata(t, "independent.safetensors")
	got, meta, err := ReadSafetensors(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, got, want)
	if !maps.Equal(meta, wantMeta) {
		t.Errorf("got metadata %v, want %v", meta, wantMeta)
	}
}

// stFile returns a safetensors file of the given header and data.
func stFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestReadSafetensorsHostile(t *testing.T) {
	f32x2 := `{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`
	data8 := make([]byte, 8)
	many := &strings.Builder{}
	many.WriteString("{")
	for i := range maxTensors + 1 {
		fmt.Fprintf(many, `"t%d":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},`, i)
	}
	manyHeader := strings.TrimSuffix(many.String(), ",") + "}"
	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrFormat},
		{"7 bytes", []byte("\x02\x00\x00\x00\x00\x00\x00"), ErrFormat},
		{"huge header length", binary.LittleEndian.AppendUint64(nil, 1<<62), ErrTooLarge},
		{"header length past end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), ErrFormat},
		{"empty header", stFile("", nil), ErrFormat},
		{"not an object", stFile(`[]`, nil), ErrFormat},
		{"bad json", stFile(`{"x": }`, nil), ErrFormat},
		{"unterminated", stFile(`{"x": {"dtype":"F32"`, nil), ErrFormat},
		{"bad utf-8", stFile("{\"\xff\":1}", nil), ErrFormat},
		{"trailing data", stFile(`{} x`, nil), ErrFormat},
		{"two objects", stFile(`{}{}`, nil), ErrFormat},
		{"entry not object", stFile(`{"x":[1]}`, nil), ErrFormat},
		{"missing dtype", stFile(`{"x":{"shape":[2],"data_offsets":[0,8]}}`, data8), ErrFormat},
		{"missing shape", stFile(`{"x":{"dtype":"F32","data_offsets":[0,8]}}`, data8), ErrFormat},
		{"null offsets", stFile(`{"x":{"dtype":"F32","shape":[2],"data_offsets":null}}`, data8), ErrFormat},
		{"unknown dtype", stFile(`{"x":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}`, data8), ErrUnsupported},
		{"lowercase dtype", stFile(`{"x":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}`, data8), ErrUnsupported},
		{"negative dim", stFile(`{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, data8), ErrFormat},
		{"fractional dim", stFile(`{"x":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`, data8), ErrFormat},
		{"dim beyond int64", stFile(`{"x":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}`, data8), ErrFormat},
		{"shape overflow", stFile(`{"x":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}`, data8), ErrTooLarge},
		{"bytes overflow", stFile(`{"x":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}`, data8), ErrTooLarge},
		{"too many dims", stFile(`{"x":{"dtype":"F32","shape":[`+strings.Repeat("1,", 40)+`2],"data_offsets":[0,8]}}`, data8), ErrTooLarge},
		{"offsets beyond data", stFile(`{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, data8), ErrFormat},
		{"negative offset", stFile(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}`, data8), ErrFormat},
		{"reversed offsets", stFile(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, data8), ErrFormat},
		{"three offsets", stFile(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}`, data8), ErrFormat},
		{"offsets too wide", stFile(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}`, data8), ErrFormat},
		{"overlap", stFile(`{"x":`+f32x2+`,"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)), ErrFormat},
		{"same offsets", stFile(`{"x":`+f32x2+`,"y":`+f32x2+`}`, data8), ErrFormat},
		{"gap", stFile(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, data8), ErrFormat},
		{"uncovered tail", stFile(`{"x":`+f32x2+`}`, make([]byte, 12)), ErrFormat},
		{"no tensors but data", stFile(`{}`, data8), ErrFormat},
		{"duplicate name", stFile(`{"x":`+f32x2+`,"x":`+f32x2+`}`, data8), ErrFormat},
		{"duplicate metadata", stFile(`{"__metadata__":{},"__metadata__":{}}`, nil), ErrFormat},
		{"metadata not strings", stFile(`{"__metadata__":{"a":1}}`, nil), ErrFormat},
		{"metadata deeply nested", stFile(`{"__metadata__":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`, nil), ErrFormat},
		{"too many tensors", stFile(manyHeader, nil), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := ReadSafetensors(bytes.NewReader(tt.file), int64(len(tt.file)))
			if !errors.Is(err, tt.want) {
				t.Errorf("got %d tensors, error %v; want an error wrapping %v", len(got), err, tt.want)
			}
		})
	}
}

// TestReadSafetensorsTruncated cuts valid files at every length: all but
// the whole file must be refused.
func TestReadSafetensorsTruncated(t *testing.T) {
	var written bytes.Buffer
	err := WriteSafetensors(&written, []Tensor{{Name: "x", Shape: []int{3}, DType: "I64", Data: []float32{1, 2, 3}}}, map[string]string{"a": "b"})
	if err != nil {
		t.Fatal(err)
	}
	for name, file := range map[string][]byte{
		"independent.safetensors": readTestdata(t, "independent.safetensors"),
		"written":                 written.Bytes(),
	} {
		for n := range len(file) {
			cut := file[:n]
			if _, _, err := ReadSafetensors(bytes.NewReader(cut), int64(n)); !errors.Is(err, ErrFormat) {
				t.Errorf("%s cut to %d bytes: got error %v, want ErrFormat", name, n, err)
			}
		}
	}
}

// TestReadSafetensorsShortReader checks a reader that has fewer bytes
// than the size it is given.
func TestReadSafetensorsShortReader(t *testing.T) {
	file := readTestdata(t, "independent.safetensors")
	for _, n := range []int{4, 100, len(file) - 1} {
		_, _, err := ReadSafetensors(bytes.NewReader(file[:n]), int64(len(file)))
		if !errors.Is(err, ErrFormat) {
			t.Errorf("reader of %d bytes: got error %v, want ErrFormat", n, err)
		}
	}
}

// TestReadSafetensorsOrder checks that tensors come back in data order,
// whatever the header order.
func TestReadSafetensorsOrder(t *testing.T) {
	header := `{"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"c":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`
	file := stFile(header, []byte{10, 20, 30})
	got, meta, err := ReadSafetensors(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var values []float32
	for _, g := range got {
		names = append(names, g.Name)
		values = append(values, g.Data...)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(names, want) {
		t.Errorf("got names %v, want %v", names, want)
	}
	if want := []float32{10, 20, 30}; !slices.Equal(values, want) {
		t.Errorf("got values %v, want %v", values, want)
	}
	if meta != nil {
		t.Errorf("got metadata %v, want nil", meta)
	}
}
