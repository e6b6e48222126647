//go:build !noasm

#include "textflag.h"
#include "go_asm.h"

// The Winograd transforms of winograd_amd64.go, 8 tiles a vector, as
// winogradGroups: each lane does winogradInput's or winogradOutput's
// additions for its tile, in their order, each rounded on its own.

// SPLIT sets even and odd, in lanes 0-3 and 4-7, to the even and odd
// values of the 8 at a0 and b0 (the first quad's) and at a1 and b1 (the
// second quad's), b the 4 after a; yt, with xt its low half, is
// clobbered, and so is ye's, xe's, register; odd must not be yt.
#define SPLIT(a0, b0, a1, b1, xe, ye, xt, yt, odd) \
	VMOVUPS     a0, xe; \
	VINSERTF128 $1, a1, ye, ye; \
	VMOVUPS     b0, xt; \
	VINSERTF128 $1, b1, yt, yt; \
	VSHUFPS     $0xdd, yt, ye, odd; \
	VSHUFPS     $0x88, yt, ye, ye

// COLUMN stores (Bᵀ d B) row a, from t = Bᵀ d's row a, its columns t0 to
// t3: element b at (base) plus b matrices (R10 the bytes of one, R11 of
// three).
#define COLUMN(t0, t1, t2, t3, base) \
	VSUBPS  t2, t0, Y14; \
	VMOVUPS Y14, (base); \
	VADDPS  t2, t1, Y15; \
	VMOVUPS Y15, (base)(R10*1); \
	VSUBPS  t1, t2, Y14; \
	VMOVUPS Y14, (base)(R10*2); \
	VSUBPS  t3, t1, Y15; \
	VMOVUPS Y15, (base)(R11*1)

// func winogradInputGroups(v, x *float32, groups *winogradGroup, k int, geom *WinogradTiles)
//
// Channel after channel, and group after group in each, so that a
// group's spill into the tiles of the next is overwritten. R13 and R14
// point at the two quads' blocks, R8 is the bytes of a row of the planes
// (R9 of three), DX the group's transforms of element 0, then 4, 8, 12.
// The column pass of Bᵀ d's row a wants all four of its columns: the
// first two are computed for every row first, then the other two a row
// of Bᵀ d at a time, stored as soon as done, which keeps within sixteen
// registers.
TEXT ·winogradInputGroups(SB), NOSPLIT, $0-40
	MOVQ  v+0(FP), DI
	MOVQ  x+8(FP), SI
	MOVQ  groups+16(FP), BX
	MOVQ  k+24(FP), CX
	IMUL3Q $winogradGroup__size, CX, CX
	MOVQ  geom+32(FP), DX
	MOVQ  WinogradTiles_Row(DX), R8
	SHLQ  $2, R8
	LEAQ  (R8)(R8*2), R9
	MOVQ  WinogradTiles_Matrix(DX), R10
	SHLQ  $2, R10
	LEAQ  (R10)(R10*2), R11
	MOVQ  WinogradTiles_Channels(DX), R12

inChannel:
	XORQ AX, AX

inGroup:
	MOVQ winogradGroup_at0(BX)(AX*1), R13
	LEAQ (SI)(R13*4), R13
	MOVQ winogradGroup_at1(BX)(AX*1), R14
	LEAQ (SI)(R14*4), R14
	MOVQ winogradGroup_t(BX)(AX*1), DX
	LEAQ (DI)(DX*4), DX

	// Columns 0 and 1 of the 4 rows of d, d[r][q] in Y(2r+q).
	SPLIT(0(R13), 16(R13), 0(R14), 16(R14), X0, Y0, X8, Y8, Y1)
	SPLIT(0(R13)(R8*1), 16(R13)(R8*1), 0(R14)(R8*1), 16(R14)(R8*1), X2, Y2, X9, Y9, Y3)
	SPLIT(0(R13)(R8*2), 16(R13)(R8*2), 0(R14)(R8*2), 16(R14)(R8*2), X4, Y4, X10, Y10, Y5)
	SPLIT(0(R13)(R9*1), 16(R13)(R9*1), 0(R14)(R9*1), 16(R14)(R9*1), X6, Y6, X11, Y11, Y7)

	// Bᵀ d's columns 0 and 1: t[a][0] in Y0, Y8, Y4, Y2 and t[a][1] in
	// Y1, Y6, Y5, Y3.
	VSUBPS Y4, Y0, Y0 // t0 = d0 - d2
	VADDPS Y4, Y2, Y8 // t1 = d1 + d2
	VSUBPS Y2, Y4, Y4 // t2 = d2 - d1
	VSUBPS Y6, Y2, Y2 // t3 = d1 - d3
	VSUBPS Y5, Y1, Y1
	VADDPS Y5, Y3, Y6
	VSUBPS Y3, Y5, Y5
	VSUBPS Y7, Y3, Y3

	// Columns 2 and 3 of rows 0 and 2, then Bᵀ d's row 0.
	SPLIT(8(R13), 24(R13), 8(R14), 24(R14), X10, Y10, X7, Y7, Y11)
	SPLIT(8(R13)(R8*2), 24(R13)(R8*2), 8(R14)(R8*2), 24(R14)(R8*2), X12, Y12, X9, Y9, Y13)
	VSUBPS Y12, Y10, Y10
	VSUBPS Y13, Y11, Y11
	COLUMN(Y0, Y1, Y10, Y11, DX)

	// Those of row 1, then Bᵀ d's rows 1 and 2.
	SPLIT(8(R13)(R8*1), 24(R13)(R8*1), 8(R14)(R8*1), 24(R14)(R8*1), X10, Y10, X7, Y7, Y11)
	VADDPS Y12, Y10, Y0
	VADDPS Y13, Y11, Y1
	VSUBPS Y10, Y12, Y12
	VSUBPS Y11, Y13, Y13
	LEAQ   (DX)(R10*4), DX
	COLUMN(Y8, Y6, Y0, Y1, DX)
	LEAQ   (DX)(R10*4), DX
	COLUMN(Y4, Y5, Y12, Y13, DX)

	// Those of row 3, then Bᵀ d's row 3.
	SPLIT(8(R13)(R9*1), 24(R13)(R9*1), 8(R14)(R9*1), 24(R14)(R9*1), X12, Y12, X9, Y9, Y13)
	VSUBPS Y12, Y10, Y12
	VSUBPS Y13, Y11, Y13
	LEAQ   (DX)(R10*4), DX
	COLUMN(Y2, Y3, Y12, Y13, DX)

	ADDQ $winogradGroup__size, AX
	CMPQ AX, CX
	JB   inGroup

	MOVQ geom+32(FP), DX
	MOVQ WinogradTiles_Channel(DX), R13
	LEAQ (SI)(R13*4), SI
	MOVQ WinogradTiles_Stride(DX), R13
	LEAQ (DI)(R13*4), DI
	DECQ R12
	JNZ  inChannel
	VZEROUPPER
	RET

// ROWPASS sets u0 and u1 to Aᵀ M's rows 0 and 1 in column q, M's
// elements 4a+q at (R9) plus 4a matrices (R10 the bytes of one, R11 of
// three).
#define ROWPASS(u0, u1) \
	VMOVUPS (R9)(R10*4), Y8; \
	VMOVUPS (R9)(R10*8), Y9; \
	VMOVUPS (R9), u0; \
	VADDPS  Y8, u0, u0; \
	VADDPS  Y9, u0, u0; \
	VSUBPS  Y9, Y8, u1; \
	VSUBPS  (R9)(R11*4), u1, u1

// OUTROW sets lo and hi to a row of the output's values, plus the bias
// Y14, from Aᵀ M's row u0 to u3 (clobbered): lo holds the first quad's
// first 4 values and the second's, hi their last 4.
#define OUTROW(u0, u1, u2, u3, lo, hi) \
	VADDPS    u1, u0, u0; \
	VADDPS    u2, u0, u0; \
	VSUBPS    u2, u1, u1; \
	VSUBPS    u3, u1, u1; \
	VADDPS    Y14, u0, u0; \
	VADDPS    Y14, u1, u1; \
	VUNPCKLPS u1, u0, lo; \
	VUNPCKHPS u1, u0, hi

// OLD sets the vector y, x its low half, to the 4 values at a0 and the 4
// at a1, as lo or hi of OUTROW; MASKED with the masks m0 and m1, t
// clobbered.
#define OLD(a0, a1, x, y) \
	VMOVUPS     a0, x; \
	VINSERTF128 $1, a1, y, y

#define OLDMASKED(a0, a1, m0, m1, x, y, t) \
	VMASKMOVPS  a0, m0, x; \
	VMASKMOVPS  a1, m1, t; \
	VINSERTF128 $1, t, y, y

// RELU sets y to ReLU's of it, as reluAVX2 does, t clobbered.
#define RELU(y, t) \
	VCMPPS $0x16, Y15, y, t; \
	VANDPS t, y, y

// STORE stores y, x its low half, at a0 and its high half at a1;
// STOREMASKED with the masks m0 and m1, t clobbered.
#define STORE(x, y, a0, a1) \
	VMOVUPS      x, a0; \
	VEXTRACTF128 $1, y, a1

#define STOREMASKED(x, y, a0, a1, m0, m1, t) \
	VMASKMOVPS   x, m0, a0; \
	VEXTRACTF128 $1, y, t; \
	VMASKMOVPS   t, m1, a1

// func winogradOutputGroups(y, m *float32, groups *winogradGroup, k int, geom *WinogradTiles, bias *float32, add bool, relu int)
//
// Channel after channel (R12), group after group. R13 and R14 point at
// the two quads' blocks of the output, R8 is the bytes of a row of it, DX
// points at the group's products of element 0, R9 at those of element q
// of Aᵀ M's column; X10 to X13 hold a group's masks unless it is full.
TEXT ·winogradOutputGroups(SB), NOSPLIT, $0-64
	MOVQ   y+0(FP), DI
	MOVQ   m+8(FP), SI
	MOVQ   groups+16(FP), BX
	MOVQ   k+24(FP), CX
	IMUL3Q $winogradGroup__size, CX, CX
	MOVQ   geom+32(FP), DX
	MOVQ   WinogradTiles_Row(DX), R8
	SHLQ   $2, R8
	MOVQ   WinogradTiles_Matrix(DX), R10
	SHLQ   $2, R10
	LEAQ   (R10)(R10*2), R11
	XORQ   R12, R12
	VXORPS Y15, Y15, Y15

outChannel:
	MOVQ         bias+40(FP), DX
	VBROADCASTSS (DX)(R12*4), Y14
	XORQ         AX, AX

outGroup:
	MOVQ winogradGroup_at0(BX)(AX*1), R13
	LEAQ (DI)(R13*4), R13
	MOVQ winogradGroup_at1(BX)(AX*1), R14
	LEAQ (DI)(R14*4), R14
	MOVQ winogradGroup_t(BX)(AX*1), DX
	LEAQ (SI)(DX*4), DX

	// Aᵀ M: u[0][q] in Y(q), u[1][q] in Y(4+q).
	MOVQ DX, R9
	ROWPASS(Y0, Y4)
	LEAQ (DX)(R10*1), R9
	ROWPASS(Y1, Y5)
	LEAQ (DX)(R10*2), R9
	ROWPASS(Y2, Y6)
	LEAQ (DX)(R11*1), R9
	ROWPASS(Y3, Y7)

	// (Aᵀ M) A plus the bias: row 0 in Y8 and Y9, row 1 in Y10 and Y11
	// for now.
	OUTROW(Y0, Y1, Y2, Y3, Y8, Y9)
	OUTROW(Y4, Y5, Y6, Y7, Y2, Y3)

	CMPQ winogradGroup_full(BX)(AX*1), $0
	JNE  outFull

	// A group with masks.
	VMOVUPS winogradGroup_mask+0(BX)(AX*1), X10
	VMOVUPS winogradGroup_mask+16(BX)(AX*1), X11
	VMOVUPS winogradGroup_mask+32(BX)(AX*1), X12
	VMOVUPS winogradGroup_mask+48(BX)(AX*1), X13
	CMPB    add+48(FP), $0
	JEQ     outMaskedReLU
	OLDMASKED(0(R13), 0(R14), X10, X12, X0, Y0, X4)
	OLDMASKED(16(R13), 16(R14), X11, X13, X1, Y1, X5)
	OLDMASKED(0(R13)(R8*1), 0(R14)(R8*1), X10, X12, X6, Y6, X4)
	OLDMASKED(16(R13)(R8*1), 16(R14)(R8*1), X11, X13, X7, Y7, X5)
	VADDPS  Y8, Y0, Y8
	VADDPS  Y9, Y1, Y9
	VADDPS  Y2, Y6, Y2
	VADDPS  Y3, Y7, Y3

outMaskedReLU:
	CMPQ R12, relu+56(FP)
	JGE  outMaskedStore
	RELU(Y8, Y0)
	RELU(Y9, Y1)
	RELU(Y2, Y4)
	RELU(Y3, Y5)

outMaskedStore:
	STOREMASKED(X8, Y8, 0(R13), 0(R14), X10, X12, X0)
	STOREMASKED(X9, Y9, 16(R13), 16(R14), X11, X13, X1)
	STOREMASKED(X2, Y2, 0(R13)(R8*1), 0(R14)(R8*1), X10, X12, X4)
	STOREMASKED(X3, Y3, 16(R13)(R8*1), 16(R14)(R8*1), X11, X13, X5)
	JMP outNext

outFull:
	CMPB add+48(FP), $0
	JEQ  outFullReLU
	OLD(0(R13), 0(R14), X0, Y0)
	OLD(16(R13), 16(R14), X1, Y1)
	OLD(0(R13)(R8*1), 0(R14)(R8*1), X6, Y6)
	OLD(16(R13)(R8*1), 16(R14)(R8*1), X7, Y7)
	VADDPS Y8, Y0, Y8
	VADDPS Y9, Y1, Y9
	VADDPS Y2, Y6, Y2
	VADDPS Y3, Y7, Y3

outFullReLU:
	CMPQ R12, relu+56(FP)
	JGE  outFullStore
	RELU(Y8, Y0)
	RELU(Y9, Y1)
	RELU(Y2, Y4)
	RELU(Y3, Y5)

outFullStore:
	STORE(X8, Y8, 0(R13), 0(R14))
	STORE(X9, Y9, 16(R13), 16(R14))
	STORE(X2, Y2, 0(R13)(R8*1), 0(R14)(R8*1))
	STORE(X3, Y3, 16(R13)(R8*1), 16(R14)(R8*1))

outNext:
	ADDQ $winogradGroup__size, AX
	CMPQ AX, CX
	JB   outGroup

	MOVQ geom+32(FP), DX
	MOVQ WinogradTiles_Channel(DX), R13
	LEAQ (DI)(R13*4), DI
	MOVQ WinogradTiles_Stride(DX), R13
	LEAQ (SI)(R13*4), SI
	INCQ R12
	CMPQ R12, WinogradTiles_Channels(DX)
	JB   outChannel
	VZEROUPPER
	RET
