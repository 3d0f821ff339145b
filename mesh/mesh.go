package mesh

import (
	"errors"
	"fmt"
	"math"
)

// Mesh is a 2D triangulation held in flat arrays.
type Mesh struct {
	Coords   []float64 // 2 per node: x0, y0, x1, y1, …
	Tri      []int32   // 3 per triangle, counter-clockwise
	Boundary []bool    // per node: true on the Dirichlet boundary
}

// NumNodes returns the number of nodes, len(Coords)/2.
func (m *Mesh) NumNodes() int { return len(m.Coords) / 2 }

// NumTris returns the number of triangles, len(Tri)/3.
func (m *Mesh) NumTris() int { return len(m.Tri) / 3 }

// maxUnitSquareN is the largest n for which UnitSquare's (n+1)² node indices fit in int32.
const maxUnitSquareN = 46339 // 46340² ≤ MaxInt32 < 46341²

// UnitSquare returns the structured triangulation of [0,1]² with n×n squares, each split into
// two triangles along one diagonal; (n+1)² nodes numbered row by row (node = j*(n+1)+i at
// (i/n, j/n)); boundary = nodes on the four sides. Error (not panic) for n < 1 or n so large
// that node indices overflow int32.
//
// Square (i, j) with corners v00 = j*(n+1)+i, v10 = v00+1, v01 = v00+n+1, v11 = v01+1 is cut
// along its diagonal v00–v11 into the counter-clockwise triangles
//
//	2*(j*n+i)   = (v00, v10, v11)
//	2*(j*n+i)+1 = (v00, v11, v01)
//
// Coordinates are computed as i/n, so the sides lie exactly on 0 and 1.
func UnitSquare(n int) (*Mesh, error) {
	if n < 1 {
		return nil, fmt.Errorf("mesh: unit square needs n ≥ 1 squares per side, got %d", n)
	}
	if n > maxUnitSquareN {
		return nil, fmt.Errorf("mesh: unit square with n = %d has (n+1)² nodes, more than int32 indices allow (n ≤ %d)", n, maxUnitSquareN)
	}
	np := n + 1
	m := &Mesh{
		Coords:   make([]float64, 2*np*np),
		Tri:      make([]int32, 6*n*n),
		Boundary: make([]bool, np*np),
	}
	fn := float64(n)
	for j := range np {
		y := float64(j) / fn
		for i := range np {
			v := j*np + i
			m.Coords[2*v] = float64(i) / fn
			m.Coords[2*v+1] = y
			m.Boundary[v] = i == 0 || j == 0 || i == n || j == n
		}
	}
	t := m.Tri
	for j := range n {
		for i := range n {
			v00 := int32(j*np + i)
			v10 := v00 + 1
			v01 := v00 + int32(np)
			v11 := v01 + 1
			t[0], t[1], t[2] = v00, v10, v11
			t[3], t[4], t[5] = v00, v11, v01
			t = t[6:]
		}
	}
	return m, nil
}

// areaRelTol is the relative tolerance of Validate's degeneracy test: a triangle is rejected
// when its area is at most areaRelTol times the square of its longest edge. An equilateral
// triangle has area 0.43·edge², a right isosceles one 0.25·(hypotenuse)², so only slivers far
// beyond any usable element (aspect ratio ~1e11) are caught besides the truly degenerate ones.
const areaRelTol = 1e-12

// SignedArea returns the signed area of triangle t: positive when its nodes are
// counter-clockwise. It does not check t or the node indices.
//
//	A = ((x1-x0)(y2-y0) - (x2-x0)(y1-y0)) / 2
func (m *Mesh) SignedArea(t int) float64 {
	a, b, c := m.Tri[3*t], m.Tri[3*t+1], m.Tri[3*t+2]
	x0, y0 := m.Coords[2*a], m.Coords[2*a+1]
	x1, y1 := m.Coords[2*b], m.Coords[2*b+1]
	x2, y2 := m.Coords[2*c], m.Coords[2*c+1]
	return 0.5 * (float64((x1-x0)*(y2-y0)) - float64((x2-x0)*(y1-y0)))
}

// Validate checks the mesh is usable: lengths consistent, indices in range, every triangle
// counter-clockwise with area > a small relative tolerance (inverted or degenerate elements are
// errors naming the element index and its area), at least one boundary node. Returns an error
// "mesh: …" describing the first problem.
//
// It also rejects an empty mesh, non-finite coordinates and more nodes than int32 indices
// allow. The degeneracy tolerance is relative to the element: area ≤ 1e-12·(longest edge)².
func (m *Mesh) Validate() error {
	if m == nil {
		return errors.New("mesh: nil mesh")
	}
	if len(m.Coords)%2 != 0 {
		return fmt.Errorf("mesh: len(Coords) = %d is odd, want 2 per node", len(m.Coords))
	}
	if len(m.Tri)%3 != 0 {
		return fmt.Errorf("mesh: len(Tri) = %d is not a multiple of 3", len(m.Tri))
	}
	nn := m.NumNodes()
	if nn == 0 {
		return errors.New("mesh: no nodes")
	}
	if nn > math.MaxInt32 {
		return fmt.Errorf("mesh: %d nodes exceed int32 indices", nn)
	}
	if m.NumTris() == 0 {
		return errors.New("mesh: no triangles")
	}
	if len(m.Boundary) != nn {
		return fmt.Errorf("mesh: len(Boundary) = %d, want one flag per node (%d)", len(m.Boundary), nn)
	}
	for v, c := range m.Coords {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return fmt.Errorf("mesh: node %d has a non-finite coordinate %g", v/2, c)
		}
	}
	for k, v := range m.Tri {
		if v < 0 || int(v) >= nn {
			return fmt.Errorf("mesh: triangle %d references node %d, out of range [0, %d)", k/3, v, nn)
		}
	}
	for t := range m.NumTris() {
		area := m.SignedArea(t)
		tol := areaRelTol * m.maxEdge2(t)
		switch {
		case area < -tol:
			return fmt.Errorf("mesh: triangle %d is inverted (clockwise), signed area %g", t, area)
		case area <= tol:
			return fmt.Errorf("mesh: triangle %d is degenerate, area %g ≤ tolerance %g", t, area, tol)
		}
	}
	for _, b := range m.Boundary {
		if b {
			return nil
		}
	}
	return errors.New("mesh: no boundary node: the Dirichlet problem needs at least one")
}

// maxEdge2 returns the squared length of the longest edge of triangle t.
func (m *Mesh) maxEdge2(t int) float64 {
	v := m.Tri[3*t : 3*t+3]
	var h2 float64
	for k := range 3 {
		a, b := v[k], v[(k+1)%3]
		dx := m.Coords[2*b] - m.Coords[2*a]
		dy := m.Coords[2*b+1] - m.Coords[2*a+1]
		h2 = max(h2, float64(dx*dx)+float64(dy*dy))
	}
	return h2
}
