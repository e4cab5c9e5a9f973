package linalg

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// threadSetting is the value given to SetThreads; 0 means GOMAXPROCS.
var threadSetting atomic.Int64

// SetThreads sets how many goroutines Gemm (and the routines built on it)
// may use and returns the previous setting, so that
//
//	defer linalg.SetThreads(linalg.SetThreads(1))
//
// runs a section serially. n <= 0 restores the default, which follows
// runtime.GOMAXPROCS. The result of every routine is the same for any
// setting: threads split the work by C tiles, never by sums.
func SetThreads(n int) (prev int) {
	return int(threadSetting.Swap(int64(max(n, 0))))
}

// Threads returns the number of goroutines Gemm may use now.
func Threads() int {
	if n := threadSetting.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// threadsFor returns how many goroutines an operation of the given flops
// uses: Threads(), or one below parallelMinFlops (tune.go).
func threadsFor(flops float64) int {
	if flops < parallelMinFlops {
		return 1
	}
	return Threads()
}

// barrier makes a fixed group of goroutines wait for each other; it can be
// used any number of times in a row.
type barrier struct {
	mu    sync.Mutex
	cond  sync.Cond
	n     int // group size
	count int // arrivals in the current round
	round uint64
}

func newBarrier(n int) *barrier {
	b := &barrier{n: n}
	b.cond.L = &b.mu
	return b
}

// wait blocks until all n goroutines of the group have called wait in this
// round. With a group of one it returns at once.
func (b *barrier) wait() {
	if b.n <= 1 {
		return
	}
	b.mu.Lock()
	r := b.round
	b.count++
	if b.count == b.n {
		b.count = 0
		b.round++
		b.cond.Broadcast()
	} else {
		for r == b.round {
			b.cond.Wait()
		}
	}
	b.mu.Unlock()
}

// parallel runs f(t) for t = 0..nt-1, f(0) on the calling goroutine and the
// others on nt-1 new goroutines (one per thread for the whole operation),
// and returns when all have returned.
func parallel(nt int, f func(t int)) {
	if nt <= 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for t := 1; t < nt; t++ {
		wg.Go(func() { f(t) })
	}
	f(0)
	wg.Wait()
}
