package shard

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParseManifest: ParseManifest never panics, and a manifest it
// accepts survives a JSON round trip unchanged.
func FuzzParseManifest(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "p")
	s := small("ntk")
	s.K, s.N, s.Nt = 20, 8, 4
	if _, err := RunPartial(context.Background(), s, ID{1, 2}, dir, Options{}); err != nil {
		f.Fatal(err)
	}
	valid, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{"format": "spurious-feature-shard/1"}`))
	f.Add([]byte(`{"format": "spurious-feature-shard/2", "shard": 3, "shards": 2}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b, "fuzz")
		if err != nil {
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := ParseManifest(out, "round trip")
		if err != nil {
			t.Fatalf("re-encoded manifest rejected: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the manifest:\n%+v\n%+v", m, m2)
		}
	})
}
