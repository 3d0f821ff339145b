package mesh

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Hash returns a short hex digest (SHA-256, 16 hex digits) of the mesh: coordinates (bits),
// triangles and boundary flags, in order. Two meshes with the same hash give the same results.
func (m *Mesh) Hash() string {
	h := sha256.New()
	// binary.Write writes each float64 as its IEEE bits, each int32 as 4 bytes and each bool as
	// one byte 1 or 0, all little-endian; writing to a hash never fails.
	binary.Write(h, binary.LittleEndian, m.Coords)
	binary.Write(h, binary.LittleEndian, m.Tri)
	binary.Write(h, binary.LittleEndian, m.Boundary)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}
