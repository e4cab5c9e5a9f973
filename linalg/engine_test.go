package linalg

import (
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/internal/impl"
)

func TestEngineSettings(t *testing.T) {
	for _, isa := range asm.Available() {
		for _, threads := range []int{1, 3} {
			en, err := NewEngine[float64](Settings{ISA: strings.ToUpper(isa), Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			if en.ISA() != isa || en.Threads() != threads || en.Blocking().ISA != isa {
				t.Fatalf("NewEngine(%s, %d): ISA %q, Threads %d, Blocking().ISA %q", isa, threads, en.ISA(), en.Threads(), en.Blocking().ISA)
			}
			if got := en.Settings(); got != (Settings{ISA: isa, Threads: threads}) {
				t.Fatalf("Settings() = %+v", got)
			}
		}
	}
	defer SetThreads(SetThreads(5))
	en, err := NewEngine[float32](Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if en.ISA() != asm.Active() || en.Threads() != 5 {
		t.Fatalf("NewEngine(zero): ISA %q, Threads %d; want the defaults %q, 5", en.ISA(), en.Threads(), asm.Active())
	}
	for _, c := range []struct {
		s    Settings
		want string
	}{
		{Settings{ISA: "sse9"}, "unknown instruction set \"sse9\""},
		{Settings{Threads: -1}, "threads -1"},
	} {
		_, err := NewEngine[float64](c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewEngine(%+v): err = %v, want it to contain %q", c.s, err, c.want)
		}
	}
	if _, err := NewEngine[float64](Settings{ISA: "sse9"}); !strings.Contains(err.Error(), "generic") {
		t.Errorf("the error for an unknown instruction set does not name the available ones: %v", err)
	}
}

// engineWork runs every routine of Engine on en from inputs derived from
// seed, large enough for the packed, blocked and multi-threaded paths, and
// returns all the results concatenated.
func engineWork[T Float](en *Engine[T], seed uint64) []T {
	const n, k = 260, 70
	rng := gemmTestRNG(seed)
	a, b := NewMatrix[T](n, k), NewMatrix[T](n, k)
	fillUniform(rng, a)
	fillUniform(rng, b)
	var out []T
	c := NewMatrix[T](n, n)
	en.Gemm(NoTrans, Trans, 1.5, a, b, 0, c)
	out = append(out, c.Data...)
	g := NewMatrix[T](n, n)
	en.Syrk(Lower, NoTrans, 1, a, 0, g)
	en.Symmetrize(Lower, g)
	out = append(out, g.Data...)
	l := NewMatrix[T](n, n)
	copy(l.Data, g.Data)
	if err := en.CholeskyShift(l, 2); err != nil {
		panic(err)
	}
	out = append(out, l.Data...)
	x := NewMatrix[T](n, k)
	copy(x.Data, b.Data)
	en.CholeskySolve(l, x)
	out = append(out, x.Data...)
	y := NewMatrix[T](n, k)
	copy(y.Data, b.Data)
	en.Trsm(Left, Lower, NoTrans, NonUnit, 1, l, y)
	out = append(out, y.Data...)
	d := make([]T, n)
	en.CholeskyInverseDiag(l, d)
	out = append(out, d...)
	en.CholeskyInverse(l)
	out = append(out, l.Data...)
	v := make([]T, n)
	en.MulVec(g, d, v)
	out = append(out, v...)
	l2 := NewMatrix[T](n, n)
	copy(l2.Data, g.Data)
	for i := range n {
		l2.Data[i*n+i] += 3
	}
	if err := en.Cholesky(l2); err != nil {
		panic(err)
	}
	out = append(out, l2.Data...)
	sum := make([]T, n)
	en.ParallelFor(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			sum[i] = Dot(a.Row(i), b.Row(i))
		}
	})
	return append(out, sum...)
}

// TestEngineConcurrent runs engines of every instruction set and several
// thread counts side by side, while the process-wide path and thread count
// point elsewhere, and checks each result bit for bit against the same
// work run alone through the package-level functions with that path
// selected. Run it under the race detector.
func TestEngineConcurrent(t *testing.T) {
	forEachPrec(t, testEngineConcurrent[float64], testEngineConcurrent[float32])
}

func testEngineConcurrent[T Float](t *testing.T) {
	type job struct {
		s    Settings
		seed uint64
	}
	var jobs []job
	for i, isa := range asm.Available() {
		for _, th := range []int{1, 2, 3} {
			jobs = append(jobs, job{Settings{ISA: isa, Threads: th}, uint64(10*i + th)})
		}
	}
	// References, one at a time, through the global path and threads.
	want := make([][]T, len(jobs))
	prev := asm.Active()
	for i, j := range jobs {
		if err := impl.Select(j.s.ISA); err != nil {
			t.Fatal(err)
		}
		old := SetThreads(j.s.Threads)
		want[i] = engineWork(DefaultEngine[T](), j.seed)
		SetThreads(old)
	}
	// Engines side by side, the global settings on the weakest path and
	// one thread.
	if err := impl.Select(impl.Generic); err != nil {
		t.Fatal(err)
	}
	defer impl.Select(prev) //nolint:errcheck // prev was active
	defer SetThreads(SetThreads(1))
	got := make([][]T, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		en, err := NewEngine[T](j.s)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			runtime.Gosched()
			got[i] = engineWork(en, j.seed)
		})
	}
	wg.Wait()
	for i, j := range jobs {
		if !sameBits(got[i], want[i]) {
			k := 0
			for k = range got[i] {
				if math.Float64bits(float64(got[i][k])) != math.Float64bits(float64(want[i][k])) {
					break
				}
			}
			t.Errorf("engine %+v: result differs from the same work run alone (first at %d: %v vs %v)", j.s, k, got[i][k], want[i][k])
		}
	}
}
