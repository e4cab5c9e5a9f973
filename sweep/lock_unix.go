//go:build unix

package sweep

import (
	"os"
	"syscall"
)

// lockFile takes a non-blocking exclusive flock on f; it is released when f
// is closed or the process dies.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
