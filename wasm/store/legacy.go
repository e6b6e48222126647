package store

import (
	"encoding/json"

	"github.com/intelscenes/resnet-browser/nn"
)

// Records kept before a run's figures were nn's (nn.StepInfo, nn.Epoch)
// wrote steps and epochs with other names: steps with "inEpoch" and
// without their images, epochs with "trainLoss", "valAcc" and so on.
// The records read them both ways, so that a run interrupted then still
// shows its figures so far when it resumes.

// oldEpoch is an epoch as records wrote it before.
type oldEpoch struct {
	TrainLoss *float64 `json:"trainLoss"` // nil in a record of today
	TrainAcc  float64  `json:"trainAcc"`
	ValLoss   float64  `json:"valLoss"`
	ValAcc    float64  `json:"valAcc"`
}

// mend sets e's figures from o, when o is of an old record.
func (o oldEpoch) mend(e *nn.Epoch) {
	if o.TrainLoss != nil {
		e.TrainLoss, e.TrainAcc, e.ValLoss, e.ValAcc = *o.TrainLoss, o.TrainAcc, o.ValLoss, o.ValAcc
	}
}

// UnmarshalJSON reads a run kept, of today or before.
func (r *Run) UnmarshalJSON(b []byte) error {
	type plain Run
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	var old struct {
		Progress struct {
			Steps []struct {
				InEpoch *int `json:"inEpoch"` // nil in a record of today
			} `json:"steps"`
			Epochs []oldEpoch `json:"epochs"`
		} `json:"progress"`
	}
	if err := json.Unmarshal(b, &old); err != nil {
		return err
	}
	p := &r.Progress
	for i, s := range old.Progress.Steps {
		if s.InEpoch == nil || i >= len(p.Steps) {
			continue
		}
		st := &p.Steps[i]
		st.InEpoch, st.Images = *s.InEpoch, r.Recipe.BatchSize
		if p.Plan != nil && st.InEpoch == p.Plan.StepsPerEpoch { // the epoch's last, smaller batch
			st.Images = p.Plan.Train - (p.Plan.StepsPerEpoch-1)*r.Recipe.BatchSize
		}
	}
	for i, e := range old.Progress.Epochs {
		if i < len(p.Epochs) {
			e.mend(&p.Epochs[i])
		}
	}
	return nil
}

// UnmarshalJSON reads a model kept, of today or before.
func (m *Model) UnmarshalJSON(b []byte) error {
	type plain Model
	if err := json.Unmarshal(b, (*plain)(m)); err != nil {
		return err
	}
	var old struct {
		History []oldEpoch `json:"history"`
	}
	if err := json.Unmarshal(b, &old); err != nil {
		return err
	}
	for i, e := range old.History {
		if i < len(m.History) {
			e.mend(&m.History[i])
		}
	}
	return nil
}
