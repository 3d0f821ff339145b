// Package qmc holds the building blocks of mcfem's sampling designs other than plain Monte
// Carlo (package mc's design.go): the Sobol' sequence of Joe and Kuo's direction numbers, with
// the random digital shift that randomizes it (Sobol, Uniform), and keyed permutations of
// [0, n) for Latin hypercubes that no rank has to store (Perm). Everything is integer
// arithmetic except Uniform's one scaling, so the points are the same bits on every build.
package qmc
