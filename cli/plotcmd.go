package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"mcfem/output"
)

func cmdPlotScaling(fs flagSet, args []string, stdout, stderr io.Writer) int {
	dir := fs.String("o", "", "directory for the PNGs (default: the CSV's directory)")
	title := fs.String("title", "", "plot title (default: the CSV's name)")
	// The CSV is the one argument after the flags.
	csv, rest := "", args
	if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") {
		csv, rest = args[n-1], args[:n-1]
	}
	if code := fs.parse(rest, stdout, stderr); code >= 0 {
		return code
	}
	if csv == "" {
		fmt.Fprintf(stderr, "mcfem plot-scaling: want the CSV file: mcfem plot-scaling [-o DIR] scaling.csv\n")
		return exitUsage
	}
	pts, err := output.ReadScalingCSV(csv)
	if err != nil {
		fmt.Fprintf(stderr, "mcfem plot-scaling: %v\n", err)
		return exitUsage
	}
	if *dir == "" {
		*dir = filepath.Dir(csv)
	}
	if *title == "" {
		*title = "strong scaling: " + filepath.Base(csv)
	}
	sp, ef := filepath.Join(*dir, "speedup.png"), filepath.Join(*dir, "efficiency.png")
	if err := output.ScalingPNGs(sp, ef, pts, *title); err != nil {
		fmt.Fprintf(stderr, "mcfem plot-scaling: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %s and %s (%d runs)\n", sp, ef, len(pts))
	return exitOK
}
