package nn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/intelscenes/resnet-browser/nn/modelfile"
)

// A checkpoint is everything that decides the rest of a run besides its
// recipe and data set: the network's weights and BatchNorm statistics,
// Adam's moments, the step, where in its epoch the run is and that
// epoch's sums so far, the history of the epochs finished, and what the
// arithmetic depends on (the number of workers, what BatchNorm
// normalizes over, the kernel). The random streams derive from the
// seed, the step and the share, so a run resumed from a checkpoint ends
// with the weights of one never interrupted. It is a safetensors file:
// the state dict, the moments as "adam.m.NAME" and "adam.v.NAME", and
// the rest in its metadata.

// Checkpoint is what a checkpoint says of how its run computes.
type Checkpoint struct {
	Workers int
	// Kernel names the GEMM kernel that ran, which decides the rounding:
	// a run resumed on another rounds differently from there on.
	Kernel string
	// Seconds is the time trained so far, pauses left out.
	Seconds float64
}

// The metadata values of BatchNorm's "batchnorm": since replicas in
// goroutines sum their statistics, BatchNorm normalizes over the whole
// batch unless the recipe says per share; a checkpoint without the key
// is from before, when each replica normalized its own share.
const (
	batchNormWhole    = "whole batch"
	batchNormPerShare = "per share"
)

// ErrCheckpoint means a checkpoint does not belong to the run, or is not
// one.
var ErrCheckpoint = errors.New("nn: checkpoint")

// WriteCheckpoint writes the run's checkpoint as it is between steps.
func (r *Run) WriteCheckpoint(w io.Writer, c Checkpoint) error {
	m, v, steps := r.Trainer.Optimizer().State()
	ts := r.Model.Net.StateDict()
	i := 0
	for _, p := range r.Model.Net.Params() {
		if p.Trainable() {
			ts = append(ts,
				modelfile.Tensor{Name: "adam.m." + p.Name, Shape: []int{len(m[i])}, DType: "F32", Data: m[i]},
				modelfile.Tensor{Name: "adam.v." + p.Name, Shape: []int{len(v[i])}, DType: "F32", Data: v[i]})
			i++
		}
	}
	recipe, _ := json.Marshal(r.Recipe)
	history, _ := json.Marshal(r.Model.Meta.History)
	bn := batchNormWhole
	if r.Recipe.BatchNormPerShare {
		bn = batchNormPerShare
	}
	f := strconv.FormatFloat
	meta := map[string]string{
		"recipe": string(recipe), "history": string(history), "classes": strings.Join(r.Model.Meta.Classes, "\n"),
		"epoch": strconv.Itoa(r.epoch), "steps": strconv.Itoa(steps),
		"workers": strconv.Itoa(c.Workers), "batchnorm": bn, "kernel": c.Kernel,
		"seconds": f(c.Seconds, 'g', -1, 64),
	}
	if r.order != nil { // mid-epoch: where, and the epoch's sums so far
		s := r.sums
		meta["position"] = strconv.Itoa(r.pos)
		meta["epoch_sums"] = fmt.Sprintf("%s %d %d %s %s", f(s.loss, 'g', -1, 64), s.right, s.seen, f(s.lr, 'g', -1, 64),
			f(time.Since(s.start).Seconds(), 'g', -1, 64))
	}
	return modelfile.WriteSafetensors(w, ts, meta)
}

// CheckpointBytes returns the run's checkpoint as WriteCheckpoint writes
// it.
func (r *Run) CheckpointBytes(c Checkpoint) []byte {
	var b bytes.Buffer
	if err := r.WriteCheckpoint(&b, c); err != nil {
		panic(fmt.Sprintf("nn: writing a checkpoint to memory: %v", err)) // a bytes.Buffer does not fail
	}
	return b.Bytes()
}

// ReadCheckpointInfo returns the recipe a checkpoint's run has, and how
// it computed, without restoring anything.
func ReadCheckpointInfo(rd io.ReaderAt, size int64) (Recipe, Checkpoint, error) {
	_, meta, err := modelfile.ReadSafetensors(rd, size)
	if err != nil {
		return Recipe{}, Checkpoint{}, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	return checkpointMeta(meta)
}

func checkpointMeta(meta map[string]string) (Recipe, Checkpoint, error) {
	var r Recipe
	if err := json.Unmarshal([]byte(meta["recipe"]), &r); err != nil {
		return Recipe{}, Checkpoint{}, fmt.Errorf("%w: no recipe in it", ErrCheckpoint)
	}
	workers, err := strconv.Atoi(meta["workers"])
	if err != nil {
		return Recipe{}, Checkpoint{}, fmt.Errorf("%w: no number of workers in it", ErrCheckpoint)
	}
	secs, _ := strconv.ParseFloat(meta["seconds"], 64)
	return r, Checkpoint{Workers: workers, Kernel: meta["kernel"], Seconds: secs}, nil
}

// ReadCheckpoint restores the checkpoint of a run of the same recipe on
// the same number of workers into r, a run that has not stepped yet, and
// returns how it computed. Nothing of r changes on error.
func (r *Run) ReadCheckpoint(rd io.ReaderAt, size int64, workers int) (Checkpoint, error) {
	ts, meta, err := modelfile.ReadSafetensors(rd, size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	saved, c, err := checkpointMeta(meta)
	if err != nil {
		return c, err
	}
	a, _ := json.Marshal(saved)
	b, _ := json.Marshal(r.Recipe)
	if !bytes.Equal(a, b) {
		return c, fmt.Errorf("%w: it was made with recipe %s, not %s", ErrCheckpoint, a, b)
	}
	if c.Workers != workers {
		return c, fmt.Errorf("%w: it was made with %d workers, not %d; results depend on the number", ErrCheckpoint, c.Workers, workers)
	}
	if workers > 1 && !saved.BatchNormPerShare && meta["batchnorm"] != batchNormWhole {
		return c, fmt.Errorf("%w: it was made by an older version whose workers normalized their own shares of each batch; start it again or resume it with that version", ErrCheckpoint)
	}
	if cl, ok := meta["classes"]; ok && cl != strings.Join(r.Model.Meta.Classes, "\n") {
		return c, fmt.Errorf("%w: it was made on a data set of other classes", ErrCheckpoint)
	}
	epoch, err1 := strconv.Atoi(meta["epoch"])
	steps, err2 := strconv.Atoi(meta["steps"])
	if err1 != nil || err2 != nil || epoch < 0 || epoch > r.Recipe.Epochs || steps < 0 || steps > r.TotalSteps() {
		return c, fmt.Errorf("%w: bad epoch or step count", ErrCheckpoint)
	}
	pos := 0
	var sums epochSums
	if p, ok := meta["position"]; ok {
		var elapsed float64
		_, err := fmt.Sscanf(meta["epoch_sums"], "%g %d %d %g %g", &sums.loss, &sums.right, &sums.seen, &sums.lr, &elapsed)
		if pos, err1 = strconv.Atoi(p); err != nil || err1 != nil || pos < 0 || pos > r.Train.Len() {
			return c, fmt.Errorf("%w: bad position in its epoch", ErrCheckpoint)
		}
		sums.start = time.Now().Add(-time.Duration(elapsed * float64(time.Second)))
	}
	var history []Epoch
	if err := json.Unmarshal([]byte(meta["history"]), &history); err != nil {
		return c, fmt.Errorf("%w: bad history: %v", ErrCheckpoint, err)
	}
	var model []modelfile.Tensor
	moments := map[string][]float32{}
	for _, x := range ts {
		if strings.HasPrefix(x.Name, "adam.m.") || strings.HasPrefix(x.Name, "adam.v.") {
			moments[x.Name] = x.Data
		} else {
			model = append(model, x)
		}
	}
	var m, v [][]float32
	for _, p := range r.Model.Net.Params() {
		if p.Trainable() {
			m = append(m, moments["adam.m."+p.Name])
			v = append(v, moments["adam.v."+p.Name])
		}
	}
	if !r.Trainer.Optimizer().fits(m, v) {
		return c, fmt.Errorf("%w: its optimizer state does not fit the model", ErrCheckpoint)
	}
	if err := r.Model.Net.LoadState(model); err != nil {
		return c, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	r.Trainer.Optimizer().SetState(m, v, steps)
	r.Trainer.SetSteps(steps)
	r.Model.Meta.History = history
	r.epoch, r.order, r.pos = epoch, nil, 0
	if pos > 0 {
		r.order, r.pos, r.sums = r.Recipe.EpochOrder(r.epoch, r.Train.Len()), pos, sums
	}
	return c, nil
}
