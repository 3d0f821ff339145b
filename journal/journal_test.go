package journal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jrnFields is the campaign description the tests write and expect.
func jrnFields() map[string]string {
	return map[string]string{"seed": "1", "mesh": "square:64", "mesh_sha256": "ab12", "dist": "beta:2,6", "rtol": "1e-08", "maxit": "10000", "pc": "jacobi", "model": "poisson-p1"}
}

// jrnHeader is a header of rank of ranks for the test campaign, created at a fixed time.
func jrnHeader(rank, ranks int) Header {
	return Header{Format: Format, Fields: jrnFields(), Rank: rank, Ranks: ranks, Created: "2025-01-02T03:04:05Z", Inputs: 1, QoIs: 1}
}

// journalRecordLen is the length of a record of one input and one QoI (format 1's).
const journalRecordLen = 44

// jrnRecord is sample i's record: deterministic, with the awkward values a journal must keep
// bit for bit (a NaN with a payload, negative zero, infinities, a subnormal) among ordinary ones.
func jrnRecord(i int64) Record {
	r := Record{Index: i, Inputs: []float64{0.25 + float64(i)/1024}, QoIs: []float64{1 / (1 + float64(i))}, Residual: 1e-9 * float64(i%7), Iterations: int32(100 + i%13), Status: 0}
	switch i % 10 {
	case 3:
		r.QoIs[0] = math.Float64frombits(0x7ff8_0000_dead_beef) // quiet NaN with a payload
		r.Status = 3
	case 5:
		r.QoIs[0] = math.Copysign(0, -1)
		r.Inputs[0] = math.Copysign(0, -1)
	case 7:
		r.Residual = math.Inf(1)
		r.Status = -2
	case 8:
		r.QoIs[0] = math.SmallestNonzeroFloat64
		r.Iterations = math.MaxInt32
	}
	return r
}

// jrnBits is r with every float as its bits, for comparisons that NaN and -0 cannot fool.
func jrnBits(r Record) []uint64 {
	b := []uint64{uint64(r.Index), uint64(len(r.Inputs)), uint64(len(r.QoIs))}
	for _, v := range append(append(slices.Clone(r.Inputs), r.QoIs...), r.Residual) {
		b = append(b, math.Float64bits(v))
	}
	return append(b, uint64(uint32(r.Iterations)), uint64(uint32(r.Status)))
}

func jrnAllBits(recs []Record) [][]uint64 {
	out := make([][]uint64, len(recs))
	for i, r := range recs {
		out[i] = jrnBits(r)
	}
	return out
}

// jrnEncode is a journal in memory: the header, then the records.
func jrnEncode(t testing.TB, h Header, recs []Record) []byte {
	t.Helper()
	b, err := appendJournalHeader(nil, h)
	require.NoError(t, err)
	seed := recordSeed(h.Format, b)
	for _, r := range recs {
		b = appendJournalRecord(b, r, seed)
	}
	return b
}

// jrnHeaderLen is the length of the header at the start of a journal.
func jrnHeaderLen(b []byte) int { return 16 + int(binary.LittleEndian.Uint32(b[8:12])) }

// jrnWrite writes a journal of the given records through CreateJournal and returns its path.
func jrnWrite(t *testing.T, dir string, h Header, recs []Record) string {
	t.Helper()
	w, err := Create(dir, h)
	require.NoError(t, err)
	require.NoError(t, w.Append(recs))
	require.NoError(t, w.Close())
	return w.Path()
}

func jrnRange(lo, hi int64) []Record {
	var recs []Record
	for i := lo; i < hi; i++ {
		recs = append(recs, jrnRecord(i))
	}
	return recs
}

func TestJournalRoundTripConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	const workers, perWorker = 8, 250
	w, err := Create(dir, jrnHeader(0, 1))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "journal", fmt.Sprintf("20250102T030405Z-p%d-r0.mcj", os.Getpid())), w.Path())

	// Worker k appends samples k, k+workers, … in batches of 1 to 4, and syncs now and then.
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(1, uint64(k)))
			var batch []Record
			for j := range perWorker {
				batch = append(batch, jrnRecord(int64(j*workers+k)))
				if len(batch) == 1+rng.IntN(4) || j == perWorker-1 {
					assert.NoError(t, w.Append(batch))
					batch = batch[:0]
				}
				if j%50 == 0 {
					assert.NoError(t, w.Sync())
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "a second Close does nothing")
	require.Error(t, w.Append(jrnRange(0, 1)), "append after close")

	recs, files, notes, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Equal(t, []string{w.Path()}, files)
	assert.Empty(t, notes)
	assert.Equal(t, jrnAllBits(jrnRange(0, workers*perWorker)), jrnAllBits(recs))

	// The header says what it was written with.
	f, err := os.Open(w.Path())
	require.NoError(t, err)
	defer f.Close()
	h, _, _, err := Read(f, w.Path())
	require.NoError(t, err)
	assert.Equal(t, Header{Format: Format, Fields: jrnFields(), Rank: 0, Ranks: 1, Created: "2025-01-02T03:04:05Z", Inputs: 1, QoIs: 1}, h)
}

func TestJournalCreate(t *testing.T) {
	t.Run("names never collide", func(t *testing.T) {
		dir := t.TempDir()
		seen := map[string]bool{}
		for range 3 {
			w, err := Create(dir, jrnHeader(2, 4))
			require.NoError(t, err)
			require.False(t, seen[w.Path()], w.Path())
			seen[w.Path()] = true
			require.NoError(t, w.Close())
		}
		base := filepath.Join(dir, "journal", fmt.Sprintf("20250102T030405Z-p%d-r2", os.Getpid()))
		assert.Equal(t, map[string]bool{base + ".mcj": true, base + "-1.mcj": true, base + "-2.mcj": true}, seen)
	})
	t.Run("created defaults to now", func(t *testing.T) {
		dir := t.TempDir()
		h := jrnHeader(0, 1)
		h.Created = ""
		h.Format = 99 // overwritten: a journal always says what it is
		before := time.Now().Add(-time.Second)
		w, err := Create(dir, h)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		data, err := os.ReadFile(w.Path())
		require.NoError(t, err)
		got, recs, notes, err := Read(bytes.NewReader(data), w.Path())
		require.NoError(t, err)
		assert.Empty(t, recs)
		assert.Empty(t, notes)
		assert.Equal(t, Format, got.Format)
		created, err := time.Parse(time.RFC3339, got.Created)
		require.NoError(t, err)
		assert.False(t, created.Before(before.Truncate(time.Second)), "created %v", created)
		assert.True(t, strings.HasPrefix(filepath.Base(w.Path()), created.UTC().Format("20060102T150405Z")), w.Path())
	})
	for _, tc := range []struct {
		name string
		edit func(*Header)
		want string
	}{
		{"rank out of range", func(h *Header) { h.Rank = 4 }, "rank 4 of 4 ranks"},
		{"negative rank", func(h *Header) { h.Rank = -1 }, "rank -1 of 4 ranks"},
		{"no ranks", func(h *Header) { h.Rank, h.Ranks = 0, 0 }, "rank 0 of 0 ranks"},
		{"bad created", func(h *Header) { h.Created = "yesterday" }, `created time "yesterday" is not RFC 3339`},
		{"bad utf-8", func(h *Header) { h.Fields["mesh"] = "\xff" }, "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := jrnHeader(0, 4)
			tc.edit(&h)
			_, err := Create(dir, h)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			entries, _ := os.ReadDir(filepath.Join(dir, "journal"))
			assert.Empty(t, entries, "no file left behind")
		})
	}
}

func TestJournalAppend(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, jrnHeader(0, 1))
	require.NoError(t, err)
	require.NoError(t, w.Append(nil))
	err = w.Append([]Record{jrnRecord(0), {Index: -1}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "negative sample index -1")
	require.NoError(t, w.Append(jrnRange(0, 2)))

	// Sync does not take the mutex: a signal handler holding Lock can sync (a deadlock here
	// would hang the test).
	w.Lock()
	require.NoError(t, w.Sync())
	w.Unlock()
	require.NoError(t, w.Close())

	recs, _, notes, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Empty(t, notes)
	assert.Equal(t, jrnAllBits(jrnRange(0, 2)), jrnAllBits(recs), "the refused batch wrote nothing")
}

func TestJournalNoJournals(t *testing.T) {
	recs, files, notes, err := ReadDir(t.TempDir(), jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.Empty(t, files)
	assert.Empty(t, notes)

	// Other files and directories under DIR/journal are not journals.
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "journal", "sub.mcj"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "journal", "README"), []byte("hello"), 0o644))
	recs, files, notes, err = ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.Empty(t, files)
	assert.Empty(t, notes)
}

func TestJournalTruncatedLastRecord(t *testing.T) {
	const n = 12
	data := jrnEncode(t, jrnHeader(0, 1), jrnRange(0, n))
	last := jrnHeaderLen(data) + (n-1)*journalRecordLen // where the last record starts
	require.Len(t, data, last+journalRecordLen)
	for cut := last; cut < len(data); cut++ {
		_, recs, notes, err := Read(bytes.NewReader(data[:cut]), "x.mcj")
		require.NoError(t, err, "cut at %d", cut)
		assert.Equal(t, jrnAllBits(jrnRange(0, n-1)), jrnAllBits(recs), "cut at %d", cut)
		if cut == last {
			assert.Empty(t, notes, "the file ends between records: nothing was lost")
			continue
		}
		assert.Equal(t, []string{fmt.Sprintf("recovered %d samples from x.mcj; dropped a truncated record at byte %d", n-1, last)}, notes, "cut at %d", cut)
	}

	// Through ReadJournals, the note names the file.
	dir := t.TempDir()
	path := jrnWrite(t, dir, jrnHeader(0, 1), jrnRange(0, n))
	require.NoError(t, os.Truncate(path, int64(last+20)))
	recs, _, notes, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Len(t, recs, n-1)
	assert.Equal(t, []string{fmt.Sprintf("recovered 11 samples from %s; dropped a truncated record at byte %d", path, last)}, notes)
}

func TestJournalTruncatedHeader(t *testing.T) {
	data := jrnEncode(t, jrnHeader(0, 1), nil)
	for cut := range len(data) {
		_, recs, _, err := Read(bytes.NewReader(data[:cut]), "x.mcj")
		require.Error(t, err, "cut at %d", cut)
		assert.Empty(t, recs)
		assert.Equal(t, fmt.Sprintf("journal: x.mcj: the file ends inside its header (%d bytes)", cut), err.Error())
	}

	// A writer killed inside CreateJournal leaves a file without samples: resume skips it.
	dir := t.TempDir()
	good := jrnWrite(t, dir, jrnHeader(0, 1), jrnRange(0, 3))
	short := filepath.Join(dir, "journal", "20250102T030405Z-p1-r0.mcj")
	require.NoError(t, os.WriteFile(short, data[:20], 0o644))
	recs, files, notes, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Len(t, recs, 3)
	assert.Equal(t, []string{good}, files)
	assert.Equal(t, []string{"ignored " + short + ": the file ends inside its header (20 bytes); it holds no samples"}, notes)
}

func TestJournalCorruptRecord(t *testing.T) {
	const n, bad = 9, 4
	data := jrnEncode(t, jrnHeader(0, 1), jrnRange(0, n))
	at := jrnHeaderLen(data) + bad*journalRecordLen
	var want []Record
	for i := range int64(n) {
		if i != bad {
			want = append(want, jrnRecord(i))
		}
	}
	// CRC-32C detects every single-bit error, so each flip, including one in the checksum
	// itself, drops exactly the flipped record.
	for bit := range journalRecordLen * 8 {
		c := bytes.Clone(data)
		c[at+bit/8] ^= 1 << (bit % 8)
		_, recs, notes, err := Read(bytes.NewReader(c), "x.mcj")
		require.NoError(t, err)
		require.Equal(t, jrnAllBits(want), jrnAllBits(recs), "bit %d", bit)
		require.Equal(t, []string{fmt.Sprintf("recovered 8 samples from x.mcj; dropped a corrupt record at byte %d", at)}, notes, "bit %d", bit)
	}

	t.Run("several, and a truncated one", func(t *testing.T) {
		c := bytes.Clone(data)
		h := jrnHeaderLen(data)
		var offsets []string
		for _, i := range []int{0, 2, 3, 5, 6, 7} {
			c[h+i*journalRecordLen+9] ^= 0x10
			offsets = append(offsets, strconv.Itoa(h+i*journalRecordLen))
		}
		c = c[:len(c)-1]
		_, recs, notes, err := Read(bytes.NewReader(c), "x.mcj")
		require.NoError(t, err)
		assert.Equal(t, jrnAllBits([]Record{jrnRecord(1), jrnRecord(4)}), jrnAllBits(recs))
		assert.Equal(t, []string{fmt.Sprintf("recovered 2 samples from x.mcj; dropped 6 corrupt records at bytes %s, …; dropped a truncated record at byte %d",
			strings.Join(offsets[:5], ", "), h+8*journalRecordLen)}, notes)
	})

	t.Run("negative index with a good checksum", func(t *testing.T) {
		c := jrnEncode(t, jrnHeader(0, 1), []Record{jrnRecord(0), {Index: math.MinInt64, Inputs: []float64{0}, QoIs: []float64{0}}, jrnRecord(2)})
		_, recs, notes, err := Read(bytes.NewReader(c), "x.mcj")
		require.NoError(t, err)
		assert.Equal(t, jrnAllBits([]Record{jrnRecord(0), jrnRecord(2)}), jrnAllBits(recs))
		assert.Equal(t, []string{fmt.Sprintf("recovered 2 samples from x.mcj; dropped a corrupt record at byte %d", jrnHeaderLen(c)+journalRecordLen)}, notes)
	})

	t.Run("zeros", func(t *testing.T) {
		// An OS crash can leave zeros at the end of a file: they are corrupt, not samples.
		c := append(bytes.Clone(data), make([]byte, 2*journalRecordLen)...)
		_, recs, notes, err := Read(bytes.NewReader(c), "x.mcj")
		require.NoError(t, err)
		assert.Len(t, recs, n)
		require.Len(t, notes, 1)
		assert.Contains(t, notes[0], "dropped 2 corrupt records")
	})
}

// jrnRawHeader is a header with any JSON and a correct checksum.
func jrnRawHeader(js string) []byte {
	b := []byte("MCFEMJNL")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum([]byte(js), crc32.MakeTable(crc32.Castagnoli)))
}

func TestJournalBadHeader(t *testing.T) {
	good := jrnEncode(t, jrnHeader(0, 1), jrnRange(0, 2))
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"bad magic", append([]byte("MCFEMJNX"), good[8:]...), `journal: DIR/x.mcj: not a journal file (magic "MCFEMJNX", want "MCFEMJNL")`},
		{"short bad magic", []byte("MCX"), `journal: DIR/x.mcj: not a journal file (magic "MCX", want "MCFEMJNL")`},
		{"other file", []byte("Begin ModelPartData\n"), `journal: DIR/x.mcj: not a journal file (magic "Begin Mo", want "MCFEMJNL")`},
		{"header checksum", func() []byte { c := bytes.Clone(good); c[20] ^= 1; return c }(), "journal: DIR/x.mcj: corrupt header (checksum mismatch)"},
		{"huge header", append([]byte("MCFEMJNL"), 0xff, 0xff, 0xff, 0xff), "journal: DIR/x.mcj: header length 4294967295 is more than the limit of 1048576"},
		{"wrong format", jrnRawHeader(`{"format":4,"fields":{},"rank":0,"ranks":1}`), "journal: DIR/x.mcj has format 4; this build reads formats 1 to 3"},
		{"no format", jrnRawHeader(`{"fields":{}}`), "journal: DIR/x.mcj has format 0; this build reads formats 1 to 3"},
		{"no counts", jrnRawHeader(`{"format":2,"fields":{},"rank":0,"ranks":1}`), "journal: DIR/x.mcj: bad header: 0 inputs and 0 QoIs per record"},
		{"huge counts", jrnRawHeader(`{"format":2,"fields":{},"rank":0,"ranks":1,"inputs":1,"qois":100000}`), "journal: DIR/x.mcj: bad header: 1 inputs and 100000 QoIs per record"},
		{"bad json", jrnRawHeader(`{"format":"1"}`), "journal: DIR/x.mcj: bad header: json: cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, recs, _, err := Read(bytes.NewReader(tc.data), "DIR/x.mcj")
			require.Error(t, err)
			assert.Empty(t, recs)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), err.Error())

			// ReadJournals refuses it and names the file.
			dir := t.TempDir()
			jrnWrite(t, dir, jrnHeader(0, 1), jrnRange(0, 2))
			path := filepath.Join(dir, "journal", "x.mcj")
			require.NoError(t, os.WriteFile(path, tc.data, 0o644))
			_, _, _, err = ReadDir(dir, jrnFields(), 1, 1)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), strings.ReplaceAll(tc.want, "DIR/x.mcj", path)), err.Error())
		})
	}
}

func TestJournalHeaderMismatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(want map[string]string)
		want string
	}{
		{"different seed", func(w map[string]string) { w["seed"] = "2" }, "was written with seed = 1; this run has seed = 2"},
		{"missing key", func(w map[string]string) { w["batch"] = "4" }, "was written without batch; this run has batch = 4"},
		{"extra key", func(w map[string]string) { delete(w, "pc") }, "was written with pc = jacobi; this run has no pc"},
		{"empty value", func(w map[string]string) { w["mesh"] = "" }, `was written with mesh = square:64; this run has mesh = ""`},
		{"several", func(w map[string]string) { w["seed"] = "2"; w["rtol"] = "1e-6"; delete(w, "dist") },
			"was written with dist = beta:2,6; this run has no dist (rtol, seed differ too)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := jrnWrite(t, dir, jrnHeader(0, 1), jrnRange(0, 3))
			want := jrnFields()
			tc.edit(want)
			recs, files, _, err := ReadDir(dir, want, 1, 1)
			require.Error(t, err)
			assert.Equal(t, "journal: "+path+" "+tc.want, err.Error())
			assert.Nil(t, recs)
			assert.Nil(t, files)
		})
	}

	// The rank count is not part of the campaign: journals of 2 and 3 ranks resume together.
	dir := t.TempDir()
	jrnWrite(t, dir, jrnHeader(1, 2), jrnRange(0, 3))
	jrnWrite(t, dir, jrnHeader(2, 3), jrnRange(3, 5))
	recs, files, notes, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	assert.Len(t, recs, 5)
	assert.Len(t, files, 2)
	assert.Empty(t, notes)
}

func TestJournalDuplicates(t *testing.T) {
	t.Run("identical kept once", func(t *testing.T) {
		dir := t.TempDir()
		a := jrnWrite(t, dir, jrnHeader(0, 2), jrnRange(0, 6))
		b := jrnWrite(t, dir, jrnHeader(1, 2), jrnRange(4, 10))
		recs, files, notes, err := ReadDir(dir, jrnFields(), 1, 1)
		require.NoError(t, err)
		assert.Equal(t, []string{a, b}, files)
		assert.Equal(t, jrnAllBits(jrnRange(0, 10)), jrnAllBits(recs))
		assert.Equal(t, []string{"2 samples appear in more than one record with identical results; kept once"}, notes)
	})
	t.Run("different bits", func(t *testing.T) {
		dir := t.TempDir()
		a := jrnWrite(t, dir, jrnHeader(0, 2), jrnRange(0, 6))
		other := jrnRecord(5)
		other.QoIs[0] = math.Copysign(0, 1) // jrnRecord(5) has -0: equal as floats, not as bits
		b := jrnWrite(t, dir, jrnHeader(1, 2), append(jrnRange(6, 9), other))
		_, _, _, err := ReadDir(dir, jrnFields(), 1, 1)
		require.Error(t, err)
		assert.Equal(t, "journal: journals "+a+" and "+b+" hold different results for sample 5: qoi -0 (0x8000000000000000) vs 0 (0x0000000000000000)", err.Error())
	})
	t.Run("different status in one file", func(t *testing.T) {
		dir := t.TempDir()
		other := jrnRecord(1)
		other.Status = 2
		a := jrnWrite(t, dir, jrnHeader(0, 1), append(jrnRange(0, 3), other))
		_, _, _, err := ReadDir(dir, jrnFields(), 1, 1)
		require.Error(t, err)
		assert.Equal(t, "journal: "+a+" holds two different results for sample 1: status 0 vs 2", err.Error())
	})
}

// jrnChildEnv, when set, makes TestJournalSurvivesSIGKILL the child: it appends to a journal
// in that directory until it is killed.
const jrnChildEnv = "MCFEM_TEST_JOURNAL_CHILD"

// jrnChild appends batches of 1 to 4 records and prints the number appended after each Append
// returns, until it is killed (or, should the parent be gone, for at most a minute).
func jrnChild(dir string) {
	w, err := Create(dir, jrnHeader(0, 1))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var batch []Record
	deadline := time.Now().Add(time.Minute)
	for i := int64(0); time.Now().Before(deadline); {
		batch = batch[:0]
		for range 1 + rng.IntN(4) {
			batch = append(batch, jrnRecord(i))
			i++
		}
		if err := w.Append(batch); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stdout, i) // unbuffered: one write to the pipe
	}
	os.Exit(3)
}

func TestJournalSurvivesSIGKILL(t *testing.T) {
	if dir := os.Getenv(jrnChildEnv); dir != "" {
		jrnChild(dir)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalSurvivesSIGKILL$", "-test.count=1")
	cmd.Env = append(os.Environ(), jrnChildEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	printed := make(chan int64, 1)
	go func() {
		var last int64
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
				last = n
			}
		}
		printed <- last
	}()

	// Wait until the journal holds at least 200 records, then kill the child mid-run. The
	// deadline only guards against a child that never starts.
	const minRecords = 200
	var path string
	var hdrLen, onDisk int64
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-printed
			cmd.Wait() // stderr is complete only now
			t.Fatalf("the child did not write %d records; stderr: %s", minRecords, stderr.String())
		}
		if hdrLen == 0 {
			// CreateJournal writes the header in one write: once the file has 12 bytes it has all.
			m, _ := filepath.Glob(filepath.Join(dir, "journal", "*.mcj"))
			if len(m) == 0 {
				continue
			}
			data, err := os.ReadFile(m[0])
			require.NoError(t, err)
			if len(data) < 12 {
				continue
			}
			path, hdrLen = m[0], int64(jrnHeaderLen(data))
		}
		fi, err := os.Stat(path)
		require.NoError(t, err)
		if onDisk = (fi.Size() - hdrLen) / journalRecordLen; onDisk >= minRecords {
			break
		}
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL on Unix
	last := <-printed
	_ = cmd.Wait()
	require.Equal(t, -1, cmd.ProcessState.ExitCode(), "killed by a signal; stderr: %s", stderr.String())

	recs, files, notes, err := ReadDir(dir, jrnFields(), 1, 1)
	require.NoError(t, err)
	require.Equal(t, []string{path}, files)
	n := int64(len(recs))
	t.Logf("child printed %d, parent saw %d on disk, recovered %d; notes %q", last, onDisk, n, notes)
	// Every record whose Append returned is back (the child printed its count after the
	// return), and so is everything the parent saw; at most the batch in flight (≤ 4 records)
	// is beyond what was printed.
	assert.GreaterOrEqual(t, n, last)
	assert.GreaterOrEqual(t, n, onDisk)
	assert.LessOrEqual(t, n, last+4)
	assert.Equal(t, jrnAllBits(jrnRange(0, n)), jrnAllBits(recs))
	for _, note := range notes {
		// A kill can at worst cut the write in flight short: a truncated record, never a corrupt one.
		assert.NotContains(t, note, "corrupt")
	}
}

// FuzzReadJournal checks that ReadJournal never panics, that what it returns is consistent with
// the input's length (notes exactly when bytes were dropped; no negative index), and that what
// it recovered, written again, reads back the same with no notes.
func FuzzReadJournal(f *testing.F) {
	valid := jrnEncode(f, jrnHeader(1, 4), jrnRange(0, 12))
	h := jrnHeaderLen(valid)
	f.Add(valid)
	f.Add(valid[:len(valid)-17])              // truncated record
	f.Add(valid[:h-3])                        // truncated header
	f.Add(jrnEncode(f, jrnHeader(0, 1), nil)) // no records
	corrupt := bytes.Clone(valid)
	corrupt[h+3*journalRecordLen+7] ^= 0x40
	f.Add(corrupt)
	badHeader := bytes.Clone(valid)
	badHeader[14] ^= 1
	f.Add(badHeader)
	f.Add(jrnRawHeader(`{"format":2}`))
	f.Add(jrnEncode(f, jrnWideHeader(), jrnWide(0, 5)))
	f.Add(jrnRawHeader(`{"format":1,"fields":{},"rank":0,"ranks":1}`))
	f.Add(jrnRawHeader(`{"format":1,"fields":{"a":"\u00e9<&>"},"created":"\xff"}`))
	f.Add(append([]byte("MCFEMJNL"), 0xff, 0xff, 0x0f, 0x00, '{'))
	f.Add([]byte("garbage, not a journal at all"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		hdr, recs, notes, err := Read(bytes.NewReader(data), "fuzz.mcj")
		if err != nil {
			if recs != nil || notes != nil {
				t.Fatalf("error %v with records or notes", err)
			}
			return
		}
		if hdr.Format < 1 || hdr.Format > Format {
			t.Fatalf("format %d accepted", hdr.Format)
		}
		body, rl := len(data)-jrnHeaderLen(data), recordLen(hdr.Inputs, hdr.QoIs)
		if len(recs)*rl > body {
			t.Fatalf("%d records from %d bytes", len(recs), body)
		}
		if dropped := len(recs)*rl != body; dropped != (len(notes) == 1) || len(notes) > 1 {
			t.Fatalf("%d bytes of records, %d recovered, notes %q", body, len(recs), notes)
		}
		for _, r := range recs {
			if r.Index < 0 {
				t.Fatalf("negative index %d", r.Index)
			}
		}
		js, _ := json.Marshal(hdr)
		if len(js) > journalMaxHeader {
			return // JSON escaping can grow a header past the limit
		}
		again := jrnEncode(t, hdr, recs)
		hdr2, recs2, notes2, err := Read(bytes.NewReader(again), "again.mcj")
		require.NoError(t, err)
		require.Empty(t, notes2)
		require.Equal(t, hdr, hdr2)
		require.Equal(t, jrnAllBits(recs), jrnAllBits(recs2))
	})
}

// jrnWideHeader is a header of records of 2 inputs and 4 QoIs.
func jrnWideHeader() Header {
	h := jrnHeader(0, 1)
	h.Inputs, h.QoIs = 2, 4
	return h
}

// jrnWide are the records [lo, hi) of 2 inputs and 4 QoIs.
func jrnWide(lo, hi int64) []Record {
	var recs []Record
	for i := lo; i < hi; i++ {
		r := jrnRecord(i)
		r.Inputs = append(r.Inputs, -float64(i))
		r.QoIs = append(r.QoIs, float64(i), math.Inf(-1), math.Float64frombits(0x7ff8_0000_0000_0001|uint64(i)<<20))
		recs = append(recs, r)
	}
	return recs
}

func TestJournalWideRecords(t *testing.T) {
	// Format 2: records of any number of inputs and QoIs come back bit for bit; a truncated
	// and a corrupt wide record are dropped by their own length.
	assert.Equal(t, 28+8*6, recordLen(2, 4))
	dir := t.TempDir()
	path := jrnWrite(t, dir, jrnWideHeader(), jrnWide(0, 8))
	recs, files, notes, err := ReadDir(dir, jrnFields(), 2, 4)
	require.NoError(t, err)
	assert.Equal(t, []string{path}, files)
	assert.Empty(t, notes)
	assert.Equal(t, jrnAllBits(jrnWide(0, 8)), jrnAllBits(recs))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	h := jrnHeaderLen(data)
	bad := bytes.Clone(data[:len(data)-5])
	bad[h+2*recordLen(2, 4)+30] ^= 1
	_, recs, notes, err = Read(bytes.NewReader(bad), "w.mcj")
	require.NoError(t, err)
	assert.Equal(t, jrnAllBits(append(jrnWide(0, 2), jrnWide(3, 7)...)), jrnAllBits(recs))
	assert.Equal(t, []string{fmt.Sprintf("recovered 6 samples from w.mcj; dropped a corrupt record at byte %d; dropped a truncated record at byte %d",
		h+2*recordLen(2, 4), h+7*recordLen(2, 4))}, notes)

	// A run of other counts refuses the journal, naming it; so does an append of the wrong shape.
	_, _, _, err = ReadDir(dir, jrnFields(), 2, 3)
	require.Error(t, err)
	assert.Equal(t, "journal: "+path+" holds samples of 2 inputs and 4 QoIs; this run has 2 and 3", err.Error())
	w, err := Create(t.TempDir(), jrnWideHeader())
	require.NoError(t, err)
	defer w.Close()
	err = w.Append(jrnRange(0, 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sample 0 has 1 inputs and 1 QoIs; the journal holds 2 and 4")

	// Two journals that differ in one QoI name it by its number.
	other := jrnWide(3, 4)[0]
	other.QoIs[2] = 0
	a := jrnWrite(t, dir, jrnWideHeader(), []Record{other})
	_, _, _, err = ReadDir(dir, jrnFields(), 2, 4)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sample 3: qoi 3 ")
	assert.Contains(t, err.Error(), "-Inf (0xfff0000000000000)")
	assert.Contains(t, err.Error(), a)
}

func TestJournalReadsFormat1(t *testing.T) {
	// A journal of format 1 (written before records held several values): the same 44-byte
	// records, a header without counts. It reads as one input and one QoI.
	hdr := jrnRawHeader(`{"format":1,"fields":{"seed":"1"},"rank":0,"ranks":1,"created":"2025-01-02T03:04:05Z"}`)
	data := hdr
	for _, r := range jrnRange(0, 4) {
		data = appendJournalRecord(data, r, 0) // format 1: a plain CRC
	}
	assert.Len(t, data, len(hdr)+4*journalRecordLen)
	h, recs, notes, err := Read(bytes.NewReader(data), "old.mcj")
	require.NoError(t, err)
	assert.Empty(t, notes)
	assert.Equal(t, Header{Format: 1, Fields: map[string]string{"seed": "1"}, Rank: 0, Ranks: 1, Created: "2025-01-02T03:04:05Z", Inputs: 1, QoIs: 1}, h)
	assert.Equal(t, jrnAllBits(jrnRange(0, 4)), jrnAllBits(recs))
}
