package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// A training run in the page: the data set worker trains on its data
// set with nn.Run, as cmd/resnet train does, data-parallel over helper
// workers it starts (see helpers.go), whose BatchNorms see their own
// shares (nn.Recipe.BatchNormPerShare). Between steps it reads what the
// page asked (pause, resume, stop). It tells the page every step, and
// every epoch the model as that epoch left it, so that the page keeps it
// should this worker die; at each epoch's end and on Pause it keeps a
// checkpoint in the browser's storage (see kept.go), for the run to
// resume after a reload.

// Patience with a helper worker: a killed worker says nothing, so one
// that does not answer for helperPatience step times, and at least
// minPatience, counts as dead.
const (
	helperPatience = 6
	minPatience    = 5 * time.Second
)

// pausedNotice is how often a paused run says it is paused: the page
// counts a worker silent for a minute as hung.
const pausedNotice = 10 * time.Second

// patient is a replica whose wait for an answer can be bounded.
type patient interface{ setPatience(time.Duration) }

// predicting is a replica that classifies too: a helper worker, which
// the run's validations share with this worker.
type predicting interface {
	predictor(q protocol.PredictorRequest, model []byte) (predictor, error)
}

// classifyOrAlone is classifySet on a run's helpers or, where one fails,
// on this worker alone: a run's validations and last evaluations do not
// fail with a helper (nor lose the model trained); the next step, if
// any, finds the helper lost and ends the run.
func classifyOrAlone(r *request, m *nn.Model, helpers []predictor, ds *dataset, set *data.Set, stage string, progress func(protocol.Progress)) (*protocol.Evaluation, *evaluation, error) {
	ev, e, err := classifySet(r, m, helpers, ds, set, stage, progress)
	if err != nil && len(helpers) > 0 && !errors.Is(err, errCancelled) {
		return classifySet(r, m, nil, ds, set, stage, progress)
	}
	return ev, e, err
}

// validators returns the helpers among reps set up to classify with m,
// for an epoch's validation or the run's last evaluations: none when one
// cannot be set up (its worker died, say), and the validation is this
// worker's alone. patience, when not 0, is how long each may then be
// silent, as between steps: a helper killed during or after the
// validation is seen as dead as soon as during a step.
func validators(reps []nn.Replica, m *nn.Model, patience time.Duration) []predictor {
	var ps []predictor
	var b []byte
	for _, rep := range reps {
		h, ok := rep.(predicting)
		if !ok {
			continue
		}
		if b == nil {
			b = modelBytes(m)
		}
		p, err := h.predictor(protocol.PredictorRequest{Name: "the model in training"}, b)
		if err != nil {
			return nil
		}
		if pt, ok := rep.(patient); ok && patience > 0 {
			pt.setPatience(patience)
		}
		ps = append(ps, p)
	}
	return ps
}

// train answers a TrainRequest: it trains a fresh model of the loaded
// data set's classes, or goes on with the run kept, and returns the
// result and the model's file.
func (d *datasets) train(r *request, q protocol.TrainRequest) (protocol.TrainResult, []byte, error) {
	ds := d.dataset
	if ds == nil {
		return protocol.TrainResult{}, nil, errNoDataset
	}
	var rec nn.Recipe
	workers := max(q.Workers, 1)
	var resumed *resumption
	if q.Resume {
		var err error
		if resumed, err = d.readKeptRun(q.Run); err != nil {
			return protocol.TrainResult{}, nil, err
		}
		rec, workers = resumed.recipe, resumed.saved.Workers
	} else {
		rec = *q.Recipe
	}
	rec.BatchNormPerShare = workers > 1
	rec.Config.Classes = len(ds.archive.Train.Classes)
	if err := rec.Validate(); err != nil {
		return protocol.TrainResult{}, nil, badInput(err)
	}
	if err := rec.CheckWorkers(workers); err != nil {
		return protocol.TrainResult{}, nil, badInput(err)
	}
	tell := func(n protocol.TrainNotice, body []byte) { r.tell(protocol.Train.Notice(r.ID(), n), body) }
	at, err := d.sideOf(r, ds, rec.Config.InputSize, func(p protocol.Progress) { tell(protocol.TrainNotice{Progress: p}, nil) })
	if err != nil {
		return protocol.TrainResult{}, nil, err
	}
	if resumed != nil {
		if digest, _ := at.hashed(); resumed.record.Dataset != digest {
			return protocol.TrainResult{}, nil, errors.New("the data set loaded is not the run's")
		}
	}
	reps, stop, run, err := d.newRun(rec, at.archive, workers, q)
	defer stop()
	if err != nil {
		return protocol.TrainResult{}, nil, err
	}
	plan := &protocol.TrainPlan{Steps: run.TotalSteps(), StepsPerEpoch: run.StepsPerEpoch(), Train: run.Train.Len(), Validation: lenOf(run.Val),
		Params: run.Model.NumParams(), Arch: run.Model.Meta.Arch, Workers: workers, Kernel: d.kernels.name()}
	worked := time.Duration(0) // time trained, pauses left out
	record := store.Run{ID: q.Run, Recipe: run.Recipe, Workers: workers, Kernel: plan.Kernel, DatasetName: q.Name, Steps: plan.Steps, KeepBest: q.KeepBest}
	if resumed != nil {
		if _, err := run.ReadCheckpoint(bytes.NewReader(resumed.ckpt), int64(len(resumed.ckpt)), workers); err != nil {
			return protocol.TrainResult{}, nil, err
		}
		worked = time.Duration(resumed.saved.Seconds * float64(time.Second))
		plan.Resumed, plan.ResumedBytes, plan.ResumedSeconds = run.Trainer.Steps(), int64(len(resumed.ckpt)), resumed.took.Seconds()
		if resumed.saved.Kernel != plan.Kernel {
			plan.Rounding = fmt.Sprintf("The run was saved computing with the %s kernel and goes on with the %s kernel, which rounds differently: it will not end with exactly the weights it would have had.", resumed.saved.Kernel, plan.Kernel)
		}
		record.KeepBest, record.Progress = resumed.record.KeepBest, resumed.record.Progress
	}
	tell(protocol.TrainNotice{Progress: protocol.Progress{Stage: "keeping the data set in the browser"}}, nil)
	d.keep(plan, at)
	record.Dataset, record.Progress.Plan = plan.Dataset, plan
	tell(protocol.TrainNotice{Progress: protocol.Progress{Stage: protocol.StageTraining, Done: run.Trainer.Steps(), Total: run.TotalSteps()}, Plan: plan}, nil)

	res := protocol.TrainResult{Recipe: run.Recipe, Ended: protocol.EndedDone}
	for _, e := range run.Model.Meta.History { // of a resumed run
		res.Epochs = append(res.Epochs, e)
		res.Kept = e.Epoch
	}
	var best []byte // the kept epoch's model, when the best is kept
	bestAcc := -1.0
	checkpoint := func(pause bool) {
		if d.keeper == nil { // the plan said the run cannot resume
			return
		}
		ck := protocol.CheckpointKept{Step: run.Trainer.Steps(), Epoch: run.Epochs(), Pause: pause}
		b := run.CheckpointBytes(nn.Checkpoint{Workers: workers, Kernel: plan.Kernel, Seconds: worked.Seconds()})
		ck.Bytes, ck.Seconds, ck.Failed = d.keepCheckpoint(record, ck, b, at)
		stage := protocol.StageTraining
		if pause {
			stage = protocol.StagePaused
		}
		tell(protocol.TrainNotice{Progress: protocol.Progress{Stage: stage, Done: ck.Step, Total: run.TotalSteps()}, Checkpoint: &ck}, nil)
	}
	var patience time.Duration // with a helper, from the last step's time
	for !run.Done() && res.Ended == protocol.EndedDone {
		if waitWhilePaused(r, run, func() { checkpoint(true) }) == protocol.Stop {
			res.Ended = protocol.EndedStopped
			continue
		}
		// On one worker nothing else lets the event loop run, and a pause
		// or stop would wait for the epoch's validation.
		r.yield()
		start := time.Now()
		st, err := run.Next()
		took := time.Since(start)
		worked += took
		patience = max(minPatience, helperPatience*took)
		for _, rep := range reps {
			if p, ok := rep.(patient); ok {
				p.setPatience(patience)
			}
		}
		if err != nil {
			res.Ended, res.Resumable = endedBy(err, run), !errors.Is(err, nn.ErrDiverged)
			break
		}
		step := protocol.TrainStep{StepInfo: st, Seconds: worked.Seconds()}
		record.Progress.Steps = append(record.Progress.Steps, step)
		tell(protocol.TrainNotice{Step: &step,
			Progress: protocol.Progress{Stage: protocol.StageTraining, Done: st.Step, Total: run.TotalSteps(), PerSec: float64(st.Images) / took.Seconds()}}, nil)
		if !st.EndEpoch {
			continue
		}
		e := run.EndEpoch(func(set *data.Set) (float64, float64) {
			ev, _, err := classifyOrAlone(r, run.Model, validators(reps, run.Model, patience), ds, set, "validating", func(p protocol.Progress) {
				tell(protocol.TrainNotice{Progress: p}, nil)
			})
			if err != nil {
				return math.NaN(), math.NaN()
			}
			return ev.Loss, nn.ConfusionMatrix(ev.Matrix).Accuracy()
		})
		res.Epochs = append(res.Epochs, e)
		record.Progress.Epochs = append(record.Progress.Epochs, e)
		model := modelBytes(run.Model)
		tell(protocol.TrainNotice{Progress: protocol.Progress{Stage: protocol.StageTraining, Done: st.Step, Total: run.TotalSteps()}, Epoch: &e}, model)
		res.Kept = e.Epoch
		if q.KeepBest && e.ValAcc > bestAcc {
			best, bestAcc = model, e.ValAcc
		}
		checkpoint(false)
	}
	m := run.Model
	if best != nil {
		kept, err := nn.ReadModel(bytes.NewReader(best), int64(len(best)), "the best epoch")
		if err != nil {
			return protocol.TrainResult{}, nil, err
		}
		m = kept
		for _, e := range res.Epochs {
			if e.ValAcc == bestAcc {
				res.Kept = e.Epoch
				break
			}
		}
	}
	res.Source = sourceOf(run, res, q.KeepBest)
	m.Meta.Source = res.Source
	var helpers []predictor
	if res.Ended == protocol.EndedDone || res.Ended == protocol.EndedStopped {
		helpers = validators(reps, m, patience)
	}
	if err := d.evaluateRun(r, &res, m, helpers, run); err != nil {
		return protocol.TrainResult{}, nil, err
	}
	if !res.Resumable {
		res.Unforgotten = d.forget(q.Run)
	}
	return res, modelBytes(m), nil
}

// newRun returns a run of rec on the archive a on workers workers, its
// replicas, and a func that stops the helper workers it started, also
// on error.
func (d *datasets) newRun(rec nn.Recipe, a *data.Archive, workers int, q protocol.TrainRequest) ([]nn.Replica, func(), *nn.Run, error) {
	var reps []nn.Replica
	stop := func() {}
	run, err := nn.NewRun(rec, a, func(m *nn.Model, rec nn.Recipe, steps int) (*nn.Trainer, error) {
		local, err := nn.NewLocalReplica(m.Net.Config, m.Meta.Norm, rec)
		if err != nil {
			return nil, err
		}
		reps = []nn.Replica{local}
		if q.NaNStep > 0 {
			reps[0] = &nanHook{Replica: local, step: q.NaNStep}
		}
		if workers > 1 {
			helpers, stopHelpers, err := d.spawn.start(workers-1, m, rec, "")
			if err != nil {
				return nil, err
			}
			reps, stop = append(reps, helpers...), stopHelpers
		}
		return nn.NewTrainerOn(m, rec, steps, reps)
	})
	return reps, func() { stop() }, run, err
}

// evaluateRun evaluates m, the model a run ends with, on its held-out
// images and the test split, on this worker and helpers, into res, and
// keeps the evaluations for their cells' images, in place of the last
// run's. The page's Evaluate keeps its own, which its report still shows.
func (d *datasets) evaluateRun(r *request, res *protocol.TrainResult, m *nn.Model, helpers []predictor, run *nn.Run) error {
	if d.evals == nil {
		d.evals = map[string]*evaluation{}
	}
	delete(d.evals, protocol.SplitValidation)
	delete(d.evals, protocol.SplitTest)
	for _, s := range []struct {
		split string
		set   *data.Set
		dst   **protocol.Evaluation
	}{{protocol.SplitValidation, run.Val, &res.Validation}, {protocol.SplitTest, run.Test, &res.Test}} {
		if s.set == nil || s.set.Len() == 0 || len(res.Epochs) == 0 {
			continue
		}
		ev, e, err := classifyOrAlone(r, m, helpers, d.dataset, s.set, "evaluating on the "+s.split+" images", func(p protocol.Progress) {
			r.tell(protocol.Train.Notice(r.ID(), protocol.TrainNotice{Progress: p}), nil)
		})
		if err != nil {
			return err
		}
		if ev.Workers == 1 { // a helper failed: the next split too is this worker's
			helpers = nil
		}
		ev.Model, ev.Split = "the trained model", s.split
		*s.dst, d.evals[s.split] = ev, e
	}
	return nil
}

// waitWhilePaused waits while the run r is asked to pause, calling
// paused once the pause begins and saying it is paused now and then, and
// returns the action asked last.
func waitWhilePaused(r *request, run *nn.Run, paused func()) protocol.Action {
	for first := true; r.asked() == protocol.Pause; first = false {
		if first {
			paused()
		}
		r.tell(protocol.Train.Notice(r.ID(), protocol.TrainNotice{
			Progress: protocol.Progress{Stage: protocol.StagePaused, Done: run.Trainer.Steps(), Total: run.TotalSteps()}}), nil)
		r.waitAsked(pausedNotice)
	}
	return r.asked()
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
func sourceOf(run *nn.Run, res protocol.TrainResult, keepBest bool) string {
	r := run.Recipe
	s := fmt.Sprintf("trained in this page with the %s recipe, seed %d, %d of %d epochs", r.Name, r.Seed, len(res.Epochs), r.Epochs)
	if steps := run.Trainer.Steps(); res.Ended == protocol.EndedStopped && steps < run.TotalSteps() {
		s += fmt.Sprintf(", stopped at step %s of %s", data.CountWords(steps), data.CountWords(run.TotalSteps()))
	}
	for _, e := range res.Epochs {
		if keepBest && e.Epoch == res.Kept && run.Val != nil {
			s += fmt.Sprintf(", the best epoch's weights: epoch %d, validation accuracy %.2f%%", e.Epoch, 100*e.ValAcc)
		}
	}
	return s
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
