//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

// Kernels with 256-bit AVX for four and eight interleaved lanes: a row's four lanes are one
// YMM register. Every lane goes through the Go kernels' operations in their order — a VMULPD
// then a VADDPD or VSUBPD, never a fused multiply-add — so the results are the Go kernels'
// bit for bit. Every kernel takes one *avxArgs (avx.go) and returns false at the first column
// index not below xrows or row pointer above ncol (the first one, ≥ 0, the wrapper checks).
//
// Registers: R14 the arguments; DI the rows written; SI x; R8 rowPtr; R9 col; R10 val;
// CX the rows left (or the row index); AX the entry e, DX the row's end; R12 a column.

// ARGS loads the arguments every kernel uses (R13 = xrows, CX = n) and AX = rowPtr[0].
#define ARGS \
	MOVQ a+0(FP), R14; \
	MOVQ avxArgs_y(R14), DI; \
	MOVQ avxArgs_x(R14), SI; \
	MOVQ avxArgs_xrows(R14), R13; \
	MOVQ avxArgs_rowPtr(R14), R8; \
	MOVQ avxArgs_col(R14), R9; \
	MOVQ avxArgs_val(R14), R10; \
	MOVQ avxArgs_n(R14), CX; \
	MOVLQSX (R8), AX

// DONE(BAD) returns true, and false from label BAD, clearing the upper YMM halves.
#define DONE(BAD) \
	VZEROUPPER; \
	MOVB $1, ret+8(FP); \
	RET; \
BAD: \
	VZEROUPPER; \
	MOVB $0, ret+8(FP); \
	RET

// NEXTROW(PTR, BAD) sets DX = the row pointer at PTR, jumping to BAD past ncol.
#define NEXTROW(PTR, BAD) \
	MOVLQSX PTR, DX; \
	CMPQ DX, avxArgs_ncol(R14); \
	JG BAD

// ROW(LABEL, BAD) starts the SpMM row at LABEL: DX = its end, R8 at the next row pointer.
#define ROW(LABEL, BAD) \
LABEL: \
	NEXTROW(4(R8), BAD); \
	ADDQ $4, R8

// ROW4(LABEL, BAD, END) is ROW with Y0 = 0, and a jump to END when the row has no entries.
#define ROW4(LABEL, BAD, END) \
	ROW(LABEL, BAD); \
	VXORPD Y0, Y0, Y0; \
	CMPQ AX, DX; \
	JGE END

// ROW8 is ROW4 for eight lanes: Y3 = 0 too.
#define ROW8(LABEL, BAD, END) \
	ROW(LABEL, BAD); \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y3, Y3, Y3; \
	CMPQ AX, DX; \
	JGE END

// LOOP(LABEL) goes back to the row at LABEL while rows are left (CX).
#define LOOP(LABEL) \
	DECQ CX; \
	JNZ LABEL

// GATHER(XROWS, SHIFT, BAD) sets R12 = col(e) << SHIFT (the byte offset of row col(e) of x),
// jumping to BAD unless col(e) < XROWS, and Y1 = val(e) in every lane.
#define GATHER(XROWS, SHIFT, BAD) \
	MOVLQSX (R9)(AX*4), R12; \
	CMPQ R12, XROWS; \
	JAE BAD; \
	SHLQ $SHIFT, R12; \
	VBROADCASTSD (R10)(AX*8), Y1

// ENTRIES4 runs the entries e = AX … DX−1 of a row for four lanes: Y0 = Y0 OP val_e·x_col(e)
// (VADDPD or VSUBPD); AX ends at DX.
#define ENTRIES4(OP, XROWS, LABEL, BAD) \
LABEL: \
	GATHER(XROWS, 5, BAD); \
	VMULPD (SI)(R12*1), Y1, Y2; \
	OP Y2, Y0, Y0; \
	INCQ AX; \
	CMPQ AX, DX; \
	JLT LABEL

// ENTRIES8 is ENTRIES4 with VADDPD for eight lanes, in Y0 (lanes 0–3) and Y3 (lanes 4–7).
#define ENTRIES8(XROWS, LABEL, BAD) \
LABEL: \
	GATHER(XROWS, 6, BAD); \
	VMULPD (SI)(R12*1), Y1, Y2; \
	VADDPD Y2, Y0, Y0; \
	VMULPD 32(SI)(R12*1), Y1, Y2; \
	VADDPD Y2, Y3, Y3; \
	INCQ AX; \
	CMPQ AX, DX; \
	JLT LABEL

// DOT(OFF, Y, D) adds lanes OFF…OFF+3 of row i of x (at BX) times Y to the dot products D.
#define DOT(OFF, Y, D) \
	VMULPD OFF(SI)(BX*1), Y, Y2; \
	VADDPD Y2, D, D

// NEAR ends a sweep's row: Y0 −= near_i·Y4 (the previous row's values), stored at DI and
// kept in Y4 for the next row.
#define NEAR \
	VBROADCASTSD (BX)(CX*8), Y1; \
	VMULPD Y4, Y1, Y1; \
	VSUBPD Y1, Y0, Y0; \
	VMOVUPD Y0, (DI); \
	VMOVAPD Y0, Y4

// func spmm4AVX(a *avxArgs) bool
//
//	y_i = Σ_e val_e · x_col(e)   (s = 0, then s += a·x per entry)
TEXT ·spmm4AVX(SB), NOSPLIT, $0-9
	ARGS
	ROW4(m4row, m4bad, m4end)
	ENTRIES4(VADDPD, R13, m4entry, m4bad)
m4end:
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	LOOP(m4row)
	DONE(m4bad)

// func spmm8AVX(a *avxArgs) bool
//
// spmm4AVX for eight lanes: two YMM registers per row.
TEXT ·spmm8AVX(SB), NOSPLIT, $0-9
	ARGS
	ROW8(m8row, m8bad, m8end)
	ENTRIES8(R13, m8entry, m8bad)
m8end:
	VMOVUPD Y0, (DI)
	VMOVUPD Y3, 32(DI)
	ADDQ $64, DI
	LOOP(m8row)
	DONE(m8bad)

// func spmmDot4AVX(a *avxArgs) bool
//
//	y_i = Σ_e val_e · x_col(e)
//	d  += x_i · y_i              (i ascending)
TEXT ·spmmDot4AVX(SB), NOSPLIT, $0-9
	ARGS
	VXORPD Y5, Y5, Y5
	XORQ BX, BX          // 32·i
	ROW4(d4row, d4bad, d4end)
	ENTRIES4(VADDPD, R13, d4entry, d4bad)
d4end:
	VMOVUPD Y0, (DI)(BX*1)
	DOT(0, Y0, Y5)
	ADDQ $32, BX
	LOOP(d4row)
	MOVQ avxArgs_d(R14), R11
	VMOVUPD Y5, (R11)
	DONE(d4bad)

// func spmmDot8AVX(a *avxArgs) bool
//
// spmmDot4AVX for eight lanes: two YMM registers per row.
TEXT ·spmmDot8AVX(SB), NOSPLIT, $0-9
	ARGS
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	XORQ BX, BX          // 64·i
	ROW8(d8row, d8bad, d8end)
	ENTRIES8(R13, d8entry, d8bad)
d8end:
	VMOVUPD Y0, (DI)(BX*1)
	VMOVUPD Y3, 32(DI)(BX*1)
	DOT(0, Y0, Y5)
	DOT(32, Y3, Y6)
	ADDQ $64, BX
	LOOP(d8row)
	MOVQ avxArgs_d(R14), R11
	VMOVUPD Y5, (R11)
	VMOVUPD Y6, 32(R11)
	DONE(d8bad)

// func sweepForward4AVX(a *avxArgs) bool
//
//	s = b_i · scale_i;  s −= a·x_col(e) per entry;  s −= near_i · prev;  x_i = prev = s
TEXT ·sweepForward4AVX(SB), NOSPLIT, $0-9
	ARGS
	MOVQ avxArgs_b(R14), R13
	MOVQ avxArgs_scale(R14), R11
	MOVQ avxArgs_near(R14), BX
	VXORPD Y4, Y4, Y4    // prev
	XORQ CX, CX          // i
frow:
	NEXTROW(4(R8)(CX*4), fbad)
	VBROADCASTSD (R11)(CX*8), Y0
	VMULPD (R13), Y0, Y0
	CMPQ AX, DX
	JGE fend
	ENTRIES4(VSUBPD, avxArgs_xrows(R14), fentry, fbad)
fend:
	NEAR
	ADDQ $32, DI
	ADDQ avxArgs_bstride(R14), R13
	INCQ CX
	CMPQ CX, avxArgs_n(R14)
	JLT frow
	DONE(fbad)

// func sweepBackward4AVX(a *avxArgs) bool
//
//	i descending: s = x_i;  s −= a·x_col(e) per entry (ascending e);  s −= near_i · prev;  x_i = prev = s
TEXT ·sweepBackward4AVX(SB), NOSPLIT, $0-9
	ARGS
	MOVQ avxArgs_near(R14), BX
	VXORPD Y4, Y4, Y4
	NEXTROW((R8)(CX*4), bbad) // hi = rowPtr[n]
	MOVQ CX, R11
	SHLQ $5, R11
	ADDQ R11, DI         // &x_n
brow:
	DECQ CX
	SUBQ $32, DI
	MOVLQSX (R8)(CX*4), AX // lo = rowPtr[i]
	TESTQ AX, AX
	JL bbad
	MOVQ AX, R11
	VMOVUPD (DI), Y0
	CMPQ AX, DX
	JGE bend
	ENTRIES4(VSUBPD, R13, bentry, bbad)
bend:
	NEAR
	MOVQ R11, DX
	TESTQ CX, CX
	JNE brow
	DONE(bbad)
