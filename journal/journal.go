package journal

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Format is the version written in every journal header. The layouts are described in the
// package documentation; Read reads versions 1, 2 and 3 and refuses any other.
const Format = 3

// MaxValues bounds a record's inputs plus QoIs.
const MaxValues = 4096

const (
	journalMagic     = "MCFEMJNL"
	journalMaxHeader = 1 << 20 // bound on the header's JSON, checked before allocating
	journalSubdir    = "journal"
	journalExt       = ".mcj"
	journalNameTime  = "20060102T150405Z" // the created time in file names: sortable, no ':'
	journalMaxListed = 5                  // corrupt-record offsets listed in a note
)

var journalCRC = crc32.MakeTable(crc32.Castagnoli)

// Header describes the campaign a journal belongs to. Fields holds every setting that
// determines the samples' results (the caller fills it: e.g. "seed", "mesh", "mesh_sha256",
// "dist", "rtol", "maxit", "pc", "model"), compared key by key on resume.
type Header struct {
	Format  int               `json:"format"`
	Fields  map[string]string `json:"fields"`
	Rank    int               `json:"rank"`
	Ranks   int               `json:"ranks"`
	Created string            `json:"created"` // RFC 3339
	// Inputs and QoIs are the numbers of inputs (≥ 0) and QoIs (≥ 1) in every record (format
	// 2; a format-1 journal holds one of each). Create takes QoIs 0 for 1.
	Inputs int `json:"inputs"`
	QoIs   int `json:"qois"`
}

// Record is one finished sample: its reported inputs and its QoIs (as many as the header
// says), the solver's residual and iterations, and its status: 0 ok; other values are failure
// reasons defined by the caller (the journal stores them as they are).
type Record struct {
	Index      int64
	Inputs     []float64
	QoIs       []float64
	Residual   float64
	Iterations int32
	Status     int32
}

// recordLen is the length of a record of ni inputs and nq QoIs: the index, the values, the
// residual (8 bytes each), iterations, status and the checksum (4 bytes each).
func recordLen(ni, nq int) int { return 8*(2+ni+nq) + 3*4 }

// Writer appends records to one journal file. Safe for concurrent use.
type Writer struct {
	ni, nq int    // inputs and QoIs per record
	seed   uint32 // the header's checksum, which every record's checksum continues
	mu     sync.Mutex
	f      *os.File
	path   string
	buf    []byte // encoded records of one Append, reused; guarded by mu
	err    error  // a failed write: no later Append may write behind a torn record; guarded by mu
	closed bool   // guarded by mu
}

// CreateJournal creates a new journal file DIR/journal/<created>-p<pid>-r<rank>.mcj, where
// <created> is h.Created in UTC as 20060102T150405Z (the directory is created if needed; when
// the name exists, -1, -2, … is added before .mcj, so no existing file is ever opened), writes
// and fsyncs the header, and returns the writer.
//
// CreateJournal sets h.Format to Format, h.QoIs to 1 when it is 0, and
// h.Created to the current time when it is empty. It refuses a rank outside [0, Ranks), more
// than MaxValues inputs and QoIs, a Created that is not RFC 3339, and fields that are not valid
// UTF-8 (JSON would not store them as they are).
func Create(dir string, h Header) (*Writer, error) {
	if h.Ranks < 1 || h.Rank < 0 || h.Rank >= h.Ranks {
		return nil, fmt.Errorf("journal: rank %d of %d ranks", h.Rank, h.Ranks)
	}
	h.Format = Format
	h.QoIs = cmp.Or(h.QoIs, 1)
	if h.Inputs < 0 || h.QoIs < 0 || h.Inputs+h.QoIs > MaxValues {
		return nil, fmt.Errorf("journal: %d inputs and %d QoIs per record: want inputs ≥ 0, QoIs ≥ 1, at most %d in all", h.Inputs, h.QoIs, MaxValues)
	}
	created := time.Now().UTC()
	if h.Created == "" {
		h.Created = created.Format(time.RFC3339)
	} else {
		t, err := time.Parse(time.RFC3339, h.Created)
		if err != nil {
			return nil, fmt.Errorf("journal: created time %q is not RFC 3339", h.Created)
		}
		created = t.UTC()
	}
	for k, v := range h.Fields {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("journal: field %q = %q is not valid UTF-8", k, v)
		}
	}
	hdr, err := appendJournalHeader(nil, h)
	if err != nil {
		return nil, err
	}

	jdir := filepath.Join(dir, journalSubdir)
	if err := os.MkdirAll(jdir, 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	base := filepath.Join(jdir, fmt.Sprintf("%s-p%d-r%d", created.Format(journalNameTime), os.Getpid(), h.Rank))
	var f *os.File
	var path string
	for n := 0; ; n++ {
		path = base + journalExt
		if n > 0 {
			path = base + "-" + strconv.Itoa(n) + journalExt
		}
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || n >= 9999 {
			return nil, fmt.Errorf("journal: %w", err)
		}
	}
	if _, err = f.Write(hdr); err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("journal: %s: writing the header: %w", path, err)
	}
	// Make the new directory entries durable too. Best effort: some file systems cannot fsync
	// a directory, and the header itself is already on disk.
	syncDir(jdir)
	syncDir(dir)
	return &Writer{ni: h.Inputs, nq: h.QoIs, seed: recordSeed(h.Format, hdr), f: f, path: path}, nil
}

// syncDir fsyncs a directory, ignoring errors.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Append writes the records with ONE write system call (no user-space buffering: a record
// whose Append returned survives the process being killed), under a mutex. A negative index is
// refused before anything is written. After a failed write every later Append fails too: the
// file may end in a torn record, which a reader drops as truncated, and nothing may follow it.
// (A batch larger than 1 GiB, 24 million records, takes more than one system call.)
func (w *Writer) Append(recs []Record) error {
	for _, r := range recs {
		if r.Index < 0 {
			return fmt.Errorf("journal: %s: negative sample index %d", w.path, r.Index)
		}
		if len(r.Inputs) != w.ni || len(r.QoIs) != w.nq {
			return fmt.Errorf("journal: %s: sample %d has %d inputs and %d QoIs; the journal holds %d and %d", w.path, r.Index, len(r.Inputs), len(r.QoIs), w.ni, w.nq)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("journal: %s: append after close", w.path)
	}
	if len(recs) == 0 {
		return nil
	}
	w.buf = w.buf[:0]
	for _, r := range recs {
		w.buf = appendJournalRecord(w.buf, r, w.seed)
	}
	if _, err := w.f.Write(w.buf); err != nil {
		w.err = fmt.Errorf("journal: %s: append: %w", w.path, err)
		return w.err
	}
	return nil
}

// Sync fsyncs the file (durability against an OS crash); the caller calls it every few seconds
// and at exit. Sync does not take the mutex, so a signal handler may call it while holding Lock.
func (w *Writer) Sync() error {
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("journal: %s: sync: %w", w.path, err)
	}
	return nil
}

// Close syncs and closes the file. It waits for an Append in progress (do not call it while
// holding Lock); a second Close does nothing.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: %s: close: %w", w.path, err)
	}
	return nil
}

// Lock takes the mutex that Append holds while writing: once Lock returns, no record is half
// written and none will be written until Unlock, so a signal handler can Sync and exit.
func (w *Writer) Lock() { w.mu.Lock() }

// Unlock releases the mutex taken by Lock.
func (w *Writer) Unlock() { w.mu.Unlock() }

// Path returns the journal's file name.
func (w *Writer) Path() string { return w.path }

// appendJournalHeader appends the encoded header to dst.
func appendJournalHeader(dst []byte, h Header) ([]byte, error) {
	js, err := json.Marshal(h)
	if err != nil {
		return dst, fmt.Errorf("journal: header: %w", err)
	}
	if len(js) > journalMaxHeader {
		return dst, fmt.Errorf("journal: header: %d bytes of JSON, more than the limit of %d", len(js), journalMaxHeader)
	}
	dst = append(dst, journalMagic...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(js)))
	dst = append(dst, js...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(js, journalCRC)), nil
}

// recordSeed is the value a record's checksum starts from in a journal of the given format whose
// encoded header is hdr: the header's own checksum (its last 4 bytes) from format 3 on, so that
// a record is valid only under the header it was written under; 0 (a plain CRC) before.
func recordSeed(format int, hdr []byte) uint32 {
	if format < 3 {
		return 0
	}
	return binary.LittleEndian.Uint32(hdr[len(hdr)-4:])
}

// appendJournalRecord appends the recordLen bytes of r to dst, its checksum continuing the CRC
// seed (recordSeed).
func appendJournalRecord(dst []byte, r Record, seed uint32) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(r.Index))
	for _, v := range r.Inputs {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	for _, v := range r.QoIs {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(r.Residual))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(r.Iterations))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(r.Status))
	return binary.LittleEndian.AppendUint32(dst, crc32.Update(seed, journalCRC, dst[start:]))
}

// decodeJournalRecord decodes one record slot of ni inputs and nq QoIs whose checksum continues
// the CRC seed; ok is false for a corrupt record (or one written under another header).
func decodeJournalRecord(b []byte, ni, nq int, seed uint32) (r Record, ok bool) {
	le := binary.LittleEndian
	n := len(b) - 4
	if crc32.Update(seed, journalCRC, b[:n]) != le.Uint32(b[n:]) {
		return r, false
	}
	vals := make([]float64, ni+nq)
	for k := range vals {
		vals[k] = math.Float64frombits(le.Uint64(b[8+8*k:]))
	}
	tail := b[8+8*len(vals):]
	r = Record{
		Index:      int64(le.Uint64(b)),
		Inputs:     vals[:ni:ni],
		QoIs:       vals[ni:],
		Residual:   math.Float64frombits(le.Uint64(tail)),
		Iterations: int32(le.Uint32(tail[8:])),
		Status:     int32(le.Uint32(tail[12:])),
	}
	return r, r.Index >= 0
}

// journalShortHeaderError is a file that ends inside its header: it holds no samples.
type journalShortHeaderError struct {
	name string
	n    int64 // bytes present
}

func (e *journalShortHeaderError) Error() string {
	return fmt.Sprintf("journal: %s: the file ends inside its header (%d bytes)", e.name, e.n)
}

// ReadJournal parses one journal from r (name for messages). It never panics, bounds every
// allocation by the input size, and recovers what it can: a record whose checksum fails is
// dropped and reported; a truncated last record is dropped and reported. Notes are human
// lines like "recovered 359 samples from DIR/journal/x.mcj; dropped a truncated record at byte 15838".
// A bad header (wrong magic, unknown format, corrupt header checksum) is an error naming the file.
//
// A journal with nothing dropped gives no note. Otherwise its one note reads
//
//	recovered K samples from NAME[; dropped a corrupt record at byte N | ; dropped C corrupt
//	records at bytes N1, N2, … (the first 5)][; dropped a truncated record at byte N]
//
// where N is the offset of the record's first byte in the file.
func Read(r io.Reader, name string) (Header, []Record, []string, error) {
	var recs []Record
	h, notes, err := scan(r, name, func(rec Record) error {
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return Header{}, nil, nil, err
	}
	return h, recs, notes, nil
}

// scan is Read with each good record handed to fn as it is read (in file order) instead of
// collected; an error of fn ends the scan with it.
func scan(r io.Reader, name string, fn func(Record) error) (Header, []string, error) {
	br := bufio.NewReader(r)
	h, off, seed, err := readJournalHeader(br, name)
	if err != nil {
		return Header{}, nil, err
	}
	var (
		good      int
		corrupt   int
		listed    []int64 // offsets of the first corrupt records
		truncated = int64(-1)
		slot      = make([]byte, recordLen(h.Inputs, h.QoIs))
	)
	for {
		n, err := io.ReadFull(br, slot)
		if err == io.EOF {
			break
		}
		if err == io.ErrUnexpectedEOF {
			truncated = off
			break
		}
		if err != nil {
			return Header{}, nil, fmt.Errorf("journal: %s: read at byte %d: %w", name, off, err)
		}
		if rec, ok := decodeJournalRecord(slot, h.Inputs, h.QoIs, seed); ok {
			good++
			if err := fn(rec); err != nil {
				return Header{}, nil, err
			}
		} else {
			corrupt++
			if len(listed) < journalMaxListed {
				listed = append(listed, off)
			}
		}
		off += int64(n)
	}
	if corrupt == 0 && truncated < 0 {
		return h, nil, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "recovered %d sample%s from %s", good, pluralS(good), name)
	switch {
	case corrupt == 1:
		fmt.Fprintf(&b, "; dropped a corrupt record at byte %d", listed[0])
	case corrupt > 1:
		fmt.Fprintf(&b, "; dropped %d corrupt records at bytes ", corrupt)
		for i, o := range listed {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatInt(o, 10))
		}
		if corrupt > len(listed) {
			b.WriteString(", …")
		}
	}
	if truncated >= 0 {
		fmt.Fprintf(&b, "; dropped a truncated record at byte %d", truncated)
	}
	return h, []string{b.String()}, nil
}

// readJournalHeader reads and checks the header and returns it with its length in bytes and the
// seed of its records' checksums (recordSeed).
func readJournalHeader(br *bufio.Reader, name string) (Header, int64, uint32, error) {
	var h Header
	var fixed [12]byte
	n, err := io.ReadFull(br, fixed[:])
	if m := min(n, len(journalMagic)); string(fixed[:m]) != journalMagic[:m] {
		return h, 0, 0, fmt.Errorf("journal: %s: not a journal file (magic %q, want %q)", name, fixed[:m], journalMagic)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return h, 0, 0, &journalShortHeaderError{name, int64(n)}
	}
	if err != nil {
		return h, 0, 0, fmt.Errorf("journal: %s: read: %w", name, err)
	}
	l := binary.LittleEndian.Uint32(fixed[8:])
	if l > journalMaxHeader {
		return h, 0, 0, fmt.Errorf("journal: %s: header length %d is more than the limit of %d", name, l, journalMaxHeader)
	}
	// ReadAll grows its buffer as bytes arrive, so a lying length costs no more than the input.
	js, err := io.ReadAll(io.LimitReader(br, int64(l)))
	if err != nil {
		return h, 0, 0, fmt.Errorf("journal: %s: read: %w", name, err)
	}
	if len(js) < int(l) {
		return h, 0, 0, &journalShortHeaderError{name, int64(len(fixed) + len(js))}
	}
	var sum [4]byte
	if n, err := io.ReadFull(br, sum[:]); err == io.EOF || err == io.ErrUnexpectedEOF {
		return h, 0, 0, &journalShortHeaderError{name, int64(len(fixed)+len(js)) + int64(n)}
	} else if err != nil {
		return h, 0, 0, fmt.Errorf("journal: %s: read: %w", name, err)
	}
	if crc32.Checksum(js, journalCRC) != binary.LittleEndian.Uint32(sum[:]) {
		return h, 0, 0, fmt.Errorf("journal: %s: corrupt header (checksum mismatch)", name)
	}
	if err := json.Unmarshal(js, &h); err != nil {
		return Header{}, 0, 0, fmt.Errorf("journal: %s: bad header: %v", name, err)
	}
	var seed uint32
	switch {
	case h.Format == 1:
		h.Inputs, h.QoIs = 1, 1
	case h.Format != 2 && h.Format != Format:
		return Header{}, 0, 0, fmt.Errorf("journal: %s has format %d; this build reads formats 1 to %d", name, h.Format, Format)
	case h.Inputs < 0 || h.QoIs < 1 || h.Inputs+h.QoIs > MaxValues:
		return Header{}, 0, 0, fmt.Errorf("journal: %s: bad header: %d inputs and %d QoIs per record", name, h.Inputs, h.QoIs)
	}
	if h.Format >= 3 {
		seed = binary.LittleEndian.Uint32(sum[:])
	}
	return h, int64(len(fixed) + len(js) + len(sum)), seed, nil
}

// ReadJournals reads every *.mcj file under DIR/journal/ (sorted by name; none → empty result,
// no error), checks that each holds records of inputs inputs and qois QoIs, checks each
// header's Format and Fields against want (every key of want must be
// present with the same value, and no extra keys: a mismatch is an error naming the file, the
// key, the journal's value and the current value, e.g.
// `journal DIR/journal/x.mcj was written with seed = 1; this run has seed = 2`), and merges the
// records by index: the same index in two journals must have identical bits (else error naming
// both files and the index; identical duplicates are kept once). Returns records sorted by
// index, the files read, and the notes.
//
// Besides ReadJournal's notes, a file that ends inside its header (its writer died before
// CreateJournal returned, so it holds no samples) is skipped with the note
// "ignored NAME: the file ends inside its header (N bytes); it holds no samples", and identical
// duplicates give "K samples appear in more than one record with identical results; kept once".
// A file so skipped is not among the files read.
func ReadDir(dir string, want map[string]string, inputs, qois int) ([]Record, []string, []string, error) {
	s, files, notes, err := SortDir(dir, want, inputs, qois, "")
	if err != nil || s == nil {
		return nil, files, notes, err
	}
	defer s.Close()
	var out []Record
	if s.Len() > 0 {
		out = make([]Record, 0, s.Len())
	}
	c := s.Cursor(0, s.Len())
	for {
		r, err := c.Next()
		if err != nil {
			return nil, nil, nil, err
		}
		if r == nil {
			return out, files, notes, nil
		}
		rec := newRecord(inputs, qois)
		copy(rec.Inputs, r.Inputs)
		copy(rec.QoIs, r.QoIs)
		rec.Index, rec.Residual, rec.Iterations, rec.Status = r.Index, r.Residual, r.Iterations, r.Status
		out = append(out, rec)
	}
}

// checkJournalFields compares a journal's fields with the current run's, key by key.
func checkJournalFields(path string, got, want map[string]string) error {
	keys := make([]string, 0, len(got)+len(want))
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var diffs, others []string
	for _, k := range keys {
		g, inGot := got[k]
		w, inWant := want[k]
		var d string
		switch {
		case !inGot:
			d = fmt.Sprintf("was written without %s; this run has %s = %s", k, k, journalValue(w))
		case !inWant:
			d = fmt.Sprintf("was written with %s = %s; this run has no %s", k, journalValue(g), k)
		case g != w:
			d = fmt.Sprintf("was written with %s = %s; this run has %s = %s", k, journalValue(g), k, journalValue(w))
		default:
			continue
		}
		if len(diffs) == 0 {
			diffs = append(diffs, d)
		} else {
			others = append(others, k)
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	msg := fmt.Sprintf("journal: %s %s", path, diffs[0])
	if len(others) > 0 {
		verb := "differ"
		if len(others) == 1 {
			verb = "differs"
		}
		msg += fmt.Sprintf(" (%s %s too)", strings.Join(others, ", "), verb)
	}
	return errors.New(msg)
}

// journalValue writes a field value as it is, or quoted when it is empty or holds spaces,
// control characters, quotes or semicolons.
func journalValue(v string) string {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '"' || r == ';'
	}) {
		return strconv.Quote(v)
	}
	return v
}

// Diff describes the first field where a and b differ bitwise (their inputs, QoIs, residual,
// iterations, status; not the index), e.g. "qoi 2 0.5 (0x3fe0000000000000) vs …", or returns "".
func Diff(a, b Record) string {
	for _, f := range []struct {
		name string
		x, y []float64
	}{{"input", a.Inputs, b.Inputs}, {"qoi", a.QoIs, b.QoIs}, {"residual", []float64{a.Residual}, []float64{b.Residual}}} {
		for k := range f.x {
			if bx, by := math.Float64bits(f.x[k]), math.Float64bits(f.y[k]); bx != by {
				name := f.name
				if len(f.x) > 1 {
					name = fmt.Sprintf("%s %d", name, k+1)
				}
				return fmt.Sprintf("%s %v (0x%016x) vs %v (0x%016x)", name, f.x[k], bx, f.y[k], by)
			}
		}
	}
	if a.Iterations != b.Iterations {
		return fmt.Sprintf("iterations %d vs %d", a.Iterations, b.Iterations)
	}
	if a.Status != b.Status {
		return fmt.Sprintf("status %d vs %d", a.Status, b.Status)
	}
	return ""
}

// pluralS returns "s" unless n is 1.
func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
