//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

// The kernels fwd4 and bwd4 of solve_gen.go for k = 4 with 256-bit AVX: a row's four lanes
// (right-hand sides) are one YMM register. Every lane goes through the Go kernels' operations
// in their order — a VMULPD then a VSUBPD, a VDIVPD by the diagonal, never a fused
// multiply-add — so the results are the Go kernels' bit for bit (avx.go says why one pass
// over the rows after the group for all its w columns changes no operation). Both kernels
// take one *avxArgs (avx.go), branch once on the group's width w, and return false at the
// first row index of below not below yrows.
//
// Registers: R14 the arguments; SI tri; R10 rest, at the current row; DI x, the group's rows;
// DX the current row after the group (in x when gathered, in y at below[q] in place); R9
// below, at the current index; R11 y; R13 yrows; CX the rows left; BX w. Forward: Y0–Y3 the
// group's solved rows, Y4 the row updated, Y5 a product. Backward: Y4–Y7 the group's sums,
// Y8 the row read, Y9 a product. Y15: a value of the triangle.
//
// The sweeps prefetch L (rest) 1 KiB ahead in the direction they read it: on the unit square
// at 512 cells (75 MB of L, out of cache) that made SolveBatch with k = 4 about 15% faster
// than the hardware prefetchers alone; it changes no operation.

// ARGS loads the arguments.
#define ARGS \
	MOVQ a+0(FP), R14; \
	MOVQ avxArgs_tri(R14), SI; \
	MOVQ avxArgs_rest(R14), R10; \
	MOVQ avxArgs_x(R14), DI; \
	MOVQ avxArgs_y(R14), R11; \
	MOVQ avxArgs_below(R14), R9; \
	MOVQ avxArgs_yrows(R14), R13; \
	MOVQ avxArgs_n(R14), CX; \
	MOVQ avxArgs_w(R14), BX

// DONE(BAD) returns true, and false from label BAD, clearing the upper YMM halves.
#define DONE(BAD) \
	VZEROUPPER; \
	MOVB $1, ret+8(FP); \
	RET; \
BAD: \
	VZEROUPPER; \
	MOVB $0, ret+8(FP); \
	RET

// SWITCHW(L2, L3, L4) jumps to the code for the width w (BX) when it is 2, 3 or 4, and falls
// through for 1 (the wrapper checked 1 ≤ w ≤ 4).
#define SWITCHW(L2, L3, L4) \
	CMPQ BX, $4; \
	JEQ L4; \
	CMPQ BX, $3; \
	JEQ L3; \
	CMPQ BX, $2; \
	JEQ L2

// LOAD(Q, Y) and STORE(Y, Q) move row Q of the group to and from Y.
#define LOAD(Q, Y) VMOVUPD (32*Q)(DI), Y
#define STORE(Y, Q) VMOVUPD Y, (32*Q)(DI)

// TRI(I, XP, Y) sets Y −= tri[I]·XP; DIAG(I, Y) sets Y /= tri[I].
#define TRI(I, XP, Y) \
	VBROADCASTSD (8*I)(SI), Y15; \
	VMULPD XP, Y15, Y15; \
	VSUBPD Y15, Y, Y
#define DIAG(I, Y) \
	VBROADCASTSD (8*I)(SI), Y15; \
	VDIVPD Y15, Y, Y

// ROWAT(BAD) sets DX to the address of row below[q] of y (R9 at below[q]), jumping to BAD
// unless below[q] < yrows.
#define ROWAT(BAD) \
	MOVLQSX (R9), DX; \
	CMPQ DX, R13; \
	JAE BAD; \
	SHLQ $5, DX; \
	ADDQ R11, DX

// FTERM(P, XP) sets Y4 −= rest[q·w+P]·XP; FTERMS_W the w terms of a row, P increasing.
#define FTERM(P, XP) \
	VBROADCASTSD (8*P)(R10), Y5; \
	VMULPD XP, Y5, Y5; \
	VSUBPD Y5, Y4, Y4
#define FTERMS_1 FTERM(0, Y0)
#define FTERMS_2 FTERMS_1; FTERM(1, Y1)
#define FTERMS_3 FTERMS_2; FTERM(2, Y2)
#define FTERMS_4 FTERMS_3; FTERM(3, Y3)

// FSWEEP(W, TERMS, GLOOP, ILOOP, END, BAD) applies the group's W solved rows (Y0…) to the n
// rows after it, in increasing order: gathered, x's rows W, W+1, …; in place, y's rows
// below[0], below[1], …. Each row: load, TERMS, store.
#define FSWEEP(W, TERMS, GLOOP, ILOOP, END, BAD) \
	TESTQ CX, CX; \
	JEQ END; \
	TESTQ R9, R9; \
	JNE ILOOP; \
	LEAQ (32*W)(DI), DX; \
GLOOP: \
	PREFETCHT0 1024(R10); \
	VMOVUPD (DX), Y4; \
	TERMS; \
	VMOVUPD Y4, (DX); \
	ADDQ $32, DX; \
	ADDQ $(8*W), R10; \
	DECQ CX; \
	JNE GLOOP; \
	JMP END; \
ILOOP: \
	PREFETCHT0 1024(R10); \
	ROWAT(BAD); \
	VMOVUPD (DX), Y4; \
	TERMS; \
	VMOVUPD Y4, (DX); \
	ADDQ $4, R9; \
	ADDQ $(8*W), R10; \
	DECQ CX; \
	JNE ILOOP

// func fwd4AVX(a *avxArgs) bool
//
// The triangle, rows q increasing: x_q = (x_q − Σ_{p<q} tri[w·q+p]·x_p, p increasing) / tri[w·q+q];
// then each row i after the group: t_i −= rest[i·w+p]·x_p for p = 0…w−1.
TEXT ·fwd4AVX(SB), NOSPLIT, $0-9
	ARGS
	SWITCHW(f2, f3, f4)

	LOAD(0, Y0)
	DIAG(0, Y0)
	STORE(Y0, 0)
	FSWEEP(1, FTERMS_1, f1g, f1i, fdone, fbad)
	JMP fdone

f2:
	LOAD(0, Y0)
	DIAG(0, Y0)
	STORE(Y0, 0)
	LOAD(1, Y1)
	TRI(2, Y0, Y1)
	DIAG(3, Y1)
	STORE(Y1, 1)
	FSWEEP(2, FTERMS_2, f2g, f2i, fdone, fbad)
	JMP fdone

f3:
	LOAD(0, Y0)
	DIAG(0, Y0)
	STORE(Y0, 0)
	LOAD(1, Y1)
	TRI(3, Y0, Y1)
	DIAG(4, Y1)
	STORE(Y1, 1)
	LOAD(2, Y2)
	TRI(6, Y0, Y2)
	TRI(7, Y1, Y2)
	DIAG(8, Y2)
	STORE(Y2, 2)
	FSWEEP(3, FTERMS_3, f3g, f3i, fdone, fbad)
	JMP fdone

f4:
	LOAD(0, Y0)
	DIAG(0, Y0)
	STORE(Y0, 0)
	LOAD(1, Y1)
	TRI(4, Y0, Y1)
	DIAG(5, Y1)
	STORE(Y1, 1)
	LOAD(2, Y2)
	TRI(8, Y0, Y2)
	TRI(9, Y1, Y2)
	DIAG(10, Y2)
	STORE(Y2, 2)
	LOAD(3, Y3)
	TRI(12, Y0, Y3)
	TRI(13, Y1, Y3)
	TRI(14, Y2, Y3)
	DIAG(15, Y3)
	STORE(Y3, 3)
	FSWEEP(4, FTERMS_4, f4g, f4i, fdone, fbad)

fdone:
	DONE(fbad)

// BTERM(P, S) sets the sum S −= rest[q·w+P]·Y8 (Y8 the row q); BTERMS_W the w sums of a row.
#define BTERM(P, S) \
	VBROADCASTSD (8*P)(R10), Y9; \
	VMULPD Y8, Y9, Y9; \
	VSUBPD Y9, S, S
#define BTERMS_1 BTERM(0, Y4)
#define BTERMS_2 BTERMS_1; BTERM(1, Y5)
#define BTERMS_3 BTERMS_2; BTERM(2, Y6)
#define BTERMS_4 BTERMS_3; BTERM(3, Y7)

// BSWEEP(W, TERMS, GLOOP, ISTART, ILOOP, END, BAD) subtracts from the group's W sums (Y4…) the n rows
// after it times the group's values, in decreasing row order: gathered, x's rows W+n−1, …, W;
// in place, y's rows below[n−1], …, below[0]. R10 and the row pointer start at the last row.
#define BSWEEP(W, TERMS, GLOOP, ISTART, ILOOP, END, BAD) \
	TESTQ CX, CX; \
	JEQ END; \
	LEAQ -1(CX), AX; \
	IMUL3Q $(8*W), AX, DX; \
	ADDQ DX, R10; \
	TESTQ R9, R9; \
	JNE ISTART; \
	SHLQ $5, AX; \
	LEAQ (32*W)(DI)(AX*1), DX; \
GLOOP: \
	PREFETCHT0 -1024(R10); \
	VMOVUPD (DX), Y8; \
	TERMS; \
	SUBQ $32, DX; \
	SUBQ $(8*W), R10; \
	DECQ CX; \
	JNE GLOOP; \
	JMP END; \
ISTART: \
	LEAQ (R9)(AX*4), R9; \
ILOOP: \
	PREFETCHT0 -1024(R10); \
	ROWAT(BAD); \
	VMOVUPD (DX), Y8; \
	TERMS; \
	SUBQ $4, R9; \
	SUBQ $(8*W), R10; \
	DECQ CX; \
	JNE ILOOP

// func bwd4AVX(a *avxArgs) bool
//
// The sums s_p = x_p − Σ_i rest[i·w+p]·t_i (i decreasing) for p < w; then the triangle, rows q
// decreasing: x_q = (s_q − Σ_{p>q} tri[w·p+q]·x_p, p decreasing) / tri[w·q+q].
TEXT ·bwd4AVX(SB), NOSPLIT, $0-9
	ARGS
	SWITCHW(b2, b3, b4)

	LOAD(0, Y4)
	BSWEEP(1, BTERMS_1, b1g, b1s, b1i, b1tri, bbad)
b1tri:
	DIAG(0, Y4)
	STORE(Y4, 0)
	JMP bdone

b2:
	LOAD(0, Y4)
	LOAD(1, Y5)
	BSWEEP(2, BTERMS_2, b2g, b2s, b2i, b2tri, bbad)
b2tri:
	DIAG(3, Y5)
	STORE(Y5, 1)
	TRI(2, Y5, Y4)
	DIAG(0, Y4)
	STORE(Y4, 0)
	JMP bdone

b3:
	LOAD(0, Y4)
	LOAD(1, Y5)
	LOAD(2, Y6)
	BSWEEP(3, BTERMS_3, b3g, b3s, b3i, b3tri, bbad)
b3tri:
	DIAG(8, Y6)
	STORE(Y6, 2)
	TRI(7, Y6, Y5)
	DIAG(4, Y5)
	STORE(Y5, 1)
	TRI(6, Y6, Y4)
	TRI(3, Y5, Y4)
	DIAG(0, Y4)
	STORE(Y4, 0)
	JMP bdone

b4:
	LOAD(0, Y4)
	LOAD(1, Y5)
	LOAD(2, Y6)
	LOAD(3, Y7)
	BSWEEP(4, BTERMS_4, b4g, b4s, b4i, b4tri, bbad)
b4tri:
	DIAG(15, Y7)
	STORE(Y7, 3)
	TRI(14, Y7, Y6)
	DIAG(10, Y6)
	STORE(Y6, 2)
	TRI(13, Y7, Y5)
	TRI(9, Y6, Y5)
	DIAG(5, Y5)
	STORE(Y5, 1)
	TRI(12, Y7, Y4)
	TRI(8, Y6, Y4)
	TRI(4, Y5, Y4)
	DIAG(0, Y4)
	STORE(Y4, 0)

bdone:
	DONE(bbad)
