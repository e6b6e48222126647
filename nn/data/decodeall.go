package data

import (
	"fmt"
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

// decodeAll decodes every image of z with the given number of
// goroutines, whatever the order the work is done in returning image i
// at pix[i*n:(i+1)*n], n = opt.Size*opt.Size*3, and its error at
// errs[i]. It calls opt.Progress from the calling goroutine.
func (z *Zip) decodeAll(opt Options, workers int) (pix []uint8, errs []error) {
	n := opt.Size * opt.Size * 3
	total := len(z.Images)
	pix = make([]uint8, total*n)
	errs = make([]error, total)
	next := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, total)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = z.Decode(pix[i*n:(i+1)*n], i, opt)
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
