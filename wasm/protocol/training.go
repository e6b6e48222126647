package protocol

import (
	"fmt"

	"github.com/intelscenes/resnet-browser/nn"
)

// The payloads of a training run in the page.

// TrainRequest asks the data set worker to train a fresh model of the
// loaded data set's classes with Recipe on Workers workers, this one
// included (it starts the others), or, with Resume, to go on with the
// run Run kept in the browser's storage, on the loaded data set, with
// the recipe and workers it was saved with. The worker keeps the run's
// checkpoints under Run, and forgets them when the run ends but by a
// failure. Control pauses, resumes and stops it.
type TrainRequest struct {
	Run     string     `json:"run"`              // the run's ID, chosen by the page
	Name    string     `json:"name"`             // the data set's, as the person knows it
	Recipe  *nn.Recipe `json:"recipe,omitempty"` // nil with Resume
	Workers int        `json:"workers,omitempty"`
	Resume  bool       `json:"resume,omitempty"`
	// KeepBest keeps the best epoch's weights (by validation accuracy)
	// rather than the last.
	KeepBest bool `json:"keepBest,omitempty"`
	// NaNStep, for tests only, is a step (from 1) whose loss is made NaN,
	// as a diverging run's is.
	NaNStep int `json:"nanStep,omitempty"`
}

// TrainNotice is news of a run: first its Plan, then every step, every
// epoch's end (with the model as the epoch left it in the body, for the
// page to keep should the run end badly) and every checkpoint kept.
type TrainNotice struct {
	Progress   Progress        `json:"progress"`
	Plan       *TrainPlan      `json:"plan,omitempty"`
	Step       *TrainStep      `json:"step,omitempty"`
	Epoch      *nn.Epoch       `json:"epoch,omitempty"`
	Checkpoint *CheckpointKept `json:"checkpoint,omitempty"`
}

// The stages of a run that its notices name.
const (
	StageTraining = "training"
	StagePaused   = "paused"
)

// TrainStep is a step of a run: nn's account of it, and the time the run
// had trained when it ended, pauses left out.
type TrainStep struct {
	nn.StepInfo
	Seconds float64 `json:"seconds"`
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
	// on from, ResumedBytes and ResumedSeconds the checkpoint's size and
	// the time reading it took; Rounding says, when the kernel is not the
	// checkpoint's, that the rest of the run rounds differently.
	Resumed        int     `json:"resumed,omitempty"`
	ResumedBytes   int64   `json:"resumedBytes,omitempty"`
	ResumedSeconds float64 `json:"resumedSeconds,omitempty"`
	Rounding       string  `json:"rounding,omitempty"`
}

// CheckpointKept says that the run kept a checkpoint in the browser's
// storage, at each epoch's end and on Pause, or why it could not.
type CheckpointKept struct {
	Step    int     `json:"step"`  // steps done
	Epoch   int     `json:"epoch"` // epochs finished
	Pause   bool    `json:"pause"` // kept on Pause
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"` // writing it took
	// Failed says why it could not be kept, in a person's words.
	Failed string `json:"failed,omitempty"`
}

// TrainResult is the end of a run; the answer's body holds the model
// (safetensors).
type TrainResult struct {
	Epochs []nn.Epoch `json:"epochs"`
	// Ended says how it ended: EndedDone, EndedStopped (by Stop), or a
	// message in a person's words (a loss that is not a number, a worker
	// that died), the model then being the last finished epoch's.
	Ended string `json:"ended"`
	// Resumable says the run ended by a failure (a worker that died), not
	// by itself: its last checkpoint is kept, to go on from there.
	Resumable bool `json:"resumable,omitempty"`
	// Kept is the epoch whose weights the model has: the best by
	// validation accuracy when asked, else the last.
	Kept int `json:"kept"`
	// Validation and Test evaluate the model on the held-out images and
	// the test split, when there are.
	Validation *Evaluation `json:"validation,omitempty"`
	Test       *Evaluation `json:"test,omitempty"`
	// Recipe is the recipe run, as the model's metadata holds it.
	Recipe nn.Recipe `json:"recipe"`
	// Source is where the model came from, in a person's words.
	Source string `json:"source"`
	// Unforgotten says why the run's checkpoint, which a run that ended
	// by itself no longer needs, could not be forgotten, if it could not.
	Unforgotten string `json:"unforgotten,omitempty"`
}

// How a run ended by itself (TrainResult.Ended).
const (
	EndedDone    = "done"
	EndedStopped = "stopped"
)

// ControlRequest asks the run Target to pause, resume or stop.
type ControlRequest struct {
	Target uint64 `json:"target"`
	Action Action `json:"action"`
}

// Action is what a ControlRequest asks of a run.
type Action string

// The actions on a run.
const (
	Pause  Action = "pause"  // after the current step
	Resume Action = "resume" // where it paused
	Stop   Action = "stop"   // after the current step, keeping the model as it is
)

// ForgetRunRequest asks the data set worker to forget the run kept
// under Run, its checkpoint and the data sets no other run needs.
type ForgetRunRequest struct {
	Run string `json:"run"`
}

func checkTrain(q TrainRequest) error {
	switch {
	case q.Run == "":
		return fmt.Errorf("a run without an ID")
	case (q.Recipe == nil) != q.Resume:
		return fmt.Errorf("a recipe, or resume, want one of them")
	case q.Workers < 0 || q.Workers > MaxWorkers || q.NaNStep < 0:
		return fmt.Errorf("on %d workers", q.Workers)
	}
	return nil
}

func checkControl(q ControlRequest) error {
	if q.Target == 0 || q.Action != Pause && q.Action != Resume && q.Action != Stop {
		return fmt.Errorf("%q of request %d", q.Action, q.Target)
	}
	return nil
}

func checkForgetRun(q ForgetRunRequest) error {
	if q.Run == "" {
		return fmt.Errorf("no run named")
	}
	return nil
}
