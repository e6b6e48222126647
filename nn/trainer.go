package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// ErrDiverged means a training step produced a loss that is not a finite
// number. The step is not applied: the model keeps its weights.
var ErrDiverged = errors.New("nn: training diverged")

// Trainer applies a recipe's optimization to a model, data-parallel over
// replicas: each replica computes the gradients of its share of a batch,
// the gradients are summed in a fixed order and one Adam step updates the
// model. With one replica a step is exactly the reference's. With more,
// BatchNorm sees each share's statistics (as PyTorch's DataParallel does
// without SyncBatchNorm) and the running statistics are the shares'
// average. Results depend only on the seed and the number of replicas.
type Trainer struct {
	Model  *Model
	Recipe Recipe

	sched    OneCycle
	opt      *Adam
	master   []*Param
	replicas replicas
	step     int
}

type replica struct {
	net    *ResNet
	params []*Param
	ce     CrossEntropy
	x      Tensor
	labels []int
	loss   float64
	right  int
}

// NewTrainer prepares to train m with r over totalSteps optimizer steps
// (epochs × batches per epoch) on the given number of replicas.
func NewTrainer(m *Model, r Recipe, totalSteps, replicas int) (*Trainer, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if totalSteps < 1 || replicas < 1 {
		return nil, fmt.Errorf("nn: %d steps on %d replicas", totalSteps, replicas)
	}
	t := &Trainer{Model: m, Recipe: r, sched: r.Schedule(totalSteps), master: m.Net.Params()}
	t.opt = NewAdam(t.master)
	t.opt.WeightDecay = r.WeightDecay
	var err error
	if t.replicas, err = newReplicas(m, replicas); err != nil {
		return nil, err
	}
	return t, nil
}

// Steps returns the number of optimizer steps taken.
func (t *Trainer) Steps() int { return t.step }

// LR returns the learning rate of the next step.
func (t *Trainer) LR() float64 {
	lr, _ := t.sched.At(t.step)
	return lr
}

// Step trains on one batch, the images idx of set, and returns its mean
// loss and how many of its images were classified right (before the
// update). On ErrDiverged the model is unchanged.
func (t *Trainer) Step(set *data.Set, idx []int) (loss float64, right int, err error) {
	aug := &t.Recipe.Augment
	if *aug == (data.Augment{}) {
		aug = nil
	}
	return t.run(len(idx), set.Size, func(x []float32, labels []int, lo, hi int, rng *rand.Rand) {
		set.Fill(x, labels, idx[lo:hi], t.Model.Meta.Norm, aug, rng)
	})
}

// StepTensor trains on one batch given as a normalized input x (N, 3, S,
// S) with its labels, like Step.
func (t *Trainer) StepTensor(x *Tensor, labels []int) (loss float64, right int, err error) {
	if len(x.Shape) != 4 || x.Shape[0] != len(labels) {
		return 0, 0, fmt.Errorf("nn: batch of shape %v with %d labels", x.Shape, len(labels))
	}
	if x.Shape[0] == 0 {
		return 0, 0, errors.New("nn: empty batch")
	}
	per := x.Len() / x.Shape[0]
	return t.run(x.Shape[0], x.Shape[2], func(dst []float32, lab []int, lo, hi int, _ *rand.Rand) {
		copy(dst, x.Data[lo*per:hi*per])
		copy(lab, labels[lo:hi])
	})
}

// filler writes images lo to hi of a batch, normalized, into x and their
// labels into labels.
type filler func(x []float32, labels []int, lo, hi int, rng *rand.Rand)

func (t *Trainer) run(n, size int, fill filler) (loss float64, right int, err error) {
	if n == 0 {
		return 0, 0, errors.New("nn: empty batch")
	}
	shares := t.replicas.split(n)
	t.broadcast()
	t.replicas.parallel(len(shares), func(i int, r *replica) {
		rng := rand.New(rand.NewPCG(t.Recipe.Seed, uint64(t.step)<<16|uint64(i)))
		lo, hi := shares[i][0], shares[i][1]
		r.forward(hi-lo, size, true, func(x []float32, labels []int) { fill(x, labels, lo, hi, rng) })
		ZeroGrad(r.params)
		d := r.ce.Backward()
		scale := float32(hi-lo) / float32(n)
		for j := range d.Data {
			d.Data[j] *= scale
		}
		r.net.Backward(d)
	})
	for i, r := range t.replicas[:len(shares)] {
		loss += r.loss * float64(shares[i][1]-shares[i][0]) / float64(n)
		right += r.right
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, right, fmt.Errorf("%w: loss %v at step %d", ErrDiverged, loss, t.step+1)
	}
	t.gather(shares, n)
	if t.Recipe.ClipValue > 0 {
		ClipByValue(t.master, float32(t.Recipe.ClipValue))
	}
	if t.Recipe.ClipNorm > 0 {
		ClipByNorm(t.master, t.Recipe.ClipNorm)
	}
	t.opt.LR, t.opt.Beta1 = t.sched.At(t.step)
	t.opt.Step()
	t.step++
	return loss, right, nil
}

// Evaluate classifies every image of set with the model in eval mode, in
// batches of batch images per replica (at least 1), and returns the mean
// loss and the confusion matrix.
func (t *Trainer) Evaluate(set *data.Set, batch int) (float64, ConfusionMatrix) {
	batch = max(batch, 1)
	t.broadcast()
	return t.replicas.evaluate(t.Model, set, batch)
}

// Evaluate classifies every image of set with m in eval mode, on the given
// number of replicas working concurrently, and returns the mean loss and
// the confusion matrix. Labels of set index m's classes.
func Evaluate(m *Model, set *data.Set, batch, replicas int) (float64, ConfusionMatrix, error) {
	if batch < 1 {
		return 0, nil, fmt.Errorf("nn: batch size %d, want at least 1", batch)
	}
	g, err := newReplicas(m, replicas)
	if err != nil {
		return 0, nil, err
	}
	g.load(m.Net.Params())
	loss, cm := g.evaluate(m, set, batch)
	return loss, cm, nil
}

func (g replicas) evaluate(m *Model, set *data.Set, batch int) (float64, ConfusionMatrix) {
	cm := NewConfusionMatrix(len(m.Meta.Classes))
	var total float64
	var mu sync.Mutex
	idx := make([]int, set.Len())
	for i := range idx {
		idx[i] = i
	}
	for lo := 0; lo < len(idx); lo += batch * len(g) {
		chunk := idx[lo:min(lo+batch*len(g), len(idx))]
		shares := g.split(len(chunk))
		g.parallel(len(shares), func(i int, r *replica) {
			part := chunk[shares[i][0]:shares[i][1]]
			logits := r.forward(len(part), set.Size, false, func(x []float32, labels []int) {
				set.Fill(x, labels, part, m.Meta.Norm, nil, nil)
			})
			k := logits.Shape[1]
			mu.Lock()
			defer mu.Unlock()
			total += r.loss * float64(len(part))
			for j, y := range r.labels {
				cm.Add(y, argmax(logits.Data[j*k:(j+1)*k]))
			}
		})
	}
	if set.Len() == 0 {
		return 0, cm
	}
	return total / float64(set.Len()), cm
}

// forward fills the replica's input with n images of side size, runs the
// network and keeps the loss and the number right; it returns the logits.
func (r *replica) forward(n, size int, train bool, fill func(x []float32, labels []int)) *Tensor {
	r.x.Resize(n, 3, size, size)
	if cap(r.labels) < n {
		r.labels = make([]int, n)
	}
	r.labels = r.labels[:n]
	fill(r.x.Data, r.labels)
	logits := r.net.Forward(&r.x, train)
	r.loss = float64(r.ce.Forward(logits, r.labels))
	k := logits.Shape[1]
	r.right = 0
	for j, y := range r.labels {
		if argmax(logits.Data[j*k:(j+1)*k]) == y {
			r.right++
		}
	}
	return logits
}

func argmax(s []float32) int {
	best := 0
	for i, v := range s {
		if v > s[best] {
			best = i
		}
	}
	return best
}

// replicas are copies of a network that work on shares of a batch.
type replicas []*replica

func newReplicas(m *Model, n int) (replicas, error) {
	if n < 1 {
		return nil, fmt.Errorf("nn: %d replicas, want at least 1", n)
	}
	g := make(replicas, n)
	for i := range g {
		net, err := NewResNet(m.Net.Config, rand.New(rand.NewPCG(0, 0)))
		if err != nil {
			return nil, err
		}
		g[i] = &replica{net: net, params: net.Params()}
	}
	return g, nil
}

// load copies the state ps, a model's Params, into every replica.
func (g replicas) load(ps []*Param) {
	for _, r := range g {
		for j, p := range r.params {
			copy(p.Value.Data, ps[j].Value.Data)
		}
	}
}

// split cuts n images into one contiguous share [lo, hi) per replica, as
// even as possible, dropping empty shares.
func (g replicas) split(n int) [][2]int {
	k := len(g)
	shares := make([][2]int, 0, k)
	for i := 0; i < k; i++ {
		if lo, hi := i*n/k, (i+1)*n/k; hi > lo {
			shares = append(shares, [2]int{lo, hi})
		}
	}
	return shares
}

// parallel runs f for the first n replicas, concurrently.
func (g replicas) parallel(n int, f func(i int, r *replica)) {
	if n == 1 {
		f(0, g[0])
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i, g[i])
		}()
	}
	wg.Wait()
}

// broadcast copies the model's state into every replica.
func (t *Trainer) broadcast() { t.replicas.load(t.master) }

// gather sums the replicas' gradients into the model's, in replica order,
// and sets its running statistics to the shares' weighted average.
func (t *Trainer) gather(shares [][2]int, n int) {
	for j, p := range t.master {
		if p.Trainable() {
			copy(p.Grad, t.replicas[0].params[j].Grad)
			for _, r := range t.replicas[1:len(shares)] {
				for k, g := range r.params[j].Grad {
					p.Grad[k] += g
				}
			}
			continue
		}
		if p.Integer {
			copy(p.Value.Data, t.replicas[0].params[j].Value.Data)
			continue
		}
		for k := range p.Value.Data {
			var s float64
			for i, r := range t.replicas[:len(shares)] {
				s += float64(r.params[j].Value.Data[k]) * float64(shares[i][1]-shares[i][0]) / float64(n)
			}
			p.Value.Data[k] = float32(s)
		}
	}
}

// Optimizer returns the trainer's Adam, for saving and restoring its state.
func (t *Trainer) Optimizer() *Adam { return t.opt }

// SetSteps sets the number of steps taken, when resuming a saved run.
func (t *Trainer) SetSteps(n int) { t.step = n }
