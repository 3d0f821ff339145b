// Package mesh implements the flat 2D triangle meshes that mcfem solves on: node coordinates,
// counter-clockwise triangles and Dirichlet boundary flags held in plain arrays, a structured
// generator for the unit square, validation, node orderings (reverse Cuthill–McKee, order.go),
// and the Kratos .mdpa reader and writer (mdpa.go, mdpa_write.go).
//
// Validate checks one triangle at a time; Check (check.go, overlap.go) checks that a mesh is a
// triangulation: no duplicated element, no edge of three elements, no element folded over its
// neighbours, no two elements overlapping (an exact sweep, predicates.go), and CheckDirichlet
// that every connected part has a Dirichlet node. Their errors name the elements by the ids of
// the file the mesh came from.
//
// A mesh is data, not a pointer graph: coordinates are one []float64 (x, y per node),
// triangles one []int32 (three node indices each), boundary flags one []bool. Node indices are
// int32 so that the CSR matrices built on a mesh cost 12 bytes per nonzero.
//
// Where a problem puts its data (parts.go, geometry.go): a Part is a named set of nodes and
// triangles, either a Kratos sub-model-part (MDPAInfo.Parts) or a side of the mesh's bounding
// box (BoxParts: left, right, bottom, top, boundary, domain); PermuteParts follows a node
// renumbering. BoundaryEdges gives a part's outer edges, oriented counter-clockwise, for
// boundary integrals (Neumann data, fluxes); Locate finds the triangle and barycentric
// coordinates of a point (point values). These are set-up steps and allocate.
package mesh
