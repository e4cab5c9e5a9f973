package linalg

// Float is the element type of the matrices: float64 (the default) or float32.
type Float interface{ float32 | float64 }

// Matrix is a dense row-major matrix view: element (i, j) is
// Data[i*Stride+j]. Views share Data with the matrix they come from.
type Matrix[T Float] struct {
	Rows, Cols int
	Stride     int // distance between rows, >= Cols
	Data       []T
}

// Panic messages for programmer errors.
const (
	errNegDim    = "linalg: negative dimension"
	errShortData = "linalg: data shorter than rows*stride"
	errStride    = "linalg: stride < cols"
	errView      = "linalg: view out of range"
)

// NewMatrix returns a zeroed rows x cols matrix.
func NewMatrix[T Float](rows, cols int) Matrix[T] {
	if rows < 0 || cols < 0 {
		panic(errNegDim)
	}
	return Matrix[T]{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: make([]T, rows*cols)}
}

// MatrixFrom wraps data, row-major with stride cols, without copying.
func MatrixFrom[T Float](rows, cols int, data []T) Matrix[T] {
	if rows < 0 || cols < 0 {
		panic(errNegDim)
	}
	m := Matrix[T]{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: data}
	m.check()
	return m
}

// check panics if the view does not fit its data.
func (m Matrix[T]) check() {
	if m.Rows < 0 || m.Cols < 0 {
		panic(errNegDim)
	}
	if m.Stride < m.Cols || m.Stride < 1 {
		panic(errStride)
	}
	if m.Rows > 0 && m.Cols > 0 && len(m.Data) < (m.Rows-1)*m.Stride+m.Cols {
		panic(errShortData)
	}
}

// At returns element (i, j).
func (m Matrix[T]) At(i, j int) T { return m.Data[i*m.Stride+j] }

// Set sets element (i, j) to v.
func (m Matrix[T]) Set(i, j int, v T) { m.Data[i*m.Stride+j] = v }

// Row returns row i as a slice of length Cols sharing the matrix's storage.
func (m Matrix[T]) Row(i int) []T {
	if m.Cols == 0 {
		return m.Data[:0:0] // a view with no columns may have no data
	}
	return m.Data[i*m.Stride : i*m.Stride+m.Cols : i*m.Stride+m.Cols]
}

// View returns the r x c sub-matrix whose top-left element is (i, j),
// sharing storage.
func (m Matrix[T]) View(i, j, r, c int) Matrix[T] {
	if i < 0 || j < 0 || r < 0 || c < 0 || i+r > m.Rows || j+c > m.Cols {
		panic(errView)
	}
	if r == 0 || c == 0 {
		return Matrix[T]{Rows: r, Cols: c, Stride: m.Stride}
	}
	off := i*m.Stride + j
	return Matrix[T]{Rows: r, Cols: c, Stride: m.Stride, Data: m.Data[off : off+(r-1)*m.Stride+c]}
}

// Clone returns a compact copy of m (stride = cols).
func (m Matrix[T]) Clone() Matrix[T] {
	c := NewMatrix[T](m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		copy(c.Row(i), m.Row(i))
	}
	return c
}

// Transpose says whether an operand is used as stored or transposed.
type Transpose bool

const (
	NoTrans Transpose = false
	Trans   Transpose = true
)

// Uplo selects the lower or the upper triangle.
type Uplo uint8

const (
	Lower Uplo = iota
	Upper
)

// Side says whether a triangular matrix multiplies from the left or the right.
type Side uint8

const (
	Left Side = iota
	Right
)

// Diag says whether a triangular matrix has an implicit unit diagonal.
type Diag uint8

const (
	NonUnit Diag = iota
	Unit
)
