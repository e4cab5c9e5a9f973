package report_test

import (
	"fmt"

	"github.com/spurious-ml/spurious/report"
)

func Example() {
	var d report.Doc
	d.Heading(2, "RF")
	d.Figure("rf.svg", "RF figure", "")
	d.Table([]string{"N", "test acc"}, [][]string{{"10", "0.515 ± 0.010"}})
	fmt.Print(d.String())
	fmt.Println(report.FigureRefs(d.String()))
	// Output:
	// ## RF
	//
	// ![RF figure](rf.svg)
	//
	// | N | test acc |
	// |---|---|
	// | 10 | 0.515 ± 0.010 |
	//
	// [rf.svg]
}
