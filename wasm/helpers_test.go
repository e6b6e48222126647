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
	tt           *tested
	h            helper
	id           uint64
	answer       protocol.Sharded
	body         []byte
	err          error
	grads, stats int
	shard        nn.Shard
	predictors   int // times set up as a predictor
}

// spawnPipes is a spawner of pipeHelpers; it counts the helpers started.
func spawnPipes(started *int) spawner {
	return func(n int, setup protocol.ReplicaRequest, grads, stats int) ([]nn.Replica, func(), error) {
		reps := make([]nn.Replica, n)
		for i := range reps {
			h := &pipeHelper{grads: grads, stats: stats}
			h.tt = serveRole(h.h.handlers())
			if _, _, err := ask(h.tt, protocol.Replica, 1, setup, nil); err != nil {
				return nil, nil, err
			}
			reps[i] = h
		}
		*started += n
		return reps, func() {}, nil
	}
}

// predictor sets the helper up to classify, through the encodings, as
// remoteHelper.predictor does.
func (h *pipeHelper) predictor(q protocol.PredictorRequest, model []byte) (predictor, error) {
	h.id++
	if _, _, err := ask(h.tt, protocol.Predictor, h.id+1, q, model); err != nil {
		return nil, err
	}
	h.predictors++
	return &pipePredictor{tt: h.tt, id: 1 << 32}, nil
}

func (h *pipeHelper) Start(job *nn.Job) {
	h.id++
	q, body, err := shardRequest(nil, job)
	if err != nil {
		h.err = err
		return
	}
	var perr *protocol.Error
	h.answer, h.body, perr = ask(h.tt, protocol.Shard, h.id+1, q, body)
	h.err = nil
	if perr != nil {
		h.err = perr
	}
}

func (h *pipeHelper) Wait() (*nn.Shard, error) {
	if h.err != nil {
		return nil, h.err
	}
	if err := decodeShard(&h.shard, h.answer, h.body, h.grads, h.stats); err != nil {
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
		tt := serveRole((&datasets{spawn: spawnPipes(&started)}).handlers())
		q := protocol.BenchRequest{Name: "bench.zip", Batch: batch, Steps: steps - 1, Workers: workers, Kernel: protocol.KernelGo}
		res, _, perr := ask(tt, protocol.BenchTrain, 1, q, zip)
		if perr != nil {
			t.Fatalf("%d workers: got %v, want a result", workers, perr)
		}
		if started != workers-1 || res.Workers != workers {
			t.Errorf("%d workers: %d helpers started, result says %d workers", workers, started, res.Workers)
		}
		want, err := benchdata.Losses(zip, batch, steps, workers)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Losses, want) {
			t.Errorf("%d workers: losses %v, want the native trainer's %v", workers, res.Losses, want)
		}
		if one, err := benchdata.Losses(zip, batch, steps, 1); err != nil || slices.Equal(one, want) {
			t.Errorf("%d replicas train exactly as 1 does (%v, %v): this test cannot tell them apart", workers, one, err)
		}
	}
}

func TestBenchTrainWithoutHelpers(t *testing.T) {
	tt := serveRole((&datasets{}).handlers()) // no spawner: not in a browser
	q := protocol.BenchRequest{Name: "bench.zip", Batch: 4, Steps: 1, Workers: 2}
	if _, _, err := ask(tt, protocol.BenchTrain, 1, q, benchZip(t)); err == nil || !strings.Contains(err.Message, "cannot start helper workers") {
		t.Errorf("got %+v, want an error saying helpers cannot start", err)
	}
}

func TestShardRefusals(t *testing.T) {
	var h helper
	tt := serveRole(h.handlers())
	q := protocol.ShardRequest{Batch: 2, Images: 1, Size: 32}
	if _, _, err := ask(tt, protocol.Shard, 2, q, []byte{}); err == nil || !strings.Contains(err.Message, "not a replica") {
		t.Errorf("a shard before the setup: got %+v", err)
	}
	m, err := nn.NewModel(nn.Reference(), nn.SceneClasses, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	setup := protocol.ReplicaRequest{Recipe: nn.ReferenceRecipe(), Norm: m.Meta.Norm}
	if _, _, err := ask(tt, protocol.Replica, 3, setup, nil); err != nil {
		t.Fatalf("setup: %v", err)
	}
	if _, _, err := ask(tt, protocol.Shard, 4, protocol.ShardRequest{Batch: 2, Images: 1, Size: 31}, []byte{}); err == nil || !strings.Contains(err.Message, "side 31 for a network of 32") {
		t.Errorf("images of another size: got %+v", err)
	}
	if _, _, err := ask(tt, protocol.Shard, 5, q, make([]byte, 100)); err == nil || !strings.Contains(err.Message, "a shard of 100 bytes") {
		t.Errorf("a short body: got %+v", err)
	}
	_, _, state := nn.ShardSizes(h.replica.Params())
	body := make([]byte, 4*state+4+3*32*32)
	body[4*state] = 6 // label 6 of 6 classes
	if _, _, err := ask(tt, protocol.Shard, 6, q, body); err == nil || !strings.Contains(err.Message, "label 6 of 6 classes") {
		t.Errorf("a label out of range: got %+v", err)
	}
	bad := setup
	bad.Recipe.Epochs = 0
	if _, _, err := ask(tt, protocol.Replica, 7, bad, nil); err == nil || !strings.Contains(err.Message, "epochs: 0 is out of range") {
		t.Errorf("a bad recipe: got %+v", err)
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
	helpers, _, err := spawnPipes(&started)(1, protocol.ReplicaRequest{Recipe: run.Recipe, Norm: m.Meta.Norm, Kernel: protocol.KernelGo}, grads, stats)
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
