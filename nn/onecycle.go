package nn

import "math"

// OneCycle is PyTorch's OneCycleLR with cosine annealing: the learning
// rate rises from MaxLR/DivFactor to MaxLR over the first PctStart of
// TotalSteps, then falls to MaxLR/DivFactor/FinalDivFactor; the momentum
// (Adam's beta1) moves the opposite way between MaxMomentum and
// BaseMomentum. With ThreePhase, the rate comes back down to its start
// symmetrically before the final annealing, and the momentum stays at
// MaxMomentum in the last phase.
type OneCycle struct {
	MaxLR      float64
	TotalSteps int
	// PctStart is the fraction of steps spent warming up (PyTorch: 0.3).
	PctStart float64
	// DivFactor sets the starting rate MaxLR/DivFactor (25).
	DivFactor float64
	// FinalDivFactor sets the final rate start/FinalDivFactor (1e4).
	FinalDivFactor float64
	// BaseMomentum and MaxMomentum bound beta1 (0.85, 0.95).
	BaseMomentum, MaxMomentum float64
	// ThreePhase selects the three-phase schedule (false).
	ThreePhase bool
}

// NewOneCycle returns the schedule with PyTorch's defaults.
func NewOneCycle(maxLR float64, totalSteps int) OneCycle {
	return OneCycle{
		MaxLR: maxLR, TotalSteps: totalSteps, PctStart: 0.3,
		DivFactor: 25, FinalDivFactor: 1e4,
		BaseMomentum: 0.85, MaxMomentum: 0.95,
	}
}

// At returns the learning rate and momentum for optimizer step s,
// counting from 0. Steps past the end keep the final values.
func (o OneCycle) At(s int) (lr, momentum float64) {
	initial := o.MaxLR / o.DivFactor
	final := initial / o.FinalDivFactor
	total := float64(o.TotalSteps)
	type phase struct {
		end              float64
		lr0, lr1, m0, m1 float64
	}
	phases := []phase{
		{o.PctStart*total - 1, initial, o.MaxLR, o.MaxMomentum, o.BaseMomentum},
		{total - 1, o.MaxLR, final, o.BaseMomentum, o.MaxMomentum},
	}
	if o.ThreePhase {
		phases = []phase{
			{o.PctStart*total - 1, initial, o.MaxLR, o.MaxMomentum, o.BaseMomentum},
			{2*o.PctStart*total - 2, o.MaxLR, initial, o.BaseMomentum, o.MaxMomentum},
			{total - 1, initial, final, o.MaxMomentum, o.MaxMomentum},
		}
	}
	step := float64(min(s, o.TotalSteps-1))
	start := 0.0
	for i, p := range phases {
		if step <= p.end || i == len(phases)-1 {
			pct := (step - start) / (p.end - start)
			return cosineAnneal(p.lr0, p.lr1, pct), cosineAnneal(p.m0, p.m1, pct)
		}
		start = p.end
	}
	panic("unreachable")
}

// cosineAnneal goes from a to b as pct goes from 0 to 1.
func cosineAnneal(a, b, pct float64) float64 {
	return b + (a-b)/2*(math.Cos(math.Pi*pct)+1)
}
