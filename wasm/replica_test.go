package main

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/benchdata"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// pipeHelper is a helper worker in this process: requests and answers go
// through their encodings, as between Web Workers.
type pipeHelper struct {
	w            worker
	id           uint64
	resp         protocol.Response
	grads, stats int
	shard        nn.Shard
}

// spawnPipes is a spawner of pipeHelpers; it counts the helpers started.
func spawnPipes(started *int) spawner {
	return func(n int, setup protocol.Request, grads, stats int) ([]nn.Replica, func(), error) {
		reps := make([]nn.Replica, n)
		for i := range reps {
			h := &pipeHelper{grads: grads, stats: stats}
			if resp := h.serve(setup, nil); resp.Error != "" {
				return nil, nil, errors.New(resp.Error)
			}
			reps[i] = h
		}
		*started += n
		return reps, func() {}, nil
	}
}

// serve hands req, through its encoding, to the helper and returns the
// answer through its encoding.
func (h *pipeHelper) serve(req protocol.Request, body []byte) protocol.Response {
	head, err := protocol.DecodeRequest(protocol.Encode(req))
	if err != nil {
		return protocol.Response{Error: err.Error()}
	}
	resp := h.w.serve(head, slices.Clone(body))
	got, err := protocol.DecodeResponse(protocol.Encode(resp))
	if err != nil {
		return protocol.Response{Error: err.Error()}
	}
	got.Body = slices.Clone(resp.Body)
	return got
}

func (h *pipeHelper) Start(job *nn.Job) {
	h.id++
	req, body, err := shardRequest(nil, h.id, job)
	if err != nil {
		h.resp = protocol.Response{Error: err.Error()}
		return
	}
	h.resp = h.serve(req, body)
}

func (h *pipeHelper) Wait() (*nn.Shard, error) {
	if h.resp.Error != "" {
		return nil, errors.New(h.resp.Error)
	}
	if err := decodeShard(&h.shard, h.resp, h.grads, h.stats); err != nil {
		return nil, err
	}
	return &h.shard, nil
}

// TestBenchTrainOnHelpers trains on a worker and helpers that get their
// shares through the messages' encodings, and finds the losses of a
// native trainer with as many replicas, to the last bit.
func TestBenchTrainOnHelpers(t *testing.T) {
	zip := benchZip(t)
	const batch, steps = 6, 3
	for _, workers := range []int{2, 3} {
		var started int
		w := worker{spawn: spawnPipes(&started)}
		req := protocol.Request{ID: 1, Kind: protocol.KindBenchTrain, Name: "bench.zip", Batch: batch, Steps: steps - 1, Workers: workers, Kernel: protocol.KernelGo}
		resp := w.serve(req, zip)
		if resp.Error != "" || resp.Bench == nil {
			t.Fatalf("%d workers: got %+v, want a result", workers, resp)
		}
		if started != workers-1 || resp.Bench.Workers != workers {
			t.Errorf("%d workers: %d helpers started, result says %d workers", workers, started, resp.Bench.Workers)
		}
		want, err := benchdata.Losses(zip, batch, steps, workers)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(resp.Bench.Losses, want) {
			t.Errorf("%d workers: losses %v, want the native trainer's %v", workers, resp.Bench.Losses, want)
		}
		if one, err := benchdata.Losses(zip, batch, steps, 1); err != nil || slices.Equal(one, want) {
			t.Errorf("%d replicas train exactly as 1 does (%v, %v): this test cannot tell them apart", workers, one, err)
		}
	}
}

func TestBenchTrainWithoutHelpers(t *testing.T) {
	var w worker // no spawner: not in a browser
	req := protocol.Request{ID: 1, Kind: protocol.KindBenchTrain, Name: "bench.zip", Batch: 4, Steps: 1, Workers: 2}
	if resp := w.serve(req, benchZip(t)); !strings.Contains(resp.Error, "cannot start helper workers") {
		t.Errorf("got %+v, want an error saying helpers cannot start", resp)
	}
}

func TestShardRefusals(t *testing.T) {
	var w worker
	req := protocol.Request{ID: 2, Kind: protocol.KindShard, Batch: 2, Images: 1, Size: 32}
	if resp := w.serve(req, nil); !strings.Contains(resp.Error, "not a replica") {
		t.Errorf("a shard before the setup: got %+v", resp)
	}
	m, err := nn.NewModel(nn.Reference(), nn.SceneClasses, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if resp := w.serve(replicaRequest("x.zip", m, nn.ReferenceRecipe(), ""), nil); resp.Error != "" {
		t.Fatalf("setup: %v", resp.Error)
	}
	if resp := w.serve(protocol.Request{ID: 3, Kind: protocol.KindShard, Batch: 2, Images: 1, Size: 31}, nil); !strings.Contains(resp.Error, "side 31 for a network of 32") {
		t.Errorf("images of another size: got %+v", resp)
	}
	if resp := w.serve(req, make([]byte, 100)); !strings.Contains(resp.Error, "a shard of 100 bytes") {
		t.Errorf("a short body: got %+v", resp)
	}
	_, _, state := nn.ShardSizes(w.replica.Params())
	body := make([]byte, 4*state+4+3*32*32)
	body[4*state] = 6 // label 6 of 6 classes
	if resp := w.serve(req, body); !strings.Contains(resp.Error, "label 6 of 6 classes") {
		t.Errorf("a label out of range: got %+v", resp)
	}
	bad := replicaRequest("x.zip", m, nn.ReferenceRecipe(), "")
	bad.Replica = []byte(`{"recipe":{"epochs":0}}`)
	if resp := w.serve(bad, nil); !strings.Contains(resp.Error, "epochs 0") {
		t.Errorf("a bad recipe: got %+v", resp)
	}
}

// TestHelperDiverges checks that a share whose loss is not a number
// reaches the trainer through the answer's encoding, which JSON alone
// could not carry, as ErrDiverged, and that the model is left alone.
func TestHelperDiverges(t *testing.T) {
	run, err := benchdata.New(benchZip(t), "bench.zip", 4)
	if err != nil {
		t.Fatal(err)
	}
	m := run.Model
	var started int
	grads, stats, _ := nn.ShardSizes(m.Net.Params())
	helpers, _, err := spawnPipes(&started)(1, replicaRequest("bench.zip", m, run.Recipe, protocol.KernelGo), grads, stats)
	if err != nil {
		t.Fatal(err)
	}
	local, err := nn.NewLocalReplica(m.Net.Config, m.Meta.Norm, run.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := nn.NewTrainerOn(m, run.Recipe, 1, []nn.Replica{local, helpers[0]})
	if err != nil {
		t.Fatal(err)
	}
	fc := m.Net.Params()[len(m.Net.Params())-1] // the classifier's bias
	fc.Value.Data[0] = float32(math.NaN())
	before := slices.Clone(m.Net.Params()[0].Value.Data)
	if _, _, err := tr.Step(run.Set, run.Batch); !errors.Is(err, nn.ErrDiverged) {
		t.Fatalf("got error %v, want one wrapping nn.ErrDiverged", err)
	}
	if !slices.Equal(m.Net.Params()[0].Value.Data, before) {
		t.Error("a diverged step changed the model")
	}
}
