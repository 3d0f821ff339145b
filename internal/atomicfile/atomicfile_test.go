package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entries lists dir's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	require.NoError(t, Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "old\n"); return err }))
	boom := errors.New("disk full")
	for _, tc := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"error after a partial write", func(w io.Writer) error { io.WriteString(w, "new, half"); return boom }},
		{"panic", func(w io.Writer) error { io.WriteString(w, "new"); panic("writer panicked") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			func() {
				defer func() { recover() }()
				err := Write(path, tc.write)
				assert.ErrorIs(t, err, boom)
				assert.ErrorContains(t, err, "writing "+path)
			}()
			// The old content stays whole, and no temporary file is left.
			assert.Equal(t, "old\n", string(must(os.ReadFile(path))))
			assert.Equal(t, []string{"out.csv"}, entries(t, dir))
		})
	}
	t.Run("rename fails", func(t *testing.T) {
		// A non-empty directory in the way of the rename.
		blocked := filepath.Join(dir, "blocked")
		require.NoError(t, os.MkdirAll(filepath.Join(blocked, "x"), 0o755))
		err := Write(blocked, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
		require.Error(t, err)
		assert.ElementsMatch(t, []string{"out.csv", "blocked"}, entries(t, dir))
	})
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		"summary.json.tmp123": true, "summary.json.tmp": false, "summary.json.tmpx": false,
		"summary.json": false, "samples.csv.tmp1": false, "xsummary.json.tmp1": false,
	} {
		assert.Equal(t, want, IsTemp(name, "summary.json"), name)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPending(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	require.NoError(t, os.WriteFile(a, []byte("old\n"), 0o644))
	pa, err := Create(a)
	require.NoError(t, err)
	pb, err := Create(b)
	require.NoError(t, err)
	for range 3 { // written over a while, both at once
		_, err := io.WriteString(pa, "new\n")
		require.NoError(t, err)
		_, err = io.WriteString(pb, "b\n")
		require.NoError(t, err)
	}
	// Until Commit, the final names hold what they held.
	assert.Equal(t, "old\n", string(must(os.ReadFile(a))))
	assert.Len(t, entries(t, dir), 3, "a.csv and two temporary files")
	require.NoError(t, pa.Commit())
	pa.Discard() // a no-op after Commit
	assert.Equal(t, "new\nnew\nnew\n", string(must(os.ReadFile(a))))
	pb.Discard()
	pb.Discard()
	assert.Equal(t, []string{"a.csv"}, entries(t, dir), "the discarded file leaves nothing")
	info, err := os.Stat(a)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
	assert.Panics(t, func() { pa.Commit() })
}
