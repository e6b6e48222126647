package main

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// mapKeeper keeps data sets and runs in memory, as the browser's storage
// does.
type mapKeeper struct {
	mu     sync.Mutex
	sets   map[string][3][]byte
	runs   map[string]store.Run
	ckpts  map[string][]byte
	full   bool // refuse every write, as a full storage does
	writes int  // checkpoints written
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
	if k.full {
		return store.ErrFull
	}
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

func (k *mapKeeper) PutCheckpoint(r store.Run, ckpt []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.full {
		return store.ErrFull
	}
	if k.runs == nil {
		k.runs, k.ckpts = map[string]store.Run{}, map[string][]byte{}
	}
	k.runs[r.ID], k.ckpts[r.ID] = r, bytes.Clone(ckpt)
	k.writes++
	return nil
}

func (k *mapKeeper) Run(id string) (store.Run, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r, ok := k.runs[id]
	if !ok {
		return store.Run{}, errors.New("no such run")
	}
	return r, nil
}

func (k *mapKeeper) Checkpoint(id string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.ckpts[id]
	if !ok {
		return nil, errors.New("no such checkpoint")
	}
	return c, nil
}

func (k *mapKeeper) DeleteRun(id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.runs, id)
	delete(k.ckpts, id)
	return nil
}

// TestTrainResumesFromCheckpoint pauses a run in its second epoch, which
// keeps its checkpoint, and ends the worker's run there, as a reload
// does; a fresh worker loads the data set kept and goes on from the
// checkpoint: the same weights as a run never interrupted, and the
// run's figures so far kept with it.
func TestTrainResumesFromCheckpoint(t *testing.T) {
	plain := trainSample(t, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 2}, nil)
	if plain.err != nil {
		t.Fatal(plain.err)
	}
	k := &mapKeeper{}
	d, tt, _, _ := loadSampleToTrain(t, 1)
	d.keeper, d.spawn = k, spawnPipes(new(int))
	var plan *protocol.TrainPlan
	var paused *protocol.CheckpointKept
	run := trainOn(t, tt, protocol.TrainRequest{Run: "r1", Recipe: smallRecipe(), Workers: 2, KeepBest: true}, func(s *server, n protocol.TrainNotice) {
		switch {
		case n.Plan != nil:
			plan = n.Plan
		case n.Step != nil && n.Step.Step == 8:
			s.controls.set(trainID, protocol.Pause)
		case n.Checkpoint != nil && n.Checkpoint.Pause:
			paused = n.Checkpoint
			// A reload: the run is gone, its checkpoint kept. (Stop would
			// forget it.)
			k.mu.Lock()
			k.runs["kept"], k.ckpts["kept"] = k.runs["r1"], k.ckpts["r1"]
			k.mu.Unlock()
			s.controls.set(trainID, protocol.Stop)
		}
	})
	if run.err != nil || paused == nil || plan == nil || plan.Dataset == "" || plan.Kept != "" || !k.HasDataset(plan.Dataset) {
		t.Fatalf("no checkpoint on pause, or the data set not kept: %v, plan %+v", run.err, plan)
	}
	if paused.Step != 8 || paused.Epoch != 1 || paused.Failed != "" || paused.Bytes == 0 {
		t.Errorf("the checkpoint on pause: %+v", paused)
	}
	if _, err := k.Run("r1"); err == nil {
		t.Error("a run stopped is still kept")
	}
	kept, _ := k.Run("kept")
	if kept.Step != 8 || kept.Epoch != 1 || kept.Workers != 2 || !kept.KeepBest || kept.Dataset != plan.Dataset || kept.DatasetName != "sample-scenes.zip" ||
		len(kept.Progress.Steps) != 8 || len(kept.Progress.Epochs) != 1 || kept.Progress.Plan == nil || kept.Recipe.Name != "default" {
		t.Errorf("the run kept: %+v", kept)
	}

	fresh := &datasets{keeper: k, spawn: spawnPipes(new(int))}
	ft := serveRole(fresh.handlers())
	info, samples, err := ask(ft, protocol.LoadKept, 1, protocol.LoadKeptRequest{Name: "sample", Digest: plan.Dataset}, nil)
	if err != nil || !info.Kept || info.Images != 300 || len(info.Samples) == 0 || len(samples) == 0 {
		t.Fatalf("loading the kept data set: %v %+v", err, info)
	}
	// The run is not resumed on another data set: here the sample with an
	// image left out.
	od, ot, _, _ := loadSampleToTrain(t, 1)
	od.keeper, od.spawn = k, spawnPipes(new(int))
	edit(t, ot, protocol.Edit{Name: "intel-scenes-sample/train/sea/12852.jpg", Exclude: true})
	if run := trainOn(t, ot, protocol.TrainRequest{Run: "kept", Resume: true}, nil); run.err == nil || !strings.Contains(run.err.Message, "the data set loaded is not the run's") {
		t.Errorf("resuming on another data set: %+v", run.err)
	}
	var resumed *protocol.TrainPlan
	out := trainOn(t, ft, protocol.TrainRequest{Run: "kept", Resume: true}, func(_ *server, n protocol.TrainNotice) {
		if n.Plan != nil {
			resumed = n.Plan
		}
	})
	if out.err != nil {
		t.Fatal(out.err)
	}
	if resumed == nil || resumed.Resumed != 8 || resumed.ResumedBytes == 0 || resumed.Workers != 2 || len(out.res.Epochs) != 2 || out.res.Test == nil {
		t.Errorf("resumed: plan %+v, result %+v", resumed, out.res)
	}
	if !reflect.DeepEqual(tensorsOf(t, plain.model), tensorsOf(t, out.model)) {
		t.Error("the run resumed from its checkpoint ends with other weights than one never interrupted")
	}
	if _, err := k.Run("kept"); err == nil {
		t.Error("a run resumed to its end is still kept")
	}
	if _, _, err := ask(ft, protocol.LoadKept, 3, protocol.LoadKeptRequest{Name: "x", Digest: strings.Repeat("0", 64)}, nil); err == nil {
		t.Error("a data set never kept loaded")
	}
	if run := trainOn(t, ft, protocol.TrainRequest{Run: "gone", Resume: true}, nil); run.err == nil || !strings.Contains(run.err.Message, "could not be read") {
		t.Errorf("resuming a run not kept: %+v", run.err)
	}
}

// TestTrainWithFullStorage trains where the storage refuses every
// write: the run goes on, and says the data set and its checkpoints could
// not be kept.
func TestTrainWithFullStorage(t *testing.T) {
	k := &mapKeeper{full: true}
	d, tt, _, _ := loadSampleToTrain(t, 1)
	d.keeper, d.spawn = k, spawnPipes(new(int))
	run := trainOn(t, tt, protocol.TrainRequest{Recipe: smallRecipe(), Workers: 1}, nil)
	if run.err != nil || run.res.Ended != protocol.EndedDone {
		t.Fatalf("%v, %+v", run.err, run.res)
	}
	var checkpoints int
	for _, n := range run.notices {
		if n.Plan != nil && !strings.Contains(n.Plan.Kept, "full") {
			t.Errorf("the plan says the data set is kept: %+v", n.Plan)
		}
		if c := n.Checkpoint; c != nil {
			checkpoints++
			if !strings.Contains(c.Failed, "full") || c.Bytes != 0 {
				t.Errorf("a checkpoint kept in a full storage: %+v", c)
			}
		}
	}
	if checkpoints != 2 || k.writes != 0 {
		t.Errorf("%d checkpoint notices, %d written; want 2 and 0", checkpoints, k.writes)
	}
}

// TestForgetRun checks that the page's ForgetRun forgets a run kept.
func TestForgetRun(t *testing.T) {
	k := &mapKeeper{}
	k.PutCheckpoint(store.Run{ID: "old"}, []byte("ckpt"))
	tt := serveRole((&datasets{keeper: k}).handlers())
	if _, _, err := ask(tt, protocol.ForgetRun, 1, protocol.ForgetRunRequest{Run: "old"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Run("old"); err == nil {
		t.Error("the run is still kept")
	}
	none := serveRole((&datasets{}).handlers())
	if _, _, err := ask(none, protocol.ForgetRun, 1, protocol.ForgetRunRequest{Run: "old"}, nil); err == nil || !strings.Contains(err.Message, "keeps nothing") {
		t.Errorf("forgetting where nothing is kept: %+v", err)
	}
}
