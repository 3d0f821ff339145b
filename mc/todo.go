package mc

import (
	"sort"

	"mcfem/journal"
)

// todo is the samples a round solves, by position: the indices [start, n) less the journaled
// ones in that range (positions [a, b) of done, sorted by index). Rank r solves the positions of
// its block of todo.len(); no rank lists the indices of the round, nor holds the journaled ones.
type todo struct {
	start, n int
	done     *journal.Sorted
	a, b     int
}

// newTodo returns the samples [start, n) not in done (nil: none).
func newTodo(start, n int, done *journal.Sorted) (todo, error) {
	a, b, err := within(done, start, n)
	return todo{start: start, n: n, done: done, a: a, b: b}, err
}

// within returns the positions [a, b) of the records of done whose indices are in [lo, hi).
func within(done *journal.Sorted, lo, hi int) (a, b int, err error) {
	if done.Len() == 0 {
		return 0, 0, nil
	}
	if a, err = done.Search(int64(lo)); err != nil {
		return 0, 0, err
	}
	b, err = done.Search(int64(hi))
	return a, max(a, b), err
}

// skipped is the number of journaled samples in [start, n).
func (t todo) skipped() int { return t.b - t.a }

// len is the number of samples to solve.
func (t todo) len() int { return t.n - t.start - t.skipped() }

// first returns the index of position 0 (len() > 0).
func (t todo) first() (int, error) {
	var x [1]int
	err := t.fill(0, x[:])
	return x[0], err
}

// fill writes the indices of the positions [p, p+len(dst)) into dst.
func (t todo) fill(p int, dst []int) error {
	// k, the journaled indices before position p's: the j-th comes before it when fewer than
	// p+1 samples to do precede it (its index − start − j of them).
	var err error
	k := sort.Search(t.skipped(), func(j int) bool {
		i, e := t.done.IndexAt(t.a + j)
		if e != nil {
			err = e
		}
		return int(i)-t.start-j > p
	})
	if err != nil {
		return err
	}
	i := t.start + p + k
	next := func() (int, error) { return t.n, nil } // the next journaled index, or n
	if k < t.skipped() {
		c := t.done.Cursor(t.a+k, t.b)
		next = func() (int, error) {
			r, err := c.Next()
			if r == nil || err != nil {
				return t.n, err
			}
			return int(r.Index), nil
		}
	}
	skip, err := next()
	for x := range dst {
		for err == nil && skip == i {
			i++
			skip, err = next()
		}
		dst[x] = i
		i++
	}
	return err
}
