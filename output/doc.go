// Package output implements the files a run leaves for people and tools to look at: PNG
// plots of a campaign (histogram of the quantity of interest with its density, running mean
// with its confidence band, strong-scaling speedup and efficiency), the reader of the scaling
// CSV that scripts/scaling.sh writes, a VTK XML UnstructuredGrid writer for nodal fields on
// a triangle mesh (ParaView), and a Chrome trace-event writer for per-rank timelines
// (Perfetto, chrome://tracing).
//
// The package takes plain data (slices, flat mesh arrays, small structs), so that mc and
// main can call it; of mcfem it imports only internal/atomicfile, through which every PNG is
// written (a temporary file renamed into place).
package output
