package mesh

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
)

// Hash returns a short hex digest (SHA-256, 16 hex digits) of the mesh: coordinates (bits),
// triangles and boundary flags, in order. Two meshes with the same hash give the same results.
func (m *Mesh) Hash() string {
	h := sha256.New()
	var b [8]byte
	for _, c := range m.Coords {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(c))
		h.Write(b[:])
	}
	for _, t := range m.Tri {
		binary.LittleEndian.PutUint32(b[:4], uint32(t))
		h.Write(b[:4])
	}
	for _, bd := range m.Boundary {
		if bd {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}
