package outfile_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spurious-ml/spurious/internal/outfile"
)

func Example() {
	dir, _ := os.MkdirTemp("", "outfile")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "result.csv")
	err := outfile.Write(p, nil, func(w io.Writer) error {
		_, err := io.WriteString(w, "i,f\n0,0.5\n")
		return err
	})
	b, _ := os.ReadFile(p)
	fmt.Printf("%v %q\n", err, b)
	fmt.Println(outfile.Write("/dev/full", nil, func(w io.Writer) error {
		_, err := io.WriteString(w, "x")
		return err
	}))
	// Output:
	// <nil> "i,f\n0,0.5\n"
	// writing /dev/full: write /dev/full: no space left on device
}
