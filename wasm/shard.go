package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The bodies of a shard: a ShardRequest's is the model's state
// (float32s), the share's labels (int32s) and its images (data.Set's
// layout), back to back, little-endian; an answer's is the shard's loss
// (a float64: it may be NaN, which JSON cannot carry), gradients and
// running statistics (float32s). WebAssembly and every platform Go's
// native tests run on are little-endian, so float32s are copied as they
// lie in memory.

// shardRequest returns the request of job and appends its body to dst.
// job's images must come from a data.Set.
func shardRequest(dst []byte, job *nn.Job) (protocol.ShardRequest, []byte, error) {
	if job.Set == nil {
		return protocol.ShardRequest{}, nil, errors.New("a helper worker takes a dataset's images, not a tensor")
	}
	req := protocol.ShardRequest{Step: job.Step, Share: job.Share, Batch: job.Batch, Images: len(job.Idx), Size: job.Set.Size}
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
func decodeJob(req protocol.ShardRequest, b []byte, st []float32, classes int) (*nn.Job, error) {
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

// decodeShard sets s from the answer to a ShardRequest and its body,
// which holds the loss, grads gradients and stats statistics.
func decodeShard(s *nn.Shard, a protocol.Sharded, body []byte, grads, stats int) error {
	if want := 8 + 4*(grads+stats); len(body) != want {
		return fmt.Errorf("%w: a shard's answer of %d bytes, want %d", protocol.ErrMessage, len(body), want)
	}
	s.Loss, s.Right = math.Float64frombits(binary.LittleEndian.Uint64(body)), a.Right
	s.Grads, s.Stats = resize(s.Grads, grads), resize(s.Stats, stats)
	copy(floatBytes(s.Grads), body[8:])
	copy(floatBytes(s.Stats), body[8+4*grads:])
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
