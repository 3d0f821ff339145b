package journal

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Sorted is the records of a campaign's journals merged by index, as ReadDir returns them, kept
// as a table of fixed-size entries: in memory up to sortedMem bytes, beyond that in a
// temporary file, which is removed from its directory as soon as it is created where the
// system allows it. SortDir builds it with memory that does not depend on the number of
// records (an external merge sort); a Cursor reads a range of it in order, Search finds an
// index. Safe for concurrent reads.
type Sorted struct {
	ni, nq, sz int
	n          int
	mem        []byte
	f          *os.File
	name       string // the file's name while it is in its directory
}

// Tunables of the external sort: the records sorted in memory at a time, the bytes of a table
// kept in memory, the read buffer of each sorted run while they merge. Variables for the tests.
var (
	sortRun    = 1 << 18
	sortedMem  = 4 << 20
	mergeBufSz = 16 << 10
)

// entryLen is the length of a table entry of ni inputs and nq QoIs: the index, the values and
// the residual (8 bytes each), the iterations and the status (4 bytes each).
func entryLen(ni, nq int) int { return 8*(2+ni+nq) + 8 }

func appendEntry(dst []byte, r *Record) []byte {
	le := binary.LittleEndian
	dst = le.AppendUint64(dst, uint64(r.Index))
	for _, v := range r.Inputs {
		dst = le.AppendUint64(dst, math.Float64bits(v))
	}
	for _, v := range r.QoIs {
		dst = le.AppendUint64(dst, math.Float64bits(v))
	}
	dst = le.AppendUint64(dst, math.Float64bits(r.Residual))
	dst = le.AppendUint32(dst, uint32(r.Iterations))
	return le.AppendUint32(dst, uint32(r.Status))
}

// decodeEntry sets r from the entry b; r's Inputs and QoIs must have the entry's lengths.
func decodeEntry(b []byte, r *Record) {
	le := binary.LittleEndian
	r.Index = int64(le.Uint64(b))
	v := b[8:]
	for k := range r.Inputs {
		r.Inputs[k] = math.Float64frombits(le.Uint64(v))
		v = v[8:]
	}
	for k := range r.QoIs {
		r.QoIs[k] = math.Float64frombits(le.Uint64(v))
		v = v[8:]
	}
	r.Residual = math.Float64frombits(le.Uint64(v))
	r.Iterations = int32(le.Uint32(v[8:]))
	r.Status = int32(le.Uint32(v[12:]))
}

// newRecord returns a record with room for ni inputs and nq QoIs.
func newRecord(ni, nq int) Record {
	v := make([]float64, ni+nq)
	return Record{Inputs: v[:ni:ni], QoIs: v[ni:]}
}

// SortedOf returns the table of recs (of ni inputs and nq QoIs each), which must be sorted by
// distinct index, in memory: for tests and small campaigns.
func SortedOf(recs []Record, ni, nq int) *Sorted {
	s := &Sorted{ni: ni, nq: nq, sz: entryLen(ni, nq), n: len(recs)}
	for k := range recs {
		if k > 0 && recs[k].Index <= recs[k-1].Index {
			panic("journal: SortedOf: records not sorted by distinct index")
		}
		s.mem = appendEntry(s.mem, &recs[k])
	}
	return s
}

// Len is the number of records.
func (s *Sorted) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// Search returns the position of the first record whose index is at least i (Len if none).
func (s *Sorted) Search(i int64) (int, error) {
	var b [8]byte
	var err error
	lo, hi := 0, s.Len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e := s.readAt(b[:], m); e != nil {
			err = e
			break
		}
		if int64(binary.LittleEndian.Uint64(b[:])) < i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, err
}

// IndexAt returns the index of the record at position k.
func (s *Sorted) IndexAt(k int) (int64, error) {
	if k < 0 || k >= s.Len() {
		panic("journal: Sorted.IndexAt: position out of range")
	}
	var b [8]byte
	err := s.readAt(b[:], k)
	return int64(binary.LittleEndian.Uint64(b[:])), err
}

// readAt fills b with bytes from entry k on.
func (s *Sorted) readAt(b []byte, k int) error {
	off := int64(k) * int64(s.sz)
	if s.f == nil {
		copy(b, s.mem[off:])
		return nil
	}
	if _, err := s.f.ReadAt(b, off); err != nil {
		return fmt.Errorf("journal: the sorted journals' temporary file: %w", err)
	}
	return nil
}

// Close releases the table's file, if any.
func (s *Sorted) Close() error {
	if s == nil || s.f == nil {
		return nil
	}
	err := s.f.Close()
	if s.name != "" {
		os.Remove(s.name)
	}
	s.f = nil
	return err
}

// Cursor reads the records of positions [from, to) of a Sorted in order, a buffer at a time.
type Cursor struct {
	s        *Sorted
	pos, end int
	buf      []byte
	off      int // the next entry's offset in buf
	rec      Record
}

// Cursor returns a cursor over the records of positions [from, to).
func (s *Sorted) Cursor(from, to int) *Cursor {
	return &Cursor{s: s, pos: from, end: max(from, to), rec: newRecord(s.ni, s.nq)}
}

// Next returns the next record, or nil at the end. The record and its slices are the cursor's:
// they change with the next call.
func (c *Cursor) Next() (*Record, error) {
	if c.off >= len(c.buf) {
		if c.pos >= c.end {
			return nil, nil
		}
		k := min(c.end-c.pos, max(1, mergeBufSz/c.s.sz))
		if cap(c.buf) < k*c.s.sz {
			c.buf = make([]byte, k*c.s.sz)
		}
		c.buf = c.buf[:k*c.s.sz]
		if err := c.s.readAt(c.buf, c.pos); err != nil {
			return nil, err
		}
		c.pos += k
		c.off = 0
	}
	decodeEntry(c.buf[c.off:], &c.rec)
	c.off += c.s.sz
	return &c.rec, nil
}

// tableWriter appends entries to a Sorted under construction: in memory up to sortedMem, then
// to a temporary file in dir.
type tableWriter struct {
	s   *Sorted
	dir string
	w   *bufio.Writer
}

func (t *tableWriter) add(entry []byte) error {
	s := t.s
	s.n++
	if t.w == nil {
		s.mem = append(s.mem, entry...)
		if len(s.mem) <= sortedMem {
			return nil
		}
		f, name, err := tempFile(t.dir, ".mcfem-journal-index-*")
		if err != nil {
			return err
		}
		s.f, s.name = f, name
		t.w = bufio.NewWriterSize(f, 1<<16)
		_, err = t.w.Write(s.mem)
		s.mem = nil
		return err
	}
	_, err := t.w.Write(entry)
	return err
}

func (t *tableWriter) finish() error {
	if t.w == nil {
		return nil
	}
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("journal: the sorted journals' temporary file: %w", err)
	}
	return nil
}

// tempFile creates a temporary file in dir (os.TempDir() if "") and removes it from the
// directory at once where the system allows it; name is "" then, else the name to remove.
func tempFile(dir, pattern string) (*os.File, string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, "", fmt.Errorf("journal: a temporary file to sort the journals in: %w", err)
	}
	name := f.Name()
	if os.Remove(name) == nil {
		name = ""
	}
	return f, name, nil
}

// SortDir is ReadDir with the result as a Sorted table, built with bounded memory: the
// records are sorted in runs of sortRun in memory, written to a temporary file in tmp
// (os.TempDir() if "") and merged from there; a table of more than sortedMem bytes goes to a
// temporary file in tmp as well. The checks, the merge rules (the same index in two records:
// identical bits kept once, else an error naming both files) and the notes are ReadDir's.
// The caller closes the table.
func SortDir(dir string, want map[string]string, inputs, qois int, tmp string) (*Sorted, []string, []string, error) {
	paths, err := journalPaths(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	sz := entryLen(inputs, qois)
	srt := &sorter{sz: sz, tmp: tmp}
	defer srt.close()
	var files, notes []string
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("journal: %w", err)
		}
		file := uint32(len(files))
		h, n, err := scan(f, path, func(r Record) error { return srt.add(&r, file) })
		f.Close()
		var short *journalShortHeaderError
		if errors.As(err, &short) {
			notes = append(notes, fmt.Sprintf("ignored %s: the file ends inside its header (%d bytes); it holds no samples", path, short.n))
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if err := checkJournalFields(path, h.Fields, want); err != nil {
			if h.Format < Format {
				err = fmt.Errorf("%w (a format-%d journal, written by an earlier version of mcfem that recorded fewer settings)", err, h.Format)
			}
			return nil, nil, nil, err
		}
		if h.Inputs != inputs || h.QoIs != qois {
			return nil, nil, nil, fmt.Errorf("journal: %s holds samples of %d inputs and %d QoIs; this run has %d and %d", path, h.Inputs, h.QoIs, inputs, qois)
		}
		files = append(files, path)
		notes = append(notes, n...)
	}
	out, dups, err := srt.merge(inputs, qois, files)
	if err != nil {
		return nil, nil, nil, err
	}
	if dups > 0 {
		verb := "appear"
		if dups == 1 {
			verb = "appears"
		}
		notes = append(notes, fmt.Sprintf("%d sample%s %s in more than one record with identical results; kept once", dups, pluralS(dups), verb))
	}
	return out, files, notes, nil
}

// sorter is SortDir's external sort: a run of entries (each followed by its file's number) in
// memory, sorted runs in a temporary file.
type sorter struct {
	sz   int
	tmp  string
	run  []byte   // entries of sz+4 bytes
	keys []runKey // the run's entries' keys
	f    *os.File // the sorted runs
	name string
	runs []int64 // the runs' offsets in f (and the end)
}

// runKey orders a run's entries: by index, then file, then the order they were read in.
type runKey struct {
	index int64
	file  uint32
	seq   uint32
}

// add adds r, of file file, to the run; a full run is sorted and written out.
func (s *sorter) add(r *Record, file uint32) error {
	s.keys = append(s.keys, runKey{r.Index, file, uint32(len(s.keys))})
	s.run = appendEntry(s.run, r)
	s.run = binary.LittleEndian.AppendUint32(s.run, file)
	if len(s.keys) >= sortRun {
		return s.flush()
	}
	return nil
}

// sorted returns the run's entries in key order.
func (s *sorter) sorted() [][]byte {
	slices.SortFunc(s.keys, func(a, b runKey) int {
		return cmp.Or(cmp.Compare(a.index, b.index), cmp.Compare(a.file, b.file), cmp.Compare(a.seq, b.seq))
	})
	w := s.sz + 4
	out := make([][]byte, len(s.keys))
	for k, key := range s.keys {
		out[k] = s.run[int(key.seq)*w : int(key.seq+1)*w]
	}
	return out
}

// flush writes the run, sorted, to the runs' file.
func (s *sorter) flush() error {
	if len(s.keys) == 0 {
		return nil
	}
	if s.f == nil {
		f, name, err := tempFile(s.tmp, ".mcfem-journal-sort-*")
		if err != nil {
			return err
		}
		s.f, s.name, s.runs = f, name, []int64{0}
	}
	w := bufio.NewWriterSize(io.NewOffsetWriter(s.f, s.runs[len(s.runs)-1]), 1<<16)
	for _, e := range s.sorted() {
		w.Write(e)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("journal: a temporary file to sort the journals in: %w", err)
	}
	s.runs = append(s.runs, s.runs[len(s.runs)-1]+int64(len(s.keys)*(s.sz+4)))
	s.run, s.keys = s.run[:0], s.keys[:0]
	return nil
}

func (s *sorter) close() {
	if s.f != nil {
		s.f.Close()
		if s.name != "" {
			os.Remove(s.name)
		}
	}
}

// runReader reads one sorted run's entries.
type runReader struct {
	r     *bufio.Reader
	entry []byte
	run   int
}

// mergeHeap orders the runs' current entries by index, file, then run.
type mergeHeap struct {
	rs []*runReader
	sz int
}

func (h *mergeHeap) Len() int { return len(h.rs) }
func (h *mergeHeap) Less(i, j int) bool {
	a, b := h.rs[i], h.rs[j]
	ai, bi := int64(binary.LittleEndian.Uint64(a.entry)), int64(binary.LittleEndian.Uint64(b.entry))
	if ai != bi {
		return ai < bi
	}
	af, bf := binary.LittleEndian.Uint32(a.entry[h.sz:]), binary.LittleEndian.Uint32(b.entry[h.sz:])
	if af != bf {
		return af < bf
	}
	return a.run < b.run
}
func (h *mergeHeap) Swap(i, j int) { h.rs[i], h.rs[j] = h.rs[j], h.rs[i] }
func (h *mergeHeap) Push(x any)    { h.rs = append(h.rs, x.(*runReader)) }
func (h *mergeHeap) Pop() any {
	x := h.rs[len(h.rs)-1]
	h.rs = h.rs[:len(h.rs)-1]
	return x
}

// merge writes the table: the entries of every run in key order, the same index kept once
// when the records are identical (dups counts them), an error naming the files when not.
func (s *sorter) merge(ni, nq int, files []string) (*Sorted, int, error) {
	out := &Sorted{ni: ni, nq: nq, sz: s.sz}
	tw := &tableWriter{s: out, dir: s.tmp}
	var (
		dups   int
		last   []byte // the last entry kept, and its file
		lastF  uint32
		a, b   = newRecord(ni, nq), newRecord(ni, nq)
		failed = func(err error) (*Sorted, int, error) { out.Close(); return nil, 0, err }
	)
	emit := func(e []byte) error {
		file := binary.LittleEndian.Uint32(e[s.sz:])
		e = e[:s.sz]
		if last != nil && bytes.Equal(last[:8], e[:8]) {
			if bytes.Equal(last[8:], e[8:]) {
				dups++
				return nil
			}
			decodeEntry(last, &a)
			decodeEntry(e, &b)
			d := Diff(a, b)
			if lastF == file {
				return fmt.Errorf("journal: %s holds two different results for sample %d: %s", files[lastF], a.Index, d)
			}
			return fmt.Errorf("journal: journals %s and %s hold different results for sample %d: %s", files[lastF], files[file], a.Index, d)
		}
		last, lastF = append(last[:0], e...), file
		return tw.add(e)
	}
	if s.f == nil { // one run: merged in memory
		for _, e := range s.sorted() {
			if err := emit(e); err != nil {
				return failed(err)
			}
		}
	} else {
		if err := s.flush(); err != nil {
			return failed(err)
		}
		h := &mergeHeap{sz: s.sz}
		for k := range len(s.runs) - 1 {
			sec := io.NewSectionReader(s.f, s.runs[k], s.runs[k+1]-s.runs[k])
			r := &runReader{r: bufio.NewReaderSize(sec, mergeBufSz), entry: make([]byte, s.sz+4), run: k}
			if _, err := io.ReadFull(r.r, r.entry); err != nil {
				return failed(fmt.Errorf("journal: a temporary file to sort the journals in: %w", err))
			}
			h.rs = append(h.rs, r)
		}
		heap.Init(h)
		for h.Len() > 0 {
			r := h.rs[0]
			if err := emit(r.entry); err != nil {
				return failed(err)
			}
			switch _, err := io.ReadFull(r.r, r.entry); {
			case err == io.EOF:
				heap.Pop(h)
			case err != nil:
				return failed(fmt.Errorf("journal: a temporary file to sort the journals in: %w", err))
			default:
				heap.Fix(h, 0)
			}
		}
	}
	if err := tw.finish(); err != nil {
		return failed(err)
	}
	return out, dups, nil
}

// Field returns the value of the header field key of the first journal in dir/journal (by
// name) whose header is whole, and whether it has one: how a resumed run learns a decision an
// earlier run recorded (-solver auto's choice). No journal, or none with the field, is ("",
// false, nil).
func Field(dir, key string) (string, bool, error) {
	paths, err := journalPaths(dir)
	if err != nil {
		return "", false, err
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return "", false, fmt.Errorf("journal: %w", err)
		}
		h, _, _, err := readJournalHeader(bufio.NewReader(f), path)
		f.Close()
		var short *journalShortHeaderError
		if errors.As(err, &short) {
			continue
		}
		if err != nil {
			return "", false, err
		}
		v, ok := h.Fields[key]
		return v, ok, nil
	}
	return "", false, nil
}

// journalPaths lists the journal files in dir/journal, sorted by name; none (nil) when there
// is no such directory.
func journalPaths(dir string) ([]string, error) {
	jdir := filepath.Join(dir, journalSubdir)
	ents, err := os.ReadDir(jdir) // sorted by name
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var paths []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), journalExt) {
			paths = append(paths, filepath.Join(jdir, e.Name()))
		}
	}
	return paths, nil
}
