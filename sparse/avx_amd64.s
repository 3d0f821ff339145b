//go:build amd64 && !purego

#include "textflag.h"

// Four-lane kernels of the batched solvers with 256-bit AVX: each row's four lanes are one
// YMM register. Every lane goes through the pure-Go kernel's operations in its order — a
// VMULPD then a VADDPD or VSUBPD, never a fused multiply-add — so the results are the Go
// kernels' bit for bit. Each column index is checked against the rows of x and each row
// pointer against the length of col (ncol; the first one, ≥ 0, by the wrapper); the kernels
// return false at the first one out of range (the Go wrapper panics).

// ENTRIES4 runs the entries e = AX … DX−1 of a row for four lanes: Y0 = Y0 OP val_e·x_col(e)
// (VADDPD or VSUBPD), checking col(e) < XROWS (jumping to BAD otherwise); AX ends at DX.
#define ENTRIES4(OP, XROWS, LOOP, BAD) \
LOOP: \
	MOVLQSX (R9)(AX*4), R12; \
	CMPQ    R12, XROWS; \
	JAE     BAD; \
	SHLQ    $5, R12; \
	VBROADCASTSD (R10)(AX*8), Y1; \
	VMULPD  (SI)(R12*1), Y1, Y1; \
	OP      Y1, Y0, Y0; \
	INCQ    AX; \
	CMPQ    AX, DX; \
	JLT     LOOP

// func spmm4DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[4]float64) bool
//
//	y_i = Σ_e val_e · x_col(e)   (s = 0, then s += a·x per entry)
//	d  += x_i · y_i              (i ascending)
TEXT ·spmm4DotAVX(SB), NOSPLIT, $0-73
	MOVQ   y+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   xrows+16(FP), R13
	MOVQ   rowPtr+24(FP), R8
	MOVQ   col+32(FP), R9
	MOVQ   val+40(FP), R10
	MOVQ   n+56(FP), CX
	VXORPD Y2, Y2, Y2
	XORQ   BX, BX        // 32·i
	MOVLQSX (R8), AX     // e = rowPtr[0]
	TESTQ  CX, CX
	JEQ    dotdone

dotrow:
	MOVLQSX 4(R8), DX    // hi = rowPtr[i+1]
	CMPQ   DX, ncol+48(FP)
	JG     dotbad
	ADDQ   $4, R8
	VXORPD Y0, Y0, Y0
	CMPQ   AX, DX
	JGE    dotrowend

	ENTRIES4(VADDPD, R13, dotentry, dotbad)

dotrowend:
	VMOVUPD Y0, (DI)(BX*1)
	VMULPD (SI)(BX*1), Y0, Y1
	VADDPD Y1, Y2, Y2
	ADDQ   $32, BX
	DECQ   CX
	JNZ    dotrow

dotdone:
	MOVQ   d+64(FP), R11
	VMOVUPD Y2, (R11)
	VZEROUPPER
	MOVB   $1, ret+72(FP)
	RET

dotbad:
	VZEROUPPER
	MOVB   $0, ret+72(FP)
	RET

// func spmm4AVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int) bool
//
//	y_i = Σ_e val_e · x_col(e)
TEXT ·spmm4AVX(SB), NOSPLIT, $0-65
	MOVQ   y+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   xrows+16(FP), R13
	MOVQ   rowPtr+24(FP), R8
	MOVQ   col+32(FP), R9
	MOVQ   val+40(FP), R10
	MOVQ   n+56(FP), CX
	MOVLQSX (R8), AX
	TESTQ  CX, CX
	JEQ    mdone

mrow:
	MOVLQSX 4(R8), DX
	CMPQ   DX, ncol+48(FP)
	JG     mbad
	ADDQ   $4, R8
	VXORPD Y0, Y0, Y0
	CMPQ   AX, DX
	JGE    mrowend

	ENTRIES4(VADDPD, R13, mentry, mbad)

mrowend:
	VMOVUPD Y0, (DI)
	ADDQ   $32, DI
	DECQ   CX
	JNZ    mrow

mdone:
	VZEROUPPER
	MOVB   $1, ret+64(FP)
	RET

mbad:
	VZEROUPPER
	MOVB   $0, ret+64(FP)
	RET

// func spmm8DotAVX(y, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol, n int, d *[8]float64) bool
//
// spmm4DotAVX for eight lanes: two YMM registers per row.
TEXT ·spmm8DotAVX(SB), NOSPLIT, $0-73
	MOVQ   y+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   xrows+16(FP), R13
	MOVQ   rowPtr+24(FP), R8
	MOVQ   col+32(FP), R9
	MOVQ   val+40(FP), R10
	MOVQ   n+56(FP), CX
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	XORQ   BX, BX        // 64·i
	MOVLQSX (R8), AX
	TESTQ  CX, CX
	JEQ    d8done

d8row:
	MOVLQSX 4(R8), DX
	CMPQ   DX, ncol+48(FP)
	JG     d8bad
	ADDQ   $4, R8
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	CMPQ   AX, DX
	JGE    d8rowend

d8entry:
	MOVLQSX (R9)(AX*4), R12
	CMPQ   R12, R13
	JAE    d8bad
	SHLQ   $6, R12
	VBROADCASTSD (R10)(AX*8), Y2
	VMULPD (SI)(R12*1), Y2, Y3
	VADDPD Y3, Y0, Y0
	VMULPD 32(SI)(R12*1), Y2, Y3
	VADDPD Y3, Y1, Y1
	INCQ   AX
	CMPQ   AX, DX
	JLT    d8entry

d8rowend:
	VMOVUPD Y0, (DI)(BX*1)
	VMOVUPD Y1, 32(DI)(BX*1)
	VMULPD (SI)(BX*1), Y0, Y3
	VADDPD Y3, Y4, Y4
	VMULPD 32(SI)(BX*1), Y1, Y3
	VADDPD Y3, Y5, Y5
	ADDQ   $64, BX
	DECQ   CX
	JNZ    d8row

d8done:
	MOVQ   d+64(FP), R11
	VMOVUPD Y4, (R11)
	VMOVUPD Y5, 32(R11)
	VZEROUPPER
	MOVB   $1, ret+72(FP)
	RET

d8bad:
	VZEROUPPER
	MOVB   $0, ret+72(FP)
	RET
