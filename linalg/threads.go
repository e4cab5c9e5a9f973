package linalg

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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

// spinFor is how long a goroutine of parallel or barrier busy-waits for the
// event it expects before it parks. Parking and waking a goroutine costs
// tens of microseconds on a virtual machine (a futex sleep and wake of an
// OS thread), as much as a whole 256 x 256 product takes on one core; a
// short spin keeps the threads of back-to-back blocks and operations
// awake. It is only spent when the event is late, and only when each
// participant can have its own core (GOMAXPROCS). On the AVX-512 Xeon
// (model 167) a 2-thread DGEMM n = 256 takes about 180 us, and 50 us let
// a thread park between calls: 2 threads ran no faster than 1. At 100 us,
// interleaved runs of spurious bench: DGEMM 256 1.52x, DPOTRF 1000 1.13x,
// DTRSM unchanged; 200 us added 1-2% more.
const spinFor = 100 * time.Microsecond

// spinUntil busy-waits until done() reports true or spinFor has passed,
// and reports whether done() became true.
func spinUntil(done func() bool) bool {
	start := time.Now()
	for i := 1; ; i++ {
		if done() {
			return true
		}
		if i%64 == 0 && time.Since(start) > spinFor {
			return false
		}
	}
}

// event is a one-shot signal between one signaller and one waiter that
// spins before it parks; it can be reused after each wait.
type event struct {
	state atomic.Int32 // eventIdle, eventSet or eventParked
	wake  chan struct{}
}

const (
	eventIdle   = iota // not signalled, nobody parked
	eventSet           // signalled, not yet consumed
	eventParked        // the waiter is blocked on wake
)

func newEvent() *event { return &event{wake: make(chan struct{}, 1)} }

// set signals the event, waking its waiter if it is parked.
func (e *event) set() {
	if e.state.Swap(eventSet) == eventParked {
		e.wake <- struct{}{}
	}
}

// wait returns once set has been called since the last wait, spinning
// first if spin.
func (e *event) wait(spin bool) {
	if spin && spinUntil(func() bool { return e.state.Load() == eventSet }) {
		e.state.Store(eventIdle)
		return
	}
	if e.state.CompareAndSwap(eventIdle, eventParked) {
		<-e.wake
	}
	e.state.Store(eventIdle)
}

// barrier makes a fixed group of goroutines wait for each other; it can be
// used any number of times in a row. Waiters spin (spinFor) before they
// park when the group fits in GOMAXPROCS.
type barrier struct {
	n     int // group size
	spin  bool
	count atomic.Int64  // arrivals in the current round
	round atomic.Uint64 // rounds completed
	mu    sync.Mutex
	cond  sync.Cond
}

func newBarrier(n int) *barrier {
	b := &barrier{n: n, spin: n <= runtime.GOMAXPROCS(0)}
	b.cond.L = &b.mu
	return b
}

// wait blocks until all n goroutines of the group have called wait in this
// round. With a group of one it returns at once.
func (b *barrier) wait() {
	if b.n <= 1 {
		return
	}
	r := b.round.Load()
	if b.count.Add(1) == int64(b.n) {
		// Nobody else can arrive before round moves on, so the count can
		// be reset first. Parked waiters check round under mu, so taking
		// mu after the increment cannot miss one.
		b.count.Store(0)
		b.round.Add(1)
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
		return
	}
	if b.spin && spinUntil(func() bool { return b.round.Load() != r }) {
		return
	}
	b.mu.Lock()
	for b.round.Load() == r {
		b.cond.Wait()
	}
	b.mu.Unlock()
}

// worker is a goroutine of the pool of parallel: it runs one task at a
// time and, between tasks, spins (spinFor) before it parks, so that the
// next operation finds it awake.
type worker struct {
	start *event
	// The task, written by parallel before start is set: f(t), then one
	// less task left in done; spin says whether to spin while waiting for
	// the next task.
	f    func(int)
	t    int
	done *team
	spin bool
}

// team is one call of parallel: the tasks not finished yet and the event
// the caller waits on.
type team struct {
	left atomic.Int64
	end  *event
}

// idle holds the workers waiting for a task; the pool grows to the largest
// number of tasks ever running at once (parallel calls may overlap).
var idle struct {
	sync.Mutex
	w []*worker
}

func getWorker() *worker {
	idle.Lock()
	if n := len(idle.w); n > 0 {
		w := idle.w[n-1]
		idle.w = idle.w[:n-1]
		idle.Unlock()
		return w
	}
	idle.Unlock()
	w := &worker{start: newEvent()}
	go w.loop()
	return w
}

func (w *worker) loop() {
	spin := false
	for {
		w.start.wait(spin)
		f, t, tm := w.f, w.t, w.done
		spin = w.spin
		w.f, w.done = nil, nil
		f(t)
		// Back in the pool before the caller can return, so that the next
		// operation reuses this (spinning) worker instead of starting one.
		idle.Lock()
		idle.w = append(idle.w, w)
		idle.Unlock()
		if tm.left.Add(-1) == 0 {
			tm.end.set()
		}
	}
}

// parallel runs f(t) for t = 0..nt-1, f(0) on the calling goroutine and the
// others on nt-1 pooled worker goroutines, and returns when all have
// returned. Workers are reused across calls (no goroutine is started per
// call once the pool is warm).
func parallel(nt int, f func(t int)) {
	if nt <= 1 {
		f(0)
		return
	}
	spin := nt <= runtime.GOMAXPROCS(0)
	tm := &team{end: newEvent()}
	tm.left.Store(int64(nt - 1))
	for t := 1; t < nt; t++ {
		w := getWorker()
		w.f, w.t, w.done, w.spin = f, t, tm, spin
		w.start.set()
	}
	f(0)
	tm.end.wait(spin)
}
