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
