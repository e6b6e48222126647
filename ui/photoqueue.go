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
// without a copy. Nor does the queue ask a File its size: the first
// time a File picked or dropped is asked, the browser looks the file up
// on disk while the page waits; the size of its bytes, once read, is
// known for free. So even a huge photo is read whole here, and handed
// over as it is to the worker that decodes it.
const (
	// photosAtOnce is how many photos the classifier holds at a time.
	photosAtOnce = classifierInFlight
	// photoBytesAtOnce is how many bytes of photos it holds at a time,
	// and the queue one more photo read; a larger photo goes alone.
	photoBytesAtOnce = 64 << 20
)

// photoQueue hands photos to the classifier, in order, as it has room.
type photoQueue struct {
	// send asks the classifier to classify p, with body (its bytes or its
	// File); done must be called once it is answered.
	send func(p queuedPhoto, body js.Value, done func())

	mu      sync.Mutex
	room    *sync.Cond // signalled as photos are answered
	waiting []queuedPhoto
	out     int    // photos at the classifier
	bytes   int64  // their sizes
	running bool   // a goroutine sends the photos waiting
	cleared uint64 // how many times the photos waiting were dropped
}

// queuedPhoto is a photo waiting to be classified.
type queuedPhoto struct {
	item *Item
	file js.Value // a File
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

// clear drops the photos waiting, and the one read but not sent.
func (q *photoQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = nil
	q.cleared++
	if q.room != nil {
		q.room.Signal() // a photo read, waiting for room, is dropped too
	}
}

// run sends the photos waiting, each once the classifier has room for
// it, until none waits.
func (q *photoQueue) run() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.waiting) > 0 {
		if q.out >= photosAtOnce {
			q.room.Wait()
			continue
		}
		p := q.waiting[0]
		q.waiting = q.waiting[1:]
		cleared := q.cleared
		q.mu.Unlock()
		// A File that cannot be read goes as it is: the classifier says
		// what is wrong with it.
		body, size := p.file, int64(0)
		if b, err := promise.Await(p.file.Call("arrayBuffer")); err == nil {
			body, size = b, int64(b.Get("byteLength").Int())
		}
		q.mu.Lock()
		for q.out > 0 && q.bytes+size > photoBytesAtOnce && q.cleared == cleared {
			q.room.Wait()
		}
		if q.cleared != cleared { // dropped while it was read
			continue
		}
		q.out++
		q.bytes += size
		q.mu.Unlock()
		q.send(p, body, func() { q.answered(size) })
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
