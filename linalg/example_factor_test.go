package linalg_test

import (
	"errors"
	"fmt"

	"github.com/spurious-ml/spurious/linalg"
)

func printLower(m linalg.Matrix[float64]) {
	for i := 0; i < m.Rows; i++ {
		for j := 0; j <= i; j++ {
			fmt.Printf("%7.3f", m.At(i, j))
		}
		fmt.Println()
	}
}

// A Gram matrix K = P*P^T of three samples with two features each: only
// the lower triangle is computed.
func ExampleSyrk() {
	p := linalg.MatrixFrom(3, 2, []float64{
		1, 2,
		3, 4,
		5, 6,
	})
	k := linalg.NewMatrix[float64](3, 3)
	linalg.Syrk(linalg.Lower, linalg.NoTrans, 1, p, 0, k)
	printLower(k)
	// Output:
	//   5.000
	//  11.000 25.000
	//  17.000 39.000 61.000
}

// The Gram of two training samples and their cross Gram with a query, in
// one pass: the samples' rows come first in P, the query's after, and C
// holds K's lower triangle over the cross Gram.
func ExampleSyrkTrapezoid() {
	p := linalg.MatrixFrom(3, 2, []float64{
		1, 2, // training sample 0
		3, 4, // training sample 1
		5, 6, // query
	})
	c := linalg.NewMatrix[float64](3, 2)
	linalg.SyrkTrapezoid(1, p, 0, c)
	k, cross := c.View(0, 0, 2, 2), c.View(2, 0, 1, 2)
	printLower(k)
	fmt.Println(cross.Row(0))
	// Output:
	//   5.000
	//  11.000 25.000
	// [17 39]
}

func ExampleCholesky() {
	a := linalg.MatrixFrom(3, 3, []float64{
		4, 0, 0, // the upper triangle is not read
		2, 10, 0,
		-2, 5, 11,
	})
	if err := linalg.Cholesky(a); err != nil {
		fmt.Println(err)
		return
	}
	printLower(a)
	// Output:
	//   2.000
	//   1.000  3.000
	//  -1.000  2.000  2.449
}

// A rank-deficient Gram matrix is not positive definite; a ridge makes it
// so without copying the matrix.
func ExampleCholeskyShift() {
	k := linalg.MatrixFrom(2, 2, []float64{
		1, 1,
		1, 1,
	})
	l := k.Clone()
	err := linalg.Cholesky(l)
	var npd *linalg.NotPositiveDefiniteError
	if errors.As(err, &npd) {
		fmt.Printf("pivot %d, value %g\n", npd.Pivot, npd.Value)
	}
	l = k.Clone()
	if err := linalg.CholeskyShift(l, 0.5); err != nil {
		fmt.Println(err)
		return
	}
	printLower(l)
	// Output:
	// pivot 1, value 0
	//   1.225
	//   0.816  0.913
}

// Solve K*X = B for two right-hand sides from the factor.
func ExampleCholeskySolve() {
	l := linalg.MatrixFrom(2, 2, []float64{
		4, 0,
		2, 3,
	})
	if err := linalg.Cholesky(l); err != nil {
		fmt.Println(err)
		return
	}
	b := linalg.MatrixFrom(2, 2, []float64{
		4, 8,
		2, 5,
	})
	linalg.CholeskySolve(l, b)
	fmt.Printf("%.3f %.3f\n%.3f %.3f\n", b.At(0, 0), b.At(0, 1), b.At(1, 0), b.At(1, 1))
	// Output:
	// 1.000 1.750
	// 0.000 0.500
}

func ExampleCholeskyInverse() {
	l := linalg.MatrixFrom(2, 2, []float64{
		4, 0,
		2, 3,
	})
	if err := linalg.Cholesky(l); err != nil {
		fmt.Println(err)
		return
	}
	linalg.CholeskyInverse(l) // both triangles of K^{-1}
	fmt.Printf("%.4f %.4f\n%.4f %.4f\n", l.At(0, 0), l.At(0, 1), l.At(1, 0), l.At(1, 1))
	// Output:
	// 0.3750 -0.2500
	// -0.2500 0.5000
}

// The diagonal of K^{-1}, as leave-one-out formulas need, without forming
// K^{-1}.
func ExampleCholeskyInverseDiag() {
	l := linalg.MatrixFrom(2, 2, []float64{
		4, 0,
		2, 3,
	})
	if err := linalg.Cholesky(l); err != nil {
		fmt.Println(err)
		return
	}
	d := make([]float64, 2)
	linalg.CholeskyInverseDiag(l, d)
	fmt.Printf("%.4f %.4f\n", d[0], d[1])
	// Output:
	// 0.3750 0.5000
}

// X*U = B for an upper triangular U, with the right-hand sides as rows.
func ExampleTrsm() {
	u := linalg.MatrixFrom(2, 2, []float64{
		2, 1,
		0, 4,
	})
	b := linalg.MatrixFrom(1, 2, []float64{4, 10})
	linalg.Trsm(linalg.Right, linalg.Upper, linalg.NoTrans, linalg.NonUnit, 1, u, b)
	fmt.Printf("%.3f %.3f\n", b.At(0, 0), b.At(0, 1))
	// Output:
	// 2.000 2.000
}
