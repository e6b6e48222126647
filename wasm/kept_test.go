package main

import (
	"bytes"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// mapKeeper keeps data sets in memory, as the browser's storage does.
type mapKeeper struct {
	mu   sync.Mutex
	sets map[string][3][]byte
}

func (k *mapKeeper) HasDataset(d string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.sets[d]
	return ok
}

func (k *mapKeeper) PutDataset(d string, header, train, test []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sets == nil {
		k.sets = map[string][3][]byte{}
	}
	k.sets[d] = [3][]byte{bytes.Clone(header), bytes.Clone(train), bytes.Clone(test)}
	return nil
}

func (k *mapKeeper) Dataset(d string, make func([]byte) ([]byte, []byte, error)) error {
	k.mu.Lock()
	s, ok := k.sets[d]
	k.mu.Unlock()
	if !ok {
		return errors.New("not kept")
	}
	train, test, err := make(s[0])
	if err != nil {
		return err
	}
	copy(train, s[1])
	copy(test, s[2])
	return nil
}

// TestTrainResumesFromCheckpoint pauses a run in its second epoch, takes
// the checkpoint written on Pause and ends the worker's run there, as a
// reload does; a fresh worker loads the data set kept and goes on from
// the checkpoint: the same weights as a run never interrupted.
func TestTrainResumesFromCheckpoint(t *testing.T) {
	plain := trainSample(t, protocol.Request{Recipe: smallRecipe(t), Workers: 2}, nil)
	if plain.resp.Error != "" {
		t.Fatal(plain.resp.Error)
	}
	k := &mapKeeper{}
	w, _ := loadSample(t, 1)
	w.keeper, w.spawn = k, spawnPipes(new(int))
	var ckpt []byte
	var plan *protocol.TrainPlan
	w.notify = func(n protocol.Response) {
		switch {
		case n.Plan != nil:
			plan = n.Plan
		case n.Step != nil && n.Step.Step == 8:
			w.runs.set(n.ID, protocol.ActionPause)
		case n.Checkpoint != nil && n.Checkpoint.Pause:
			ckpt = bytes.Clone(n.Body)
			if n.Checkpoint.Step != 8 || n.Checkpoint.Epoch != 1 {
				t.Errorf("checkpoint on pause: %+v", n.Checkpoint)
			}
			w.runs.set(n.ID, protocol.ActionStop)
		}
	}
	w.serve(protocol.Request{ID: 30, Kind: protocol.KindTrain, Name: "sample", Recipe: smallRecipe(t), Workers: 2}, nil)
	if ckpt == nil || plan == nil || plan.Dataset == "" || plan.Kept != "" || !k.HasDataset(plan.Dataset) {
		t.Fatalf("no checkpoint on pause, or the data set not kept: plan %+v", plan)
	}

	fresh := loadedWorker(t)
	fresh.keeper = k
	fresh.spawn = spawnPipes(new(int))
	resp := fresh.serve(protocol.Request{ID: 1, Kind: protocol.KindLoadKept, Name: "sample", Digest: plan.Dataset}, nil)
	if resp.Error != "" || resp.Dataset == nil || !resp.Dataset.Kept || resp.Dataset.Images != 300 || len(resp.Dataset.Samples) == 0 {
		t.Fatalf("loading the kept data set: %q %+v", resp.Error, resp.Dataset)
	}
	var resumed *protocol.TrainPlan
	fresh.notify = func(n protocol.Response) {
		if n.Plan != nil {
			resumed = n.Plan
		}
	}
	out := fresh.serve(protocol.Request{ID: 2, Kind: protocol.KindTrain, Name: "sample", Resume: true}, ckpt)
	if out.Error != "" {
		t.Fatal(out.Error)
	}
	if resumed == nil || resumed.Resumed != 8 || resumed.Workers != 2 || len(out.Trained.Epochs) != 2 || out.Trained.Test == nil {
		t.Errorf("resumed: plan %+v, result %+v", resumed, out.Trained)
	}
	if !reflect.DeepEqual(tensorsOf(t, plain.resp.Body), tensorsOf(t, out.Body)) {
		t.Error("the run resumed from its checkpoint ends with other weights than one never interrupted")
	}
	if resp := fresh.serve(protocol.Request{ID: 3, Kind: protocol.KindLoadKept, Name: "x", Digest: string(bytes.Repeat([]byte("0"), 64))}, nil); resp.Error == "" {
		t.Error("a data set never kept loaded")
	}
}
