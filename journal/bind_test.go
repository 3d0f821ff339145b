package journal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJournalRecordsBoundToTheirHeader(t *testing.T) {
	// Format 3: a record copied from one journal into another (of the same campaign, another
	// rank) fails its checksum there: it is dropped as corrupt, never taken as the other
	// journal's. The journal it came from still gives it.
	dir := t.TempDir()
	a := jrnWrite(t, dir, jrnHeader(0, 2), jrnRange(0, 5))
	b := jrnWrite(t, dir, jrnHeader(1, 2), jrnRange(5, 10))
	da, err := os.ReadFile(a)
	require.NoError(t, err)
	db, err := os.ReadFile(b)
	require.NoError(t, err)
	hb := jrnHeaderLen(db)
	// b's header followed by a's records: every record is spliced.
	spliced := append(bytes.Clone(db[:hb]), da[jrnHeaderLen(da):]...)
	_, recs, notes, err := Read(bytes.NewReader(spliced), "b.mcj")
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.Equal(t, []string{fmt.Sprintf("recovered 0 samples from b.mcj; dropped 5 corrupt records at bytes %d, %d, %d, %d, %d",
		hb, hb+44, hb+88, hb+132, hb+176)}, notes)

	// In a directory: b keeps its own records, a's records in b are dropped (and a gives them).
	require.NoError(t, os.WriteFile(b, append(db, da[jrnHeaderLen(da):jrnHeaderLen(da)+2*44]...), 0o644))
	got, _, notes, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Equal(t, jrnAllBits(jrnRange(0, 10)), jrnAllBits(got))
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "recovered 5 samples from "+b+"; dropped 2 corrupt records")

	// The same bytes under a plain checksum (format 2) would have been taken: the binding is
	// what refuses them.
	h2 := jrnHeader(1, 2)
	h2.Format = 2
	old := jrnEncode(t, h2, nil)
	for _, r := range jrnRange(0, 5) {
		old = appendJournalRecord(old, r, 0)
	}
	_, recs, notes, err = Read(bytes.NewReader(old), "old.mcj")
	require.NoError(t, err)
	assert.Empty(t, notes)
	assert.Equal(t, jrnAllBits(jrnRange(0, 5)), jrnAllBits(recs))
}

func TestJournalOlderFormatNamedOnMismatch(t *testing.T) {
	// A format-2 journal (an earlier mcfem) whose settings lack one this version records is
	// refused with a message that says why.
	dir := t.TempDir()
	h := jrnHeader(0, 1)
	h.Format = 2
	data := jrnEncode(t, h, jrnRange(0, 3))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "journal"), 0o755))
	path := filepath.Join(dir, "journal", "old.mcj")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	want := jrnFields()
	want["on-failure"] = "fail"
	_, _, _, err := ReadDir(dir, want, 1, 1)
	require.Error(t, err)
	assert.Equal(t, "journal: "+path+" was written without on-failure; this run has on-failure = fail (a format-2 journal, written by an earlier version of mcfem that recorded fewer settings)", err.Error())
	// Its records themselves still read (same settings).
	recs, _, _, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Len(t, recs, 3)
}
