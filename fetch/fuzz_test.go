package fetch

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzUnpackTarGz unpacks arbitrary bytes: it must fail or succeed whole,
// never write outside the destination's parent folder, and never leave a
// temporary folder behind.
func FuzzUnpackTarGz(f *testing.F) {
	f.Add(tarGz(f, entry{name: "a/b.bin", body: []byte("x")}))
	f.Add(tarGz(f, entry{name: "../evil", body: []byte("x")}))
	f.Add(tarGz(f, entry{name: "l", link: "/", typ: tar.TypeSymlink}))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		root := t.TempDir()
		parent := filepath.Join(root, "cache")
		arch := filepath.Join(root, "a.tar.gz")
		if err := os.WriteFile(arch, b, 0o644); err != nil {
			t.Fatal(err)
		}
		err := UnpackTarGz(arch, filepath.Join(parent, "out"), Limits{Files: 20, FileBytes: 1 << 16, Total: 1 << 18}, nil, nil)
		ents, _ := os.ReadDir(root)
		for _, e := range ents {
			if e.Name() != "a.tar.gz" && e.Name() != "cache" {
				t.Fatalf("%s written beside the cache folder (error %v)", e.Name(), err)
			}
		}
		inParent, _ := os.ReadDir(parent)
		for _, e := range inParent {
			if e.Name() != "out" || err != nil {
				t.Fatalf("%s left in the cache folder (error %v)", e.Name(), err)
			}
		}
		if err == nil {
			filepath.WalkDir(filepath.Join(parent, "out"), func(p string, d os.DirEntry, _ error) error {
				if d != nil && d.Type()&os.ModeSymlink != 0 {
					t.Fatalf("symlink %s written", p)
				}
				if !strings.HasPrefix(p, filepath.Join(parent, "out")) {
					t.Fatalf("%s outside the destination", p)
				}
				return nil
			})
		}
	})
}
