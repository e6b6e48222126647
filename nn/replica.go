package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// Replica computes, for a Trainer, the gradients of shares of training
// batches. A LocalReplica does it in a goroutine; a replica elsewhere,
// such as in another Web Worker, runs a LocalReplica on a copy of the Job
// and sends back its Shard.
type Replica interface {
	// Start begins computing job and returns without waiting for the
	// result. The job's slices stay unchanged until Wait returns.
	Start(job *Job)
	// Wait returns the result of the job started last. The Shard may be
	// reused by the next Start.
	Wait() (*Shard, error)
}

// Job is one replica's share of a training step.
type Job struct {
	// Step is the optimizer step, from 0, and Share the share's index in
	// its batch; together they seed the share's augmentation.
	Step, Share int
	// Batch is the number of images in the whole batch: each share's
	// gradient is of the batch's mean loss.
	Batch int
	// State is the model's state: the values of every Param, in Params
	// order, back to back.
	State []float32
	// The share's images: images Idx of Set, or, when Set is nil, X, a
	// normalized input of Size×Size images, with their Labels.
	Set    *data.Set
	Idx    []int
	X      []float32
	Size   int
	Labels []int
	// Teacher holds, when the recipe distills, what the teachers say of
	// each image of the share: a row of class probabilities an image.
	Teacher []float32
}

// Shard is what a replica computed for a Job.
type Shard struct {
	// Loss is the mean loss of the share's images, before the update.
	Loss float64
	// Right is how many of them were classified right.
	Right int
	// Grads holds the share's part of the gradient of the batch's mean
	// loss, for every trainable Param in Params order, back to back.
	Grads []float32
	// Stats holds the values of the Params that are not trained (the
	// BatchNorm running statistics) after the share's forward pass, in
	// Params order, back to back.
	Stats []float32
}

// ShardSizes returns the lengths of a Shard's Grads and Stats, and of a
// Job's State, for a network of params.
func ShardSizes(params []*Param) (grads, stats, state int) {
	for _, p := range params {
		if p.Trainable() {
			grads += p.Value.Len()
		} else {
			stats += p.Value.Len()
		}
	}
	return grads, stats, grads + stats
}

// LocalReplica is a Replica that computes in this process, on its own copy
// of the network.
type LocalReplica struct {
	net     *ResNet
	params  []*Param
	norm    data.Normalization
	aug     *data.Augment // nil: none
	seed    uint64
	smooth  float32 // the training loss's label smoothing
	distill float32 // the teachers' share of the training loss's targets
	ce      CrossEntropy
	x       Tensor
	labels  []int
	loss    float64
	right   int
	shard   Shard
	done    chan result
	group   *batchGroup // nil unless its BatchNorms sum with other replicas'
}

type result struct {
	shard *Shard
	err   error
}

// NewLocalReplica returns a replica for models of configuration cfg whose
// images are normalized with norm, trained with r (its Seed and Augment
// matter here).
func NewLocalReplica(cfg Config, norm data.Normalization, r Recipe) (*LocalReplica, error) {
	net, err := NewResNet(cfg, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	lr := &LocalReplica{net: net, params: net.Params(), norm: norm, seed: r.Seed, smooth: float32(r.LabelSmoothing),
		distill: float32(r.Distill), done: make(chan result, 1)}
	if r.Augment != (data.Augment{}) {
		aug := r.Augment
		lr.aug = &aug
	}
	return lr, nil
}

// Params returns the parameters of the replica's network, in the order
// of a Job's State and a Shard's slices.
func (r *LocalReplica) Params() []*Param { return r.params }

// Start computes job in a new goroutine. A panic there becomes Wait's
// error: it must not end the program, which may be a worker answering
// requests. A replica that fails ends its group's step.
func (r *LocalReplica) Start(job *Job) {
	go func() {
		var res result
		defer func() {
			if p := recover(); p == errPeerFailed {
				res = result{err: errPeerFailed}
			} else if p != nil {
				res = result{err: fmt.Errorf("nn: replica failed: %v", p)}
			}
			if res.err != nil && r.group != nil {
				r.group.abort()
			}
			r.done <- res
		}()
		res.shard, res.err = r.Compute(job)
	}()
}

// Wait returns the result of the job started last.
func (r *LocalReplica) Wait() (*Shard, error) {
	res := <-r.done
	return res.shard, res.err
}

// Compute runs job and returns its result, in a Shard that the next call
// reuses. A replica of a NewTrainer with several replicas waits in its
// BatchNorms for the others' statistics: run it through Start, with the
// others.
func (r *LocalReplica) Compute(job *Job) (*Shard, error) {
	g, s, n := ShardSizes(r.params)
	if len(job.State) != n {
		return nil, fmt.Errorf("nn: a state of %d values for a network of %d", len(job.State), n)
	}
	r.load(job.State)
	var size, count int
	var fill func(x []float32, labels []int)
	if job.Set != nil {
		size, count = job.Set.Size, len(job.Idx)
		rng := rand.New(rand.NewPCG(r.seed, uint64(job.Step)<<16|uint64(job.Share)))
		fill = func(x []float32, labels []int) { job.Set.Fill(x, labels, job.Idx, r.norm, r.aug, rng) }
	} else {
		size, count = job.Size, len(job.Labels)
		if len(job.X) != count*3*size*size {
			return nil, fmt.Errorf("nn: an input of %d values for %d images of %d×%d", len(job.X), count, size, size)
		}
		fill = func(x []float32, labels []int) {
			copy(x, job.X)
			copy(labels, job.Labels)
		}
	}
	if count == 0 || count > job.Batch {
		return nil, fmt.Errorf("nn: a share of %d images of a batch of %d", count, job.Batch)
	}
	if r.distill > 0 && len(job.Teacher) != count*r.net.Config.Classes {
		return nil, fmt.Errorf("nn: %d teacher probabilities for %d images of %d classes", len(job.Teacher), count, r.net.Config.Classes)
	}
	r.ce.Teacher = job.Teacher
	r.forward(count, size, true, fill)
	ZeroGrad(r.params)
	d := r.ce.Backward()
	scale := float32(count) / float32(job.Batch)
	for j := range d.Data {
		d.Data[j] *= scale
	}
	r.net.backwardParams(d)
	r.shard.Loss, r.shard.Right = r.loss, r.right
	r.shard.Grads, r.shard.Stats = grow(r.shard.Grads, g)[:0], grow(r.shard.Stats, s)[:0]
	for _, p := range r.params {
		if p.Trainable() {
			r.shard.Grads = append(r.shard.Grads, p.Grad...)
		} else {
			r.shard.Stats = append(r.shard.Stats, p.Value.Data...)
		}
	}
	return &r.shard, nil
}

// load sets the network's state from state, laid out as Job.State.
func (r *LocalReplica) load(state []float32) {
	for _, p := range r.params {
		state = state[copy(p.Value.Data, state):]
	}
}

// appendState appends the values of ps, laid out as Job.State, to dst.
func appendState(dst []float32, ps []*Param) []float32 {
	for _, p := range ps {
		dst = append(dst, p.Value.Data...)
	}
	return dst
}

// forward fills the replica's input with n images of side size, runs the
// network, in training mode or else through Infer, and keeps the loss and
// the number right; it returns the logits.
func (r *LocalReplica) forward(n, size int, train bool, fill func(x []float32, labels []int)) *Tensor {
	r.x.Resize(n, 3, size, size)
	if cap(r.labels) < n {
		r.labels = make([]int, n)
	}
	r.labels = r.labels[:n]
	fill(r.x.Data, r.labels)
	var logits *Tensor
	if train {
		logits = r.net.Forward(&r.x, true)
		r.ce.Smoothing, r.ce.Distill = r.smooth, r.distill
	} else {
		logits = r.net.Infer(&r.x)
		r.ce.Smoothing, r.ce.Distill = 0, 0
	}
	r.loss = float64(r.ce.Forward(logits, r.labels))
	k := logits.Shape[1]
	r.right = 0
	for j, y := range r.labels {
		if Argmax(logits.Data[j*k:(j+1)*k]) == y {
			r.right++
		}
	}
	return logits
}

// errNoReplicas is the error of a trainer given no replica.
var errNoReplicas = errors.New("nn: no replicas to train on")
