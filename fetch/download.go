package fetch

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File is one published file: where to get it and how to recognize it.
type File struct {
	URL    string
	Size   int64  // exact size in bytes when known (> 0); larger downloads stop with an error
	MD5    string // hex MD5 digest as published, or ""
	SHA256 string // hex SHA-256 digest, or ""; at least one digest is required
}

// Options tune Download. The zero value downloads silently with
// http.DefaultClient (plus file:// URLs).
type Options struct {
	Client   *http.Client  // nil: a client with the default transport and file:// support
	Progress io.Writer     // progress lines go here (typically os.Stderr); nil: none
	Interval time.Duration // time between progress lines; 0: one second
	Label    string        // name shown in progress lines; "": the file's base name
}

// ChecksumError reports a file whose digest is not the published one.
type ChecksumError struct {
	Name, Algorithm, Got, Want string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s: %s %s, expected %s: not the published file (a damaged download or a wrong mirror)", e.Name, e.Algorithm, e.Got, e.Want)
}

// Download fetches f.URL into the file dst, verifying f's checksum, and
// does nothing when dst already exists with the right checksum. Bytes
// arrive in dst+".part"; a .part file left by an interrupted download is
// resumed with a Range request (a server that ignores the range sends the
// whole file again, which is then written from the start). The .part file
// is renamed to dst only when complete and verified; a checksum mismatch
// deletes it, so the next attempt starts afresh. Cost: one pass over the
// file to hash what is already on disk, then the transfer.
func Download(ctx context.Context, f File, dst string, opt Options) error {
	if f.MD5 == "" && f.SHA256 == "" {
		panic("fetch: File without a checksum")
	}
	if err := Verify(dst, f); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	part := dst + ".part"
	out, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	hs := newHashes(f)
	have, err := io.Copy(hs, out) // hash what an earlier attempt left
	if err != nil {
		return fmt.Errorf("%s: %w", part, err)
	}
	if f.Size > 0 && have == f.Size && hs.check(part) == nil {
		// Complete and verified, but not yet renamed (interrupted just before).
		out.Close()
		return os.Rename(part, dst)
	}
	if f.Size > 0 && have >= f.Size {
		have, hs = 0, newHashes(f)
	}
	resp, err := get(ctx, opt.client(), f.URL, have)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0 && contentRangeStart(resp) == have:
		// Resume: append after what is there.
	case resp.StatusCode == http.StatusOK:
		have, hs = 0, newHashes(f)
	case have > 0 && (resp.StatusCode == http.StatusRequestedRangeNotSatisfiable || resp.StatusCode == http.StatusPartialContent):
		// The server cannot continue the .part file (it is as long as the
		// file or longer, or another range came back): start over.
		resp.Body.Close()
		if err := out.Truncate(0); err != nil {
			return err
		}
		have, hs = 0, newHashes(f)
		if resp, err = get(ctx, opt.client(), f.URL, 0); err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return statusErr(f.URL, resp)
		}
	default:
		return statusErr(f.URL, resp)
	}
	if err := out.Truncate(have); err != nil {
		return err
	}
	if _, err := out.Seek(have, io.SeekStart); err != nil {
		return err
	}
	total := f.Size
	if total <= 0 && resp.ContentLength > 0 {
		total = have + resp.ContentLength
	}
	label := opt.Label
	if label == "" {
		label = filepath.Base(dst)
	}
	pr := newProgress(opt.Progress, opt.Interval, label, have, total)
	body := io.Reader(resp.Body)
	if f.Size > 0 {
		body = io.LimitReader(body, f.Size-have+1) // one byte more detects an oversized file
	}
	n, copyErr := io.Copy(io.MultiWriter(out, hs, pr), body)
	have += n
	pr.done(copyErr == nil)
	if copyErr != nil {
		if ctx.Err() != nil {
			copyErr = ctx.Err()
		}
		return fmt.Errorf("downloading %s: %w after %s; run the same command again to resume", f.URL, copyErr, FormatBytes(have))
	}
	if f.Size > 0 && have != f.Size {
		if have > f.Size {
			os.Remove(part)
			return fmt.Errorf("downloading %s: the server sent more than the expected %d bytes: not the published file", f.URL, f.Size)
		}
		return fmt.Errorf("downloading %s: the transfer ended after %d of %d bytes; run the same command again to resume", f.URL, have, f.Size)
	}
	if err := hs.check(part); err != nil {
		out.Close()
		os.Remove(part)
		return err
	}
	if err := out.Sync(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(part, dst)
}

// Verify checks that the file name has f's size (when known) and digests.
// Cost: one read of the file.
func Verify(name string, f File) error {
	in, err := os.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil {
		return err
	} else if f.Size > 0 && st.Size() != f.Size {
		return fmt.Errorf("%s: %d bytes, expected %d: not the published file", name, st.Size(), f.Size)
	}
	hs := newHashes(f)
	if _, err := io.Copy(hs, in); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return hs.check(name)
}

// hashes computes the digests File names, as one io.Writer.
type hashes struct {
	f        File
	md5, sha hash.Hash
}

func newHashes(f File) *hashes {
	h := &hashes{f: f}
	if f.MD5 != "" {
		h.md5 = md5.New()
	}
	if f.SHA256 != "" {
		h.sha = sha256.New()
	}
	return h
}

func (h *hashes) Write(p []byte) (int, error) {
	if h.md5 != nil {
		h.md5.Write(p)
	}
	if h.sha != nil {
		h.sha.Write(p)
	}
	return len(p), nil
}

func (h *hashes) check(name string) error {
	if h.sha != nil {
		if got := hex.EncodeToString(h.sha.Sum(nil)); !strings.EqualFold(got, h.f.SHA256) {
			return &ChecksumError{name, "sha256", got, h.f.SHA256}
		}
	}
	if h.md5 != nil {
		if got := hex.EncodeToString(h.md5.Sum(nil)); !strings.EqualFold(got, h.f.MD5) {
			return &ChecksumError{name, "md5", got, h.f.MD5}
		}
	}
	return nil
}

func (o Options) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return defaultClient
}

// defaultClient is http.DefaultClient's transport plus file:// URLs.
var defaultClient = func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.RegisterProtocol("file", http.NewFileTransport(http.Dir("/")))
	return &http.Client{Transport: t}
}()

// get sends a GET for url, asking for the bytes from offset on when
// offset > 0.
func get(ctx context.Context, c *http.Client, url string, offset int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download URL %q: %w", url, err)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w (check the network, or give another URL)", url, err)
	}
	return resp, nil
}

// contentRangeStart returns the first byte of a 206 response's
// Content-Range ("bytes START-END/TOTAL"), or -1.
func contentRangeStart(resp *http.Response) int64 {
	cr, ok := strings.CutPrefix(resp.Header.Get("Content-Range"), "bytes ")
	if !ok {
		return -1
	}
	start, _, ok := strings.Cut(cr, "-")
	if !ok {
		return -1
	}
	v, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return -1
	}
	return v
}

func statusErr(url string, resp *http.Response) error {
	return fmt.Errorf("downloading %s: the server answered %s (give another URL if this one moved)", url, resp.Status)
}

// FormatBytes formats a byte count with a binary-free SI unit (kB, MB, GB),
// as download sizes are published.
func FormatBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1e9:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// progress writes a line "label: 45.1 MB / 170.1 MB (26%), 12.3 MB/s,
// 10s left" at most once per interval, and a last line when done.
type progress struct {
	w              io.Writer
	interval       time.Duration
	label          string
	start, last    time.Time
	first, n, size int64
}

func newProgress(w io.Writer, interval time.Duration, label string, have, size int64) *progress {
	if interval <= 0 {
		interval = time.Second
	}
	now := time.Now()
	p := &progress{w: w, interval: interval, label: label, start: now, last: now, first: have, n: have, size: size}
	if w != nil && have > 0 {
		fmt.Fprintf(w, "%s: resuming after %s\n", label, FormatBytes(have))
	}
	return p
}

func (p *progress) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.w != nil {
		if now := time.Now(); now.Sub(p.last) >= p.interval {
			p.last = now
			p.line(now, false)
		}
	}
	return len(b), nil
}

func (p *progress) done(ok bool) {
	if p.w != nil {
		p.line(time.Now(), ok)
	}
}

func (p *progress) line(now time.Time, finished bool) {
	el := now.Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.n-p.first) / el
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %s", p.label, FormatBytes(p.n))
	if p.size > 0 {
		fmt.Fprintf(&sb, " / %s (%.0f%%)", FormatBytes(p.size), 100*float64(p.n)/float64(p.size))
	}
	fmt.Fprintf(&sb, ", %s/s", FormatBytes(int64(rate)))
	switch {
	case finished:
		fmt.Fprintf(&sb, ", done in %s", time.Duration(el*float64(time.Second)).Round(100*time.Millisecond))
	case p.size > 0 && rate > 0:
		left := time.Duration(float64(p.size-p.n) / rate * float64(time.Second))
		fmt.Fprintf(&sb, ", ETA %s", left.Round(time.Second))
	default:
		sb.WriteString(", ETA unknown")
	}
	fmt.Fprintln(p.w, sb.String())
}
