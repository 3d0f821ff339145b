package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"mcfem/mc"
)

// WriteAtomic writes path through a temporary file in the same directory, renamed into place
// once complete (mode 0644): a reader never sees half a file, and a failed write leaves no file.
func WriteAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	return os.Rename(tmp.Name(), path)
}

// WriteJSON writes v as indented JSON to path, atomically.
func WriteJSON(path string, v any) error {
	return WriteAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// WriteFiles writes summary.json, samples.csv and timings.csv into dir (created if needed),
// each atomically.
func WriteFiles(dir string, r *mc.Result, env Env) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := WriteJSON(filepath.Join(dir, "summary.json"), Summarize(r, env)); err != nil {
		return err
	}
	csv := func(write func(io.Writer, *mc.Result) error) func(io.Writer) error {
		return func(w io.Writer) error { return write(w, r) }
	}
	if err := WriteAtomic(filepath.Join(dir, "samples.csv"), csv(WriteSamplesCSV)); err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(dir, "timings.csv"), csv(WriteTimingsCSV))
}
