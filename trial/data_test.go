package trial

import (
	"testing"

	"github.com/spurious-ml/spurious/data"
)

// TestImageHeldout: a held-out query keeps its test image's noise border
// and takes the blanked centre of the training spurious queries, for
// every scaling of the pixels.
func TestImageHeldout(t *testing.T) {
	const h, w, c, border = 4, 4, 3, 2
	img := func(n int, label int) *data.ImageSet {
		s := &data.ImageSet{Height: h, Width: w, Channels: c, Pix: make([]byte, n*h*w*c), Labels: make([]int, n)}
		for i := range s.Pix {
			s.Pix[i] = byte(7*i + 1)
		}
		for i := range s.Labels {
			s.Labels[i] = (i + label) % 2
		}
		return s
	}
	src := &data.Source{Name: "fake", Train: img(10, 0), Test: img(8, 1), Classes: []string{"a", "b"}}
	for _, scale := range []string{data.ScaleRaw, data.ScaleStandardize} {
		ds, err := data.BorderTrial(src, data.ImageConfig{Name: "fake", Classes: [2]int{0, 1}, Border: border, N: 6, Nt: 5, Seed: 2, Scale: scale})
		if err != nil {
			t.Fatal(err)
		}
		td := &Data{Dataset: ds}
		if err := imageHeldout(td, 4); err != nil {
			t.Fatal(err)
		}
		if len(td.Gh) != 4 || len(td.Zh) != 4*ds.D {
			t.Fatalf("%d held-out labels, %d values", len(td.Gh), len(td.Zh))
		}
		W := w + 2*border
		for q := range 4 {
			row, test := td.Zh[q*ds.D:(q+1)*ds.D], ds.Zt[q*ds.D:(q+1)*ds.D]
			for y := range W {
				for x := range W {
					for ch := range c {
						i := (y*W+x)*c + ch
						centre := y >= border && y < border+h && x >= border && x < border+w
						want := test[i]
						if centre {
							want = ds.Zs[i]
						}
						if row[i] != want {
							t.Fatalf("%s: query %d pixel (%d,%d,%d) = %v, want %v (centre %v)", scale, q, y, x, ch, row[i], want, centre)
						}
					}
				}
			}
		}
	}
}
