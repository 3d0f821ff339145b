package spmdtest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	"mcfem/spmd"
)

// The cases of the byte collectives, BcastBytes and GathervBytes. Receive buffers start as the
// complement of what they must end as, so a byte that is not written differs from its
// expected value, whatever that value is.

// pattern is byte i of rank (or root) r's data. i ↦ i·167 mod 256 is a bijection (167 is
// odd), so any 256 consecutive bytes of one r hold every value 0..255 once, and the offset
// r·59 makes the data of different ranks differ at every i.
func pattern(r, i int) byte { return byte(i*167 + r*59 + 1) }

// patterned returns n bytes of pattern(r, ·).
func patterned(r, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = pattern(r, i)
	}
	return b
}

// randomBytes returns n pseudo-random bytes drawn from a stream keyed by seed.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n+7)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	return b[:n:n]
}

// pool is 8 MiB of pseudo-random bytes, made once per process and never written: the large
// cases take read-only windows of it, instead of every rank drawing every rank's data anew.
var pool = sync.OnceValue(func() []byte { return randomBytes(1, 8<<20) })

// window returns n <= 8 MiB bytes of pool, at an offset keyed by key; distinct keys give
// windows at different, unaligned offsets, so their data differ. The caller must not write it.
func window(key, n int) []byte {
	p := pool()
	off := key * 1048573 % (len(p) - n + 1)
	return p[off : off+n : off+n]
}

// complement returns the bitwise complement of want: a buffer differing from it at every byte.
func complement(want []byte) []byte {
	b := make([]byte, len(want))
	i := 0
	for ; i+8 <= len(want); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], ^binary.LittleEndian.Uint64(want[i:]))
	}
	for ; i < len(want); i++ {
		b[i] = ^want[i]
	}
	return b
}

// bcastBytesInto broadcasts want from root: root's buffer holds want, every other rank's its
// complement. It checks the result on every rank (on root: left as it was) and returns buf.
func bcastBytesInto(c spmd.Comm, k *check, what string, want []byte, root int) ([]byte, error) {
	buf := complement(want)
	if c.Rank() == root {
		copy(buf, want)
	}
	if err := c.BcastBytes(buf, root); err != nil {
		return nil, err
	}
	k.bytes(what, buf, want)
	return buf, nil
}

// gathervBytesCheck gathers a copy of rank q's data(q), counts[q] bytes, to root and checks
// dst there, and src after the call on every rank. data must return the same bytes on every
// rank, and the caller may keep them: they are never written.
func gathervBytesCheck(c spmd.Comm, k *check, what string, counts []int, data func(q int) []byte, root int) error {
	r := c.Rank()
	keep := data(r)
	src := append([]byte(nil), keep...)
	var dst []byte
	var cnt []int
	var want []byte
	if r == root {
		for q := range counts {
			want = append(want, data(q)...)
		}
		dst, cnt = complement(want), counts
	}
	if err := c.GathervBytes(dst, src, cnt, root); err != nil {
		return err
	}
	if r == root {
		k.bytes(what, dst, want)
	}
	k.bytes(what+": src after call", src, keep)
	return nil
}

// bcastBytesEveryRoot broadcasts from each root lengths of 1 to 1000 bytes (256 and 1000 carry
// every byte value), and checks that the result is a copy: a later change to root's buffer
// reaches no one.
func bcastBytesEveryRoot(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	for root := range p {
		for _, n := range []int{1, 7, 256, 1000} {
			want := patterned(root, n)
			what := fmt.Sprintf("BcastBytes of %d bytes from %d", n, root)
			buf, err := bcastBytesInto(c, k, what, want, root)
			if err != nil {
				return err
			}
			if r == root {
				for i := range buf {
					buf[i] = ^buf[i]
				}
			}
			if err := c.Barrier(); err != nil {
				return err
			}
			if r != root {
				k.bytes(what+" after root changed its buffer", buf, want)
			}
		}
	}
	return nil
}

// gathervBytesUneven gathers uneven byte counts, some zero, to every root. In the pattern
// 256 + r every rank sends every byte value.
func gathervBytesUneven(c spmd.Comm, k *check) error {
	p := c.Size()
	patterns := []struct {
		name  string
		count func(r int) int
	}{
		{"r² mod 3", func(r int) int { return r * r % 3 }},
		{"45·((5r+2) mod 7)", func(r int) int { return 45 * ((r*5 + 2) % 7) }},
		{"256+r", func(r int) int { return 256 + r }},
		{"only the last rank", func(r int) int {
			if r == p-1 {
				return 300
			}
			return 0
		}},
		{"all but the last rank", func(r int) int {
			if r == p-1 {
				return 0
			}
			return 17 + r
		}},
	}
	for _, pat := range patterns {
		counts := make([]int, p)
		for q := range counts {
			counts[q] = pat.count(q)
		}
		data := func(q int) []byte { return patterned(q, counts[q]) }
		for root := range p {
			what := fmt.Sprintf("GathervBytes counts %s (%v) to root %d", pat.name, counts, root)
			if err := gathervBytesCheck(c, k, what, counts, data, root); err != nil {
				return err
			}
		}
	}
	return nil
}

// gathervBytesOverlapping gathers to every root with root's src inside dst: at its own place
// (where MPI works in place), at the start, and empty at its own place.
func gathervBytesOverlapping(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	for _, at := range []string{"its own place", "the start", "its own place, empty"} {
		for root := range p {
			counts, displs := make([]int, p), make([]int, p)
			var want []byte
			for q := range p {
				counts[q] = 3*q + 1
				if q == root && at == "its own place, empty" {
					counts[q] = 0
				}
				displs[q] = len(want)
				want = append(want, patterned(q, counts[q])...)
			}
			src := patterned(r, counts[r])
			var dst []byte
			var cnt []int
			if r == root {
				dst, cnt = complement(want), counts
				src = srcInDst(dst, at, displs[r], counts[r])
				copy(src, patterned(r, counts[r]))
			}
			if err := c.GathervBytes(dst, src, cnt, root); err != nil {
				return err
			}
			if r == root {
				k.bytes(fmt.Sprintf("GathervBytes to root %d with src at %s of dst", root, at), dst, want)
			}
		}
	}
	return nil
}

// bytesLarge broadcasts 3 MiB and gathers about 1 MiB per rank, from and to every root:
// sizes where MPI libraries switch to their protocols for long messages.
func bytesLarge(c spmd.Comm, k *check) error {
	p := c.Size()
	const nb = 3<<20 + 5
	for root := range p {
		if _, err := bcastBytesInto(c, k, fmt.Sprintf("BcastBytes of %d bytes from %d", nb, root),
			window(root, nb), root); err != nil {
			return err
		}
	}
	counts := make([]int, p)
	for q := range counts {
		counts[q] = 1<<20 + 4099*q + q%2
	}
	data := func(q int) []byte { return window(1000+q, counts[q]) }
	for root := range p {
		if err := gathervBytesCheck(c, k, fmt.Sprintf("GathervBytes of %v bytes to root %d", counts, root), counts, data, root); err != nil {
			return err
		}
	}
	return nil
}

// recordSize is the length of one encoded record: index int64, q float64, iterations int32,
// flags uint8, little-endian, unpadded.
const recordSize = 8 + 8 + 4 + 1

// record is a per-sample result as mcfem sends it.
type record struct {
	index      int64
	q          float64
	iterations int32
	flags      uint8
}

// sampleRecord is the record of sample i; its q runs through values whose bits must survive.
func sampleRecord(i int) record {
	qs := []float64{math.Float64frombits(0x7ff8_0000_dead_beef), math.Copysign(0, -1), math.Inf(-1),
		math.SmallestNonzeroFloat64, math.MaxFloat64}
	q := 0.1 * float64(i)
	if i < len(qs) {
		q = qs[i]
	}
	return record{index: int64(i) - 3, q: q, iterations: int32(i*1000003) - 7, flags: uint8(i * 11)}
}

func (x record) append(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(x.index))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x.q))
	b = binary.LittleEndian.AppendUint32(b, uint32(x.iterations))
	return append(b, x.flags)
}

func decodeRecord(b []byte) record {
	return record{
		index:      int64(binary.LittleEndian.Uint64(b)),
		q:          math.Float64frombits(binary.LittleEndian.Uint64(b[8:])),
		iterations: int32(binary.LittleEndian.Uint32(b[16:])),
		flags:      b[20],
	}
}

// hostName is rank r's string: variable length (empty on every fourth rank), non-ASCII UTF-8
// and a NUL byte, which a C string would cut short.
func hostName(r int) string {
	if r%4 == 3 {
		return ""
	}
	return fmt.Sprintf("node-%03d\x00ü%s", 37*r, strings.Repeat("€", r%3))
}

// bytesRecordsAndStrings uses the byte collectives as mcfem does, mixed with the others: the
// lengths of host names travel by AllreduceInt64s, the names by GathervBytes to every root and
// by BcastBytes; fixed-layout records of a Block partition travel by GathervBytes and are
// decoded on root.
func bytesRecordsAndStrings(c spmd.Comm, k *check) error {
	p, r := c.Size(), c.Rank()
	name := hostName(r)
	lens := make([]int64, p)
	lens[r] = int64(len(name))
	if err := c.AllreduceInt64s(lens, lens, spmd.Sum); err != nil {
		return err
	}
	counts := make([]int, p)
	for q := range p {
		counts[q] = int(lens[q])
		if want := len(hostName(q)); counts[q] != want {
			k.errorf("length of rank %d's name: %d, want %d", q, counts[q], want)
			counts[q] = want // go on with what every rank agrees on
		}
	}
	for root := range p {
		var dst []byte
		var cnt []int
		if r == root {
			var want []byte
			for q := range p {
				want = append(want, hostName(q)...)
			}
			dst, cnt = complement(want), counts
		}
		if err := c.GathervBytes(dst, []byte(name), cnt, root); err != nil {
			return err
		}
		if r != root {
			continue
		}
		off := 0
		for q := range p {
			if got, want := string(dst[off:off+counts[q]]), hostName(q); got != want {
				k.errorf("GathervBytes to root %d: rank %d's name %q, want %q", root, q, got, want)
			}
			off += counts[q]
		}
	}
	for root := range p {
		if _, err := bcastBytesInto(c, k, fmt.Sprintf("BcastBytes of rank %d's name", root), []byte(hostName(root)), root); err != nil {
			return err
		}
	}

	const n = 23
	lo, hi := spmd.Block(n, p, r)
	var src []byte
	for i := lo; i < hi; i++ {
		src = sampleRecord(i).append(src)
	}
	recCounts := make([]int, p)
	for q := range p {
		qlo, qhi := spmd.Block(n, p, q)
		recCounts[q] = (qhi - qlo) * recordSize
	}
	var wantRecs []byte
	for i := range n {
		wantRecs = sampleRecord(i).append(wantRecs)
	}
	for root := range p {
		var dst []byte
		var cnt []int
		if r == root {
			dst, cnt = complement(wantRecs), recCounts
		}
		if err := c.GathervBytes(dst, src, cnt, root); err != nil {
			return err
		}
		// Another collective between two GathervBytes, as a campaign makes.
		sum := []float64{float64(hi - lo)}
		if err := c.AllreduceFloat64s(sum, sum, spmd.Sum); err != nil {
			return err
		}
		k.floats("records owned", sum, []float64{n})
		if r != root {
			continue
		}
		for i := range n {
			got, want := decodeRecord(dst[i*recordSize:]), sampleRecord(i)
			if got.index != want.index || math.Float64bits(got.q) != math.Float64bits(want.q) ||
				got.iterations != want.iterations || got.flags != want.flags {
				k.errorf("record %d on root %d: %+v, want %+v", i, root, got, want)
				break
			}
		}
		k.bytes(fmt.Sprintf("records on root %d", root), dst, wantRecs)
	}
	return nil
}
