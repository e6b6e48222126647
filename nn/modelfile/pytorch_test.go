package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// readPyTorchBytes reads a .pth held in memory.
func readPyTorchBytes(b []byte) ([]Tensor, error) {
	return ReadPyTorch(bytes.NewReader(b), int64(len(b)))
}

func TestReadPyTorchSeed(t *testing.T) {
	got, err := readPyTorchBytes(readTestdata(t, "seed-resnet14.pth"))
	if err != nil {
		t.Fatal(err)
	}
	var want []goldenTensor
	readGolden(t, "seed-resnet14.golden.json", &want)
	checkGolden(t, got, want)

	if len(got) != 92 {
		t.Errorf("got %d tensors, want 92", len(got))
	}
	byName := make(map[string]Tensor)
	trainable := 0
	for _, g := range got {
		byName[g.Name] = g
		if strings.HasSuffix(g.Name, ".weight") || strings.HasSuffix(g.Name, ".bias") {
			trainable += len(g.Data)
		}
	}
	if trainable != 195478 {
		t.Errorf("got %d trainable parameters, want 195478", trainable)
	}
	tests := []struct {
		name  string
		shape []int
		dtype string
		index int
		value float32 // Data[index], printed by PyTorch 1.13
	}{
		{"conv.weight", []int{16, 3, 3, 3}, "F32", 1, 0.420809805393219},
		{"conv.weight", []int{16, 3, 3, 3}, "F32", 431, 0.14895395934581757},
		{"fc.weight", []int{6, 64}, "F32", -1, 0},
		{"fc.bias", []int{6}, "F32", 0, -0.07683942466974258},
		{"fc.bias", []int{6}, "F32", 5, 0.03503965958952904},
		{"layer2.0.downsample.0.weight", []int{32, 16, 3, 3}, "F32", -1, 0},
		{"layer3.1.bn2.running_var", []int{64}, "F32", 63, 1.185540795326233},
		{"bn.num_batches_tracked", []int{}, "I64", 0, 4224},
		{"layer1.1.bn2.num_batches_tracked", []int{}, "I64", 0, 4224},
	}
	for _, tt := range tests {
		g, ok := byName[tt.name]
		if !ok {
			t.Errorf("no tensor %s", tt.name)
			continue
		}
		if !slices.Equal(g.Shape, tt.shape) || g.DType != tt.dtype {
			t.Errorf("%s: got shape %v dtype %s, want %v %s", tt.name, g.Shape, g.DType, tt.shape, tt.dtype)
		}
		if tt.index >= 0 && g.Data[tt.index] != tt.value {
			t.Errorf("%s[%d]: got %v, want %v", tt.name, tt.index, g.Data[tt.index], tt.value)
		}
	}
}

// TestSeedToSafetensors converts the seed model as the project ships it
// and reads it back.
func TestSeedToSafetensors(t *testing.T) {
	want, err := readPyTorchBytes(readTestdata(t, "seed-resnet14.pth"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, want, map[string]string{"arch": "resnet14"}); err != nil {
		t.Fatal(err)
	}
	if Sniff(buf.Bytes()) != "safetensors" {
		t.Errorf("got Sniff %q, want safetensors", Sniff(buf.Bytes()))
	}
	got, _, err := ReadSafetensors(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var golden []goldenTensor
	readGolden(t, "seed-resnet14.golden.json", &golden)
	checkGolden(t, got, golden)
}

func TestReadPyTorchFixtures(t *testing.T) {
	var golden map[string]json.RawMessage
	readGolden(t, "fixtures.golden.json", &golden)
	for _, name := range []string{"mixed.pth", "plain.pth", "nested.pth"} {
		t.Run(name, func(t *testing.T) {
			var want []goldenTensor
			decodeRaw(t, golden[name], &want)
			got, err := readPyTorchBytes(readTestdata(t, name))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, got, want)
		})
	}
}

// TestReadPyTorchBigEndian rewrites nested.pth as a big-endian machine
// saves it.
func TestReadPyTorchBigEndian(t *testing.T) {
	pkl := statePickle(
		pickledTensor{"w", "FloatStorage", "0", 2, 0, []int{2}, []int{1}},
		pickledTensor{"n", "LongStorage", "1", 1, 0, []int{}, []int{}},
	)
	w := []byte{0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0} // 1.0, -2.5
	n := binary.BigEndian.AppendUint64(nil, 4224)
	file := buildZip(t, zipEntry{"be/data.pkl", pkl}, zipEntry{"be/byteorder", []byte("big")},
		zipEntry{"be/data/0", w}, zipEntry{"be/data/1", n})
	got, err := readPyTorchBytes(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Data[0] != 1 || got[0].Data[1] != -2.5 || got[1].Data[0] != 4224 || got[1].DType != "I64" {
		t.Errorf("got %+v, want w = [1 -2.5], n = 4224 (I64)", got)
	}
}

func TestReadPyTorchViews(t *testing.T) {
	storage := float32Bytes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	tests := []struct {
		name          string
		offset        int
		shape, stride []int
		want          []float32 // nil: the view is refused
	}{
		{"whole", 0, []int{3, 4}, []int{4, 1}, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{"offset", 5, []int{2}, []int{1}, []float32{5, 6}},
		{"transposed", 0, []int{2, 3}, []int{1, 2}, []float32{0, 2, 4, 1, 3, 5}},
		{"strided", 1, []int{2, 2}, []int{6, 2}, []float32{1, 3, 7, 9}},
		{"expanded", 3, []int{2, 3}, []int{0, 1}, []float32{3, 4, 5, 3, 4, 5}},
		{"size-1 dim any stride", 2, []int{1, 3}, []int{99, 1}, []float32{2, 3, 4}},
		{"scalar", 11, []int{}, []int{}, []float32{11}},
		{"empty", 0, []int{0, 5}, []int{5, 1}, []float32{}},
		{"beyond the storage", 0, []int{2, 2, 2}, []int{4, 2, 7}, nil},
		{"offset beyond the storage", 12, []int{1}, []int{1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkl := statePickle(pickledTensor{"x", "FloatStorage", "0", 12, tt.offset, tt.shape, tt.stride})
			got, err := readPyTorchBytes(buildZip(t, zipEntry{"a/data.pkl", pkl}, zipEntry{"a/data/0", storage}))
			if tt.want == nil {
				if !errors.Is(err, ErrFormat) {
					t.Errorf("got error %v, want ErrFormat", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got[0].Shape, tt.shape) || !slices.Equal(got[0].Data, tt.want) {
				t.Errorf("got shape %v data %v, want %v %v", got[0].Shape, got[0].Data, tt.shape, tt.want)
			}
		})
	}
}
