package bench

// Config is what `spurious bench OP` was asked for; each op reads the
// fields it needs (zero means the op's default).
type Config struct {
	M, N, K   int    // matrix sizes (gemm: m x k times k x n; syrk: n x k; potrf: n)
	NRHS      int    // right-hand sides (trsm)
	D         int    // input dimension (rf, ntk)
	Threads   int    // 0: all cores
	Precision string // "f64" or "f32"
}

// Case is one prepared measurement: Run executes the operation once on
// data prepared by the op (setup is not timed), Reset, if not nil, restores
// the input that Run overwrites and is called untimed before every Run,
// Flops is the conventional flop count of one Run, and Sizes are reported
// as JSON keys (e.g. "m", "n").
type Case struct {
	Sizes map[string]int
	Flops float64
	Reset func()
	Run   func() error
}

// Op prepares the measurement of one operation.
type Op func(cfg Config) (Case, error)

// ops holds every operation `spurious bench` knows; files bench_*.go
// add theirs in init.
var ops = map[string]Op{}
