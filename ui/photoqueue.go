package main

import (
	"sync"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/promise"
)

// The photos a person gives go to the classifier as it has room for
// them, each as its bytes: posting a File to a worker is a blocking
// call of the page's main thread, a noticeable pause for a thousand
// photos, while reading its bytes is not, and the bytes go across
// without a copy. A photo larger than photoReadUpTo goes as its File, for
// the classifier to read a block at a time.
const (
	// photosAtOnce is how many photos the classifier holds at a time.
	photosAtOnce = classifierInFlight
	// photoBytesAtOnce is how many bytes of photos it holds at a time; a
	// larger photo goes alone.
	photoBytesAtOnce = 64 << 20
	// photoReadUpTo is the largest photo sent as its bytes.
	photoReadUpTo = 32 << 20
)

// photoQueue hands photos to the classifier, in order, as it has room.
type photoQueue struct {
	// send asks the classifier to classify p, with body (its bytes or its
	// File); done must be called once it is answered.
	send func(p queuedPhoto, body js.Value, done func())

	mu      sync.Mutex
	room    *sync.Cond // signalled as photos are answered
	waiting []queuedPhoto
	out     int   // photos at the classifier
	bytes   int64 // their sizes
	running bool  // a goroutine sends the photos waiting
}

// queuedPhoto is a photo waiting to be classified.
type queuedPhoto struct {
	item *Item
	file js.Value // a File
	size int64
}

// add queues the photos ps, after those waiting.
func (q *photoQueue) add(ps []queuedPhoto) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.room == nil {
		q.room = sync.NewCond(&q.mu)
	}
	q.waiting = append(q.waiting, ps...)
	if !q.running {
		q.running = true
		go q.run()
	}
}

// clear drops the photos waiting.
func (q *photoQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = nil
}

// run sends the photos waiting, each once the classifier has room for
// it, until none waits.
func (q *photoQueue) run() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.waiting) > 0 {
		p := q.waiting[0]
		if q.out > 0 && (q.out >= photosAtOnce || q.bytes+p.size > photoBytesAtOnce) {
			q.room.Wait()
			continue
		}
		q.waiting = q.waiting[1:]
		q.out++
		q.bytes += p.size
		q.mu.Unlock()
		body := p.file
		if p.size <= photoReadUpTo {
			// A File that cannot be read goes as it is: the classifier
			// says what is wrong with it.
			if b, err := promise.Await(p.file.Call("arrayBuffer")); err == nil {
				body = b
			}
		}
		q.send(p, body, func() { q.answered(p.size) })
		q.mu.Lock()
	}
	q.running = false
}

// answered makes room for the photos waiting.
func (q *photoQueue) answered(size int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.out--
	q.bytes -= size
	q.room.Signal()
}
