package mc

import (
	"sort"

	"mcfem/journal"
)

// todo is the samples a round solves, by position: the indices [start, n) less skip, the
// journaled samples in that range (sorted by index). Rank r solves the positions of its block
// of todo.len(); no rank lists the indices of the round.
type todo struct {
	start, n int
	skip     []journal.Record
}

// newTodo returns the samples [start, n) not in done (sorted by index).
func newTodo(start, n int, done []journal.Record) todo {
	return todo{start: start, n: n, skip: within(done, start, n)}
}

// within returns the records of done (sorted by index) whose indices are in [lo, hi).
func within(done []journal.Record, lo, hi int) []journal.Record {
	a := sort.Search(len(done), func(j int) bool { return done[j].Index >= int64(lo) })
	b := sort.Search(len(done), func(j int) bool { return done[j].Index >= int64(hi) })
	return done[a:max(a, b)]
}

// len is the number of samples to solve.
func (t todo) len() int { return t.n - t.start - len(t.skip) }

// fill writes the indices of the positions [p, p+len(dst)) into dst.
func (t todo) fill(p int, dst []int) {
	// k, the journaled indices before position p's: skip[j] comes before it when fewer than
	// p+1 samples to do precede skip[j] (skip[j] − start − j of them).
	k := sort.Search(len(t.skip), func(j int) bool { return int(t.skip[j].Index)-t.start-j > p })
	i := t.start + p + k
	for x := range dst {
		for k < len(t.skip) && int(t.skip[k].Index) == i {
			i, k = i+1, k+1
		}
		dst[x] = i
		i++
	}
}
