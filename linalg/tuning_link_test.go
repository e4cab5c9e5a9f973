//go:build unix

package linalg

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteTuningKeepsLinksAndDevices: a tuning file given as a symbolic
// link is written through the link, and /dev/full is an error, not a
// device replaced by a regular file.
func TestWriteTuningKeepsLinksAndDevices(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "real.json"), filepath.Join(dir, "link.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Skip(err)
	}
	in := Tuning{CPU: CPUModel(), Entries: []TunedBlocks{derivedEntry[float64]()}}
	if err := WriteTuning(link, in); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a %v", st.Mode())
	}
	if _, err := ReadTuning(target); err != nil {
		t.Errorf("the link's target: %v", err)
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		if err := WriteTuning("/dev/full", in); err == nil {
			t.Error("writing /dev/full succeeded")
		}
		if st, _ := os.Stat("/dev/full"); st.Mode()&fs.ModeCharDevice == 0 {
			t.Fatal("/dev/full is no longer a device")
		}
	}
}
