package main

import (
	"fmt"
	"math"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Colours of the charts' series.
const (
	colorTrain = "#1f5f8b"
	colorVal   = "#c2571a"
	colorRaw   = "#8fb3cf"
	colorLR    = "#2e7d32"
	colorBeta  = "#6a3d9a"
)

// smoothing is the weight of a new step in the smoothed loss: an
// exponential moving average over about 1/smoothing steps.
const smoothing = 0.05

// LossChart is the chart of the training loss: every step's, faint, and
// smoothed, and each epoch's training and validation loss, on a log
// scale.
func (st *Training) LossChart() Chart {
	c := Chart{ID: "loss-chart", Title: "Loss (log scale)", XLabel: "step", LogY: true, XMin: 1, XMax: st.totalSteps(), Marker: math.NaN()}
	raw := Series{Name: "loss of each step", Color: colorRaw, Faint: true}
	smooth := Series{Name: "loss, smoothed", Color: colorTrain}
	ema := math.NaN()
	for _, s := range st.Steps {
		x := float64(s.Step)
		raw.X, raw.Y = append(raw.X, x), append(raw.Y, s.Loss)
		if math.IsNaN(ema) {
			ema = s.Loss
		} else if !math.IsNaN(s.Loss) && !math.IsInf(s.Loss, 0) {
			ema += smoothing * (s.Loss - ema)
		}
		smooth.X, smooth.Y = append(smooth.X, x), append(smooth.Y, ema)
	}
	train, val := st.epochSeries("training loss of the epoch", "validation loss",
		func(e nn.Epoch) (float64, float64) { return e.TrainLoss, e.ValLoss })
	st.addStopped(&val, func(ev *protocol.Evaluation) float64 { return ev.Loss })
	c.Series = []Series{raw, smooth, train, val}
	return c
}

// epochSeries returns the series of each epoch's training and
// validation figure, as f gives them, at the epoch's last step; the
// validation series is empty when the run holds no images out.
func (st *Training) epochSeries(trainName, valName string, f func(nn.Epoch) (train, val float64)) (Series, Series) {
	train := Series{Name: trainName, Color: colorTrain, Dots: true}
	val := Series{Name: valName, Color: colorVal, Dots: true}
	for _, e := range st.Epochs {
		x := st.epochEnd(e.Epoch)
		t, v := f(e)
		train.X, train.Y = append(train.X, x), append(train.Y, t)
		if st.Plan != nil && st.Plan.Validation > 0 {
			val.X, val.Y = append(val.X, x), append(val.Y, v)
		}
	}
	return train, val
}

// AccuracyChart is the chart of each epoch's training and validation
// accuracy.
func (st *Training) AccuracyChart() Chart {
	c := Chart{ID: "accuracy-chart", Title: "Accuracy", XLabel: "step", XMin: 1, XMax: st.totalSteps(), Marker: math.NaN(),
		Format: func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }}
	train, val := st.epochSeries("training accuracy", "validation accuracy",
		func(e nn.Epoch) (float64, float64) { return e.TrainAcc, e.ValAcc })
	st.addStopped(&val, func(ev *protocol.Evaluation) float64 { return nn.ConfusionMatrix(ev.Matrix).Accuracy() })
	c.Series = []Series{train, val}
	return c
}

// addStopped adds to the validation series val the point of a run
// stopped within an epoch: its model's figure f on the validation
// images, at the step it stopped at, which the models list gives as the
// model's accuracy.
func (st *Training) addStopped(val *Series, f func(*protocol.Evaluation) float64) {
	n := len(st.Steps)
	if st.Ended != protocol.EndedStopped || st.Val.Result == nil || n == 0 {
		return
	}
	if at := float64(st.Steps[n-1].Step); at > st.epochEnd(len(st.Epochs)) {
		val.X, val.Y = append(val.X, at), append(val.Y, f(st.Val.Result))
	}
}

// scheduleSamples is how many points draw the schedule.
const scheduleSamples = 200

// ScheduleCharts are the one-cycle schedule of the whole run, the
// learning rate and Adam's beta1, with a marker at the current step.
func (st *Training) ScheduleCharts() []Chart {
	total := int(st.totalSteps())
	sched := st.Recipe.Schedule(total)
	lr := Series{Name: "learning rate", Color: colorLR}
	beta := Series{Name: "momentum (β1)", Color: colorBeta}
	for i := range scheduleSamples + 1 {
		s := i * (total - 1) / scheduleSamples
		l, b := sched.At(s)
		lr.X, lr.Y = append(lr.X, float64(s+1)), append(lr.Y, l)
		beta.X, beta.Y = append(beta.X, float64(s+1)), append(beta.Y, b)
	}
	marker := math.NaN()
	if n := len(st.Steps); n > 0 {
		marker = float64(st.Steps[n-1].Step)
	}
	return []Chart{
		{ID: "lr-chart", Title: "Learning rate", XLabel: "step", XMin: 1, XMax: float64(total), Marker: marker, Series: []Series{lr},
			Format: func(v float64) string { return fmt.Sprintf("%.2g", v) }},
		{ID: "beta-chart", Title: "Momentum (Adam's β1)", XLabel: "step", XMin: 1, XMax: float64(total), Marker: marker, Series: []Series{beta},
			Format: func(v float64) string { return fmt.Sprintf("%.3f", v) }},
	}
}

// totalSteps is the run's number of steps, at least 1.
func (st *Training) totalSteps() float64 {
	if st.Plan != nil && st.Plan.Steps > 0 {
		return float64(st.Plan.Steps)
	}
	return 1
}

// epochEnd is the step that ends epoch e.
func (st *Training) epochEnd(e int) float64 {
	if st.Plan == nil {
		return float64(e)
	}
	return float64(e * st.Plan.StepsPerEpoch)
}
