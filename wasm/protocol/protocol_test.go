package protocol

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestRequestRoundTrip(t *testing.T) {
	for _, want := range []Request{
		{ID: 1, Kind: KindLoadModel, Name: "built-in", URL: "/assets/model.safetensors"},
		{ID: 2, Kind: KindLoadModel, Name: "mine.pth"},
		{ID: 1 << 40, Kind: KindClassify, Name: "sea 1.jpg", TopK: 3},
		{ID: 3, Kind: KindBenchTrain, Name: "images.zip", Batch: 64, Steps: 5, Kernel: KernelSIMD},
		{ID: 4, Kind: KindBenchInfer, Name: "images.zip", Batch: 1, Steps: 1},
		{ID: 5, Kind: KindBenchTrain, Name: "images.zip", Batch: 64, Steps: 5, Workers: 2},
		{ID: 6, Kind: KindReplica, Name: "images.zip", Kernel: KernelGo, Replica: []byte(`{"seed":1}`)},
		{ID: 7, Kind: KindShard, Name: "images.zip", Batch: 64, Step: 3, Share: 1, Images: 32, Size: 32},
	} {
		got, err := DecodeRequest(Encode(want))
		if err != nil {
			t.Fatalf("DecodeRequest(Encode(%+v)): %v", want, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
	}
}

func TestResponseRoundTrip(t *testing.T) {
	for _, want := range []Response{
		{Kind: KindReady},
		{Kind: KindExit, Error: "exit code 2"},
		{ID: 3, Kind: KindClassify, Error: "x.jpg: not an image"},
		{ID: 4, Kind: KindLoadModel, Model: &ModelInfo{Arch: "resnet14", Classes: []string{"a", "b"}, InputSize: 32, Params: 10, File: "built-in", Source: "seed.pth"}},
		{ID: 5, Kind: KindClassify, Predictions: []Prediction{{"sea", 0.75}, {"glacier", 0.25}}},
		{Kind: KindReady, Kernel: KernelSIMDFMA},
		{ID: 6, Kind: KindBenchTrain, Bench: &BenchResult{Kernel: KernelGo, Workers: 2, Batch: 64, Steps: 3, Seconds: 2.5, ImagesPerSec: 76.8, Losses: []float64{1.75, 1.5}}},
		{ID: 7, Kind: KindShard, Right: 3},
	} {
		got, err := DecodeResponse(Encode(want))
		if err != nil {
			t.Fatalf("DecodeResponse(Encode(%+v)): %v", want, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
	}
}

func TestDecodeRequestRefuses(t *testing.T) {
	for _, tc := range []struct {
		head   string
		wantID uint64
	}{
		{``, 0},
		{`null`, 0},
		{`{"id":"7"}`, 0},
		{`{"kind":"classify","topK":3}`, 0},
		{`{"id":7,"kind":"train"}`, 7},
		{`{"id":8,"kind":"classify"}`, 8},
		{`{"id":9,"kind":"classify","topK":-1}`, 9},
		{`{"id":10,"kind":"classify","topK":"3"}`, 10},
		{`[1,2,3]`, 0},
		{`{"id":11,"kind":"bench-train","steps":3}`, 11},
		{`{"id":12,"kind":"bench-infer","batch":64}`, 12},
		{`{"id":13,"kind":"bench-train","batch":5000,"steps":1}`, 13},
		{`{"id":14,"kind":"bench-infer","batch":64,"steps":1,"kernel":"gpu"}`, 14},
		{`{"id":15,"kind":"bench-infer","batch":64,"steps":1,"kernel":"simd-fma"}`, 15},
		{`{"id":16,"kind":"bench-train","batch":64,"steps":1,"workers":17}`, 16},
		{`{"id":17,"kind":"bench-infer","batch":64,"steps":1,"workers":2}`, 17},
		{`{"id":18,"kind":"replica"}`, 18},
		{`{"id":19,"kind":"replica","replica":{},"kernel":"gpu"}`, 19},
		{`{"id":20,"kind":"shard","batch":8,"images":9,"size":32}`, 20},
		{`{"id":21,"kind":"shard","batch":8,"images":0,"size":32}`, 21},
		{`{"id":22,"kind":"shard","batch":8,"images":4}`, 22},
		{`{"id":23,"kind":"shard","batch":8,"images":4,"size":32,"step":-1}`, 23},
		{`{"id":24,"kind":"shard","batch":8,"images":4,"size":4294967296}`, 24},
		{`{"id":25,"kind":"shard","batch":5000,"images":4,"size":32}`, 25},
		{`{"id":26,"kind":"shard","batch":8,"images":4,"size":32,"share":16}`, 26},
		{`{"id":27,"kind":"bench-train","batch":2,"steps":1,"workers":3}`, 27},
	} {
		got, err := DecodeRequest(tc.head)
		if !errors.Is(err, ErrMessage) {
			t.Errorf("DecodeRequest(%q): got error %v, want one wrapping ErrMessage", tc.head, err)
		}
		if got.ID != tc.wantID {
			t.Errorf("DecodeRequest(%q): got ID %d, want %d", tc.head, got.ID, tc.wantID)
		}
	}
}

func TestDecodeResponseRefuses(t *testing.T) {
	for _, head := range []string{``, `{`, `{"id":1,"kind":"dance"}`, `{"id":1}`} {
		if _, err := DecodeResponse(head); !errors.Is(err, ErrMessage) {
			t.Errorf("DecodeResponse(%q): got error %v, want one wrapping ErrMessage", head, err)
		}
	}
}

// TestEncodeNaN checks that an answer JSON cannot hold becomes an error
// answer to the same request, rather than a panic.
func TestEncodeNaN(t *testing.T) {
	nan := float32(math.NaN())
	head := Encode(Response{ID: 9, Kind: KindClassify, Predictions: []Prediction{{"sea", nan}}})
	got, err := DecodeResponse(head)
	if err != nil || got.ID != 9 || got.Kind != KindClassify || !strings.Contains(got.Error, "cannot be sent") || got.Predictions != nil {
		t.Errorf("got %+v (%v), want an error answer to request 9", got, err)
	}
}
