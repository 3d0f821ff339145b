// Package journal implements the sample journals of mcfem: every rank appends each finished
// sample to its own file under DIR/journal/, so that a crash loses at most the samples in
// flight and a resumed campaign recomputes only what is missing, on any rank count.
//
// File format (Format 3), all integers little-endian, offsets from the start of the file:
//
//	header:
//	  [0, 8)         magic "MCFEMJNL"
//	  [8, 12)        uint32 L, the length of the JSON that follows (at most 1 MiB)
//	  [12, 12+L)     JSON of the Header: {"format":3,"fields":{...},"rank":r,"ranks":p,
//	                 "created":"RFC 3339","inputs":ni,"qois":nq}
//	  [12+L, 16+L)   uint32 H, the CRC-32C (Castagnoli) of the JSON
//	records, R = 28 + 8·(ni+nq) bytes each, from offset 16+L to the end of the file:
//	  [0, 8)         int64 sample index (>= 0)
//	  [8, 8+8ni)     float64 inputs      } stored as math.Float64bits: every bit, NaN
//	  [.., +8nq)     float64 QoIs        } payloads and negative zero included, comes
//	  float64 residual    } back unchanged
//	  int32 iterations
//	  int32 status (0 ok; other values are the caller's failure reasons)
//	  [R-4, R)       uint32 CRC-32C of the header's JSON followed by bytes [0, R-4) of the
//	                 record (the CRC continued from H)
//
// A record is thus bound to the header it was written under: copied into another journal (of
// another rank, run or campaign: every header differs, if only by its rank and created time),
// it fails its checksum and reads as a corrupt record.
//
// Format 2 is format 3 with each record's checksum the CRC-32C of its own bytes [0, R-4) alone
// (records not bound to their header). Format 1 is format 2 with ni = nq = 1 and no "inputs"
// and "qois" in the header (44-byte records). Read reads both.
//
// A reader takes the records from fixed R-byte slots after the header. A slot whose checksum
// fails, or whose index is negative, is a corrupt record: it is dropped and reported, and
// reading goes on with the next slot. Fewer than R bytes at the end is a truncated record (the
// sample that was being written when the writer died): it is dropped and reported. A header
// with the wrong magic, a bad checksum or an unknown format is an error. A file that ends
// inside its header (a writer that died before Create returned) holds no samples: Read
// reports it as an error, ReadDir skips it with a note.
//
// A record whose Append returned is in the file (one write system call, no user-space buffer)
// and survives the process being killed; it survives an OS crash once Sync has returned.
package journal
