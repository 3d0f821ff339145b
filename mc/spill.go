package mc

import (
	"fmt"
	"os"
)

// spillMem is how many bytes of records a spill keeps in memory before it moves them to a file.
const spillMem = 4 << 20

// spill keeps a rank's records, in the order they are added, in recordCodec's binary layout,
// until the campaign's ordered pass sends them to rank 0: in memory up to spillMem bytes, then
// in a temporary file in dir (os.TempDir() if ""), removed from the directory as soon as it is
// created where the system allows it (so that nothing stays behind a killed rank), else when
// the spill is closed. Reads are by position, so a pass may be repeated.
type spill struct {
	codec recordCodec
	sz    int
	dir   string
	n     int    // records added
	mem   []byte // the records while they fit in spillMem, then the unwritten tail of the file's
	f     *os.File
	name  string // the file's name while it is still in the directory
	fsize int64  // bytes written to f
	enc   []byte // one record's bytes
}

func newSpill(codec recordCodec, dir string) *spill {
	return &spill{codec: codec, sz: codec.size(), dir: dir, enc: make([]byte, codec.size())}
}

// add appends r.
func (s *spill) add(r *Record) error {
	s.codec.encode(s.enc, r)
	s.mem = append(s.mem, s.enc...)
	s.n++
	if len(s.mem) >= spillMem {
		return s.flush()
	}
	return nil
}

// flush moves the records held in memory to the file, creating it the first time.
func (s *spill) flush() error {
	if len(s.mem) == 0 {
		return nil
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, ".mcfem-spill-*")
		if err != nil {
			return fmt.Errorf("mc: records beyond %d MiB go to a temporary file: %w", spillMem>>20, err)
		}
		s.f, s.name = f, f.Name()
		if os.Remove(s.name) == nil {
			s.name = ""
		}
	}
	if _, err := s.f.WriteAt(s.mem, s.fsize); err != nil {
		return fmt.Errorf("mc: temporary file of records: %w", err)
	}
	s.fsize += int64(len(s.mem))
	s.mem = s.mem[:0]
	return nil
}

// read fills dst (a whole number of records) with the records from record k on.
func (s *spill) read(dst []byte, k int) error {
	if len(dst)%s.sz != 0 || k < 0 || k*s.sz+len(dst) > s.n*s.sz {
		panic("mc: spill: read out of range")
	}
	off := int64(k) * int64(s.sz)
	if s.f != nil && off < s.fsize {
		m := min(int64(len(dst)), s.fsize-off)
		if _, err := s.f.ReadAt(dst[:m], off); err != nil {
			return fmt.Errorf("mc: temporary file of records: %w", err)
		}
		dst, off = dst[m:], s.fsize
	}
	copy(dst, s.mem[off-s.fsize:])
	return nil
}

// close releases the file, if any, and the memory.
func (s *spill) close() error {
	s.mem, s.n = nil, 0
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if s.name != "" {
		os.Remove(s.name)
	}
	s.f = nil
	return err
}
