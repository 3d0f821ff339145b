// Package problemfile implements the problem file: a user's own stationary diffusion problem
//
//	−∇·(κ∇u) = f  in the domain,   u = g_D on Dirichlet parts,   κ ∂u/∂n = g_N on Neumann parts,
//
// with named random inputs and quantities of interest, described in JSON (mcfem run -problem
// FILE.json). Read reads and validates a file into typed data: the mesh's name, the inputs'
// distributions (dist), the random field's parameters (field), the coefficients and boundary
// values as compiled expressions (Expr) and the QoIs. It knows nothing of meshes beyond their
// names: whether the parts named exist, and where a point lies, are checked by whoever reads
// the mesh, with File.Errorf for messages in the same form.
//
// # Format
//
// A complete example (testdata/example.json):
//
//	{
//	  "mesh": {"square": 64},
//	  "inputs": {"eps": "beta:2,6", "a": "uniform:0.5,1.5"},
//	  "field": {"sigma": 1, "lambda": 0.3, "terms": 50},
//	  "conductivity": "1 + a*x",
//	  "source": "eps * -432 * (x*x + y*y - x - y)",
//	  "boundary": {
//	    "boundary": {"dirichlet": "0"},
//	    "right": {"neumann": "a * y"}
//	  },
//	  "qoi": {
//	    "qoi":  {"integral": "domain"},
//	    "avg":  {"average": "Parts_Domain"},
//	    "mid":  {"point": [0.5, 0.5]},
//	    "umax": {"max": "domain"},
//	    "out":  {"flux": "boundary"}
//	  },
//	  "exact": "216*eps*x*(1-x)*y*(1-y)"
//	}
//
// It shows every key; it is not a consistent manufactured problem (its exact solves the
// problem with κ = 1 and u = 0 on the whole boundary, not this conductivity and Neumann
// part). The smallest file has a mesh, one Dirichlet part and one QoI:
//
//	{"mesh": {"square": 32}, "boundary": {"boundary": {"dirichlet": 0}}, "qoi": {"mean_u": {"average": "domain"}}}
//
// The keys, in any order:
//
//	mesh          required. {"square": N}: the unit square, N cells per side, 1 ≤ N ≤ 46339;
//	              or {"mdpa": "FILE"}: a Kratos model part file, relative to the problem
//	              file's directory (or absolute). Exactly one of the two. The file is not read.
//	inputs        optional. {"NAME": "DIST", …}: the named random scalars, in this order (the
//	              order of samples.csv's columns), at most 64. DIST is a -dist value:
//	              beta:a,b, uniform:a,b, normal:mu,sigma, lognormal:mu,sigma or list:FILE (one
//	              value per sample, FILE relative to the problem file's directory; list inputs
//	              must have the same length). A NAME is an identifier (a letter or _, then
//	              letters, digits, _; at most 64 characters) and may not be x, y,
//	              conductivity, pi, a function, a keyword or builtin of expr-lang, nor a
//	              column of samples.csv (sample, iterations, residual, status).
//	field         optional. {"sigma": S, "lambda": L, "terms": K}: the log-normal random field
//	              exp(g) of package field, which multiplies the conductivity; all three keys,
//	              in field's ranges (0 < S ≤ 100, 1e-4 ≤ L ≤ 1e4, 1 ≤ K ≤ 10000).
//	conductivity  optional. κ, an expression in x, y, the inputs and conductivity, the mesh's
//	              own value for the element (the .mdpa's CONDUCTIVITY, 1 for the square).
//	              Absent: the mesh's own value.
//	source        optional. f, an expression in x, y and the inputs. Absent: 0.
//	boundary      required. {"PART": {"dirichlet": EXPR} or {"neumann": EXPR}, …} in this
//	              order, at most 256: exactly one kind per part, values in x, y and the
//	              inputs; a Neumann value is g = κ ∂u/∂n, n the outward normal. At least one
//	              part must be Dirichlet (else u is fixed only up to a constant). A PART is a
//	              sub-model-part of the .mdpa file or, for any mesh, left, right, bottom, top
//	              or boundary (the whole boundary); not domain.
//	qoi           required. {"NAME": KIND, …} in this order, at least one, at most 256, with
//	              KIND one of {"integral": PART} (∫ u over the part: over its elements, or
//	              ∫ u ds over its boundary edges for a part of nodes only), {"average": PART}
//	              (that integral over the part's measure), {"point": [X, Y]} (u at the point,
//	              interpolated), {"max": PART} (the largest u at the part's nodes) and
//	              {"flux": PART} (the heat flux out of the domain through a boundary part,
//	              −∫ κ ∂u/∂n ds, n outward, computed from the residual as a reaction: over
//	              the whole boundary it equals ∫ f plus the Neumann inflow). PART "domain" is
//	              the whole mesh (not for flux). A NAME is an identifier, a column of samples.csv: not an input's
//	              name nor sample, iterations, residual or status.
//	exact         optional. A manufactured solution u(x, y), an expression in x, y and the
//	              inputs (mcfem verify -problem).
//
// Unknown keys, a key given twice, a value of the wrong JSON type and a number that is not a
// finite float64 are errors, at every level. A UTF-8 byte order mark is allowed.
//
// # Expressions
//
// An expression is a JSON string (or a JSON number, which is the expression of its value)
// in the language of github.com/expr-lang/expr, restricted to arithmetic on float64s:
//
//	numbers       2, 0.5, 1e-3, .5, 0x10, 1_000: every number is a float64 (so 1/2 is 0.5)
//	variables     x, y: the point; the inputs by name; conductivity (in the key
//	              conductivity only): the mesh's conductivity of the element
//	constant      pi
//	arithmetic    + - * / and ^ or ** (power), unary - and +, parentheses; ^ binds tighter
//	              than unary minus and to the right: -x^2 = -(x^2), 2^3^2 = 2^9
//	functions     sin, cos, tan, exp, log (natural), sqrt, abs, pow(x, y) (= x^y), and
//	              min(a, b, …), max(a, b, …) (one argument or more)
//	conditions    c ? a : b and if c { a } else { b }, where c compares numbers with
//	              < <= > >= == != and combines comparisons with and, or, not (&& || !)
//
// for example "x < 0.5 ? 1 : 10" (two materials) or "sin(pi*x) * sin(pi*y)". Nothing else
// is allowed (strings, arrays, maps, members, ranges, %, let, expr-lang's builtins such as
// len or now): none would make a number, and without them evaluating an expression takes
// time and memory proportional to its length. The value must be a number, not a condition.
// A constant expression is evaluated when the file is read: it must be finite, and a
// constant conductivity positive. Other values may be NaN or ±Inf at some points (sqrt(-1),
// 1/x at x = 0); whoever evaluates them checks.
//
// The functions are registered under these names with expr-lang (whose builtins are all
// disabled): sin, cos and tan (sin/cos) are detmath.Sincos, exp and log detmath's, sqrt
// math.Sqrt (correctly rounded), abs, min and max math's (exact), pow detmath's method
// (binary powering, with detmath's exp and log for a fractional exponent); x^y is pow(x, y),
// not expr-lang's math.Pow.
//
// # Determinism
//
// Eval gives the same bits for the same Vars on every build (GOAMD64=v1 or v3, arm64,
// -tags purego) and machine. expr-lang's virtual machine applies one operation at a time to
// float64 values held in interfaces, so each result is rounded: no multiply-add is fused,
// and an expression means what it would in Go with each product rounded, in expr-lang's
// order (left to right, ^ first, then * and /, then + and −):
//
//	-432 * (x*x + y*y - x - y)   ≡   -432 * (float64(x*x) + float64(y*y) - x - y)
//
// The functions are build-independent (detmath's, and no product feeds a sum in this
// package: scripts/fma-check.sh), and expr-lang's own packages compile to no fused
// multiply-add either (their -S listings for amd64-v3 and arm64 have none, as of v1.17.8).
// The exception is detmath.Sincos for |x| ≥ 2**29. Eval is safe for concurrent use: each
// call takes a virtual machine and an environment from a pool of the Expr.
// Constant subexpressions (2*3) are folded when compiling, with the same float64 operations.
//
// # Errors and limits
//
// Every error is an *Error, one line:
//
//	FILE:LINE: KEY: what is wrong and what is wanted
//
// with LINE the line of the key and KEY its path; an expression's errors give the
// expression and the column (character) in it:
//
//	problem.json:9: boundary.right.neumann: "a * yy" column 5: unknown variable yy (variables: x, y, eps, a)
//
// A file is at most 1 MiB (MaxFileSize), an expression at most 4096 bytes (MaxExprLen);
// inputs, boundary parts and QoIs are bounded (MaxInputs, MaxBoundary, MaxQoIs); the reader
// never descends deeper than the format (four levels), whatever the file holds.
package problemfile
