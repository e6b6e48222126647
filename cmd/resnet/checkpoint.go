package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/modelfile"
)

// save writes the model to t.out and, at an epoch's end, a checkpoint
// (model, optimizer moments, position) to t.out+".ckpt" for -resume.
func (t *trainRun) save(epochDone bool) error {
	if err := writeModel(t.Model, t.out); err != nil {
		return err
	}
	if !epochDone {
		return nil
	}
	m, v, steps := t.Trainer.Optimizer().State()
	ts := t.Model.Net.StateDict()
	var trainable []string
	for _, p := range t.Model.Net.Params() {
		if p.Trainable() {
			trainable = append(trainable, p.Name)
		}
	}
	for i, name := range trainable {
		ts = append(ts,
			modelfile.Tensor{Name: "adam.m." + name, Shape: []int{len(m[i])}, DType: "F32", Data: m[i]},
			modelfile.Tensor{Name: "adam.v." + name, Shape: []int{len(v[i])}, DType: "F32", Data: v[i]})
	}
	recipe, _ := json.Marshal(t.Recipe)
	history, _ := json.Marshal(t.Model.Meta.History)
	meta := map[string]string{
		"recipe": string(recipe), "history": string(history),
		"epoch": strconv.Itoa(t.Epochs()), "steps": strconv.Itoa(steps),
		"workers": strconv.Itoa(t.workers), "batchnorm": batchNormOver,
	}
	path := t.out + ".ckpt"
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(path + ".tmp") // after a failure; gone by then otherwise
	if err := modelfile.WriteSafetensors(f, ts, meta); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// batchNormOver is what a checkpoint says BatchNorm normalized over in
// training: since workers sum their statistics, the whole batch.
const batchNormOver = "whole batch"

// resume loads the checkpoint beside t.out, which must come from the same
// recipe and number of workers (results depend on both), and positions the
// run after its last finished epoch.
func (t *trainRun) resume(workers int) error {
	path := t.out + ".ckpt"
	f, size, err := open(path)
	if err != nil {
		return fmt.Errorf("-resume: %w", err)
	}
	defer f.Close()
	ts, meta, err := modelfile.ReadSafetensors(f, size)
	if err != nil {
		return fmt.Errorf("-resume: %s: %w", path, err)
	}
	var saved nn.Recipe
	if err := json.Unmarshal([]byte(meta["recipe"]), &saved); err != nil {
		return fmt.Errorf("-resume: %s: no recipe: %w", path, err)
	}
	a, _ := json.Marshal(saved)
	b, _ := json.Marshal(t.Recipe)
	if string(a) != string(b) {
		return fmt.Errorf("-resume: %s was made with recipe %s, not %s", path, a, b)
	}
	if w := meta["workers"]; w != strconv.Itoa(workers) {
		return fmt.Errorf("-resume: %s was made with %s workers, not %d; results depend on the number", path, w, workers)
	}
	if workers > 1 && !saved.BatchNormPerShare && meta["batchnorm"] != batchNormOver {
		return fmt.Errorf("-resume: %s was made by an older version whose workers normalized their own shares of each batch; start it again or resume it with that version", path)
	}
	epoch, err1 := strconv.Atoi(meta["epoch"])
	steps, err2 := strconv.Atoi(meta["steps"])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("-resume: %s: bad epoch or step count", path)
	}
	var model []modelfile.Tensor
	moments := map[string][]float32{}
	for _, x := range ts {
		if len(x.Name) > 7 && (x.Name[:7] == "adam.m." || x.Name[:7] == "adam.v.") {
			moments[x.Name] = x.Data
		} else {
			model = append(model, x)
		}
	}
	if err := t.Model.Net.LoadState(model); err != nil {
		return fmt.Errorf("-resume: %s: %w", path, err)
	}
	var m, v [][]float32
	for _, p := range t.Model.Net.Params() {
		if p.Trainable() {
			m = append(m, moments["adam.m."+p.Name])
			v = append(v, moments["adam.v."+p.Name])
		}
	}
	if !t.Trainer.Optimizer().SetState(m, v, steps) {
		return fmt.Errorf("-resume: %s: optimizer state does not fit the model", path)
	}
	t.Trainer.SetSteps(steps)
	if err := json.Unmarshal([]byte(meta["history"]), &t.Model.Meta.History); err != nil {
		return fmt.Errorf("-resume: %s: bad history: %w", path, err)
	}
	t.Resume(epoch)
	fmt.Fprintf(t.log, "resuming after epoch %d (step %d)\n", epoch, steps)
	return nil
}
