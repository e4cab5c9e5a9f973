package plot_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/spurious-ml/spurious/plot"
)

func Example() {
	n := []float64{10, 100, 1000}
	fig := &plot.Figure{
		Title: "Memorization vs N",
		Panels: []*plot.Panel{{
			Title: "spurious accuracy", XLabel: "N", LogX: true, YLim: [2]float64{0.48, 1.02}, Legend: "sw",
			Series: []plot.Series{{
				Name: "φ2, α=1/2", X: n, Y: []float64{1, 0.95, 0.72},
				Lo: []float64{1, 0.93, 0.70}, Hi: []float64{1, 0.97, 0.74}, Color: "#c44e52",
			}},
		}},
	}
	var sb strings.Builder
	if err := fig.WriteSVG(&sb); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(strings.Count(sb.String(), `class="series"`), "series")
	// Output: 1 series
}

// Example_pNG draws a panel whose band is clamped to the metric's range,
// with its legend where it hides nothing, as a PNG image.
func Example_pNG() {
	n := []float64{10, 100, 1000}
	fig := &plot.Figure{
		Title: "Spurious accuracy", Note: "mean ± 95% CI over 3 repetitions",
		Panels: []*plot.Panel{{
			XLabel: "N", YLabel: "accuracy", LogX: true, Range: [2]float64{0, 1}, Legend: "auto",
			Series: []plot.Series{{Name: "RF", X: n, Y: []float64{0.83, 0.7, 0.6},
				Lo: []float64{0.12, 0.5, 0.55}, Hi: []float64{1.5, 0.9, 0.65}, Marker: true}},
		}},
	}
	img, err := fig.Image(1)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(img.Bounds().Dx(), "x", img.Bounds().Dy(), "px")
	// Output: 280 x 272 px
}
