// Package problem implements what a campaign solves: a stationary diffusion problem
// −∇·(κ∇u) = f on a 2D triangulation, with random inputs, discretised by P1 elements (fem).
//
// A Problem says what a rank sets up once (the mesh, the pattern, the sample-independent
// parts of the matrix and of the load), how sample i's inputs are drawn from its own random
// stream and become its linear system (a Sampler per worker: the matrix when it depends on
// the sample, the load vectors, the QoIs), and what is known exactly about it (Exact). The
// reports, plots, checks, verify and MLMC ask the problem; nothing else knows an exact value.
//
// problem.go holds the interfaces and the Spec that New sets up; tutorial.go is the Kratos
// tutorial's problem, the only one that knows its continuum QoI, and checks that its mesh
// and boundary are those where it holds; lognormal.go is the random-field model built on it.
package problem
