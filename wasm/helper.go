package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Training data-parallel over workers: the data set worker asked to
// train (the leader) starts helper workers, each a Replica of its
// nn.Trainer (see helpers.go). For every step it sends each helper a
// ShardRequest whose body is the model's state and the share's images,
// and gets back the share's gradients and running statistics; the
// Trainer sums them and takes the Adam step. A helper only computes: it
// holds no optimizer, and nothing of the model outlives a request, so
// results are those of an nn.Trainer on as many LocalReplicas given to
// NewTrainerOn: each worker's BatchNorm normalizes its own share.

// An evaluation on several workers goes the same way: the data set
// worker sets helpers up with the model file (a PredictorRequest), then
// has them classify batches of its images (PredictRequests) while it
// classifies others.

// helper is a helper worker: set up by a ReplicaRequest, it computes the
// shards it is sent; set up by a PredictorRequest, it classifies the
// images it is sent.
type helper struct {
	kernels
	replica  *nn.LocalReplica // nil until set up
	config   nn.Config        // the replica's network
	jobState []float32        // a job's state, reused
	shardBuf []byte           // an answer's body, reused
	model    *nn.Model        // the predictor's; nil until set up
}

// handlers returns the helper's: its setups, the shards and the
// predictions.
func (h *helper) handlers() handlers {
	hs := handlers{}
	handle(hs, protocol.Replica, h.setUp)
	handle(hs, protocol.Shard, h.shard)
	handle(hs, protocol.Predictor, h.setUpPredictor)
	handle(hs, protocol.Predict, h.predict)
	return hs
}

// setUpPredictor makes the helper classify with the model file in the
// request's body.
func (h *helper) setUpPredictor(r *request, q protocol.PredictorRequest) (protocol.None, []byte, error) {
	r.file = q.Name
	if err := h.kernels.use(q.Kernel); err != nil {
		return protocol.None{}, nil, err
	}
	b, err := r.body.Bytes()
	if err != nil {
		return protocol.None{}, nil, err
	}
	m, err := nn.ReadModel(bytes.NewReader(b), int64(len(b)), q.Name)
	if err != nil {
		return protocol.None{}, nil, badInput(err)
	}
	h.model = m
	return protocol.None{}, nil, nil
}

// predict returns the class probabilities of the images in the
// request's body.
func (h *helper) predict(r *request, q protocol.PredictRequest) (protocol.None, []byte, error) {
	if h.model == nil {
		return protocol.None{}, nil, errors.New("this worker has no model: it got images to classify before its setup")
	}
	if side := h.model.Meta.InputSize; q.Size != side {
		return protocol.None{}, nil, fmt.Errorf("%w: images of side %d for a network of %d", protocol.ErrMessage, q.Size, side)
	}
	pix, err := r.body.Bytes()
	if err != nil {
		return protocol.None{}, nil, err
	}
	if want := q.Images * 3 * q.Size * q.Size; len(pix) != want {
		return protocol.None{}, nil, fmt.Errorf("%w: %d bytes of images, want %d", protocol.ErrMessage, len(pix), want)
	}
	return protocol.None{}, floatBytes(h.model.Predict(pix, q.Images)), nil
}

// setUp makes the helper a replica of the run the request describes.
func (h *helper) setUp(_ *request, q protocol.ReplicaRequest) (protocol.None, []byte, error) {
	if err := q.Recipe.Validate(); err != nil {
		return protocol.None{}, nil, err
	}
	if err := h.kernels.use(q.Kernel); err != nil {
		return protocol.None{}, nil, err
	}
	r, err := nn.NewLocalReplica(q.Recipe.Config, q.Norm, q.Recipe)
	if err != nil {
		return protocol.None{}, nil, err
	}
	h.replica, h.config = r, q.Recipe.Config
	return protocol.None{}, nil, nil
}

// shard computes the share of a step the request's body holds.
func (h *helper) shard(r *request, q protocol.ShardRequest) (protocol.Sharded, []byte, error) {
	if h.replica == nil {
		return protocol.Sharded{}, nil, errors.New("this worker is not a replica: it got a shard before its setup")
	}
	if q.Size != h.config.InputSize {
		return protocol.Sharded{}, nil, fmt.Errorf("%w: images of side %d for a network of %d", protocol.ErrMessage, q.Size, h.config.InputSize)
	}
	b, err := r.body.Bytes()
	if err != nil {
		return protocol.Sharded{}, nil, err
	}
	grads, stats, state := nn.ShardSizes(h.replica.Params())
	h.jobState = resize(h.jobState, state)
	job, err := decodeJob(q, b, h.jobState, h.config.Classes)
	if err != nil {
		return protocol.Sharded{}, nil, err
	}
	s, err := h.replica.Compute(job)
	if err != nil {
		return protocol.Sharded{}, nil, err
	}
	if len(s.Grads) != grads || len(s.Stats) != stats {
		panic("wasm: a shard of the wrong size") // Compute's contract
	}
	h.shardBuf = encodeShard(h.shardBuf[:0], s)
	return protocol.Sharded{Right: s.Right}, h.shardBuf, nil
}
