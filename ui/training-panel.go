package main

import (
	"fmt"
	"math"
	"time"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TrainingPanel shows the training run: its buttons, its progress, its
// figures and its live charts, and the run kept that was interrupted.
type TrainingPanel struct {
	Training *Training
	Runs     *KeptRuns
	CanTrain bool
	Hint     string // what Train needs, or does
	Train    func() // "Train" was pressed
	// ResumeRun and DiscardRun are the interrupted run's buttons.
	ResumeRun  func()
	DiscardRun func()
}

// Pause, Resume and Stop are the buttons of the run at work.
func (c *TrainingPanel) Pause()  { c.Training.control(protocol.Pause) }
func (c *TrainingPanel) Resume() { c.Training.control(protocol.Resume) }
func (c *TrainingPanel) Stop()   { c.Training.control(protocol.Stop) }

// last is the last step's notice, if any came.
func (c *TrainingPanel) last() (s stepView, ok bool) {
	n := len(c.Training.Steps)
	if n == 0 {
		return stepView{}, false
	}
	st := c.Training.Steps[n-1]
	return stepView{epoch: st.Epoch, inEpoch: st.InEpoch, step: st.Step, seconds: st.Seconds}, true
}

// stepView is where a run is.
type stepView struct {
	epoch, inEpoch, step int
	seconds              float64
}

// InEpoch is the steps done in the current epoch.
func (c *TrainingPanel) InEpoch() int { s, _ := c.last(); return s.inEpoch }

// Step is the steps done.
func (c *TrainingPanel) Step() int { s, _ := c.last(); return s.step }

// StepsPerEpoch is the steps an epoch has, at least 1.
func (c *TrainingPanel) StepsPerEpoch() int {
	if c.Training.Plan == nil {
		return 1
	}
	return max(c.Training.Plan.StepsPerEpoch, 1)
}

// TotalSteps is the steps of the run, at least 1.
func (c *TrainingPanel) TotalSteps() int { return int(c.Training.totalSteps()) }

// EpochLine says where the epoch is; before the run's plan, with its
// steps, came, only which epoch.
func (c *TrainingPanel) EpochLine() string {
	if c.Training.Plan == nil {
		return fmt.Sprintf("1 of %d", c.Training.Recipe.Epochs)
	}
	s, _ := c.last()
	return fmt.Sprintf("%d of %d: step %d of %d", max(s.epoch, 1), c.Training.Recipe.Epochs, s.inEpoch, c.StepsPerEpoch())
}

// RunLine says where the run is: "starting" before its plan came.
func (c *TrainingPanel) RunLine() string {
	if c.Training.Plan == nil {
		return "starting"
	}
	s, _ := c.last()
	return fmt.Sprintf("step %s of %s (%.0f%%)", data.CountWords(s.step), data.CountWords(c.TotalSteps()), 100*float64(s.step)/float64(c.TotalSteps()))
}

// StatusLine says what the run does.
func (c *TrainingPanel) StatusLine() string {
	st := c.Training
	switch {
	case !st.Running && st.Ended == protocol.EndedStopped:
		return "Stopped."
	case !st.Running && st.Ended == protocol.EndedDone:
		return "Finished."
	case !st.Running:
		return "Ended."
	case st.Stopping:
		return "Stopping after the current step…"
	case st.Paused:
		return "Paused. Resume goes on where it stopped."
	case st.Pausing:
		return "Pausing after the current step…"
	}
	if st.Plan == nil { // starting the workers, resuming, decoding the images again
		return data.Capitalize(st.Stage) + "…"
	}
	return fmt.Sprintf("%s: %s, %s parameters, %s training and %s validation images, on %d workers (kernel %s).",
		data.Capitalize(st.Stage), st.Plan.Arch, data.CountWords(st.Plan.Params), data.CountWords(st.Plan.Train),
		data.CountWords(st.Plan.Validation), st.Plan.Workers, st.Plan.Kernel)
}

// Figures are the run's speed, time and time left.
func (c *TrainingPanel) Figures() string {
	s, ok := c.last()
	if !ok {
		return ""
	}
	line := fmt.Sprintf("%.0f images/s · elapsed %s", c.Training.PerSec, clock(s.seconds))
	if !c.Training.Running {
		line = fmt.Sprintf("trained at %.0f images/s (validation not counted) · %s of training", c.Training.Speed(), clock(s.seconds))
	}
	if c.Training.Running && !c.Training.Paused && s.step > 0 && s.step < c.TotalSteps() {
		left := s.seconds / float64(s.step) * float64(c.TotalSteps()-s.step)
		line += " · about " + clock(left) + " left"
	}
	return line
}

// EndedLine says how the last run ended.
func (c *TrainingPanel) EndedLine() string {
	st := c.Training
	var kept string
	if n := len(st.Epochs); n > 0 {
		kept = fmt.Sprintf(" after %d of %d epochs", n, st.Recipe.Epochs)
	}
	switch st.Ended {
	case protocol.EndedDone:
		return "Done" + kept + ". The new model classifies the images you drop now."
	case protocol.EndedStopped:
		return "Stopped" + kept + ". The model as it stood is kept in the models list: Use it there to classify with it."
	}
	return st.Ended + " It classifies the images you drop now."
}

// Charts are the run's live charts.
func (c *TrainingPanel) Charts() []Chart {
	return append([]Chart{c.Training.LossChart(), c.Training.AccuracyChart()}, c.Training.ScheduleCharts()...)
}

// clock writes seconds as m:ss or h:mm:ss.
func clock(secs float64) string {
	if math.IsNaN(secs) || secs < 0 {
		return "–"
	}
	d := time.Duration(secs) * time.Second
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// PanelClass is the panel's class attribute: while a run trains, the
// panel takes the window's height, for the page to scroll it to the top
// of the window (see showTraining) with its charts inside.
func (c *TrainingPanel) PanelClass() string {
	if c.Training.Running {
		return "card training-panel running"
	}
	return "card training-panel"
}
