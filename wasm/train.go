package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// A training run in the page: the worker that holds the data set trains
// on it with nn.Run, as cmd/resnet train does, data-parallel over helper
// workers it starts (see replica.go), whose BatchNorms see their own
// shares (nn.Recipe.BatchNormPerShare). Between steps it reads what the
// page asked (pause, resume, stop); every step it sends a notice, every
// epoch the model as that epoch left it, so that the page keeps it
// should this worker die.

// Patience with a helper worker: a killed worker says nothing, so one
// that does not answer for helperPatience step times, and at least
// minPatience, counts as dead.
const (
	helperPatience = 6
	minPatience    = 5 * time.Second
)

// patient is a replica whose wait for an answer can be bounded.
type patient interface{ setPatience(time.Duration) }

// train answers req, a KindTrain request: it trains a fresh model of the
// loaded data set's classes, or goes on with the run of the checkpoint
// ckpt, and returns the result and the model's file.
func (w *worker) train(req protocol.Request, ckpt []byte) (*protocol.TrainResult, []byte, error) {
	ds := w.dataset
	if ds == nil {
		return nil, nil, errNoDataset
	}
	var r nn.Recipe
	workers := max(req.Workers, 1)
	var saved nn.Checkpoint
	if req.Resume {
		var err error
		if r, saved, err = nn.ReadCheckpointInfo(bytes.NewReader(ckpt), int64(len(ckpt))); err != nil {
			return nil, nil, err
		}
		workers = saved.Workers
	} else if err := json.Unmarshal(req.Recipe, &r); err != nil {
		return nil, nil, fmt.Errorf("%w: recipe: %v", protocol.ErrMessage, err)
	}
	r.BatchNormPerShare = workers > 1
	r.Config.Classes = len(ds.archive.Train.Classes)
	if err := r.Validate(); err != nil {
		return nil, nil, err
	}
	if err := r.CheckWorkers(workers); err != nil {
		return nil, nil, err
	}
	if r.Config.InputSize != ds.archive.Train.Size {
		return nil, nil, fmt.Errorf("the recipe takes %d×%d images, and the data set was read at %d×%d", r.Config.InputSize, r.Config.InputSize, ds.archive.Train.Size, ds.archive.Train.Size)
	}
	var reps []nn.Replica
	stop := func() {}
	defer func() { stop() }()
	run, err := nn.NewRun(r, ds.archive, func(m *nn.Model, r nn.Recipe, steps int) (*nn.Trainer, error) {
		local, err := nn.NewLocalReplica(m.Net.Config, m.Meta.Norm, r)
		if err != nil {
			return nil, err
		}
		reps = []nn.Replica{local}
		if req.NaNStep > 0 {
			reps[0] = &nanHook{Replica: local, step: req.NaNStep}
		}
		if workers > 1 {
			if w.spawn == nil {
				return nil, errors.New("this worker cannot start helper workers")
			}
			grads, stats, _ := nn.ShardSizes(m.Net.Params())
			helpers, stopHelpers, err := w.spawn(workers-1, replicaRequest(req.Name, m, r, ""), grads, stats)
			if err != nil {
				return nil, fmt.Errorf("starting %d helper workers: %w", workers-1, err)
			}
			reps, stop = append(reps, helpers...), stopHelpers
		}
		return nn.NewTrainerOn(m, r, steps, reps)
	})
	if err != nil {
		return nil, nil, err
	}
	recipe, _ := json.Marshal(run.Recipe)
	run.Model.Meta.Recipe = recipe
	plan := &protocol.TrainPlan{Steps: run.TotalSteps(), StepsPerEpoch: run.StepsPerEpoch(), Train: run.Train.Len(), Validation: lenOf(run.Val),
		Params: run.Model.NumParams(), Arch: run.Model.Meta.Arch, Workers: workers, Kernel: w.kernelName()}
	worked := time.Duration(0) // time trained, pauses left out
	if req.Resume {
		if _, err := run.ReadCheckpoint(bytes.NewReader(ckpt), int64(len(ckpt)), workers); err != nil {
			return nil, nil, err
		}
		worked = time.Duration(saved.Seconds * float64(time.Second))
		plan.Resumed = run.Trainer.Steps()
		if saved.Kernel != plan.Kernel {
			plan.Rounding = fmt.Sprintf("The run was saved computing with the %s kernel and goes on with the %s kernel, which rounds differently: it will not end with exactly the weights it would have had.", saved.Kernel, plan.Kernel)
		}
	}
	w.progress(req, protocol.Progress{Stage: "keeping the data set in the browser"})
	w.keep(plan)
	w.tell(protocol.Response{ID: req.ID, Kind: protocol.KindProgress, Progress: &protocol.Progress{Stage: "training", Done: run.Trainer.Steps(), Total: run.TotalSteps()},
		Plan: plan})

	res := &protocol.TrainResult{Recipe: recipe, Ended: "done"}
	for _, e := range run.Model.Meta.History { // of a resumed run
		res.Epochs = append(res.Epochs, protocol.TrainEpoch(e))
		res.Kept = e.Epoch
	}
	var best []byte // the kept epoch's model, when the best is kept
	bestAcc := -1.0
	checkpoint := func(pause bool) {
		// The data set again, should another tab have dropped it as no
		// kept run's before this run's first checkpoint.
		w.keepDataset()
		w.tell(protocol.Response{ID: req.ID, Kind: protocol.KindProgress,
			Checkpoint: &protocol.TrainCheckpoint{Step: run.Trainer.Steps(), Epoch: run.Epochs(), Pause: pause},
			Body:       run.CheckpointBytes(nn.Checkpoint{Workers: workers, Kernel: plan.Kernel, Seconds: worked.Seconds()})})
	}
	for !run.Done() && res.Ended == "done" {
		switch w.waitWhilePaused(req, run, func() { checkpoint(true) }) {
		case protocol.ActionStop:
			res.Ended = "stopped"
			continue
		}
		if w.wait != nil {
			// On one worker nothing else lets the event loop run, and a
			// pause or stop would wait for the epoch's validation.
			w.wait()
		}
		start := time.Now()
		st, err := run.Next()
		took := time.Since(start)
		worked += took
		for _, rep := range reps {
			if p, ok := rep.(patient); ok {
				p.setPatience(max(minPatience, helperPatience*took))
			}
		}
		if err != nil {
			res.Ended, res.Resumable = endedBy(err, run), !errors.Is(err, nn.ErrDiverged)
			break
		}
		w.tell(protocol.Response{ID: req.ID, Kind: protocol.KindProgress,
			Progress: &protocol.Progress{Stage: "training", Done: st.Step, Total: run.TotalSteps(), PerSec: float64(st.Images) / took.Seconds()},
			Step:     &protocol.TrainStep{Epoch: st.Epoch, Step: st.Step, InEpoch: st.InEpoch, Loss: st.Loss, LR: st.LR, Beta1: st.Beta1, Seconds: worked.Seconds()}})
		if !st.EndEpoch {
			continue
		}
		e := run.EndEpoch(func(set *data.Set) (float64, float64) {
			ev, _, err := w.classifySet(req, run.Model, ds, set, "validating")
			if err != nil {
				return math.NaN(), math.NaN()
			}
			return ev.Loss, nn.ConfusionMatrix(ev.Matrix).Accuracy()
		})
		te := protocol.TrainEpoch(e)
		res.Epochs = append(res.Epochs, te)
		model := modelBytes(run.Model)
		w.tell(protocol.Response{ID: req.ID, Kind: protocol.KindProgress, Progress: &protocol.Progress{Stage: "training", Done: st.Step, Total: run.TotalSteps()},
			Epoch: &te, Body: model})
		res.Kept = e.Epoch
		if req.KeepBest && e.ValAcc > bestAcc {
			best, bestAcc = model, e.ValAcc
		}
		checkpoint(false)
	}
	m := run.Model
	if best != nil {
		kept, err := nn.ReadModel(bytes.NewReader(best), int64(len(best)), "the best epoch")
		if err != nil {
			return nil, nil, err
		}
		m = kept
		for _, e := range res.Epochs {
			if e.ValAcc == bestAcc {
				res.Kept = e.Epoch
				break
			}
		}
	}
	res.Source = sourceOf(run, res)
	m.Meta.Source = res.Source
	w.evals = map[string]*evaluation{}
	for _, s := range []struct {
		name string
		set  *data.Set
		dst  **protocol.Evaluation
	}{{"validation", run.Val, &res.Validation}, {"test", run.Test, &res.Test}} {
		if s.set == nil || s.set.Len() == 0 || len(res.Epochs) == 0 {
			continue
		}
		ev, e, err := w.classifySet(req, m, ds, s.set, "evaluating on the "+s.name+" images")
		if err != nil {
			return nil, nil, err
		}
		ev.Model, ev.Split = "the trained model", s.name
		*s.dst, w.evals[s.name] = ev, e
	}
	return res, modelBytes(m), nil
}

// pausedNotice is how often a paused run says it is paused: the page
// counts a worker silent for a minute as hung.
const pausedNotice = 10 * time.Second

// waitWhilePaused waits while run req is asked to pause, calling paused
// once the pause begins and saying it is paused now and then, and
// returns the action asked last.
func (w *worker) waitWhilePaused(req protocol.Request, run *nn.Run, paused func()) string {
	for first := true; w.runs.get(req.ID) == protocol.ActionPause; first = false {
		if first {
			paused()
		}
		w.tell(protocol.Response{ID: req.ID, Kind: protocol.KindProgress,
			Progress: &protocol.Progress{Stage: "paused", Done: run.Trainer.Steps(), Total: run.TotalSteps()}})
		w.runs.wait(pausedNotice)
	}
	return w.runs.get(req.ID)
}

// endedBy says in a person's words why a run ended at err.
func endedBy(err error, run *nn.Run) string {
	kept := "no epoch was finished"
	if n := run.Epochs(); n > 0 {
		kept = fmt.Sprintf("the model is as the last good step left it, in epoch %d", n+1)
	}
	if errors.Is(err, nn.ErrDiverged) {
		return fmt.Sprintf("The loss was not a number at step %d, so the run stopped; %s. A lower learning rate, or clipping, may keep it finite.",
			run.Trainer.Steps()+1, kept)
	}
	return fmt.Sprintf("A worker failed at step %d (%s), so the run stopped; %s.", run.Trainer.Steps()+1, nn.Message(err), kept)
}

// sourceOf describes the model of a run, for its card and file.
func sourceOf(run *nn.Run, res *protocol.TrainResult) string {
	r := run.Recipe
	s := fmt.Sprintf("trained in this page with the %s recipe, seed %d, %d of %d epochs", r.Name, r.Seed, len(res.Epochs), r.Epochs)
	for _, e := range res.Epochs {
		if e.Epoch == res.Kept && run.Val != nil {
			s += fmt.Sprintf(", epoch %d kept: validation accuracy %.2f%%", e.Epoch, 100*e.ValAcc)
		}
	}
	return s
}

// tell sends a notice, if the worker has somewhere to send it.
func (w *worker) tell(r protocol.Response) {
	if w.notify != nil {
		w.notify(r)
	}
}

// modelBytes returns m's safetensors file.
func modelBytes(m *nn.Model) []byte {
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		panic(fmt.Sprintf("wasm: writing a model to memory: %v", err)) // a bytes.Buffer does not fail
	}
	return b.Bytes()
}

// lenOf is s.Len(), 0 for no set.
func lenOf(s *data.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

// nanHook is a replica whose shard of step (from 1) has a loss that is
// not a number, as a diverging run's would: the tests' way to see a run
// that diverges.
type nanHook struct {
	nn.Replica
	step int
	at   int // the step of the job at work
}

func (h *nanHook) Start(j *nn.Job) {
	h.at = j.Step + 1
	h.Replica.Start(j)
}

func (h *nanHook) Wait() (*nn.Shard, error) {
	s, err := h.Replica.Wait()
	if err == nil && h.at == h.step {
		s.Loss = math.NaN()
	}
	return s, err
}
