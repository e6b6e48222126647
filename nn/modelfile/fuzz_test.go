package modelfile

import (
	"bytes"
	"path/filepath"
	"testing"
)

// addSeeds adds the testdata files matching pattern to f's corpus.
func addSeeds(f *testing.F, pattern string) {
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seeds %s: %v", pattern, err)
	}
	for _, name := range names {
		f.Add(readTestdata(f, filepath.Base(name)))
	}
}

// checkTensors checks the invariants of what a reader returns.
func checkTensors(t *testing.T, tensors []Tensor) {
	for _, tt := range tensors {
		n, err := numElements(toInt64s(tt.Shape))
		if err != nil || n != int64(len(tt.Data)) {
			t.Fatalf("%s: got shape %v with %d values (%v)", tt.Name, tt.Shape, len(tt.Data), err)
		}
		if tt.DType != dtypeFloat && tt.DType != dtypeInt {
			t.Fatalf("%s: got dtype %q", tt.Name, tt.DType)
		}
	}
}

func FuzzReadSafetensors(f *testing.F) {
	addSeeds(f, "*.safetensors")
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, []Tensor{{Name: "x", Shape: []int{2}, DType: "I64", Data: []float32{1, 2}}}, map[string]string{"k": "v"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		tensors, meta, err := ReadSafetensors(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !isInputError(err) {
				t.Fatalf("got error %v, want an input error", err)
			}
			return
		}
		checkTensors(t, tensors)
		// What was read writes back, unless an integer is out of int64's range.
		var out bytes.Buffer
		if err := WriteSafetensors(&out, tensors, meta); err != nil {
			return
		}
		again, _, err := ReadSafetensors(bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil || len(again) != len(tensors) {
			t.Fatalf("rereading: got %d tensors, error %v; want %d", len(again), err, len(tensors))
		}
	})
}

func FuzzReadPyTorch(f *testing.F) {
	addSeeds(f, "*.pth")
	f.Fuzz(func(t *testing.T, b []byte) {
		tensors, err := ReadPyTorch(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !isInputError(err) {
				t.Fatalf("got error %v, want an input error", err)
			}
			return
		}
		checkTensors(t, tensors)
	})
}

// FuzzReadPyTorchPickle fuzzes the pickle of a small archive, which the
// zip's checksums keep FuzzReadPyTorch from reaching often.
func FuzzReadPyTorchPickle(f *testing.F) {
	f.Add(statePickle(pickledTensor{"w", "FloatStorage", "0", 4, 0, []int{2, 2}, []int{2, 1}}))
	f.Add(statePickle(pickledTensor{"w", "FloatStorage", "0", 4, 1, []int{3}, []int{1}}, pickledTensor{"v", "FloatStorage", "0", 4, 0, []int{2, 2}, []int{1, 2}}))
	f.Fuzz(func(t *testing.T, pkl []byte) {
		file := buildZip(t, zipEntry{"a/data.pkl", pkl}, zipEntry{"a/data/0", float32Bytes(1, 2, 3, 4)})
		tensors, err := ReadPyTorch(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			if !isInputError(err) {
				t.Fatalf("got error %v, want an input error", err)
			}
			return
		}
		checkTensors(t, tensors)
	})
}
