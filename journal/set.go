package journal

import "sync"

// Set is the set of journals open in this process (one per in-process rank), so that a
// signal handler can stop every append, sync and exit without tearing a record. The zero value
// is ready; a nil *Set ignores everything.
type Set struct {
	mu     sync.Mutex
	open   map[*Writer]bool
	added  int // journals ever registered
	frozen bool
}

// Add registers w.
func (s *Set) Add(w *Writer) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open == nil {
		s.open = map[*Writer]bool{}
	}
	s.open[w] = true
	s.added++
}

// Added returns how many journals were ever registered (the open and the closed ones): 0
// means this process has journaled nothing.
func (s *Set) Added() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.added
}

// Close closes w and forgets it.
func (s *Set) Close(w *Writer) error {
	if s != nil {
		s.mu.Lock()
		if s.frozen {
			s.mu.Unlock()
			select {} // the process is exiting: Freeze holds every journal
		}
		delete(s.open, w)
		s.mu.Unlock()
	}
	return w.Close()
}

// Freeze stops every append to the open journals (each waits for an append in progress to end),
// syncs them and returns the number of journals; the caller then exits. The set stays locked:
// every other method blocks from then on. Appends afterwards block
// forever, so nothing is written half.
func (s *Set) Freeze() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	s.frozen = true
	for w := range s.open {
		w.Lock()
		_ = w.Sync()
	}
	return len(s.open)
}
