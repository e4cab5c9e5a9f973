package memory_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/internal/memory"
)

func Example() {
	n := 100000.0
	e := memory.Estimate{
		{What: "training data", Bytes: 8 * 2 * n * 20000, Reduce: "N or d"},
		{What: "Gram matrices", Bytes: 8 * 2 * n * n, Reduce: "N"},
	}
	fmt.Println(e.Check(64<<30, "a 64 GiB machine"))
	// Output:
	// needs about 179 GiB of memory but a 64 GiB machine allows 64 GiB: Gram matrices 149 GiB (reduce N); training data 29.8 GiB (reduce N or d)
}
