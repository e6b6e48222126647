package protocol

import "encoding/json"

// The messages of a training run in the page.

// Control actions on a training run (KindControl's Action).
const (
	ActionPause  = "pause"  // after the current step
	ActionResume = "resume" // where it paused
	ActionStop   = "stop"   // after the current step, keeping the model as it is
)

// TrainStep is a step of a training run, in a KindProgress notice.
type TrainStep struct {
	Epoch   int     `json:"epoch"`   // from 1
	Step    int     `json:"step"`    // the optimizer step, from 1
	InEpoch int     `json:"inEpoch"` // the step's place in its epoch, from 1
	Loss    float64 `json:"loss"`    // the batch's mean loss
	LR      float64 `json:"lr"`      // the learning rate and Adam's beta1 of the step
	Beta1   float64 `json:"beta1"`
	Seconds float64 `json:"seconds"` // since the run started, pauses left out
}

// TrainPlan is what a run will do, in its first notice.
type TrainPlan struct {
	Steps         int    `json:"steps"`         // optimizer steps in all
	StepsPerEpoch int    `json:"stepsPerEpoch"` // the last epoch's last batch may be smaller
	Train         int    `json:"train"`         // images trained on
	Validation    int    `json:"validation"`    // images held out
	Params        int    `json:"params"`        // trainable values
	Arch          string `json:"arch"`
	Workers       int    `json:"workers"`
	Kernel        string `json:"kernel"`
	// Dataset is the digest of the data set trained on, kept in the
	// browser's storage for the run to resume after a reload; Kept says
	// why it could not be kept, when it could not.
	Dataset string `json:"dataset"`
	Kept    string `json:"kept,omitempty"`
	// KeptBytes and KeptSeconds are the data set's size as kept and the
	// time keeping it took (0 when it was kept before).
	KeptBytes   int64   `json:"keptBytes,omitempty"`
	KeptSeconds float64 `json:"keptSeconds,omitempty"`
	// Resumed, for a run resumed from a checkpoint, is the step it goes
	// on from; Rounding says, when the kernel is not the checkpoint's,
	// that the rest of the run rounds differently.
	Resumed  int    `json:"resumed,omitempty"`
	Rounding string `json:"rounding,omitempty"`
}

// TrainCheckpoint is a checkpoint of the run, in a KindProgress notice
// whose body holds it (nn's format): at each epoch's end and on Pause.
type TrainCheckpoint struct {
	Step  int  `json:"step"`  // steps done
	Epoch int  `json:"epoch"` // epochs finished
	Pause bool `json:"pause"` // written on Pause
}

// TrainEpoch is a finished epoch, in a KindProgress notice whose body
// holds the model as that epoch left it (safetensors), for the page to
// keep should the run end badly.
type TrainEpoch struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"trainLoss"`
	TrainAcc  float64 `json:"trainAcc"`
	ValLoss   float64 `json:"valLoss"`
	ValAcc    float64 `json:"valAcc"`
	LR        float64 `json:"lr"`
	Seconds   float64 `json:"seconds"`
}

// TrainResult is the end of a training run; the answer's body holds the
// model (safetensors).
type TrainResult struct {
	Epochs []TrainEpoch `json:"epochs"`
	// Ended says how it ended: "done", "stopped" (by Stop), or a message
	// in a person's words (a loss that is not a number, a worker that
	// died), the model then being the last finished epoch's.
	Ended string `json:"ended"`
	// Resumable says the run ended by a failure (a worker that died), not
	// by itself: its last checkpoint may go on from there.
	Resumable bool `json:"resumable,omitempty"`
	// Kept is the epoch whose weights the model has: the best by
	// validation accuracy when asked, else the last.
	Kept int `json:"kept"`
	// Validation and Test evaluate the model on the held-out images and
	// the test split, when there are.
	Validation *Evaluation `json:"validation,omitempty"`
	Test       *Evaluation `json:"test,omitempty"`
	// Recipe is the recipe run, as the model's metadata holds it.
	Recipe json.RawMessage `json:"recipe"`
	// Source is where the model came from, in a person's words.
	Source string `json:"source"`
}
