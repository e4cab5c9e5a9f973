package asm

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestMain prints which instruction sets this binary runs, so every test log
// shows what was covered. With ASM_REQUIRE=avx2,avx512 (for example), a
// required path this machine or build lacks fails the run instead of being
// skipped.
func TestMain(m *testing.M) {
	fmt.Printf("asm: active ISA %s; available: %s\n", Active(), strings.Join(Available(), ", "))
	if req := os.Getenv("ASM_REQUIRE"); req != "" {
		for _, name := range strings.Split(req, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if !slices.Contains(Available(), name) {
				fmt.Fprintf(os.Stderr, "ASM_REQUIRE=%s: %q is not available (available: %s)\n",
					req, name, strings.Join(Available(), ", "))
				os.Exit(1)
			}
		}
	}
	os.Exit(m.Run())
}
