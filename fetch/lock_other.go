//go:build !unix && !windows

package fetch

import "os"

// tryLock always succeeds: the system has no advisory file locks.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) {}
