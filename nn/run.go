package nn

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// Run is a training run of a recipe on a data set, batch by batch and
// epoch by epoch, as cmd/resnet train and the page run it: the same
// split, batches and arithmetic in both.
type Run struct {
	Recipe  Recipe
	Model   *Model
	Trainer *Trainer
	// Train holds the images trained on: the training folder's minus
	// those Val holds out. Test is the data set's test split, or nil.
	Train, Val, Test *data.Set

	epoch int   // epochs finished
	order []int // the current epoch's order of Train's images
	pos   int   // images of the current epoch trained on
	sums  epochSums
}

// epochSums are the figures of an epoch in progress.
type epochSums struct {
	loss        float64 // summed over images
	right, seen int
	lr          float64 // of the epoch's first step
	start       time.Time
}

// StepInfo is what a step of a run did.
type StepInfo struct {
	Epoch    int     `json:"epoch"`    // the epoch the step belongs to, from 1
	Step     int     `json:"step"`     // the optimizer step, from 1
	InEpoch  int     `json:"in_epoch"` // the step's place in its epoch, from 1
	Loss     float64 `json:"loss"`     // the batch's mean loss
	Right    int     `json:"right"`    // the batch's images classified right, before the update
	Images   int     `json:"images"`   // the batch's images
	LR       float64 `json:"lr"`       // the learning rate and Adam's beta1 the step took
	Beta1    float64 `json:"beta1"`
	EndEpoch bool    `json:"end_epoch,omitempty"` // the step was its epoch's last: call EndEpoch
}

// NewRun returns a run of r on a: the training folder's images split as
// r says into those trained on and those held out for validation, and a
// fresh model of a's classes, whose metadata holds the recipe, trained by
// the trainer newTrainer returns for it, the recipe (its Config.Classes
// set) and the run's number of steps.
func NewRun(r Recipe, a *data.Archive, newTrainer func(m *Model, r Recipe, steps int) (*Trainer, error)) (*Run, error) {
	r.Config.Classes = len(a.Train.Classes)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Config.InputSize != a.Train.Size {
		return nil, fmt.Errorf("nn: a recipe for %d×%d images on a data set read at %d×%d", r.Config.InputSize, r.Config.InputSize, a.Train.Size, a.Train.Size)
	}
	run := &Run{Recipe: r, Train: a.Train, Test: a.Test}
	if r.ValFraction > 0 {
		run.Train, run.Val = a.Train.Split(r.ValFraction, r.SplitRand())
	}
	if run.Train.Len() == 0 {
		return nil, fmt.Errorf("nn: no images left to train on after holding out %.0f%% for validation", 100*r.ValFraction)
	}
	m, err := NewModel(r.Config, a.Train.Classes, r.InitRand())
	if err != nil {
		return nil, err
	}
	m.Meta.Recipe, _ = json.Marshal(r) // numbers and strings
	run.Model = m
	if run.Trainer, err = newTrainer(m, r, run.TotalSteps()); err != nil {
		return nil, err
	}
	return run, nil
}

// StepsPerEpoch returns the number of batches an epoch has: the last
// may be smaller than the others.
func (r *Run) StepsPerEpoch() int {
	return (r.Train.Len() + r.Recipe.BatchSize - 1) / r.Recipe.BatchSize
}

// TotalSteps returns the number of optimizer steps of the whole run.
func (r *Run) TotalSteps() int { return r.Recipe.Epochs * r.StepsPerEpoch() }

// Epochs returns the number of epochs finished.
func (r *Run) Epochs() int { return r.epoch }

// Done reports whether every epoch is finished.
func (r *Run) Done() bool { return r.epoch >= r.Recipe.Epochs }

// Next trains on the run's next batch. On an error (ErrDiverged, a
// replica's failure) the model is unchanged and Next may be called
// again for the same batch.
func (r *Run) Next() (StepInfo, error) {
	if r.Done() {
		return StepInfo{}, fmt.Errorf("nn: the run's %d epochs are done", r.Recipe.Epochs)
	}
	if r.order == nil {
		r.order = r.Recipe.EpochOrder(r.epoch, r.Train.Len())
		r.pos = 0
		r.sums = epochSums{lr: r.Trainer.LR(), start: time.Now()}
	}
	idx := r.order[r.pos:min(r.pos+r.Recipe.BatchSize, len(r.order))]
	lr, beta1 := r.Trainer.sched.At(r.Trainer.step)
	loss, right, err := r.Trainer.Step(r.Train, idx)
	if err != nil {
		return StepInfo{}, err
	}
	r.pos += len(idx)
	r.sums.loss += loss * float64(len(idx))
	r.sums.right += right
	r.sums.seen += len(idx)
	return StepInfo{Epoch: r.epoch + 1, Step: r.Trainer.step, InEpoch: (r.pos + r.Recipe.BatchSize - 1) / r.Recipe.BatchSize,
		Loss: loss, Right: right, Images: len(idx), LR: lr, Beta1: beta1, EndEpoch: r.pos == len(r.order)}, nil
}

// EndEpoch closes the epoch whose last batch Next trained on: its
// figures, with the validation split's loss and accuracy as validate
// gives them (nil: Trainer.Evaluate, as cmd/resnet train has them),
// appended to the model's history, and returned.
func (r *Run) EndEpoch(validate func(*data.Set) (loss, acc float64)) Epoch {
	s := r.sums
	e := Epoch{Epoch: r.epoch + 1, LR: s.lr}
	if s.seen > 0 {
		e.TrainLoss, e.TrainAcc = s.loss/float64(s.seen), float64(s.right)/float64(s.seen)
	}
	if r.Val != nil && r.Val.Len() > 0 {
		if validate == nil {
			validate = func(set *data.Set) (float64, float64) {
				loss, cm := r.Trainer.Evaluate(set, 256)
				return loss, cm.Accuracy()
			}
		}
		e.ValLoss, e.ValAcc = validate(r.Val)
	}
	e.Seconds = time.Since(s.start).Seconds()
	r.Model.Meta.History = append(r.Model.Meta.History, e)
	r.epoch++
	r.order = nil
	return e
}
