package bench

import (
	"strings"
	"testing"

	"github.com/spurious-ml/spurious/asm"
)

func TestSelectISA(t *testing.T) {
	prev := asm.Active()
	restore, err := SelectISA(asm.Generic)
	if err != nil {
		t.Fatal(err)
	}
	if got := asm.Active(); got != asm.Generic {
		t.Errorf("after SelectISA(generic) the active set is %s", got)
	}
	restore()
	if got := asm.Active(); got != prev {
		t.Errorf("restore left %s active, want %s", got, prev)
	}
	if _, err := SelectISA("avx9000"); err == nil || !strings.Contains(err.Error(), asm.Generic) {
		t.Errorf("SelectISA(avx9000): %v, want an error naming the available sets", err)
	}
	if asm.Active() != prev {
		t.Errorf("a refused SelectISA changed the active set to %s", asm.Active())
	}
	restore, err = SelectISA("")
	if (err == nil) != (asm.EnvError() == nil) {
		t.Errorf("SelectISA(\"\") = %v with SPURIOUS_ISA's error %v", err, asm.EnvError())
	}
	if err == nil {
		restore()
	}
	if asm.Active() != prev {
		t.Errorf("SelectISA(\"\") changed the active set to %s", asm.Active())
	}
}
