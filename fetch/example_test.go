package fetch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/spurious-ml/spurious/fetch"
)

func Example() {
	// A server standing in for a data set's publisher.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "fetch-example")
	defer os.RemoveAll(dir)

	f := fetch.File{URL: srv.URL + "/hello.txt", Size: 5, MD5: "5d41402abc4b2a76b9719d911017c592"}
	dst := filepath.Join(dir, "hello.txt")
	if err := fetch.Download(context.Background(), f, dst, fetch.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(dst)
	fmt.Println(string(b))
	// Output: hello
}
