package nn

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// ErrDiverged means a training step produced a loss that is not a finite
// number. The step is not applied: the model keeps its weights.
var ErrDiverged = errors.New("nn: training diverged")

// Trainer applies a recipe's optimization to a model, data-parallel over
// replicas: each replica computes the gradients of its share of a batch,
// the gradients are summed in a fixed order and one Adam step updates the
// model. With one replica a step is exactly the reference's. With several
// made by NewTrainer, BatchNorm normalizes over the whole batch, the
// replicas summing their statistics (PyTorch's SyncBatchNorm), so a step
// is the reference's up to rounding. With NewTrainerOn's replicas, which
// may run elsewhere, BatchNorm sees each share's own statistics (as
// PyTorch's DataParallel does without SyncBatchNorm) and the running
// statistics are the shares' average. Results depend only on the seed,
// the number of replicas and which of the two kinds they are, not on
// where the replicas run.
type Trainer struct {
	Model  *Model
	Recipe Recipe

	sched  OneCycle
	opt    *Adam
	master []*Param
	reps   []Replica
	local  replicas // for Evaluate; made at its first call when none is local
	jobs   []Job
	shards []*Shard
	state  []float32
	step   int
	group  *batchGroup // the replicas' BatchNorm group; nil if none
	// teacher holds what the teachers say of the images of taught, when
	// the recipe distills (see Teach); rows, the rows of each job's share.
	taught  *data.Set
	teacher []float32
	rows    [][]float32
}

// NewTrainer prepares to train m with r over totalSteps optimizer steps
// (epochs × batches per epoch) on the given number of replicas, each in a
// goroutine, whose BatchNorms normalize over the whole batch, or each over
// its own share when r.BatchNormPerShare says so (as the page's workers
// do).
func NewTrainer(m *Model, r Recipe, totalSteps, replicas int) (*Trainer, error) {
	g, err := newReplicas(m, r, replicas)
	if err != nil {
		return nil, err
	}
	reps := make([]Replica, len(g))
	for i, lr := range g {
		reps[i] = lr
	}
	t, err := NewTrainerOn(m, r, totalSteps, reps)
	if err == nil && len(g) > 1 && !r.BatchNormPerShare {
		t.group = syncBatchNorm(g)
	}
	return t, err
}

// NewTrainerOn is NewTrainer on the given replicas, which may run
// elsewhere and whose BatchNorms each see their own share: they must
// compute as a LocalReplica of m's configuration, normalization and r
// does.
func NewTrainerOn(m *Model, r Recipe, totalSteps int, reps []Replica) (*Trainer, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if len(reps) == 0 {
		return nil, errNoReplicas
	}
	if totalSteps < 1 {
		return nil, fmt.Errorf("nn: %d steps, want at least 1", totalSteps)
	}
	t := &Trainer{Model: m, Recipe: r, sched: r.Schedule(totalSteps), master: m.Net.Params(), reps: reps}
	t.opt = NewAdam(t.master)
	t.opt.WeightDecay = r.WeightDecay
	for _, rep := range reps {
		if lr, ok := rep.(*LocalReplica); ok {
			t.local = append(t.local, lr)
		}
	}
	t.jobs = make([]Job, len(reps))
	t.shards = make([]*Shard, len(reps))
	t.rows = make([][]float32, len(reps))
	return t, nil
}

// Teach gives the trainer what the recipe's teachers say of the images
// of set (TeacherProbabilities), which a recipe that distills trains on.
func (t *Trainer) Teach(set *data.Set, probs []float32) error {
	if k := t.Model.Net.Config.Classes; len(probs) != set.Len()*k {
		return fmt.Errorf("nn: %d teacher probabilities for %d images of %d classes", len(probs), set.Len(), k)
	}
	t.taught, t.teacher = set, probs
	return nil
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
// update). On ErrDiverged, or when a replica fails, the model is
// unchanged.
func (t *Trainer) Step(set *data.Set, idx []int) (loss float64, right int, err error) {
	if t.Recipe.Distill > 0 && set != t.taught {
		return 0, 0, fmt.Errorf("nn: the recipe learns from teachers (%s), and the trainer has not been told what they say of these images", strings.Join(t.Recipe.Teachers, ", "))
	}
	return t.run(len(idx), func(j *Job, lo, hi int) {
		j.Set, j.Idx = set, idx[lo:hi]
		if t.Recipe.Distill > 0 {
			k := t.Model.Net.Config.Classes
			rows := t.rows[j.Share][:0]
			for _, i := range j.Idx {
				rows = append(rows, t.teacher[i*k:(i+1)*k]...)
			}
			t.rows[j.Share], j.Teacher = rows, rows
		}
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
	if t.Recipe.Distill > 0 {
		return 0, 0, errors.New("nn: a recipe that learns from teachers trains on a data set's images, not on a tensor")
	}
	per := x.Len() / x.Shape[0]
	return t.run(x.Shape[0], func(j *Job, lo, hi int) {
		j.X, j.Size, j.Labels = x.Data[lo*per:hi*per], x.Shape[2], labels[lo:hi]
	})
}

// run takes one step on a batch of n images; images sets a job's images
// to those from lo to hi.
func (t *Trainer) run(n int, images func(j *Job, lo, hi int)) (loss float64, right int, err error) {
	if n == 0 {
		return 0, 0, errors.New("nn: empty batch")
	}
	shares := split(n, len(t.reps))
	if t.group != nil {
		t.group.reset(len(shares))
	}
	t.state = appendState(t.state[:0], t.master)
	for i, s := range shares {
		j := &t.jobs[i]
		*j = Job{Step: t.step, Share: i, Batch: n, State: t.state}
		images(j, s[0], s[1])
		t.reps[i].Start(j)
	}
	for i := range shares {
		if sh, e := t.reps[i].Wait(); e != nil {
			err = errors.Join(err, fmt.Errorf("replica %d: %w", i, e))
		} else {
			t.shards[i] = sh
		}
	}
	if err != nil {
		return 0, 0, err
	}
	for i, s := range shares {
		loss += t.shards[i].Loss * float64(s[1]-s[0]) / float64(n)
		right += t.shards[i].Right
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, right, fmt.Errorf("%w: loss %v at step %d", ErrDiverged, loss, t.step+1)
	}
	t.gather(t.shards[:len(shares)], shares, n)
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
// batches of batch images per local replica (at least 1), and returns the
// mean loss and the confusion matrix.
func (t *Trainer) Evaluate(set *data.Set, batch int) (float64, ConfusionMatrix) {
	batch = max(batch, 1)
	if len(t.local) == 0 {
		lr, err := NewLocalReplica(t.Model.Net.Config, t.Model.Meta.Norm, t.Recipe)
		if err != nil {
			panic(fmt.Sprintf("nn: a replica of the trainer's own model: %v", err)) // built before
		}
		t.local = replicas{lr}
	}
	t.local.load(t.master)
	return t.local.evaluate(t.Model, set, batch)
}

// Evaluate classifies every image of set with m in eval mode, on the given
// number of replicas working concurrently, and returns the mean loss and
// the confusion matrix. Labels of set index m's classes.
func Evaluate(m *Model, set *data.Set, batch, replicas int) (float64, ConfusionMatrix, error) {
	if batch < 1 {
		return 0, nil, fmt.Errorf("nn: batch size %d, want at least 1", batch)
	}
	g, err := newReplicas(m, Recipe{}, replicas)
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
		shares := split(len(chunk), len(g))
		g.parallel(len(shares), func(i int, r *LocalReplica) {
			part := chunk[shares[i][0]:shares[i][1]]
			logits := r.forward(len(part), set.Size, false, func(x []float32, labels []int) {
				set.Fill(x, labels, part, m.Meta.Norm, nil, nil)
			})
			k := logits.Shape[1]
			mu.Lock()
			defer mu.Unlock()
			total += r.loss * float64(len(part))
			for j, y := range r.labels {
				cm.Add(y, Argmax(logits.Data[j*k:(j+1)*k]))
			}
		})
	}
	if set.Len() == 0 {
		return 0, cm
	}
	return total / float64(set.Len()), cm
}

// Argmax returns the index of the largest value of s, the first of
// equals.
func Argmax(s []float32) int {
	best := 0
	for i, v := range s {
		if v > s[best] {
			best = i
		}
	}
	return best
}

// replicas are local copies of a network that work on shares of a batch.
type replicas []*LocalReplica

// newReplicas returns n replicas for m trained with r.
func newReplicas(m *Model, r Recipe, n int) (replicas, error) {
	if n < 1 {
		return nil, fmt.Errorf("nn: %d replicas, want at least 1", n)
	}
	g := make(replicas, n)
	for i := range g {
		var err error
		if g[i], err = NewLocalReplica(m.Net.Config, m.Meta.Norm, r); err != nil {
			return nil, err
		}
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

// split cuts n images into one contiguous share [lo, hi) per replica, k
// of them, as even as possible, dropping empty shares.
func split(n, k int) [][2]int {
	shares := make([][2]int, 0, k)
	for i := 0; i < k; i++ {
		if lo, hi := i*n/k, (i+1)*n/k; hi > lo {
			shares = append(shares, [2]int{lo, hi})
		}
	}
	return shares
}

// parallel runs f for the first n replicas, concurrently.
func (g replicas) parallel(n int, f func(i int, r *LocalReplica)) {
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

// gather sums the shards' gradients into the model's, in share order, and
// sets its running statistics to the shares' weighted average.
func (t *Trainer) gather(shards []*Shard, shares [][2]int, n int) {
	var g, s int // offsets into the shards' Grads and Stats
	for _, p := range t.master {
		k := p.Value.Len()
		if p.Trainable() {
			copy(p.Grad, shards[0].Grads[g:g+k])
			for _, sh := range shards[1:] {
				for i, v := range sh.Grads[g : g+k] {
					p.Grad[i] += v
				}
			}
			g += k
			continue
		}
		if p.Integer {
			copy(p.Value.Data, shards[0].Stats[s:s+k])
			s += k
			continue
		}
		for i := range p.Value.Data {
			var sum float64
			for r, sh := range shards {
				sum += float64(sh.Stats[s+i]) * float64(shares[r][1]-shares[r][0]) / float64(n)
			}
			p.Value.Data[i] = float32(sum)
		}
		s += k
	}
}

// Optimizer returns the trainer's Adam, for saving and restoring its state.
func (t *Trainer) Optimizer() *Adam { return t.opt }

// SetSteps sets the number of steps taken, when resuming a saved run.
func (t *Trainer) SetSteps(n int) { t.step = n }
