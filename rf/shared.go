package rf

import (
	"fmt"

	"github.com/spurious-ml/spurious/linalg"
)

// Shared declares that a query matrix repeats columns of another input:
// for every row i of query Query, Query[i][Lo:Hi] equals Base[i][Lo:Hi].
// In the paper's data the spurious query zs_i = [x'_i, y_i] repeats the
// spurious columns of training sample z_i = [x_i, y_i], and a held-out query
// repeats those of its test sample. Gram then projects the shared columns
// once for both: X V^T = X[:, A] V[:, A]^T + X[:, B] V[:, B]^T with B the
// shared columns, saving 2*rows(Query)*(Hi-Lo) flops per feature. Gram
// checks the declaration (an exact comparison of the shared values) and
// returns an error if it does not hold.
type Shared struct {
	Query int // index of the query matrix in Gram's queries
	Base  int // index of the input it repeats: -1 for the training matrix z, else a query index
	Lo    int // first shared column
	Hi    int // one past the last shared column
}

// SharedFlops is the projection flops saved by the declarations: subtract
// it from Flops. rows gives the row count of each query matrix.
func SharedFlops(shared []Shared, rows []int, k int) float64 {
	var s float64
	for _, sh := range shared {
		s += 2 * float64(rows[sh.Query]) * float64(sh.Hi-sh.Lo) * float64(k)
	}
	return s
}

// CheckShared validates declarations against the training matrix z and
// the queries, as Gram does: column ranges, row counts (a query has at most
// as many rows as its base), each input in at most one declaration, and
// the shared values equal bit for bit. Cost: one pass over the shared
// values.
func CheckShared(shared []Shared, z linalg.Matrix[float64], queries ...linalg.Matrix[float64]) error {
	return checkShared(shared, append([]linalg.Matrix[float64]{z}, queries...))
}

// checkShared is CheckShared on the inputs stacked (input 0 is z, input
// m+1 is query m).
func checkShared(shared []Shared, inputs []linalg.Matrix[float64]) error {
	used := make([]bool, len(inputs))
	d := inputs[0].Cols
	for _, s := range shared {
		q, b := s.Query+1, s.Base+1
		switch {
		case q < 1 || q >= len(inputs) || b < 0 || b >= len(inputs) || q == b:
			return fmt.Errorf("rf: Shared{Query: %d, Base: %d}: not two different inputs (%d queries)", s.Query, s.Base, len(inputs)-1)
		case s.Lo < 0 || s.Hi > d || s.Lo >= s.Hi:
			return fmt.Errorf("rf: Shared columns [%d, %d) outside [0, %d) or empty", s.Lo, s.Hi, d)
		case inputs[q].Rows > inputs[b].Rows:
			return fmt.Errorf("rf: Shared: query %d has %d rows, more than its base (%d)", s.Query, inputs[q].Rows, inputs[b].Rows)
		case used[q] || used[b]:
			return fmt.Errorf("rf: Shared: an input appears in two declarations")
		}
		used[q], used[b] = true, true
		for i := 0; i < inputs[q].Rows; i++ {
			qr, br := inputs[q].Row(i)[s.Lo:s.Hi], inputs[b].Row(i)[s.Lo:s.Hi]
			for j := range qr {
				if qr[j] != br[j] {
					return fmt.Errorf("rf: Shared: query %d row %d column %d is %v but its base has %v; the declared columns are not shared",
						s.Query, i, s.Lo+j, qr[j], br[j])
				}
			}
		}
	}
	return nil
}

// Project sets the rows of p to X_i V^T for the inputs X_i stacked in
// order (input 0 in the first rows of p, then input 1, ...), computing each
// declared shared block once: p has as many rows as the inputs together
// and as many columns as v has rows. The declarations index inputs as Gram
// does (Base -1 is input 0, Query m is input m+1) and must have been
// checked (CheckShared). The products run on en (nil:
// linalg.DefaultEngine). Cost: 2*rows*d*rows(v) flops minus SharedFlops.
func Project[T linalg.Float](en *linalg.Engine[T], inputs []linalg.Matrix[T], shared []Shared, v, p linalg.Matrix[T]) {
	if en == nil {
		en = linalg.DefaultEngine[T]()
	}
	d := v.Cols
	bb := p.Cols
	off := make([]int, len(inputs)+1)
	for i, x := range inputs {
		off[i+1] = off[i] + x.Rows
	}
	if off[len(inputs)] != p.Rows || bb != v.Rows {
		panic(errPShape)
	}
	done := make([]int, len(inputs)) // leading rows already projected
	// cols computes dst = x[:, lo:hi] v[:, lo:hi]^T + beta*dst.
	cols := func(x linalg.Matrix[T], lo, hi int, beta T, dst linalg.Matrix[T]) {
		if hi > lo && x.Rows > 0 {
			en.Gemm(linalg.NoTrans, linalg.Trans, 1, x.View(0, lo, x.Rows, hi-lo), v.View(0, lo, bb, hi-lo), beta, dst)
		}
	}
	for _, s := range shared {
		q, b := s.Query+1, s.Base+1
		rq := inputs[q].Rows
		if rq == 0 {
			continue
		}
		pq := p.View(off[q], 0, rq, bb)
		pbase := p.View(off[b], 0, rq, bb)
		xb := inputs[b].View(0, 0, rq, d)
		cols(xb, s.Lo, s.Hi, 0, pq) // the shared part, once
		en.ParallelFor(rq, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				copy(pbase.Row(i), pq.Row(i))
			}
		})
		for _, part := range [][2]int{{0, s.Lo}, {s.Hi, d}} {
			cols(inputs[q], part[0], part[1], 1, pq)
			cols(xb, part[0], part[1], 1, pbase)
		}
		done[q], done[b] = rq, rq
	}
	for i, x := range inputs {
		if r := x.Rows - done[i]; r > 0 {
			en.Gemm(linalg.NoTrans, linalg.Trans, 1, x.View(done[i], 0, r, d), v, 0, p.View(off[i]+done[i], 0, r, bb))
		}
	}
}
