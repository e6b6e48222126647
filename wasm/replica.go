package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Training data-parallel over workers: the worker asked to train (the
// leader) starts helper workers, each a Replica of its nn.Trainer. For
// every step it sends each helper a KindShard request whose body is the
// model's state and the share's images, and gets back the share's
// gradients and running statistics; the Trainer sums them and takes the
// Adam step. A helper only computes: it holds no optimizer, and nothing
// of the model outlives a request, so results are those of an nn.Trainer
// on as many LocalReplicas given to NewTrainerOn: each worker's BatchNorm
// normalizes its own share.

// replicaSetup is what a helper is told in KindReplica's Replica.
type replicaSetup struct {
	Recipe nn.Recipe          `json:"recipe"`
	Norm   data.Normalization `json:"norm"`
}

// spawner starts n helper workers set up by req, a KindReplica request,
// whose shards have grads gradients and stats statistics (nn.ShardSizes),
// and returns them and a function that stops them.
type spawner func(n int, req protocol.Request, grads, stats int) ([]nn.Replica, func(), error)

// replicaRequest returns the KindReplica request for helpers of a
// training run of m with r, computing with kernel. The helpers build m's
// network, whatever r.Config says.
func replicaRequest(name string, m *nn.Model, r nn.Recipe, kernel string) protocol.Request {
	r.Config = m.Net.Config
	setup, err := json.Marshal(replicaSetup{Recipe: r, Norm: m.Meta.Norm})
	if err != nil {
		panic(fmt.Sprintf("wasm: encoding a replica setup: %v", err)) // plain numbers and strings
	}
	return protocol.Request{ID: 1, Kind: protocol.KindReplica, Name: name, Kernel: kernel, Replica: setup}
}

// becomeReplica makes w a helper as req, a KindReplica request, says.
func (w *worker) becomeReplica(req protocol.Request) error {
	var s replicaSetup
	if err := json.Unmarshal(req.Replica, &s); err != nil {
		return fmt.Errorf("%w: replica setup: %v", protocol.ErrMessage, err)
	}
	if err := s.Recipe.Validate(); err != nil {
		return err
	}
	if err := w.setKernel(req.Kernel); err != nil {
		return err
	}
	r, err := nn.NewLocalReplica(s.Recipe.Config, s.Norm, s.Recipe)
	if err != nil {
		return err
	}
	w.replica, w.replicaConfig = r, s.Recipe.Config
	return nil
}

// shard answers req, a KindShard request whose body is b.
func (w *worker) shard(req protocol.Request, b []byte) (protocol.Response, error) {
	if w.replica == nil {
		return protocol.Response{}, errors.New("this worker is not a replica: it got a shard before its setup")
	}
	if req.Size != w.replicaConfig.InputSize {
		return protocol.Response{}, fmt.Errorf("%w: images of side %d for a network of %d", protocol.ErrMessage, req.Size, w.replicaConfig.InputSize)
	}
	grads, stats, state := nn.ShardSizes(w.replica.Params())
	w.jobState = resize(w.jobState, state)
	job, err := decodeJob(req, b, w.jobState, w.replicaConfig.Classes)
	if err != nil {
		return protocol.Response{}, err
	}
	s, err := w.replica.Compute(job)
	if err != nil {
		return protocol.Response{}, err
	}
	if len(s.Grads) != grads || len(s.Stats) != stats {
		panic("wasm: a shard of the wrong size") // Compute's contract
	}
	w.shardBuf = encodeShard(w.shardBuf[:0], s)
	return protocol.Response{ID: req.ID, Kind: req.Kind, Right: s.Right, Body: w.shardBuf}, nil
}

// The body of a KindShard request is the model's state (float32s), the
// share's labels (int32s) and its images (data.Set's layout), back to
// back, little-endian; an answer's body is the shard's loss (a float64:
// it may be NaN, which JSON cannot carry), gradients and running
// statistics (float32s). WebAssembly and every platform Go's
// native tests run on are little-endian, so float32s are copied as they
// lie in memory.

// shardRequest returns the head of job's request and appends its body to
// dst. job's images must come from a data.Set.
func shardRequest(dst []byte, id uint64, job *nn.Job) (protocol.Request, []byte, error) {
	if job.Set == nil {
		return protocol.Request{}, nil, errors.New("a helper worker takes a dataset's images, not a tensor")
	}
	req := protocol.Request{ID: id, Kind: protocol.KindShard, Step: job.Step, Share: job.Share,
		Batch: job.Batch, Images: len(job.Idx), Size: job.Set.Size}
	dst = append(dst, floatBytes(job.State)...)
	for _, i := range job.Idx {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(job.Set.Labels[i]))
	}
	for _, i := range job.Idx {
		dst = append(dst, job.Set.Image(i)...)
	}
	return req, dst, nil
}

// decodeJob decodes the job of req, whose body is b, for a network of
// len(st) state values and classes classes. The job's state is copied
// into st, its images point into b.
func decodeJob(req protocol.Request, b []byte, st []float32, classes int) (*nn.Job, error) {
	n, pix, state := req.Images, 3*req.Size*req.Size, len(st)
	if want := 4*state + 4*n + n*pix; len(b) != want {
		return nil, fmt.Errorf("%w: a shard of %d bytes, want %d", protocol.ErrMessage, len(b), want)
	}
	set := &data.Set{Size: req.Size, Classes: make([]string, classes), Labels: make([]int, n), Pix: b[4*state+4*n:]}
	for i := range set.Labels {
		l := int(int32(binary.LittleEndian.Uint32(b[4*state+4*i:])))
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("%w: label %d of %d classes", protocol.ErrMessage, l, classes)
		}
		set.Labels[i] = l
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	copy(floatBytes(st), b)
	return &nn.Job{Step: req.Step, Share: req.Share, Batch: req.Batch, State: st, Set: set, Idx: idx}, nil
}

// encodeShard appends s's loss, gradients and statistics to dst.
func encodeShard(dst []byte, s *nn.Shard) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(s.Loss))
	return append(append(dst, floatBytes(s.Grads)...), floatBytes(s.Stats)...)
}

// decodeShard sets s from resp, the answer to a KindShard request, whose
// body holds the loss, grads gradients and stats statistics.
func decodeShard(s *nn.Shard, resp protocol.Response, grads, stats int) error {
	if want := 8 + 4*(grads+stats); len(resp.Body) != want {
		return fmt.Errorf("%w: a shard's answer of %d bytes, want %d", protocol.ErrMessage, len(resp.Body), want)
	}
	s.Loss, s.Right = math.Float64frombits(binary.LittleEndian.Uint64(resp.Body)), resp.Right
	s.Grads, s.Stats = resize(s.Grads, grads), resize(s.Stats, stats)
	copy(floatBytes(s.Grads), resp.Body[8:])
	copy(floatBytes(s.Stats), resp.Body[8+4*grads:])
	return nil
}

// resize returns s with length n, reallocated only when too short.
func resize(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// floatBytes returns the bytes of s, in place.
func floatBytes(s []float32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), 4*len(s))
}
