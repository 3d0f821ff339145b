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

// func cpuHasAVX() bool
TEXT ·cpuHasAVX(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	ANDL $0x18000000, CX // OSXSAVE (bit 27) and AVX (bit 28)
	CMPL CX, $0x18000000
	JNE  no
	XORL CX, CX
	XGETBV               // XCR0: the OS saves the XMM (bit 1) and YMM (bit 2) state
	ANDL $6, AX
	CMPL AX, $6
	JNE  no
	MOVB $1, ret+0(FP)
	RET

no:
	MOVB $0, ret+0(FP)
	RET

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
