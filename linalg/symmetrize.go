package linalg

// symTile is the side of the square tiles Symmetrize copies: a source and
// a destination tile (2 x 8 KiB in float64) stay in L1 while one is read by
// rows and the other written by columns.
const symTile = 32

// Symmetrize copies the uplo triangle of the square matrix a onto the other
// one, so that a equals its transpose; the diagonal is left as it is. It
// moves n(n-1)/2 elements in symTile x symTile tiles on up to Threads()
// goroutines (each tile is written by one goroutine, so the result does not
// depend on the thread count). It panics if a is not square or uplo is
// invalid.
func Symmetrize[T Float](uplo Uplo, a Matrix[T]) { symmetrize(Threads(), uplo, a) }

// symmetrize is Symmetrize on up to nt goroutines.
func symmetrize[T Float](nt int, uplo Uplo, a Matrix[T]) {
	if uplo != Lower && uplo != Upper {
		panic(errUplo)
	}
	if a.Rows != a.Cols {
		panic(errNotSquare)
	}
	a.check()
	n := a.Rows
	blocks := (n + symTile - 1) / symTile
	// Block row b of the destination triangle holds about n - b*symTile
	// elements (upper) or b*symTile (lower): pairing b with blocks-1-b
	// gives every goroutine about the same work.
	parallelFor(nt, (blocks+1)/2, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			symmetrizeBlockRow(uplo, a, p)
			if q := blocks - 1 - p; q != p {
				symmetrizeBlockRow(uplo, a, q)
			}
		}
	})
}

// symmetrizeBlockRow fills the destination elements in rows
// b*symTile..(b+1)*symTile-1 of a: a(i, j) = a(j, i) for j > i when the
// source is Lower, for j < i when it is Upper.
func symmetrizeBlockRow[T Float](uplo Uplo, a Matrix[T], b int) {
	n, ld := a.Rows, a.Stride
	i0, i1 := b*symTile, min((b+1)*symTile, n)
	j0, j1 := i0, n // destination columns: right of the diagonal (Lower)
	if uplo == Upper {
		j0, j1 = 0, i1
	}
	for jb := j0; jb < j1; jb += symTile {
		je := min(jb+symTile, j1)
		for i := i0; i < i1; i++ {
			lo, hi := max(jb, i+1), je // strictly right of the diagonal
			if uplo == Upper {
				lo, hi = jb, min(je, i) // strictly left of it
			}
			row := a.Data[i*ld : i*ld+n]
			for j := lo; j < hi; j++ {
				row[j] = a.Data[j*ld+i]
			}
		}
	}
}
