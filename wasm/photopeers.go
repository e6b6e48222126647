package main

import (
	"sync"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The classifier's peers: classifiers of its own (the photo role), one
// a core but the classifier's, holding its model. Of the photos given at
// once, the classifier hands each peer a batch of inferBatch while it
// classifies the next itself, the peer decoding them and running the
// network as the classifier would, so that every core both decodes and
// infers. They start with the first photos and end once idle for
// peersIdle, taking with them whatever memory a large photo took
// (WebAssembly memory never shrinks).
const (
	peersIdle = 10 * time.Second
	// peerHolds is how many photos a peer holds at a time: a batch to
	// work on and the next, since the classifier hands out batches only
	// between its own.
	peerHolds = 2 * inferBatch
	// peerSilence is how long a peer may be silent while it holds
	// photos: decoding a 16-megapixel JPEG takes seconds.
	peerSilence = time.Minute
)

// A peer classifies photos with the classifier's model.
type peer interface {
	// classify asks the peer to classify the photo f as q says, handing
	// f over (an ArrayBuffer cannot be read here after), and calls done
	// with the answer, or why there is none, from another goroutine.
	classify(q protocol.ClassifyRequest, f file, done func(protocol.Classified, []byte, *protocol.Error))
	close()
}

// photoPeers are the classifier's peers.
type photoPeers struct {
	n int // how many to start
	// start starts a peer holding the model file given.
	start func(model []byte) (peer, error)

	mu     sync.Mutex
	peers  []peer      // started, fewer than n if some failed to
	failed bool        // starting one failed: classify here from now on
	busy   int         // photos handed out, not answered yet
	idle   *time.Timer // ends the peers once idle
}

// newPhotoPeers returns the peers of a classifier on a machine of cores
// cores, or nil for a single core.
func newPhotoPeers(cores int) *photoPeers {
	if cores < 2 {
		return nil
	}
	return &photoPeers{n: cores - 1, start: startPeer}
}

// forPhotos returns the peers to share n photos with, starting them
// with the model file given if they have not started: none for fewer
// photos than two batches, which the classifier classifies as soon
// alone, and none for a nil p.
func (p *photoPeers) forPhotos(n int, model []byte) []peer {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idle != nil {
		p.idle.Stop()
		p.idle = nil
	}
	for len(p.peers) < p.n && !p.failed {
		w, err := p.start(model)
		if err != nil {
			p.failed = true
			break
		}
		p.peers = append(p.peers, w)
	}
	if n < 2*inferBatch {
		p.idleSoon()
		return nil
	}
	return append([]peer(nil), p.peers...)
}

// classify has the peer w classify the photo f as q says, and calls done
// with its answer.
func (p *photoPeers) classify(w peer, q protocol.ClassifyRequest, f file, done func(protocol.Classified, []byte, *protocol.Error)) {
	p.mu.Lock()
	p.busy++
	p.mu.Unlock()
	w.classify(q, f, func(res protocol.Classified, thumb []byte, err *protocol.Error) {
		p.answered(w, err)
		done(res, thumb, err)
	})
}

// answered counts a photo answered by w, ends w if it died, and ends
// every peer once none has had photos for peersIdle.
func (p *photoPeers) answered(w peer, err *protocol.Error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && err.Code == protocol.WorkerLost {
		p.drop(w)
	}
	p.busy--
	p.idleSoon()
}

// idleSoon ends the peers in peersIdle unless photos come meanwhile.
func (p *photoPeers) idleSoon() {
	if p.busy > 0 || p.idle != nil {
		return
	}
	p.idle = time.AfterFunc(peersIdle, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.idle = nil
		if p.busy == 0 {
			p.end()
		}
	})
}

// reset ends the peers, which hold a model that is no longer the
// classifier's; new ones start with the next photos.
func (p *photoPeers) reset() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.end()
}

// end ends every peer. A photo one holds fails.
func (p *photoPeers) end() {
	for _, w := range p.peers {
		w.close()
	}
	p.peers = nil
}

// drop ends w, which died, so that the next photos go to a new one.
func (p *photoPeers) drop(w peer) {
	for i, v := range p.peers {
		if v == w {
			w.close()
			p.peers = append(p.peers[:i], p.peers[i+1:]...)
			return
		}
	}
}

// workerPeer is a peer in a Web Worker.
type workerPeer struct{ w *link.Worker }

// startPeer starts a peer in a worker of its own, which loads the model
// file given before its first photo (and again if it is started anew).
func startPeer(model []byte) (peer, error) {
	w, err := link.Start(workerURL(rolePhoto), link.Options{Name: "a classifying worker", InFlight: peerHolds,
		Silence: peerSilence, Replay: []protocol.Kind{protocol.LoadModel.Kind()}})
	if err != nil {
		return nil, err
	}
	link.Ask(w, protocol.LoadModel, protocol.LoadModelRequest{Name: "the page's model"}, link.Buffer(model),
		link.Handlers[protocol.ModelInfo, protocol.None]{Done: func(protocol.ModelInfo, js.Value, *protocol.Error) {}})
	return workerPeer{w}, nil
}

func (p workerPeer) classify(q protocol.ClassifyRequest, f file, done func(protocol.Classified, []byte, *protocol.Error)) {
	body := handOver(f)
	if !body.Truthy() { // bytes of Go's own
		b, err := f.Bytes()
		if err != nil {
			done(protocol.Classified{}, nil, errorOf(err, q.Name))
			return
		}
		body = link.Buffer(b)
	}
	link.Ask(p.w, protocol.Classify, q, body, link.Handlers[protocol.Classified, protocol.None]{
		Done: func(res protocol.Classified, body js.Value, err *protocol.Error) {
			var thumb []byte
			if err == nil && res.Thumb != nil && link.IsBuffer(body) {
				thumb = link.Bytes(body)
			}
			done(res, thumb, err)
		},
	})
}

func (p workerPeer) close() { p.w.Close() }
