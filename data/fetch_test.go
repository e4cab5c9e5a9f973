package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spurious-ml/spurious/fetch"
)

// tarEntry is one member of a test archive; size > 0 with no body writes
// that many zero bytes (a bomb).
type tarEntry struct {
	name string
	body []byte
	size int64
	typ  byte
	link string
}

func buildTarGz(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.body)), Linkname: e.link}
		if e.typ != 0 {
			h.Typeflag, h.Size = e.typ, 0
		} else if e.body == nil {
			h.Size = e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if e.body != nil {
				tw.Write(e.body)
			} else {
				zeros := make([]byte, 1<<20)
				for left := h.Size; left > 0; left -= int64(len(zeros)) {
					tw.Write(zeros[:min(left, int64(len(zeros)))])
				}
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

// officialCIFAREntries are the members of cifar-10-binary.tar.gz, in its
// order and folder, with two records per batch instead of 10000; the
// label of record r of batch b is (b+r)%10 and the test batch's is 9.
func officialCIFAREntries() []tarEntry {
	es := []tarEntry{{name: "cifar-10-batches-bin/", typ: tar.TypeDir}}
	for b, name := range append(cifarTrainBatches[:len(cifarTrainBatches):len(cifarTrainBatches)], cifarTestBatch) {
		var recs []byte
		for r := range 2 {
			label := byte((b + r) % 10)
			if name == cifarTestBatch {
				label = 9
			}
			recs = append(recs, cifarRec(label, func(p, c int) byte { return byte(p + c + b) })...)
		}
		es = append(es, tarEntry{name: "cifar-10-batches-bin/" + name, body: recs})
	}
	return append(es,
		tarEntry{name: "cifar-10-batches-bin/batches.meta.txt", body: []byte(strings.Join(CIFAR10Classes, "\n") + "\n")},
		tarEntry{name: "cifar-10-batches-bin/readme.html", body: []byte("<html></html>")})
}

// archiveServer serves content at /cifar-10-binary.tar.gz on 127.0.0.1
// with Range support, cutting the first response after cut bytes when cut
// > 0; it counts the requests.
func archiveServer(t *testing.T, content []byte, cut int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 && cut > 0 {
			w.Header().Set("Content-Length", "99999999")
			w.Write(content[:cut])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		http.ServeContent(w, r, "x", time.Time{}, bytes.NewReader(content))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func fileFor(url string, b []byte) fetch.File {
	m := md5.Sum(b)
	return fetch.File{URL: url, Size: int64(len(b)), MD5: hex.EncodeToString(m[:])}
}

// TestFetchCIFAR10 downloads a small archive in the official layout, cut
// short once (so the second call resumes), unpacks it, reads it through the
// default folder, and checks that a second fetch does nothing.
func TestFetchCIFAR10(t *testing.T) {
	archive := buildTarGz(t, officialCIFAREntries())
	srv, requests := archiveServer(t, archive, len(archive)/2)
	cache := t.TempDir()
	t.Setenv("SPURIOUS_CACHE", cache)
	t.Setenv("SPURIOUS_CIFAR_DIR", "")
	f := fileFor(srv.URL+"/cifar-10-binary.tar.gz", archive)
	ctx := context.Background()
	if _, err := LoadSource(ctx, "cifar10", ""); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "`spurious data fetch cifar10`") {
		t.Fatalf("before the fetch: error %v, want ErrUnavailable with the fetch command", err)
	}
	if _, err := fetchCIFAR10(ctx, cache, f, FetchOptions{}); err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("cut download: error %v, want one saying to resume", err)
	}
	if _, err := os.Stat(filepath.Join(cache, "cifar10")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("cifar10 folder created from a partial download")
	}
	var prog strings.Builder
	dir, err := fetchCIFAR10(ctx, cache, f, FetchOptions{Progress: &prog})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prog.String(), "cifar10: resuming after") || !strings.Contains(prog.String(), "done in") {
		t.Errorf("progress %q", prog.String())
	}
	if dir != filepath.Join(cache, "cifar10") {
		t.Errorf("folder %s", dir)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "batches.meta.txt data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin" {
		t.Errorf("unpacked %s", got)
	}
	if ents, _ := os.ReadDir(filepath.Join(cache, "downloads")); len(ents) != 0 {
		t.Errorf("downloads/ still holds %v", ents)
	}
	src, err := LoadSource(ctx, "cifar10", "")
	if err != nil {
		t.Fatal(err)
	}
	if src.Train.Len() != 10 || src.Test.Len() != 2 || src.Train.Labels[3] != 2 || src.Test.Labels[1] != 9 || src.Name != "cifar10" {
		t.Errorf("read back %s: %d/%d images, labels %v / %v", src.Name, src.Train.Len(), src.Test.Len(), src.Train.Labels, src.Test.Labels)
	}
	before := requests.Load()
	if _, err := fetchCIFAR10(ctx, cache, f, FetchOptions{}); err != nil || requests.Load() != before {
		t.Errorf("second fetch: %v, %d new requests; want nothing done", err, requests.Load()-before)
	}
	list := CacheList(cache)
	if list[2].Name != "cifar10" || !list[2].Present || list[2].Bytes != dirBytes(dir) || list[2].Bytes == 0 {
		t.Errorf("CacheList cifar10 entry %+v", list[2])
	}
}

// TestFetchCIFAR10Rejects serves archives that must not reach the cache.
func TestFetchCIFAR10Rejects(t *testing.T) {
	official := officialCIFAREntries()
	withEntry := func(e tarEntry) []tarEntry { return append(official[:len(official):len(official)], e) }
	short := append([]tarEntry(nil), official...)
	short[1].body = short[1].body[:cifarRecord+7]
	good := buildTarGz(t, official)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 1
	cases := []struct {
		name    string
		served  []byte
		file    func(url string) fetch.File
		unsafe  bool
		wantErr string
	}{
		{"wrong checksum", good, func(u string) fetch.File { f := fileFor(u, good); f.MD5 = strings.Repeat("0", 32); return f }, false, "md5"},
		{"corrupt archive", corrupt, func(u string) fetch.File { return fileFor(u, good) }, false, "md5"},
		{"path traversal", nil, nil, true, "climbs out"},
		{"symlink", buildTarGz(t, withEntry(tarEntry{name: "cifar-10-batches-bin/x.bin", typ: tar.TypeSymlink, link: "/etc/passwd"})), nil, true, "symbolic link"},
		{"bomb", buildTarGz(t, withEntry(tarEntry{name: "cifar-10-batches-bin/data_batch_6.bin", size: 40 << 20})), nil, true, "more than the"},
		{"not CIFAR records", buildTarGz(t, short), nil, false, "multiple of the 3073-byte record"},
	}
	cases[2].served = buildTarGz(t, withEntry(tarEntry{name: "cifar-10-batches-bin/../../evil.bin", body: []byte("x")}))
	for _, c := range cases {
		srv, _ := archiveServer(t, c.served, 0)
		url := srv.URL + "/cifar-10-binary.tar.gz"
		f := fileFor(url, c.served)
		if c.file != nil {
			f = c.file(url)
		}
		cache := t.TempDir()
		_, err := fetchCIFAR10(context.Background(), cache, f, FetchOptions{})
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || errors.Is(err, fetch.ErrUnsafe) != c.unsafe {
			t.Errorf("%s: error %v, want one with %q (unsafe %v)", c.name, err, c.wantErr, c.unsafe)
		}
		for _, p := range []string{"cifar10", "evil.bin", "../evil.bin"} {
			if _, err := os.Stat(filepath.Join(cache, p)); err == nil {
				t.Errorf("%s: %s exists", c.name, p)
			}
		}
	}
}

// TestFetchCIFAR10URL checks the URL overrides: the option, then the
// environment variable; the published checksum still applies.
func TestFetchCIFAR10URL(t *testing.T) {
	archive := buildTarGz(t, officialCIFAREntries())
	srv, requests := archiveServer(t, archive, 0)
	t.Setenv(EnvCIFAR10URL, srv.URL+"/env.tar.gz")
	for _, opt := range []FetchOptions{{URL: srv.URL + "/opt.tar.gz"}, {}} {
		before := requests.Load()
		_, err := FetchCIFAR10(context.Background(), t.TempDir(), opt)
		// The test archive is shorter than the published one.
		if err == nil || !strings.Contains(err.Error(), "of 170052171 bytes") {
			t.Errorf("URL %q: error %v, want a size mismatch", opt.URL, err)
		}
		if requests.Load() == before {
			t.Errorf("URL %q: the override was not used", opt.URL)
		}
	}
}

// TestFetchIDXMirrors fetches four IDX files from the second of two
// mirrors (the first answers 404), and refuses a mirror with a wrong file.
func TestFetchIDXMirrors(t *testing.T) {
	contents := map[string][]byte{}
	files := map[string]fetch.File{}
	for i, name := range []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile} {
		b := gzipBytes(t, bytes.Repeat([]byte{byte(i)}, 100+i))
		contents[name] = b
		s := sha256.Sum256(b)
		files[name] = fetch.File{Size: int64(len(b)), SHA256: hex.EncodeToString(s[:])}
	}
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := contents[filepath.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer good.Close()
	bad := httptest.NewServer(http.NotFoundHandler())
	defer bad.Close()
	dir := filepath.Join(t.TempDir(), "mnist")
	got, err := fetchIDX(context.Background(), "MNIST", dir, files, []string{bad.URL + "/mnist", good.URL + "/mnist/"}, FetchOptions{})
	if err != nil || got != dir {
		t.Fatalf("fetchIDX: %s, %v", got, err)
	}
	for name, b := range contents {
		if on, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(on, b) {
			t.Errorf("%s differs", name)
		}
	}
	wrong := map[string]fetch.File{trainLabelsFile: {SHA256: strings.Repeat("ab", 32)}}
	_, err = fetchIDX(context.Background(), "MNIST", t.TempDir(), wrong, []string{good.URL}, FetchOptions{})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("wrong digest: error %v", err)
	}
	// The real tables: through a URL override the test files fail the
	// published sizes.
	if _, err := Fetch(context.Background(), "fashion-mnist", t.TempDir(), FetchOptions{URL: good.URL}); err == nil || !strings.Contains(err.Error(), "4422102 bytes") {
		t.Errorf("fashion-mnist from a wrong mirror: error %v", err)
	}
}

// TestMissingDataMessages checks that each data set missing from an empty
// cache yields one error naming the fetch command.
func TestMissingDataMessages(t *testing.T) {
	t.Setenv("SPURIOUS_CACHE", t.TempDir())
	t.Setenv("SPURIOUS_CIFAR_DIR", "")
	_, err := LoadSource(context.Background(), "cifar10", "")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "spurious data fetch cifar10") {
		t.Errorf("cifar10: %v", err)
	}
	if CheckFashionMNIST() != nil {
		_, err := fashionDefaultDir()
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "spurious data fetch fashion-mnist") {
			t.Errorf("fashion-mnist: %v", err)
		}
	}
	for _, e := range CacheList(os.Getenv("SPURIOUS_CACHE")) {
		if e.Name == "cifar10" && (e.Present || !strings.Contains(e.Source, "spurious data fetch cifar10")) {
			t.Errorf("CacheList: %+v", e)
		}
	}
}
