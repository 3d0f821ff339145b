package output

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
)

// MainThread is the Span.Thread of work done by a rank's main goroutine: set-up, the
// collectives and everything else outside the worker threads.
const MainThread = -1

// Span is one complete event ("ph":"X") on a track: the rank (the trace's pid), the thread,
// the name and category, the start and duration in microseconds since the run's start, and
// optional args shown with the event (e.g. sample index, CG iterations).
//
// Thread is a worker thread's index 0, 1, … or MainThread. In the file, tid = Thread + 1: the
// main goroutine is tid 0, named "main" and listed first, and worker T is tid T + 1, named
// "thread T"; the tids are private to the file, the viewers show the names.
type Span struct {
	Rank, Thread int
	Name, Cat    string
	Start, Dur   float64
	Args         map[string]any
}

// traceEvent is one entry of traceEvents, its fields in the format's usual order.
type traceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  *float64       `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
}

// WriteTrace writes spans in the Chrome trace-event JSON format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open:
//
//	{"traceEvents":[...], "displayTimeUnit":"ms"}
//
// The metadata events come first (with "ts" 0, which the format lets them omit but some
// importers want): for each rank, process_name "rank R" and process_sort_index
// R; for each (rank, thread) that has a span, thread_name "main" or "thread T" and
// thread_sort_index tid, so tracks are listed main first, then by thread. The spans follow,
// one "ph":"X" event each, sorted by start time (ties by rank, thread, then input order).
// One event is written per line, so traces diff well. It returns an error, before writing
// anything, if a span has a non-finite start, a negative or non-finite duration, a negative
// rank or a thread below MainThread, or an argument that does not encode as JSON (such as a
// NaN float), and otherwise the writer's error.
func WriteTrace(w io.Writer, spans []Span) error {
	for i, s := range spans {
		if math.IsNaN(s.Start) || math.IsInf(s.Start, 0) || !(s.Dur >= 0) || math.IsInf(s.Dur, 0) || s.Rank < 0 || s.Thread < MainThread {
			return fmt.Errorf("output: trace span %d (%q, rank %d, thread %d, start %g µs, duration %g µs) is invalid", i, s.Name, s.Rank, s.Thread, s.Start, s.Dur)
		}
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &spans[i], &spans[j]
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Rank, b.Rank), cmp.Compare(a.Thread, b.Thread))
	})

	// Metadata: the ranks and their threads in increasing order.
	type track struct{ rank, thread int }
	var tracks []track
	seen := map[track]bool{}
	for _, s := range spans {
		t := track{s.Rank, s.Thread}
		if !seen[t] {
			seen[t] = true
			tracks = append(tracks, t)
		}
	}
	slices.SortFunc(tracks, func(a, b track) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.thread, b.thread))
	})
	var events []traceEvent
	for i, t := range tracks {
		tid := t.thread + 1
		if i == 0 || tracks[i-1].rank != t.rank {
			events = append(events,
				traceEvent{Name: "process_name", Ph: "M", Pid: t.rank, Tid: 0, Args: map[string]any{"name": fmt.Sprintf("rank %d", t.rank)}},
				traceEvent{Name: "process_sort_index", Ph: "M", Pid: t.rank, Tid: 0, Args: map[string]any{"sort_index": t.rank}})
		}
		name := fmt.Sprintf("thread %d", t.thread)
		if t.thread == MainThread {
			name = "main"
		}
		events = append(events,
			traceEvent{Name: "thread_name", Ph: "M", Pid: t.rank, Tid: tid, Args: map[string]any{"name": name}},
			traceEvent{Name: "thread_sort_index", Ph: "M", Pid: t.rank, Tid: tid, Args: map[string]any{"sort_index": tid}})
	}
	for _, i := range order {
		s := &spans[i]
		events = append(events, traceEvent{Name: s.Name, Cat: s.Cat, Ph: "X", Ts: s.Start, Dur: &s.Dur, Pid: s.Rank, Tid: s.Thread + 1, Args: s.Args})
	}

	lines := make([][]byte, len(events))
	for i := range events {
		var err error
		if lines[i], err = json.Marshal(&events[i]); err != nil {
			return fmt.Errorf("output: trace event %q: %w", events[i].Name, err)
		}
	}
	b := bufio.NewWriter(w)
	b.WriteString(`{"traceEvents":[`)
	for i, line := range lines {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		b.Write(line)
	}
	b.WriteString("\n],\n\"displayTimeUnit\":\"ms\"}\n")
	return b.Flush()
}
