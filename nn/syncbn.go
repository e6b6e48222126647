package nn

import (
	"errors"
	"sync"
)

// errPeerFailed is the error of a replica whose step stopped because
// another replica of its group failed.
var errPeerFailed = errors.New("nn: another replica of the step failed")

// batchGroup lets the LocalReplicas of one Trainer normalize over the
// whole batch, as PyTorch's SyncBatchNorm does: in training, every
// BatchNorm2D of a replica in the group adds its per-channel sums to the
// other replicas' before using them, so that N replicas compute what one
// replica computes on the whole batch, up to rounding. The replicas of a
// step call sum in the same order, since they run the same network.
type batchGroup struct {
	mu      sync.Mutex
	cond    sync.Cond
	n       int // replicas taking part in the current step
	arrived int
	round   uint64
	slots   [2][][]float64 // by parity of round, then rank
	err     error          // set when a replica of the step failed
}

func newBatchGroup(n int) *batchGroup {
	g := &batchGroup{n: n}
	g.cond.L = &g.mu
	for p := range g.slots {
		g.slots[p] = make([][]float64, n)
	}
	return g
}

// reset readies the group for a step in which the first n replicas take
// part. No replica may be in sum.
func (g *batchGroup) reset(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n, g.arrived, g.err = n, 0, nil
}

// abort ends the step: the replicas waiting in sum for a round that has
// not completed, and those that call sum later, panic with errPeerFailed.
func (g *batchGroup) abort() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = errPeerFailed
	}
	g.cond.Broadcast()
}

// sum waits until every replica of the step has called it, then sets v to
// the sum of their v, added in rank order, so that all get the same
// values. A round's slots are written again two rounds later, which no
// replica can reach before all have read them.
func (g *batchGroup) sum(rank int, v []float64) {
	g.mu.Lock()
	if g.err != nil {
		g.mu.Unlock()
		panic(g.err)
	}
	round, n := g.round, g.n
	slots := g.slots[round&1]
	slots[rank] = append(slots[rank][:0], v...)
	if g.arrived++; g.arrived == n {
		g.arrived = 0
		g.round++
		g.cond.Broadcast()
	}
	for g.round == round && g.err == nil {
		g.cond.Wait()
	}
	if g.round == round {
		err := g.err
		g.mu.Unlock()
		panic(err)
	}
	g.mu.Unlock()
	for i := range v {
		s := slots[0][i]
		for _, other := range slots[1:n] {
			s += other[i]
		}
		v[i] = s
	}
}

// syncBatchNorm puts the replicas in one group, replica i with rank i.
func syncBatchNorm(reps []*LocalReplica) *batchGroup {
	g := newBatchGroup(len(reps))
	for rank, r := range reps {
		r.group = g
		for _, bn := range r.net.batchNorms() {
			bn.reduce = func(v []float64) { g.sum(rank, v) }
		}
	}
	return g
}

// batchNorms returns the network's BatchNorm2D layers.
func (r *ResNet) batchNorms() []*BatchNorm2D {
	var bns []*BatchNorm2D
	var walk func(l Layer)
	walk = func(l Layer) {
		switch l := l.(type) {
		case *BatchNorm2D:
			bns = append(bns, l)
		case *Sequential:
			for _, c := range l.Layers {
				walk(c)
			}
		case *Block:
			walk(&l.main)
			if l.shortcut != nil {
				walk(l.shortcut)
			}
		}
	}
	walk(&r.net)
	return bns
}
