package mc

import (
	"fmt"
	"math"

	"mcfem/problem"
	"mcfem/solver"
)

// An evaluator is what one sample is: the solve of one problem (plain Monte Carlo), or the
// coupled solves of a multilevel level (one input on the fine and the coarse mesh). The
// sample loop draws the inputs from the evaluator's problem and hands them over a batch at a
// time; each worker thread has its own evalWorker.
type evaluator interface {
	problem() problem.Problem // draws the inputs
	numQoIs() int
	newWorker() evalWorker
	label(i int) string // "sample 12" or "level 2 sample 12", for errors
}

// An evalWorker is one thread's state for an evaluator; its methods allocate nothing.
type evalWorker interface {
	// solve solves the samples of ins together (at most the batch size), outcome j for ins[j].
	solve(ins []*problem.Inputs, out []Outcome)
	// retry solves one sample again alone with the stricter solve (ten times the iterations).
	retry(in *problem.Inputs, out *Outcome)
	// progress counts the solver's work so far (solver.Worker.Progress); any goroutine.
	progress() int64
}

// single is plain Monte Carlo: a sample is one solve of the problem.
type single struct {
	p     problem.Problem
	s     solver.Solver
	batch int
}

func (e *single) problem() problem.Problem { return e.p }
func (e *single) numQoIs() int             { return len(e.p.QoINames()) }
func (e *single) label(i int) string       { return fmt.Sprintf("sample %d", i) }

func (e *single) newWorker() evalWorker {
	n, k := e.p.System().K.N, max(e.batch, 1)
	return &singleWorker{e: e, sampler: e.p.NewSampler(), w: e.s.NewWorker(), n: n,
		b: make([]float64, n*k), u: make([]float64, n*k), res: make([]solver.Result, k), errs: make([]error, k)}
}

// singleWorker holds one thread's load and solution vectors for a batch (interleaved) and its
// views of the problem and the solver.
type singleWorker struct {
	e       *single
	sampler problem.Sampler
	w       solver.Worker
	n       int
	b, u    []float64
	k       int // columns of the last solve (u holds them)
	res     []solver.Result
	errs    []error
}

func (w *singleWorker) progress() int64 { return w.w.Progress() }

func (w *singleWorker) solve(ins []*problem.Inputs, out []Outcome) {
	k := len(ins)
	w.k = k
	if w.e.p.Varying() { // one sample per batch (Config.Validate): its own matrix
		if err := w.setMatrix(ins[0]); err != nil {
			w.fail(&out[0], err)
			return
		}
	}
	b, u := w.b[:w.n*k], w.u[:w.n*k]
	for j, in := range ins {
		w.sampler.Load(in, b, k, j)
	}
	w.w.Solve(u, b, k, w.res, w.errs)
	for j, in := range ins {
		w.finish(&out[j], in, u, k, j, w.res[j], w.errs[j])
	}
}

func (w *singleWorker) retry(in *problem.Inputs, out *Outcome) {
	w.k = 1
	if w.e.p.Varying() {
		if err := w.setMatrix(in); err != nil {
			w.fail(out, err)
			return
		}
	}
	b, u := w.b[:w.n], w.u[:w.n]
	w.sampler.Load(in, b, 1, 0)
	res, err := w.w.Retry(u, b)
	w.finish(out, in, u, 1, 0, res, err)
}

// setMatrix gives the solver the sample's own matrix (a Varying problem).
func (w *singleWorker) setMatrix(in *problem.Inputs) error {
	a, err := w.sampler.Matrix(in)
	if err != nil {
		return err
	}
	return w.w.SetMatrix(a)
}

// finish fills an outcome from column j of the k solutions u and the solver's result.
func (w *singleWorker) finish(o *Outcome, in *problem.Inputs, u []float64, k, j int, res solver.Result, err error) {
	o.Iterations, o.Residual, o.Err = res.Iterations, res.Residual, err
	if err != nil {
		fill(o.QoIs, math.NaN())
	} else {
		w.sampler.QoIs(in, u, k, j, o.QoIs)
	}
	for q := range o.Costs {
		o.Costs[q] = w.e.s.Cost(res.Iterations)
	}
}

// fail records an error that came before any solve (a per-sample set-up).
func (w *singleWorker) fail(o *Outcome, err error) {
	w.finish(o, nil, nil, 1, 0, solver.Result{}, err)
}

// solution returns column j's solution of the last solve, with its stride.
func (w *singleWorker) solution() (u []float64, k int) { return w.u[:w.n*w.k], w.k }

// level is one level of a multilevel campaign: a sample solves one input on the level's
// mesh (fine) and on the next coarser one (coarse, nil on level 0), and its two QoIs are
//
//	Y = Q_fine − Q_coarse (Q_fine on level 0), with the cost of both solves,
//	Q = Q_fine, with the cost of the fine solve alone.
type level struct {
	l            int
	q            int // the index of the QoI the levels estimate
	fine, coarse *single
}

func (e *level) problem() problem.Problem { return e.fine.p }
func (e *level) numQoIs() int             { return 2 }
func (e *level) label(i int) string       { return fmt.Sprintf("level %d sample %d", e.l, i) }

func (e *level) newWorker() evalWorker {
	w := &levelWorker{q: e.q, fine: e.fine.newWorker().(*singleWorker), f: make([]Outcome, max(e.fine.batch, 1))}
	if e.coarse != nil {
		w.coarse = e.coarse.newWorker().(*singleWorker)
		w.c = make([]Outcome, len(w.f))
		nq := e.coarse.numQoIs()
		for j := range w.c {
			w.c[j] = Outcome{QoIs: make([]float64, nq), Costs: make([]int64, nq)}
		}
	}
	nq := e.fine.numQoIs()
	for j := range w.f {
		w.f[j] = Outcome{QoIs: make([]float64, nq), Costs: make([]int64, nq)}
	}
	return w
}

// levelWorker solves on both meshes and combines the outcomes.
type levelWorker struct {
	q            int // the QoI estimated
	fine, coarse *singleWorker
	f, c         []Outcome
}

func (w *levelWorker) progress() int64 {
	n := w.fine.progress()
	if w.coarse != nil {
		n += w.coarse.progress()
	}
	return n
}

func (w *levelWorker) solve(ins []*problem.Inputs, out []Outcome) {
	w.fine.solve(ins, w.f[:len(ins)])
	if w.coarse != nil {
		w.coarse.solve(ins, w.c[:len(ins)])
	}
	for j := range ins {
		w.combine(&out[j], &w.f[j], j)
	}
}

func (w *levelWorker) retry(in *problem.Inputs, out *Outcome) {
	w.fine.retry(in, &w.f[0])
	if w.coarse != nil {
		w.coarse.retry(in, &w.c[0])
	}
	w.combine(out, &w.f[0], 0)
}

// combine sets o from the fine outcome f and coarse outcome j.
func (w *levelWorker) combine(o, f *Outcome, j int) {
	y, cost := f.QoIs[w.q], f.Costs[w.q]
	*o = Outcome{QoIs: o.QoIs, Costs: o.Costs, Iterations: f.Iterations, Residual: f.Residual, Err: f.Err}
	if w.coarse != nil {
		c := &w.c[j]
		y -= c.QoIs[w.q]
		cost += c.Costs[w.q]
		o.Residual = math.Max(o.Residual, c.Residual)
		if o.Err == nil && c.Err != nil {
			o.Err = fmt.Errorf("coarse mesh: %w", c.Err)
		}
	}
	o.QoIs[0], o.QoIs[1] = y, f.QoIs[w.q]
	o.Costs[0], o.Costs[1] = cost, f.Costs[w.q]
}

// fill sets every element of x to v.
func fill(x []float64, v float64) {
	for i := range x {
		x[i] = v
	}
}
