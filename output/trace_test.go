package output

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type traceFile struct {
	TraceEvents []struct {
		Name string         `json:"name"`
		Cat  string         `json:"cat"`
		Ph   string         `json:"ph"`
		Ts   *float64       `json:"ts"`
		Dur  *float64       `json:"dur"`
		Pid  *int           `json:"pid"`
		Tid  *int           `json:"tid"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
	DisplayTimeUnit string `json:"displayTimeUnit"`
}

func TestWriteTrace(t *testing.T) {
	spans := []Span{
		{Rank: 1, Thread: 0, Name: "solve", Cat: "sample", Start: 50, Dur: 30, Args: map[string]any{"sample": 7, "iterations": 41}},
		{Rank: 0, Thread: MainThread, Name: "setup", Cat: "setup", Start: 0, Dur: 40},
		{Rank: 1, Thread: MainThread, Name: "setup", Cat: "setup", Start: 0, Dur: 45},
		{Rank: 0, Thread: 1, Name: "solve", Cat: "sample", Start: 40, Dur: 25.5, Args: map[string]any{"sample": 1}},
		{Rank: 0, Thread: 0, Name: "solve", Cat: "sample", Start: 40, Dur: 20.25, Args: map[string]any{"sample": 0}},
		{Rank: 0, Thread: MainThread, Name: "allreduce", Cat: "comm", Start: 90, Dur: 3},
		{Rank: 1, Thread: MainThread, Name: "allreduce", Cat: "comm", Start: 90, Dur: 1},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteTrace(&buf, spans))
	var f traceFile
	require.NoError(t, json.Unmarshal(buf.Bytes(), &f), buf.String())
	assert.Equal(t, "ms", f.DisplayTimeUnit)

	// Metadata first, then the spans.
	nMeta := 0
	for nMeta < len(f.TraceEvents) && f.TraceEvents[nMeta].Ph == "M" {
		nMeta++
	}
	require.Len(t, f.TraceEvents[nMeta:], len(spans), "one event per span, after the metadata")
	processes := map[int]string{}
	threads := map[[2]int]string{}
	for _, e := range f.TraceEvents[:nMeta] {
		require.NotNil(t, e.Pid)
		require.NotNil(t, e.Tid)
		switch e.Name {
		case "process_name":
			processes[*e.Pid] = e.Args["name"].(string)
		case "thread_name":
			threads[[2]int{*e.Pid, *e.Tid}] = e.Args["name"].(string)
		case "process_sort_index", "thread_sort_index":
			assert.Contains(t, e.Args, "sort_index")
		default:
			t.Errorf("unexpected metadata event %q", e.Name)
		}
	}
	assert.Equal(t, map[int]string{0: "rank 0", 1: "rank 1"}, processes)
	assert.Equal(t, map[[2]int]string{
		{0, 0}: "main", {0, 1}: "thread 0", {0, 2}: "thread 1",
		{1, 0}: "main", {1, 1}: "thread 0",
	}, threads, "tid 0 is the main goroutine, tid T+1 worker T")

	// The spans, sorted by start, ties by rank then thread.
	type key struct {
		name     string
		pid, tid int
		ts       float64
	}
	var got []key
	for _, e := range f.TraceEvents[nMeta:] {
		assert.Equal(t, "X", e.Ph)
		require.NotNil(t, e.Ts)
		require.NotNil(t, e.Dur)
		got = append(got, key{e.Name, *e.Pid, *e.Tid, *e.Ts})
	}
	assert.Equal(t, []key{
		{"setup", 0, 0, 0}, {"setup", 1, 0, 0},
		{"solve", 0, 1, 40}, {"solve", 0, 2, 40},
		{"solve", 1, 1, 50},
		{"allreduce", 0, 0, 90}, {"allreduce", 1, 0, 90},
	}, got)
	solve := f.TraceEvents[nMeta+4]
	assert.Equal(t, "sample", solve.Cat)
	assert.Equal(t, 30.0, *solve.Dur)
	assert.Equal(t, map[string]any{"sample": 7.0, "iterations": 41.0}, solve.Args, "args pass through")
	assert.Equal(t, 25.5, *f.TraceEvents[nMeta+3].Dur)
	assert.Nil(t, f.TraceEvents[nMeta].Args, "no args, no args object")

	// One event a line, so that traces diff line by line.
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	assert.Len(t, lines, 1+len(f.TraceEvents)+2, "opening, one line per event, closing bracket, displayTimeUnit")
}

func TestWriteTraceEmpty(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteTrace(&buf, nil))
	var f traceFile
	require.NoError(t, json.Unmarshal(buf.Bytes(), &f), buf.String())
	assert.Empty(t, f.TraceEvents)
	assert.Equal(t, "ms", f.DisplayTimeUnit)
}

func TestWriteTraceErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		span Span
		msg  string
	}{
		{"nan-start", Span{Name: "a", Start: math.NaN(), Dur: 1}, "span 0"},
		{"inf-dur", Span{Name: "a", Dur: math.Inf(1)}, "span 0"},
		{"negative-dur", Span{Name: "a", Dur: -1}, "span 0"},
		{"negative-rank", Span{Name: "a", Rank: -1}, "span 0"},
		{"thread-below-main", Span{Name: "a", Thread: -2}, "span 0"},
		{"nan-arg", Span{Name: "a", Args: map[string]any{"x": math.NaN()}}, `trace event "a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteTrace(&buf, []Span{tc.span})
			require.ErrorContains(t, err, tc.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "output: "))
			assert.Zero(t, buf.Len(), "nothing written")
		})
	}
}
