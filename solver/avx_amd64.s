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

// func gsLower4AVX(xl, x *float64, xrows int, b *float64, bstride int, rowPtr, col *int32, val *float64, ncol int, invDiag, sub *float64, n int) bool
//
//	s = b_i · d_i;  s −= a·x_col(e) per entry;  s −= sub_i · prev;  xl_i = prev = s
TEXT ·gsLower4AVX(SB), NOSPLIT, $0-97
	MOVQ   xl+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   b+24(FP), R13
	MOVQ   rowPtr+40(FP), R8
	MOVQ   col+48(FP), R9
	MOVQ   val+56(FP), R10
	MOVQ   invDiag+72(FP), R11
	MOVQ   sub+80(FP), BX
	VXORPD Y3, Y3, Y3    // prev
	XORQ   CX, CX        // i
	MOVLQSX (R8), AX
	CMPQ   CX, n+88(FP)
	JGE    ldone

lrow:
	MOVLQSX 4(R8)(CX*4), DX
	CMPQ   DX, ncol+64(FP)
	JG     lbad
	VBROADCASTSD (R11)(CX*8), Y0
	VMULPD (R13), Y0, Y0
	CMPQ   AX, DX
	JGE    lrowend

	ENTRIES4(VSUBPD, xrows+16(FP), lentry, lbad)

lrowend:
	VBROADCASTSD (BX)(CX*8), Y1
	VMULPD Y3, Y1, Y1
	VSUBPD Y1, Y0, Y0
	VMOVUPD Y0, (DI)
	VMOVAPD Y0, Y3
	ADDQ   $32, DI
	ADDQ   bstride+32(FP), R13
	INCQ   CX
	CMPQ   CX, n+88(FP)
	JLT    lrow

ldone:
	VZEROUPPER
	MOVB   $1, ret+96(FP)
	RET

lbad:
	VZEROUPPER
	MOVB   $0, ret+96(FP)
	RET

// func gsBack4AVX(xl, x *float64, xrows int, rowPtr, col *int32, val *float64, ncol int, sup *float64, n int) bool
//
//	i descending: s = xl_i;  s −= a·x_col(e) per entry (ascending e);  s −= sup_i · prev;  xl_i = prev = s
TEXT ·gsBack4AVX(SB), NOSPLIT, $0-73
	MOVQ   xl+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   xrows+16(FP), R13
	MOVQ   rowPtr+24(FP), R8
	MOVQ   col+32(FP), R9
	MOVQ   val+40(FP), R10
	MOVQ   sup+56(FP), BX
	MOVQ   n+64(FP), CX  // i = n
	VXORPD Y3, Y3, Y3
	MOVLQSX (R8)(CX*4), DX // hi = rowPtr[n]
	CMPQ   DX, ncol+48(FP)
	JG     bbad
	MOVQ   CX, R11
	SHLQ   $5, R11
	ADDQ   R11, DI       // &xl[4n]
	TESTQ  CX, CX
	JEQ    bdone

brow:
	DECQ   CX
	SUBQ   $32, DI
	MOVLQSX (R8)(CX*4), AX // lo = rowPtr[i]
	TESTQ  AX, AX
	JL     bbad
	MOVQ   AX, R11
	VMOVUPD (DI), Y0
	CMPQ   AX, DX
	JGE    browend

	ENTRIES4(VSUBPD, R13, bentry, bbad)

browend:
	VBROADCASTSD (BX)(CX*8), Y1
	VMULPD Y3, Y1, Y1
	VSUBPD Y1, Y0, Y0
	VMOVUPD Y0, (DI)
	VMOVAPD Y0, Y3
	MOVQ   R11, DX
	TESTQ  CX, CX
	JNE    brow

bdone:
	VZEROUPPER
	MOVB   $1, ret+72(FP)
	RET

bbad:
	VZEROUPPER
	MOVB   $0, ret+72(FP)
	RET
