package data

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseClasses(t *testing.T) {
	if c, err := ParseClasses(" 3, 8"); err != nil || c != [2]int{3, 8} {
		t.Fatalf("ParseClasses = %v, %v", c, err)
	}
	for _, bad := range []string{"", "3", "3,8,1", "3,x", "-1,2", "3,"} {
		if _, err := ParseClasses(bad); err == nil {
			t.Errorf("ParseClasses(%q) accepted", bad)
		}
	}
}

func FuzzParseClasses(f *testing.F) {
	for _, s := range []string{"1,7", "3, 8", "", "a,b", "1,2,3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClasses(s)
		if err == nil && (c[0] < 0 || c[1] < 0 || strings.Count(s, ",") != 1) {
			t.Errorf("ParseClasses(%q) = %v without an error", s, c)
		}
	})
}

func TestFetchedForm(t *testing.T) {
	for _, name := range ImageDataSets {
		if FetchedForm(name) == "" {
			t.Errorf("no form for %s", name)
		}
	}
	if FetchedForm("npy") != "" {
		t.Error("a form for npy")
	}
}

func TestWriteCacheList(t *testing.T) {
	var b bytes.Buffer
	err := WriteCacheList(&b, "/c", []CacheEntry{
		{Name: "mnist", Dir: "/c/mnist", Present: true, Bytes: 11 << 20, Source: "proxy"},
		{Name: "cifar10", Dir: "/c/cifar10", Source: "spurious data fetch cifar10"},
	})
	want := "cache /c\n" +
		"mnist         present   11.5 MB  /c/mnist\n              proxy\n" +
		"cifar10       absent          -  /c/cifar10\n              spurious data fetch cifar10\n"
	if err != nil || b.String() != want {
		t.Errorf("got %v\n%q\nwant\n%q", err, b.String(), want)
	}
}

func TestInfoWriteText(t *testing.T) {
	src := toySource(1, 10, 6)
	src.Train.Labels[9] = 7 // outside the classes: in the total only
	in, err := Describe(src, ImageConfig{Name: "mnist", Classes: [2]int{1, 2}, Border: 2})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := in.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"dataset  toy\n", "images   3x2x1 (height x width x channels)\n",
		"1     b                  2       2\n", "total                   10       6\n",
		"pair     1 (b) -> -1, 2 (c) -> +1: 4 train, 3 test images\n", "border   2 -> 7x6x1, d=42, alpha=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	in.Pair = nil
	b.Reset()
	in.WriteText(&b)
	if !strings.HasSuffix(b.String(), "pair     none by default: choose one with --classes A,B\n") {
		t.Errorf("no pair:\n%s", b.String())
	}
}
