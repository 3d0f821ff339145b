package mesh

import "slices"

const errPartNode = "mesh: PermuteParts: a part names a node outside the permutation's range"

// Part is a named set of mesh entities: a Kratos sub-model-part (MDPAInfo.Parts) or a side of
// the mesh's bounding box (BoxParts). Nodes and Tris are mesh indices, sorted and distinct; nil
// when the part has none.
type Part struct {
	Name  string
	Nodes []int32 // node indices
	Tris  []int32 // triangle indices
}

// sortedSet sorts s, removes repeats and returns the result clipped to its length (so that an
// append by the caller never writes into shared memory), or nil when s is empty.
func sortedSet(s []int32) []int32 {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return slices.Clip(slices.Compact(s))
}

// BoxParts returns the parts that every mesh has, from its bounding box (Bounds) and its outer
// edges (OnOuterEdges), in this order:
//
//	left      nodes with x == xmin
//	right     nodes with x == xmax
//	bottom    nodes with y == ymin
//	top       nodes with y == ymax
//	boundary  nodes on the outer edges (edges used by exactly one triangle)
//	domain    every node and every triangle
//
// The side parts have nodes only (Tris nil). The comparisons are exact: on the structured unit
// square the sides are its four sides (UnitSquare puts them exactly on 0 and 1), and a GiD mesh
// of a rectangle writes its side coordinates exactly too. On a domain that is not a rectangle
// a side part holds the nodes on that side of the box, possibly a single corner. A user part
// with one of these names is the caller's concern.
func BoxParts(m *Mesh) []Part {
	xmin, xmax, ymin, ymax := m.Bounds()
	parts := []Part{{Name: "left"}, {Name: "right"}, {Name: "bottom"}, {Name: "top"}, {Name: "boundary"}, {Name: "domain"}}
	side := [4]float64{xmin, xmax, ymin, ymax}
	for v := range m.NumNodes() {
		c := [4]float64{m.Coords[2*v], m.Coords[2*v], m.Coords[2*v+1], m.Coords[2*v+1]}
		for k := range side {
			if c[k] == side[k] {
				parts[k].Nodes = append(parts[k].Nodes, int32(v))
			}
		}
	}
	for v, on := range m.OnOuterEdges() {
		if on {
			parts[4].Nodes = append(parts[4].Nodes, int32(v))
		}
	}
	dom := &parts[5]
	dom.Nodes = make([]int32, m.NumNodes())
	for v := range dom.Nodes {
		dom.Nodes[v] = int32(v)
	}
	if nt := m.NumTris(); nt > 0 {
		dom.Tris = make([]int32, nt)
		for t := range dom.Tris {
			dom.Tris[t] = int32(t)
		}
	}
	if len(dom.Nodes) == 0 {
		dom.Nodes = nil
	}
	for k := range parts {
		parts[k].Nodes = slices.Clip(parts[k].Nodes)
	}
	return parts
}

// PermuteParts returns the parts of a mesh m as parts of m.Permute(perm) (perm[new] = old, see
// Permute): every node index is rewritten to its new index and the nodes are sorted again;
// triangles keep their indices (Permute does not reorder them). The result shares no memory
// with parts. It panics, as Permute does, when perm is not a permutation of 0..len(perm)-1 or
// a part names a node outside that range.
func PermuteParts(parts []Part, perm []int32) []Part {
	n := len(perm)
	inv := make([]int32, n)
	for i := range inv {
		inv[i] = -1
	}
	for i, old := range perm {
		if old < 0 || int(old) >= n || inv[old] >= 0 {
			panic(errPermInvalid)
		}
		inv[old] = int32(i)
	}
	out := make([]Part, len(parts))
	for k, p := range parts {
		out[k].Name = p.Name
		if len(p.Nodes) > 0 {
			out[k].Nodes = make([]int32, len(p.Nodes))
			for i, v := range p.Nodes {
				if v < 0 || int(v) >= n {
					panic(errPartNode)
				}
				out[k].Nodes[i] = inv[v]
			}
			slices.Sort(out[k].Nodes)
		}
		out[k].Tris = slices.Clone(p.Tris)
	}
	return out
}
