package fetch

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
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// entry is one member of a test archive.
type entry struct {
	name, link string
	typ        byte
	body       []byte
	size       int64 // header size when body is nil (a bomb's zeros)
}

// tarGz builds a gzip-compressed tar archive of entries.
func tarGz(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.body == nil && e.size > 0 {
			h.Size = e.size
		}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if e.body != nil {
				tw.Write(e.body)
			} else {
				tw.Write(make([]byte, h.Size))
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

func digests(b []byte) (string, string) {
	m, s := md5.Sum(b), sha256.Sum256(b)
	return hex.EncodeToString(m[:]), hex.EncodeToString(s[:])
}

// server serves content at /file on 127.0.0.1 with Range support (unless
// noRange), cutting the first response short after cut bytes when cut > 0.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	content  []byte
	cut      int
	noRange  bool
	requests []string // Range header of each request
}

func newServer(t *testing.T, content []byte) *server {
	s := &server{content: content}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Header.Get("Range"))
		cut := s.cut
		s.cut = 0
		s.mu.Unlock()
		if cut > 0 {
			w.Header().Set("Content-Length", "999999")
			w.WriteHeader(http.StatusOK)
			w.Write(s.content[:cut])
			panic(http.ErrAbortHandler) // drop the connection mid-body
		}
		if s.noRange {
			r.Header.Del("Range")
		}
		http.ServeContent(w, r, "file", time.Time{}, bytes.NewReader(s.content))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) file(content []byte) File {
	m, h := digests(content)
	return File{URL: s.URL + "/file", Size: int64(len(content)), MD5: m, SHA256: h}
}

func TestDownload(t *testing.T) {
	content := bytes.Repeat([]byte("spurious features "), 5000)
	srv := newServer(t, content)
	dst := filepath.Join(t.TempDir(), "sub", "data.bin")
	var prog strings.Builder
	ctx := context.Background()
	if err := Download(ctx, srv.file(content), dst, Options{Progress: &prog, Interval: time.Nanosecond, Label: "test"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, content) {
		t.Fatal("downloaded file differs from the served one")
	}
	out := prog.String()
	for _, want := range []string{"test: ", "/ 90.0 kB (", "/s", "ETA", "done in"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress %q lacks %q", out, want)
		}
	}
	// Idempotent: a verified file is not downloaded again.
	if err := Download(ctx, srv.file(content), dst, Options{}); err != nil {
		t.Fatal(err)
	}
	if len(srv.requests) != 1 {
		t.Errorf("%d requests, want 1 (the second call must find the verified file)", len(srv.requests))
	}
	if _, err := os.Stat(dst + ".part"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".part file left behind: %v", err)
	}
}

// TestDownloadResume cuts the first transfer short; the second call
// resumes with a Range request and verifies the whole file.
func TestDownloadResume(t *testing.T) {
	content := make([]byte, 300000)
	for i := range content {
		content[i] = byte(i * 7 / 3)
	}
	for _, noRange := range []bool{false, true} {
		srv := newServer(t, content)
		srv.cut, srv.noRange = 120000, noRange
		dst := filepath.Join(t.TempDir(), "data.bin")
		ctx := context.Background()
		err := Download(ctx, srv.file(content), dst, Options{})
		if err == nil || !strings.Contains(err.Error(), "resume") {
			t.Fatalf("cut transfer: error %v, want one that says to resume", err)
		}
		if st, err := os.Stat(dst + ".part"); err != nil || st.Size() != 120000 {
			t.Fatalf("after the cut: .part %v, %v; want 120000 bytes", st, err)
		}
		if err := Download(ctx, srv.file(content), dst, Options{}); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(dst); !bytes.Equal(got, content) {
			t.Fatalf("noRange=%v: resumed file differs from the served one", noRange)
		}
		if len(srv.requests) != 2 || srv.requests[1] != "bytes=120000-" {
			t.Errorf("requests' Range headers %q, want a second request for bytes=120000-", srv.requests)
		}
	}
}

// TestDownloadRejects serves files that must not be accepted.
func TestDownloadRejects(t *testing.T) {
	content := bytes.Repeat([]byte{1, 2, 3}, 10000)
	corrupt := bytes.Clone(content)
	corrupt[12345] ^= 0x40
	ctx := context.Background()
	srv := newServer(t, corrupt)
	good := srv.file(content)
	for name, f := range map[string]File{
		"corrupt, md5 only":    {URL: good.URL, Size: good.Size, MD5: good.MD5},
		"corrupt, sha256 only": {URL: good.URL, SHA256: good.SHA256},
	} {
		dst := filepath.Join(t.TempDir(), "x")
		err := Download(ctx, f, dst, Options{})
		var ce *ChecksumError
		if !errors.As(err, &ce) {
			t.Errorf("%s: error %v, want a *ChecksumError", name, err)
		}
		for _, p := range []string{dst, dst + ".part"} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: %s exists after a checksum failure", name, p)
			}
		}
	}
	// A larger file than published stops at the published size + 1.
	small := good
	small.Size = 1000
	if err := Download(ctx, small, filepath.Join(t.TempDir(), "x"), Options{}); err == nil || !strings.Contains(err.Error(), "more than the expected") {
		t.Errorf("oversized file: error %v", err)
	}
	missing := good
	missing.URL = srv.URL + "/../nothing"
	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	missing.URL = srv404.URL + "/file"
	if err := Download(ctx, missing, filepath.Join(t.TempDir(), "x"), Options{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: error %v", err)
	}
}

func TestDownloadFileURL(t *testing.T) {
	content := []byte("local copy")
	src := filepath.Join(t.TempDir(), "a.tar.gz")
	os.WriteFile(src, content, 0o644)
	m, _ := digests(content)
	dst := filepath.Join(t.TempDir(), "b")
	if err := Download(context.Background(), File{URL: "file://" + filepath.ToSlash(src), MD5: m}, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, content) {
		t.Fatal("file:// copy differs")
	}
}

var testLimits = Limits{Files: 10, FileBytes: 1 << 20, Total: 2 << 20}

func TestUnpackTarGz(t *testing.T) {
	dir := t.TempDir()
	arch := filepath.Join(dir, "a.tar.gz")
	os.WriteFile(arch, tarGz(t,
		entry{name: "top/", typ: tar.TypeDir},
		entry{name: "top/keep.bin", body: []byte("kept")},
		entry{name: "top/./sub/also.bin", body: []byte("also")},
		entry{name: "top/readme.html", body: []byte("skipped")},
	), 0o644)
	dst := filepath.Join(dir, "out")
	os.MkdirAll(dst, 0o755)
	os.WriteFile(filepath.Join(dst, "old"), []byte("old"), 0o644)
	keep := func(name string) (string, bool) {
		if !strings.HasSuffix(name, ".bin") {
			return "", false
		}
		return strings.TrimPrefix(name, "top/"), true
	}
	var verified []string
	verify := func(d string) error {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			verified = append(verified, e.Name())
		}
		return nil
	}
	if err := UnpackTarGz(arch, dst, testLimits, keep, verify); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "keep.bin")); string(b) != "kept" {
		t.Errorf("keep.bin = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "sub", "also.bin")); string(b) != "also" {
		t.Errorf("sub/also.bin = %q", b)
	}
	for _, gone := range []string{"old", "readme.html", "top"} {
		if _, err := os.Stat(filepath.Join(dst, gone)); err == nil {
			t.Errorf("%s present after unpacking", gone)
		}
	}
	if strings.Join(verified, ",") != "keep.bin,sub" {
		t.Errorf("verify saw %q", verified)
	}
	assertOnly(t, dir, "a.tar.gz", "out")
}

// TestUnpackRefuses checks that hostile or broken archives fail whole,
// leaving the destination as it was and no temporary folder behind.
func TestUnpackRefuses(t *testing.T) {
	ok := entry{name: "ok.bin", body: []byte("fine")}
	good := tarGz(t, ok)
	cases := []struct {
		name    string
		archive []byte
		unsafe  bool
		want    string
	}{
		{"dot-dot", tarGz(t, ok, entry{name: "a/../../evil", body: []byte("x")}), true, "climbs out"},
		{"dot-dot first", tarGz(t, entry{name: "../evil", body: []byte("x")}), true, "climbs out"},
		{"absolute", tarGz(t, entry{name: "/tmp/evil", body: []byte("x")}), true, "not a relative path"},
		{"symlink", tarGz(t, entry{name: "link", link: "/etc/passwd", typ: tar.TypeSymlink}, ok), true, "symbolic link"},
		{"hard link", tarGz(t, ok, entry{name: "hard", link: "ok.bin", typ: tar.TypeLink}), true, "hard link"},
		{"fifo", tarGz(t, entry{name: "f", typ: tar.TypeFifo}), true, "FIFO"},
		{"bomb: one big entry", tarGz(t, entry{name: "zeros", size: 64 << 20}), true, "more than the 1048576 allowed"},
		{"bomb: total", tarGz(t, entry{name: "z1", size: 1 << 20}, entry{name: "z2", size: 1 << 20}, entry{name: "z3", size: 1 << 20}), true, "more than the 2097152 bytes"},
		{"bomb: many entries", tarGz(t, func() []entry {
			var es []entry
			for i := range 20 {
				es = append(es, entry{name: string(rune('a'+i)) + "/", typ: tar.TypeDir})
			}
			return es
		}()...), true, "more than 10 entries"},
		{"duplicate name", tarGz(t, ok, ok), false, "exists"},
		{"truncated", good[:len(good)/2], false, "damaged"},
		{"not gzip", []byte("plain text, not an archive"), false, "not a gzip file"},
		{"bad gzip CRC", func() []byte { b := bytes.Clone(good); b[len(b)-6] ^= 1; return b }(), false, "damaged"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		arch := filepath.Join(dir, "a.tar.gz")
		os.WriteFile(arch, c.archive, 0o644)
		dst := filepath.Join(dir, "out")
		os.MkdirAll(dst, 0o755)
		os.WriteFile(filepath.Join(dst, "old"), []byte("old"), 0o644)
		err := UnpackTarGz(arch, dst, testLimits, nil, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrUnsafe) != c.unsafe {
			t.Errorf("%s: error %v, want one with %q (ErrUnsafe %v)", c.name, err, c.want, c.unsafe)
		}
		if b, _ := os.ReadFile(filepath.Join(dst, "old")); string(b) != "old" {
			t.Errorf("%s: destination changed", c.name)
		}
		assertOnly(t, dir, "a.tar.gz", "out")
		if _, err := os.Stat("/tmp/evil"); err == nil {
			t.Fatalf("%s: wrote /tmp/evil", c.name)
		}
	}
	// A failed verification keeps the old destination too.
	dir := t.TempDir()
	arch := filepath.Join(dir, "a.tar.gz")
	os.WriteFile(arch, good, 0o644)
	dst := filepath.Join(dir, "out")
	bad := errors.New("verification failed")
	if err := UnpackTarGz(arch, dst, testLimits, nil, func(string) error { return bad }); !errors.Is(err, bad) {
		t.Errorf("verify error %v, want %v", err, bad)
	}
	assertOnly(t, dir, "a.tar.gz")
}

// assertOnly checks that dir holds exactly the names given.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// TestDownloadWrongRange resumes against a server that answers with
// another range than asked: the download starts over and succeeds.
func TestDownloadWrongRange(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789"), 3000)
	var ranges []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ranges = append(ranges, r.Header.Get("Range"))
		if r.Header.Get("Range") != "" {
			w.Header().Set("Content-Range", "bytes 5-29999/30000")
			w.WriteHeader(http.StatusPartialContent)
			w.Write(content[5:])
			return
		}
		w.Write(content)
	}))
	defer srv.Close()
	dst := filepath.Join(t.TempDir(), "f")
	os.WriteFile(dst+".part", content[:1000], 0o644)
	m, _ := digests(content)
	if err := Download(context.Background(), File{URL: srv.URL, Size: 30000, MD5: m}, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, content) || len(ranges) != 2 || ranges[1] != "" {
		t.Errorf("file ok %v, requests' ranges %q; want a second request without a range", bytes.Equal(got, content), ranges)
	}
}

// TestLock checks that a second Lock on the same file waits for the
// first to be released (flock locks are per open file, so this holds
// within one process too).
func TestLock(t *testing.T) {
	name := filepath.Join(t.TempDir(), "sub", "x.lock")
	unlock, err := Lock(context.Background(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var msg strings.Builder
	if _, err := Lock(ctx, name, &msg); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(msg.String(), "waiting for another process") {
		if runtime.GOOS != "js" && runtime.GOOS != "wasip1" {
			t.Errorf("second lock while held: %v, %q; want to wait until the deadline", err, msg.String())
		}
	}
	unlock()
	unlock2, err := Lock(context.Background(), name, nil)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	unlock2()
}
