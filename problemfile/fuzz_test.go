package problemfile

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"mcfem/dist"
)

// fuzzDist is dist.Parse without files: a list: input is three values, whatever the path (a
// fuzzed path such as /dev/stdin could block).
func fuzzDist(s, dir string) (dist.Dist, error) {
	if path, ok := strings.CutPrefix(s, "list:"); ok {
		if path == "" {
			return nil, errors.New("dist: list: open : no such file or directory")
		}
		return &dist.List{Path: path, Values: []float64{0.1, 0.25, 0.5}}, nil
	}
	return dist.Parse(s, dir)
}

// FuzzParse checks that Parse never panics nor hangs, that its errors are one-line *Errors
// naming the file and a line of it, and that what it accepts keeps the format's promises.
// Its seeds are the files of testdata, the bad files of TestParseErrors and the corpus in
// testdata/fuzz/FuzzParse, which plain go test runs; fuzz with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./problemfile
//
// and commit what it finds under testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(f, err)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	for _, tc := range badFiles {
		if len(tc.json) <= 4096 {
			f.Add([]byte(tc.json))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := parse(data, "fuzz.json", "/fuzz", fuzzDist)
		if err != nil {
			var pe *Error
			require.True(t, errors.As(err, &pe), "%T: %v", err, err)
			msg := err.Error()
			require.NotContains(t, msg, "\n")
			require.True(t, strings.HasPrefix(msg, "fuzz.json"), msg)
			require.LessOrEqual(t, pe.Line, 1+bytes.Count(data, []byte("\n")), msg)
			return
		}
		require.True(t, (pf.Mesh.Square > 0) != (pf.Mesh.MDPA != ""), "one mesh: %+v", pf.Mesh)
		require.LessOrEqual(t, pf.Mesh.Square, MaxSquare)
		require.LessOrEqual(t, len(pf.Inputs), MaxInputs)
		if pf.Field != nil {
			require.NoError(t, pf.Field.Validate())
		}
		names := map[string]bool{}
		for _, in := range pf.Inputs {
			require.True(t, isIdent(in.Name) && !names[in.Name] && reserved[in.Name] == "", in.Name)
			names[in.Name] = true
		}
		dirichlet := false
		for _, bc := range pf.Boundary {
			require.NotNil(t, bc.Value)
			require.Contains(t, []string{Dirichlet, Neumann}, bc.Kind)
			dirichlet = dirichlet || bc.Kind == Dirichlet
		}
		require.True(t, dirichlet)
		require.NotEmpty(t, pf.QoIs)
		for _, q := range pf.QoIs {
			require.True(t, isIdent(q.Name) && !names[q.Name], q.Name)
			names[q.Name] = true
			require.Contains(t, []string{QoIIntegral, QoIAverage, QoIPoint, QoIMax, QoIFlux}, q.Kind)
			require.Equal(t, q.Kind == QoIPoint, q.Part == "", "%+v", q)
		}
		// Every expression evaluates, to a float64 or NaN or ±Inf, without panicking, the
		// same by Eval's closures as by expr-lang's virtual machine.
		v := &Vars{X: 0.25, Y: 0.5, Inputs: make([]float64, len(pf.Inputs)), Conductivity: 2}
		for i := range v.Inputs {
			v.Inputs[i] = 0.5
		}
		exprs := []*Expr{pf.Conductivity, pf.Source, pf.Exact}
		for _, bc := range pf.Boundary {
			exprs = append(exprs, bc.Value)
		}
		for _, e := range exprs {
			if e != nil {
				require.LessOrEqual(t, len(e.Text), MaxExprLen)
				// The closures Eval runs give the virtual machine's bits (a NaN is a NaN).
				for _, x := range []float64{0.25, math.Copysign(0, -1), 3} {
					v.X = x
					got, want := e.Eval(v), e.evalVM(v)
					require.True(t, math.Float64bits(got) == math.Float64bits(want) || math.IsNaN(got) && math.IsNaN(want),
						"%q at x = %v: closures %v, VM %v", e.Text, x, got, want)
				}
			}
		}
	})
}
