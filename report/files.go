package report

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"mcfem/internal/atomicfile"
	"mcfem/mc"
)

// WriteAtomic writes path through a temporary file in the same directory, synced and renamed
// into place once complete (mode 0644): a reader never sees half a file, and a failed write
// (an error or a panic of write) leaves neither a file nor a temporary one.
func WriteAtomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteJSON writes v as indented JSON to path, atomically.
func WriteJSON(path string, v any) error {
	return WriteAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// SummaryFile is the name of the run's summary in its -out directory: written last, so that it
// never stands beside missing or stale outputs.
const SummaryFile = "summary.json"

// WriteFiles writes a campaign's outputs into dir: samples.csv and timings.csv, which st wrote
// as the campaign's records passed (its sink), renamed into place, then the extras x asks for
// and summary.json last, once the others are durable, each atomically. A failure at any step
// leaves no summary.json written by this call (the caller removes an older one before the run)
// and no temporary file; the caller discards st after a failure of the campaign.
func WriteFiles(dir string, r *mc.Result, st *Streamed, env Env, x Extras) error {
	if err := st.commit(); err != nil {
		st.Discard()
		return err
	}
	if err := WriteExtras(dir, r, st, x); err != nil {
		return err
	}
	atomicfile.SyncDir(dir)
	if err := WriteJSON(filepath.Join(dir, SummaryFile), Summarize(r, env)); err != nil {
		return err
	}
	atomicfile.SyncDir(dir)
	return nil
}

// Outputs are the names of the files WriteFiles may write into a directory for a problem whose
// QoIs are named qois, summary.json first. The journals (journal/*.mcj) are not among them.
func Outputs(qois []string) []string {
	names := []string{SummaryFile, "samples.csv", "timings.csv", "fields.vtu", "trace.json"}
	for q, name := range qois {
		h, rm := plotNames(q, name)
		names = append(names, h, rm, cdfName(q, name))
	}
	return names
}
