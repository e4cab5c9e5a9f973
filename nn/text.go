package nn

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteText writes r as `spurious nn` prints it (after the machine's
// header line): an aligned two-column table of the model, the data, the
// training, the accuracies, the final loss and the timings.
func (r Record) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "model\t%s, %d parameters, %s loss, %s\n", r.Arch, r.Params, r.Loss, r.Precision)
	fmt.Fprintf(tw, "data\t%s: n=%d nt=%d d=%d alpha=%.4g, %d outputs (%d classes in the samples)\n",
		r.Dataset, r.N, r.Nt, r.D, r.Alpha, r.Outputs, r.ClassesPresent)
	fmt.Fprintf(tw, "training\t%d epochs, %d Adam steps, batch %d, lr %g, seed %d\n", r.Epochs, r.Steps, r.BatchSize, r.LR, r.Seed)
	fmt.Fprintf(tw, "train accuracy\t%.4f\n", r.TrainAcc)
	fmt.Fprintf(tw, "test accuracy\t%.4f\n", r.TestAcc)
	fmt.Fprintf(tw, "spurious accuracy\t%.4f\t(chance %.2f)\n", r.SpuriousAcc, r.ChanceAcc)
	fmt.Fprintf(tw, "final train loss\t%.4g\n", r.TrainLoss)
	fmt.Fprintf(tw, "time\t%.1f s (load %.1f, train %.1f, evaluate %.1f); %.0f training samples/s\n",
		r.Seconds, r.LoadSeconds, r.TrainSeconds, r.EvalSeconds, r.SamplesPerSecond)
	return tw.Flush()
}

// String returns p as one progress line: the epoch, the loss, the batch
// accuracy, the learning rate, the time elapsed and the time left at the
// pace so far, both rounded to the second.
func (p Progress) String() string {
	eta := time.Duration(float64(p.Elapsed) * float64(p.Epochs-p.Epoch) / float64(p.Epoch))
	return fmt.Sprintf("epoch %d/%d  loss %.4g  batch acc %.3f  lr %.3g  %s elapsed, %s left",
		p.Epoch, p.Epochs, p.Loss, p.TrainAcc, p.LR, p.Elapsed.Round(time.Second), eta.Round(time.Second))
}
