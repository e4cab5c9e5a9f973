package bench

import (
	"github.com/spurious-ml/spurious/asm"
	"github.com/spurious-ml/spurious/internal/impl"
)

// SelectISA makes name the instruction set of every kernel of the process
// (as SPURIOUS_ISA does at start-up), for measuring a path other than the
// best one, and returns a function restoring the previous one. An empty
// name keeps the active set but returns asm.EnvError when SPURIOUS_ISA was
// unusable; an unknown or unsupported name is an error naming the
// available sets. It never falls back. Call it while no kernel runs: the
// switch is process-wide (an engine's own linalg.Settings.ISA is not).
func SelectISA(name string) (restore func(), err error) {
	if name == "" {
		if err := asm.EnvError(); err != nil {
			return nil, err
		}
		return func() {}, nil
	}
	prev := impl.Active()
	if err := impl.Select(name); err != nil {
		return nil, err
	}
	return func() { impl.Select(prev) }, nil //nolint:errcheck // prev was active, so it is available
}
