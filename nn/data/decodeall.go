package data

import (
	"archive/zip"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// progressEvery is how many images pass between calls of
// Options.Progress.
const progressEvery = 64

// decodeAll reads and decodes the files of jobs with runtime.NumCPU()
// goroutines (one under WebAssembly), whatever the order the work is done
// in returning image i at pix[i*n:(i+1)*n], n = opt.Size*opt.Size*3, and
// its error at errs[i]. It calls opt.Progress from the calling goroutine.
func decodeAll(jobs []imageJob, opt Options) (pix []uint8, errs []error) {
	n := opt.Size * opt.Size * 3
	pix = make([]uint8, len(jobs)*n)
	errs = make([]error, len(jobs))
	next := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.NumCPU(), len(jobs))) {
		wg.Go(func() {
			for i := range next {
				errs[i] = readImage(pix[i*n:(i+1)*n], jobs[i].file, opt)
				done <- i
			}
		})
	}
	go func() {
		for i := range jobs {
			next <- i
		}
		close(next)
		wg.Wait()
		close(done)
	}()
	finished := 0
	for range done {
		finished++
		if opt.Progress != nil && (finished%progressEvery == 0 || finished == len(jobs)) {
			opt.Progress(finished, len(jobs))
		}
	}
	return pix, errs
}

// readImage reads and decodes one file of the zip into dst. Files longer
// than an image of opt.MaxPixels could reasonably be are refused unread.
func readImage(dst []uint8, f *zip.File, opt Options) error {
	limit := 4*uint64(opt.MaxPixels) + 1<<20
	if f.UncompressedSize64 > limit {
		return fmt.Errorf("%w: file of %d bytes, more than %d", ErrTooLarge, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("data: reading zip entry: %w", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(limit)+1))
	if err != nil {
		return fmt.Errorf("data: reading zip entry: %w", err)
	}
	if uint64(len(b)) > limit {
		return fmt.Errorf("%w: file of more than %d bytes", ErrTooLarge, limit)
	}
	return decodeInto(dst, b, opt.Size, opt.MaxPixels)
}
