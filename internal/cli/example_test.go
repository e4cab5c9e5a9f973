package cli_test

import (
	"errors"
	"fmt"

	"github.com/spurious-ml/spurious/internal/cli"
)

func Example() {
	for _, err := range []error{
		nil,
		cli.Usagef("run: --n %d: want at least 1", 0),
		errors.New("open results.jsonl: no such file or directory"),
	} {
		code := cli.ExitCode(err)
		if err != nil {
			fmt.Println(code, cli.ErrorLine("run", err))
		} else {
			fmt.Println(code)
		}
	}
	// Output:
	// 0
	// 64 spurious run: --n 0: want at least 1
	// 1 spurious run: open results.jsonl: no such file or directory
}
