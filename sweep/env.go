package sweep

import (
	"runtime"
	"runtime/debug"

	"github.com/klauspost/cpuid/v2"
)

// Environment is the machine and build a trial ran on, recorded with every
// line a sweep writes (the result itself records the instruction set, the
// block sizes and the threads).
type Environment struct {
	CPU       string `json:"cpu"`
	Platform  string `json:"platform"` // GOOS/GOARCH
	GoVersion string `json:"go"`
	Revision  string `json:"revision,omitempty"` // VCS revision of the binary; "+dirty" when built with uncommitted changes
}

// CurrentEnvironment returns the Environment of the running binary.
func CurrentEnvironment() Environment {
	e := Environment{CPU: cpuid.CPU.BrandName, Platform: runtime.GOOS + "/" + runtime.GOARCH, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				e.Revision = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && e.Revision != "" {
			e.Revision += "+dirty"
		}
	}
	return e
}

// environment is computed once per process.
var environment = CurrentEnvironment()
