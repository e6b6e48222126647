package data

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// progressEvery is how many images pass between calls of
// Options.Progress.
const progressEvery = 64

// Decode decodes image i of z into dst, size*size*3 bytes holding
// zeros, as DecodeImage does with opt's Size and MaxPixels. The errors
// are DecodeImage's, without the file's name, and the reading errors of
// Open. It panics if dst has the wrong length.
func (z *Zip) Decode(dst []uint8, i int, opt Options) error {
	if len(dst) != opt.Size*opt.Size*3 {
		panic(fmt.Sprintf("data: Decode into %d bytes at size %d", len(dst), opt.Size))
	}
	b, err := z.ReadFile(i)
	if err != nil {
		return err
	}
	return decodeInto(dst, b, opt.Size, opt.MaxPixels)
}

// MaxDecodeBytes is the most memory the images being decoded at once by
// ReadZip's goroutines may take, as DecodeCost estimates it: an image
// larger than that is decoded alone. It bounds what a zip of huge images
// costs whatever the number of cores: 20 PNGs of 6300×6300 16-bit RGBA,
// 317 MB each when decoded, are decoded one after the other.
const MaxDecodeBytes = 384 << 20

// hugeDecode is the estimated cost from which an image's memory is
// given back to the system once it is decoded, lest the next huge one
// come before the collector does.
const hugeDecode = 64 << 20

// decodeAll decodes every image of z with the given number of
// goroutines, whatever the order the work is done in returning image i
// at pix[i*n:(i+1)*n], n = opt.Size*opt.Size*3, and its error at
// errs[i]. The images decoded at once take at most MaxDecodeBytes. It
// calls opt.Progress from the calling goroutine.
func (z *Zip) decodeAll(opt Options, workers int) (pix []uint8, errs []error) {
	n := opt.Size * opt.Size * 3
	total := len(z.Images)
	pix = make([]uint8, total*n)
	errs = make([]error, total)
	next := make(chan int)
	done := make(chan int)
	budget := newBudget(MaxDecodeBytes)
	var wg sync.WaitGroup
	for range max(1, min(workers, total)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = z.decodeWithin(pix[i*n:(i+1)*n], i, opt, budget)
				done <- i
			}
		})
	}
	go func() {
		for i := range total {
			next <- i
		}
		close(next)
		wg.Wait()
		close(done)
	}()
	finished := 0
	for range done {
		finished++
		if opt.Progress != nil && (finished%progressEvery == 0 || finished == total) {
			opt.Progress(finished, total)
		}
	}
	return pix, errs
}

// decodeWithin is Decode taking the image's estimated cost from budget
// for the time it decodes.
func (z *Zip) decodeWithin(dst []uint8, i int, opt Options, b *budget) error {
	file, err := z.ReadFile(i)
	if err != nil {
		return err
	}
	cost := b.take(DecodeCost(file))
	defer b.give(cost)
	err = decodeInto(dst, file, opt.Size, opt.MaxPixels)
	if cost >= hugeDecode {
		file = nil
		debug.FreeOSMemory()
	}
	return err
}

// budget is an amount of memory shared by goroutines.
type budget struct {
	mu    sync.Mutex
	freed *sync.Cond
	total int64
	left  int64
}

// newBudget returns a budget of total bytes.
func newBudget(total int64) *budget {
	b := &budget{total: total, left: total}
	b.freed = sync.NewCond(&b.mu)
	return b
}

// take waits until n bytes are left, or the whole budget for more than
// it holds, takes them, and returns how many it took.
func (b *budget) take(n int64) int64 {
	n = min(max(n, 0), b.total)
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.left < n {
		b.freed.Wait()
	}
	b.left -= n
	return n
}

// give returns n bytes taken.
func (b *budget) give(n int64) {
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
	b.freed.Broadcast()
}
