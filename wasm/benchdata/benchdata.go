// Package benchdata sets up the worker's benchmarks (see wasm/protocol's
// BenchTrain and BenchInfer) in one way, for the worker and for the
// tests that compare its results with a native run.
package benchdata

import (
	"bytes"
	"math/rand/v2"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
)

// Run is a benchmark's model and data.
type Run struct {
	// Model is a fresh reference network for the classes of the dataset,
	// initialized from a fixed seed.
	Model *nn.Model
	// Recipe is the reference recipe for Model.
	Recipe nn.Recipe
	// Set holds the dataset's images.
	Set *data.Set
	// Batch is a batch of indices into Set: its images over and over.
	Batch []int
}

// New reads the dataset zip b, named name, and returns the run of
// batches of batch images on it.
func New(b []byte, name string, batch int) (*Run, error) {
	r := nn.ReferenceRecipe()
	r.Config = nn.Reference()
	set, err := Images(b, name, r.Config.InputSize)
	if err != nil {
		return nil, err
	}
	return FromSet(set, r, batch)
}

// Images returns the training images of the dataset zip b, named name,
// read at side size.
func Images(b []byte, name string, size int) (*data.Set, error) {
	a, err := data.ReadZip(bytes.NewReader(b), int64(len(b)), data.Options{Size: size, MaxPixels: data.DefaultMaxPixels})
	if err != nil {
		return nil, &data.FileError{Name: name, Err: err}
	}
	return a.Train, nil
}

// FromSet returns the run of batches of batch images of set, a fresh
// model of r's network for set's classes trained with r. A network of
// another side than set's is timed on set's first images resized to its
// side: the speed does not depend on the pixels.
func FromSet(set *data.Set, r nn.Recipe, batch int) (*Run, error) {
	r.Config.Classes = len(set.Classes)
	m, err := nn.NewModel(r.Config, set.Classes, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return nil, err
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i % set.Len()
	}
	if size := r.Config.InputSize; size != set.Size {
		set = resized(set, min(batch, set.Len()), size)
	}
	return &Run{Model: m, Recipe: r, Set: set, Batch: idx}, nil
}

// resized returns the first n images of set at side size.
func resized(set *data.Set, n, size int) *data.Set {
	s := &data.Set{Size: size, Classes: set.Classes, Labels: set.Labels[:n:n], Names: set.Names[:n:n],
		Pix: make([]uint8, 0, n*size*size*3)}
	for i := range n {
		s.Pix = append(s.Pix, data.Resize(set.Picture(i), size)...)
	}
	return s
}

// Losses reads the dataset zip b as New does, trains the run's model
// natively for steps steps of batch images on the given number of
// replicas, each normalizing its own share as workers do, and returns
// each step's loss: what the training benchmark computes, for tests to
// compare with.
func Losses(b []byte, batch, steps, replicas int) ([]float64, error) {
	r, err := New(b, "dataset", batch)
	if err != nil {
		return nil, err
	}
	reps := make([]nn.Replica, replicas)
	for i := range reps {
		if reps[i], err = nn.NewLocalReplica(r.Model.Net.Config, r.Model.Meta.Norm, r.Recipe); err != nil {
			return nil, err
		}
	}
	t, err := nn.NewTrainerOn(r.Model, r.Recipe, steps, reps)
	if err != nil {
		return nil, err
	}
	var losses []float64
	for range steps {
		loss, _, err := t.Step(r.Set, r.Batch)
		if err != nil {
			return nil, err
		}
		losses = append(losses, loss)
	}
	return losses, nil
}
