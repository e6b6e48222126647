package protocol

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// kindCase is the test of one kind: its messages' round trips and its
// refusals.
type kindCase interface {
	kind() Kind
	run(t *testing.T)
}

// callCase tests a Call: good goes through as it was, every payload of
// bad is refused, answer and notice come back as they were.
type callCase[Q, A, N any] struct {
	c      Call[Q, A, N]
	good   Q
	bad    []string // request payloads, as JSON
	answer A
	notice N
}

func (cc callCase[Q, A, N]) kind() Kind { return cc.c.Kind() }

func (cc callCase[Q, A, N]) run(t *testing.T) {
	h, err := ReadHead(cc.c.Request(7, cc.good))
	if err != nil {
		t.Fatalf("the request %+v: %v", cc.good, err)
	}
	if h.ID != 7 || h.Kind != cc.c.Kind() || h.Part != PartRequest {
		t.Errorf("got head %+v, want request 7 of %s", h, cc.c.Kind())
	}
	if got, err := cc.c.ReadRequest(h); err != nil || !reflect.DeepEqual(got, cc.good) {
		t.Errorf("request round trip: got %+v (%v), want %+v", got, err, cc.good)
	}
	if len(cc.bad) == 0 {
		t.Errorf("no refused request of %s is tested", cc.c.Kind())
	}
	for _, payload := range cc.bad {
		head := fmt.Sprintf(`{"id":8,"kind":%q,"part":"request","payload":%s}`, cc.c.Kind(), payload)
		h, err := ReadHead(head)
		if !errors.Is(err, ErrMessage) || h.ID != 8 || h.Kind != cc.c.Kind() {
			t.Errorf("%s: got %+v (%v), want an error wrapping ErrMessage about request 8", head, h, err)
		}
	}
	if Immediate(cc.c.Kind()) {
		if _, err := ReadHead(cc.c.Answer(7, cc.answer)); !errors.Is(err, ErrMessage) {
			t.Errorf("an answer to %s, which has none: got %v, want it refused", cc.c.Kind(), err)
		}
		return
	}
	h, err = ReadHead(cc.c.Answer(7, cc.answer))
	if err != nil || h.Part != PartAnswer || h.Error != nil {
		t.Fatalf("the answer %+v: %+v, %v", cc.answer, h, err)
	}
	if got, err := cc.c.ReadAnswer(h); err != nil || !reflect.DeepEqual(got, cc.answer) {
		t.Errorf("answer round trip: got %+v (%v), want %+v", got, err, cc.answer)
	}
	h, err = ReadHead(cc.c.Notice(7, cc.notice))
	if err != nil || h.Part != PartNotice {
		t.Fatalf("the notice %+v: %+v, %v", cc.notice, h, err)
	}
	if got, err := cc.c.ReadNotice(h); err != nil || !reflect.DeepEqual(got, cc.notice) {
		t.Errorf("notice round trip: got %+v (%v), want %+v", got, err, cc.notice)
	}
	want := &Error{Code: BadInput, File: "x.jpg", Message: "not an image"}
	h, err = ReadHead(Fail(7, cc.c.Kind(), want))
	if err != nil || !reflect.DeepEqual(h.Error, want) || h.Part != PartAnswer {
		t.Errorf("an error answer: got %+v (%v), want the error %+v", h, err, want)
	}
}

// eventCase tests an Event: it goes through with ID 0, and is refused
// with another.
type eventCase[P any] struct {
	e    Event[P]
	good P
}

func (ec eventCase[P]) kind() Kind { return ec.e.Kind() }

func (ec eventCase[P]) run(t *testing.T) {
	h, err := ReadHead(ec.e.Head(ec.good))
	if err != nil || h.ID != 0 || h.Part != PartNotice {
		t.Fatalf("the event %+v: %+v, %v", ec.good, h, err)
	}
	if got, err := ec.e.Read(h); err != nil || !reflect.DeepEqual(got, ec.good) {
		t.Errorf("event round trip: got %+v (%v), want %+v", got, err, ec.good)
	}
	for _, head := range []string{
		fmt.Sprintf(`{"id":3,"kind":%q,"part":"notice"}`, ec.e.Kind()),
		fmt.Sprintf(`{"id":0,"kind":%q,"part":"request"}`, ec.e.Kind()),
	} {
		if _, err := ReadHead(head); !errors.Is(err, ErrMessage) {
			t.Errorf("%s: got %v, want it refused", head, err)
		}
	}
}

// kindCases test every kind.
var kindCases = []kindCase{
	callCase[LoadModelRequest, ModelInfo, None]{c: LoadModel,
		good:   LoadModelRequest{Name: "built-in", URL: "/assets/model.safetensors", Keep: true, Inspect: true},
		bad:    []string{`{"name":3}`, `[1]`},
		answer: ModelInfo{Arch: "resnet14", Classes: []string{"a", "b"}, InputSize: 32, Params: 10, File: "built-in", Source: "seed.pth"}},
	callCase[ClassifyRequest, Classified, None]{c: Classify,
		good:   ClassifyRequest{Name: "sea 1.jpg", TopK: 3},
		bad:    []string{`{"name":"a.jpg"}`, `{"name":"a.jpg","topK":-1}`, `{"topK":"3"}`},
		answer: Classified{Top: []Prediction{{"sea", 0.75}, {"glacier", 0.25}}, Thumb: &Thumb{Name: "big.jpg", Length: 900}}},
	callCase[ExplainRequest, Explained, None]{c: Explain,
		good:   ExplainRequest{Name: "sea 1.jpg", Class: "sea"},
		bad:    []string{`{"name":"a.jpg"}`, `{"class":"sea"}`, `{"name":3,"class":"sea"}`},
		answer: Explained{Class: "sea"}},
	callCase[LoadDatasetRequest, DatasetInfo, Progress]{c: LoadDataset,
		good: LoadDatasetRequest{Name: "scenes.zip", URL: "/assets/sample-scenes.zip", Size: 32, Workers: 2},
		bad:  []string{`{"name":"a.zip"}`, `{"name":"a.zip","size":2000}`, `{"name":"a.zip","size":32,"workers":17}`},
		answer: DatasetInfo{Name: "scenes.zip", Bytes: 100, Classes: []string{"a", "b"}, Size: 32,
			Splits:  []SplitInfo{{Name: "training", Dir: "train", Counts: []int{3, 4}}},
			Samples: []Thumb{{Name: "train/b/1.jpg", Class: 1, Offset: 0, Length: 20}}, Images: 7, Memory: 21504, Seconds: 0.5, Workers: 2},
		notice: Progress{Stage: "decoding images", Done: 64, Total: 100, PerSec: 1000}},
	callCase[LoadKeptRequest, DatasetInfo, Progress]{c: LoadKept,
		good:   LoadKeptRequest{Name: "scenes.zip", Digest: strings.Repeat("ab", 32)},
		bad:    []string{`{"digest":"abc"}`, `{}`},
		answer: DatasetInfo{Name: "scenes.zip", Classes: []string{"a", "b"}, Kept: true}},
	callCase[EditRequest, DatasetEdits, None]{c: EditDataset,
		good: EditRequest{Edits: []Edit{{Name: "seg_train/seg_train/glacier/1.jpg", Class: "mountain"}, {Name: "seg_train/seg_train/sea/2.jpg", Exclude: true}}},
		bad: []string{`{}`, `{"edits":[]}`, `{"edits":[{"class":"sea"}]}`, `{"edits":[{"name":"a.jpg"}]}`,
			`{"edits":[{"name":"a.jpg","exclude":true},{"name":"a.jpg","class":"sea","exclude":true}]}`, `{"edits":[{"name":"a.jpg","exclude":true,"undo":true}]}`},
		answer: DatasetEdits{Edits: []ImageEdit{{Name: "a/glacier/1.jpg", From: "glacier", To: "mountain"}, {Name: "a/sea/2.jpg", From: "sea", Excluded: true}},
			Splits: []SplitInfo{{Name: "training", Counts: []int{3, 4}}}, Images: 7}},
	callCase[DownloadRequest, ZipWritten, ZipPart]{c: Download,
		good:   DownloadRequest{},
		bad:    []string{`[1]`},
		answer: ZipWritten{Name: "scenes (edited).zip", Images: 299, Bytes: 1 << 20},
		notice: ZipPart{Progress: Progress{Stage: "writing the zip", Done: 64, Total: 299}}},
	callCase[EvaluateRequest, Evaluation, Progress]{c: Evaluate,
		good:   EvaluateRequest{Name: "built-in", URL: "/assets/model.safetensors", Workers: 2},
		bad:    []string{`{"name":1}`, `{"name":"m","workers":17}`, `{"name":"m","workers":-1}`},
		answer: Evaluation{Model: "built-in", Split: "test", Classes: []string{"a", "b"}, Matrix: [][]int{{3, 1}, {0, 4}}, Loss: 0.5, Predicted: []int{0, 1}, Workers: 2}},
	callCase[ThumbnailsRequest, ThumbnailSet, None]{c: Thumbnails,
		good:   ThumbnailsRequest{Names: []string{"train/sea/1.jpg", "train/street/2.jpg"}},
		bad:    []string{`{}`, `{"names":[]}`, `{"names":1}`},
		answer: ThumbnailSet{Thumbs: []Thumb{{Name: "train/sea/1.jpg", Length: 10}}}},
	callCase[CellRequest, CellImages, None]{c: Cell,
		good:   CellRequest{Split: SplitValidation, Actual: 1, Predicted: 2, From: 60, Limit: 60},
		bad:    []string{`{"actual":-1,"limit":5}`, `{"limit":0}`, `{"limit":1001}`, `{"split":"train","limit":5}`, `{"from":-1,"limit":5}`},
		answer: CellImages{Images: []ImageResult{{Thumb: Thumb{Name: "a.jpg", Class: 1, Length: 10}, Index: 3, TrueProb: 0.25, Top: []Prediction{{"b", 0.5}}}}, Total: 4}},
	callCase[TopLossesRequest, CellImages, None]{c: TopLosses,
		good:   TopLossesRequest{Split: SplitValidation, From: 24, Limit: 20},
		bad:    []string{`{"limit":0}`, `{"limit":1001}`, `{"split":"train","limit":5}`, `{"from":-2,"limit":5}`},
		answer: CellImages{Images: []ImageResult{{Thumb: Thumb{Name: "a.jpg", Class: 1, Length: 10}, Index: 3, TrueProb: 0.25, Top: []Prediction{{"b", 0.5}}}}, Total: 60}},
	callCase[ExplainImageRequest, Explained, None]{c: ExplainCell,
		good:   ExplainImageRequest{Split: SplitTest, Index: 3, Class: "sea"},
		bad:    []string{`{"index":3}`, `{"index":-1,"class":"sea"}`, `{"split":"train","index":3,"class":"sea"}`},
		answer: Explained{Class: "sea"}},
	callCase[TrainRequest, TrainResult, TrainNotice]{c: Train,
		good: TrainRequest{Run: "r1", Name: "scenes.zip", Recipe: ptr(nn.QuickRecipe()), Workers: 2, KeepBest: true},
		bad:  []string{`{"name":"a.zip","recipe":{}}`, `{"run":"r1"}`, `{"run":"r1","resume":true,"recipe":{}}`, `{"run":"r1","resume":true,"workers":17}`},
		answer: TrainResult{Epochs: []nn.Epoch{{Epoch: 1, TrainLoss: 1.5, TrainAcc: 0.5, ValLoss: 1.25, ValAcc: 0.5, LR: 0.01, Seconds: 3}},
			Ended: EndedDone, Kept: 1, Recipe: nn.QuickRecipe(), Source: "trained here"},
		notice: TrainNotice{Progress: Progress{Stage: StageTraining, Done: 3, Total: 12},
			Step:       &TrainStep{StepInfo: nn.StepInfo{Epoch: 1, Step: 3, InEpoch: 3, Loss: 1.75, Images: 16, LR: 0.001, Beta1: 0.95}, Seconds: 2.5},
			Checkpoint: &CheckpointKept{Step: 3, Pause: true, Bytes: 1000, Seconds: 0.25}}},
	callCase[ForgetRunRequest, None, None]{c: ForgetRun,
		good: ForgetRunRequest{Run: "r1"},
		bad:  []string{`{}`}},
	callCase[BenchRequest, BenchResult, None]{c: BenchTrain,
		good: BenchRequest{Name: "images.zip", Batch: 64, Steps: 5, Kernel: KernelSIMD, Workers: 2},
		bad: []string{`{"steps":3}`, `{"batch":5000,"steps":1}`, `{"batch":64,"steps":1,"kernel":"gpu"}`, `{"batch":64,"steps":1,"kernel":"simd-fma"}`,
			`{"batch":64,"steps":1,"workers":17}`, `{"batch":2,"steps":1,"workers":3}`},
		answer: BenchResult{Kernel: KernelGo, Workers: 2, Batch: 64, Steps: 3, Seconds: 2.5, ImagesPerSec: 76.8, Losses: []float64{1.75, 1.5}}},
	callCase[BenchRequest, BenchResult, None]{c: BenchInfer,
		good: BenchRequest{Name: "images.zip", Batch: 1, Steps: 1},
		bad:  []string{`{"batch":64}`, `{"batch":64,"steps":1,"workers":2}`}},
	callCase[DecodeRequest, None, Decoded]{c: Decode,
		good:   DecodeRequest{Name: "a.zip", Size: 32, Lo: 64, Hi: 128},
		bad:    []string{`{"size":0,"hi":3}`, `{"size":32,"lo":5,"hi":3}`},
		notice: Decoded{Progress: Progress{Stage: "decoding images", Done: 64, Total: 64}, Failed: []Failure{{At: 3, Reason: "not an image"}}}},
	callCase[ReplicaRequest, None, None]{c: Replica,
		good: ReplicaRequest{Recipe: nn.ReferenceRecipe(), Norm: data.Normalization{Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.25, 0.25, 0.25}}, Kernel: KernelGo},
		bad:  []string{`{"kernel":"gpu"}`, `{"recipe":7}`}},
	callCase[ShardRequest, Sharded, None]{c: Shard,
		good:   ShardRequest{Step: 3, Share: 1, Batch: 64, Images: 32, Size: 32},
		bad:    []string{`{"batch":8,"images":9,"size":32}`, `{"batch":8,"images":0,"size":32}`, `{"batch":8,"images":4}`, `{"batch":8,"images":4,"size":32,"step":-1}`, `{"batch":8,"images":4,"size":4294967296}`, `{"batch":5000,"images":4,"size":32}`, `{"batch":8,"images":4,"size":32,"share":16}`},
		answer: Sharded{Right: 3}},
	callCase[PredictorRequest, None, None]{c: Predictor,
		good: PredictorRequest{Name: "built-in", Kernel: KernelSIMD},
		bad:  []string{`{"kernel":"gpu"}`, `{"name":3}`}},
	callCase[PredictRequest, None, None]{c: Predict,
		good: PredictRequest{Images: 64, Size: 32},
		bad:  []string{`{"images":0,"size":32}`, `{"images":5000,"size":32}`, `{"images":4}`, `{"images":4,"size":2000}`}},
	callCase[CancelRequest, None, None]{c: Cancel, good: CancelRequest{Target: 4}, bad: []string{`{}`}},
	callCase[ControlRequest, None, None]{c: Control, good: ControlRequest{Target: 4, Action: Pause}, bad: []string{`{"target":4,"action":"dance"}`, `{"action":"stop"}`}},
	eventCase[ReadyEvent]{e: Ready, good: ReadyEvent{Kernel: KernelSIMDFMA}},
	eventCase[None]{e: Exit},
}

func ptr[T any](v T) *T { return &v }

// TestEveryKind runs the test of every kind, and checks that every kind
// defined has one.
func TestEveryKind(t *testing.T) {
	tested := map[Kind]bool{}
	for _, kc := range kindCases {
		tested[kc.kind()] = true
		t.Run(string(kc.kind()), kc.run)
	}
	for _, k := range Kinds() {
		if !tested[k] {
			t.Errorf("the kind %q has no test", k)
		}
	}
}

// TestReadHeadRefuses checks heads that are no message, or of no kind.
func TestReadHeadRefuses(t *testing.T) {
	for _, tc := range []struct {
		head   string
		wantID uint64
	}{
		{``, 0},
		{`null`, 0},
		{`[1,2,3]`, 0},
		{`{"id":"7"}`, 0},
		{`{"id":7,"kind":"dance","part":"request"}`, 7},
		{`{"id":7,"kind":"classify","part":"shout","payload":{"topK":1}}`, 7},
		{`{"kind":"classify","part":"request","payload":{"topK":1}}`, 0},
		{`{"id":9,"kind":"classify","part":"answer","payload":{},"error":{"code":"failed","message":"x"}}`, 9},
		{`{"id":9,"kind":"classify","part":"request","payload":{"topK":1},"error":{"code":"failed","message":"x"}}`, 9},
	} {
		got, err := ReadHead(tc.head)
		if !errors.Is(err, ErrMessage) {
			t.Errorf("ReadHead(%q): got error %v, want one wrapping ErrMessage", tc.head, err)
		}
		if got.ID != tc.wantID {
			t.Errorf("ReadHead(%q): got ID %d, want %d", tc.head, got.ID, tc.wantID)
		}
	}
}

// TestAnswerNaN checks that an answer JSON cannot hold becomes an error
// answer to the same request, rather than a panic.
func TestAnswerNaN(t *testing.T) {
	nan := float32(math.NaN())
	h, err := ReadHead(Classify.Answer(9, Classified{Top: []Prediction{{"sea", nan}}}))
	if err != nil || h.ID != 9 || h.Kind != Classify.Kind() || h.Error == nil || h.Error.Code != Internal ||
		!strings.Contains(h.Error.Message, "cannot be sent") || len(h.Payload) > 0 {
		t.Errorf("got %+v (%v), want an error answer to request 9", h, err)
	}
}

// TestErrorWords checks how an Error reads with and without its file.
func TestErrorWords(t *testing.T) {
	e := &Error{Code: BadInput, File: "x.jpg", Message: "not an image"}
	for _, tc := range []struct{ got, want string }{
		{e.Error(), "x.jpg: not an image"},
		{e.About("x.jpg"), "not an image"},
		{e.About("photos.zip"), "x.jpg: not an image"},
		{(&Error{Code: Failed, Message: "full"}).About("a"), "full"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if !IsCancelled(&Error{Code: Cancelled}) || IsCancelled(nil) || IsCancelled(e) {
		t.Error("IsCancelled")
	}
}

// TestImmediateKinds checks that exactly Cancel and Control are handled
// as they arrive.
func TestImmediateKinds(t *testing.T) {
	var got []Kind
	for _, k := range Kinds() {
		if Immediate(k) {
			got = append(got, k)
		}
	}
	slices.Sort(got)
	if want := []Kind{Cancel.Kind(), Control.Kind()}; !slices.Equal(got, want) {
		t.Errorf("immediate kinds: got %v, want %v", got, want)
	}
}
