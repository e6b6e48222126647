//go:build !noasm

#include "textflag.h"
#include "depth_amd64.h"

// Register use in kernelAVX2:
//	SI      A at the current depth; R9, R10, R11 one, two and three rows
//	        of A on from it; R12 A's depth stride
//	DI      B at the current depth; R8 B's row stride
//	CX      depth counter
//	AX      tiles left
//	DX      the tile's first row of C; R13 C's row stride
//	BX, CX, DI  the tile's other rows of C, once its sums are done
//	Y0-Y11  the tile's sums: row r, vector v in Y(3r+v)
//	Y12-Y14 a row of B; Y15 a broadcast element of A
// Strides are in bytes once loaded.

// BROWn loads n vectors of the row of B at DI.
#define BROW3 \
	VMOVUPS (DI), Y12; \
	VMOVUPS 32(DI), Y13; \
	VMOVUPS 64(DI), Y14

#define BROW2 \
	VMOVUPS (DI), Y12; \
	VMOVUPS 32(DI), Y13

#define BROW1 \
	VMOVUPS (DI), Y12

// FMAn adds the A element at addr times the row of B into n sums.
#define FMA3(addr, c0, c1, c2) \
	VBROADCASTSS addr, Y15; \
	VFMADD231PS  Y12, Y15, c0; \
	VFMADD231PS  Y13, Y15, c1; \
	VFMADD231PS  Y14, Y15, c2

#define FMA2(addr, c0, c1) \
	VBROADCASTSS addr, Y15; \
	VFMADD231PS  Y12, Y15, c0; \
	VFMADD231PS  Y13, Y15, c1

#define FMA1(addr, c0) \
	VBROADCASTSS addr, Y15; \
	VFMADD231PS  Y12, Y15, c0

// STEPn does one depth step for n vectors of B, and moves A and B on by
// one depth.
#define STEP3 \
	BROW3; \
	FMA3((SI), Y0, Y1, Y2); \
	FMA3((SI)(R9*1), Y3, Y4, Y5); \
	FMA3((SI)(R10*1), Y6, Y7, Y8); \
	FMA3((SI)(R11*1), Y9, Y10, Y11); \
	ADDQ R12, SI; \
	ADDQ R8, DI

#define STEP2 \
	BROW2; \
	FMA2((SI), Y0, Y1); \
	FMA2((SI)(R9*1), Y3, Y4); \
	FMA2((SI)(R10*1), Y6, Y7); \
	FMA2((SI)(R11*1), Y9, Y10); \
	ADDQ R12, SI; \
	ADDQ R8, DI

#define STEP1 \
	BROW1; \
	FMA1((SI), Y0); \
	FMA1((SI)(R9*1), Y3); \
	FMA1((SI)(R10*1), Y6); \
	FMA1((SI)(R11*1), Y9); \
	ADDQ R12, SI; \
	ADDQ R8, DI

// ZERO clears the sums.
#define ZERO \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7; \
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	VXORPS Y10, Y10, Y10; \
	VXORPS Y11, Y11, Y11

// NEXT moves SI from the end of a tile's rows of A to the start of the
// next tile's, and points DX, BX, CX and DI at the tile's four rows of C.
#define NEXT \
	MOVQ  k+0(FP), CX; \
	IMULQ R12, CX; \
	SUBQ  CX, SI; \
	LEAQ  (SI)(R9*4), SI; \
	LEAQ  (DX)(R13*1), BX; \
	LEAQ  (BX)(R13*1), CX; \
	LEAQ  (CX)(R13*1), DI

// ADDCn adds the row of C at p into its n sums; STCn stores them there.
#define ADDC3(p, c0, c1, c2) \
	VADDPS (p), c0, c0; \
	VADDPS 32(p), c1, c1; \
	VADDPS 64(p), c2, c2

#define STC3(p, c0, c1, c2) \
	VMOVUPS c0, (p); \
	VMOVUPS c1, 32(p); \
	VMOVUPS c2, 64(p)

#define ADDC2(p, c0, c1) \
	VADDPS (p), c0, c0; \
	VADDPS 32(p), c1, c1

#define STC2(p, c0, c1) \
	VMOVUPS c0, (p); \
	VMOVUPS c1, 32(p)

#define ADDC1(p, c0) \
	VADDPS (p), c0, c0

#define STC1(p, c0) \
	VMOVUPS c0, (p)

// STOREn ends a tile of n vectors: it points DX, BX, CX and DI at the
// tile's rows of C (NEXT), adds them into the sums where the byte at add
// is set, stores the sums there, and moves DX on to the next tile's.
#define STORE3(add, put) \
	NEXT; \
	CMPB add, $0; \
	JEQ  put; \
	ADDC3(DX, Y0, Y1, Y2); \
	ADDC3(BX, Y3, Y4, Y5); \
	ADDC3(CX, Y6, Y7, Y8); \
	ADDC3(DI, Y9, Y10, Y11); \
put: \
	STC3(DX, Y0, Y1, Y2); \
	STC3(BX, Y3, Y4, Y5); \
	STC3(CX, Y6, Y7, Y8); \
	STC3(DI, Y9, Y10, Y11); \
	LEAQ (DX)(R13*4), DX

#define STORE2(add, put) \
	NEXT; \
	CMPB add, $0; \
	JEQ  put; \
	ADDC2(DX, Y0, Y1); \
	ADDC2(BX, Y3, Y4); \
	ADDC2(CX, Y6, Y7); \
	ADDC2(DI, Y9, Y10); \
put: \
	STC2(DX, Y0, Y1); \
	STC2(BX, Y3, Y4); \
	STC2(CX, Y6, Y7); \
	STC2(DI, Y9, Y10); \
	LEAQ (DX)(R13*4), DX

#define STORE1(add, put) \
	NEXT; \
	CMPB add, $0; \
	JEQ  put; \
	ADDC1(DX, Y0); \
	ADDC1(BX, Y3); \
	ADDC1(CX, Y6); \
	ADDC1(DI, Y9); \
put: \
	STC1(DX, Y0); \
	STC1(BX, Y3); \
	STC1(CX, Y6); \
	STC1(DI, Y9); \
	LEAQ (DX)(R13*4), DX

// func kernelAVX2(k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool)
TEXT ·kernelAVX2(SB), NOSPLIT, $0-129
	MOVQ tiles+8(FP), AX
	MOVQ a_base+16(FP), SI
	MOVQ rs+40(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*1), R10
	LEAQ (R10)(R9*1), R11
	MOVQ cs+48(FP), R12
	SHLQ $2, R12
	MOVQ b_base+56(FP), DI
	MOVQ bs+80(FP), R8
	SHLQ $2, R8
	MOVQ c_base+88(FP), DX
	MOVQ ldc+112(FP), R13
	SHLQ $2, R13
	CMPQ nv+120(FP), $2
	JEQ  tile2
	JLT  tile1

	// 3 vectors: 24 columns.
tile3:
	ZERO
	DEPTH(STEP3, loop3, tail3, tailloop3, store3)
	STORE3(add+128(FP), put3)
	MOVQ b_base+56(FP), DI
	DECQ AX
	JNZ  tile3
	VZEROUPPER
	RET

	// 2 vectors: 16 columns.
tile2:
	ZERO
	DEPTH(STEP2, loop2, tail2, tailloop2, store2)
	STORE2(add+128(FP), put2)
	MOVQ b_base+56(FP), DI
	DECQ AX
	JNZ  tile2
	VZEROUPPER
	RET

	// 1 vector: 8 columns.
tile1:
	ZERO
	DEPTH(STEP1, loop1, tail1, tailloop1, store1)
	STORE1(add+128(FP), put1)
	MOVQ b_base+56(FP), DI
	DECQ AX
	JNZ  tile1
	VZEROUPPER
	RET

// func packPanelsAVX2(k int, b []float32, ldb int, dst []float32, panels int)
TEXT ·packPanelsAVX2(SB), NOSPLIT, $0-72
	MOVQ  k+0(FP), CX
	MOVQ  b_base+8(FP), SI
	MOVQ  ldb+32(FP), R8
	SHLQ  $2, R8
	MOVQ  dst_base+40(FP), DI
	MOVQ  panels+64(FP), R9
	LEAQ  (CX)(CX*2), R10
	SHLQ  $5, R10 // bytes per panel: 24*4*k

rows:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R9, BX

panels:
	VMOVUPS (R11), Y0
	VMOVUPS 32(R11), Y1
	VMOVUPS 64(R11), Y2
	VMOVUPS Y0, (R12)
	VMOVUPS Y1, 32(R12)
	VMOVUPS Y2, 64(R12)
	ADDQ    $96, R11
	ADDQ    R10, R12
	DECQ    BX
	JNZ     panels
	ADDQ    R8, SI
	ADDQ    $96, DI
	DECQ    CX
	JNZ     rows
	VZEROUPPER
	RET

// func transposeAVX2(blocks int, b []float32, ldb int, dst []float32, ldd int)
TEXT ·transposeAVX2(SB), NOSPLIT, $0-72
	MOVQ blocks+0(FP), CX
	MOVQ b_base+8(FP), SI
	MOVQ ldb+32(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (SI)(R8*4), R10
	MOVQ dst_base+40(FP), DI
	MOVQ ldd+64(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	LEAQ (DI)(R11*4), R13
	MOVQ R11, AX
	SHLQ $3, AX // 8 rows of dst

block:
	// Rows r0 to r7 of the block, eight depths each.
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(R8*1), Y5
	VMOVUPS (R10)(R8*2), Y6
	VMOVUPS (R10)(R9*1), Y7

	// Interleave pairs of rows: Y8 = r0[0] r1[0] r0[1] r1[1] | r0[4] ...
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	// Quads: Y0 = r0[0] r1[0] r2[0] r3[0] | r0[4] r1[4] r2[4] r3[4], ...
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	// Columns: Y8 = r0[0] ... r7[0], ..., Y15 = r0[7] ... r7[7].
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R11*1)
	VMOVUPS Y10, (DI)(R11*2)
	VMOVUPS Y11, (DI)(R12*1)
	VMOVUPS Y12, (R13)
	VMOVUPS Y13, (R13)(R11*1)
	VMOVUPS Y14, (R13)(R11*2)
	VMOVUPS Y15, (R13)(R12*1)

	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ AX, DI
	ADDQ AX, R13
	DECQ CX
	JNZ  block
	VZEROUPPER
	RET

// Register use in kernel6x16AVX2:
//	SI      A's first row of the tile at the current depth; R9, R10,
//	        R11, BX, R14 its other five rows, as offsets from SI; R12
//	        A's depth stride
//	DI      B at the current depth; R8 B's row stride
//	CX      depth counter; then a row of C
//	AX      tiles left
//	DX      the tile's first row of C; R13 C's row stride
//	Y0-Y11  the tile's sums: row r, vector v in Y(2r+v)
//	Y12-Y13 a row of B; Y14 a broadcast element of A
// Strides and offsets are in bytes once loaded.

#define STEP6 \
	VMOVUPS      (DI), Y12; \
	VMOVUPS      32(DI), Y13; \
	VBROADCASTSS (SI), Y14; \
	VFMADD231PS  Y12, Y14, Y0; \
	VFMADD231PS  Y13, Y14, Y1; \
	VBROADCASTSS (SI)(R9*1), Y14; \
	VFMADD231PS  Y12, Y14, Y2; \
	VFMADD231PS  Y13, Y14, Y3; \
	VBROADCASTSS (SI)(R10*1), Y14; \
	VFMADD231PS  Y12, Y14, Y4; \
	VFMADD231PS  Y13, Y14, Y5; \
	VBROADCASTSS (SI)(R11*1), Y14; \
	VFMADD231PS  Y12, Y14, Y6; \
	VFMADD231PS  Y13, Y14, Y7; \
	VBROADCASTSS (SI)(BX*1), Y14; \
	VFMADD231PS  Y12, Y14, Y8; \
	VFMADD231PS  Y13, Y14, Y9; \
	VBROADCASTSS (SI)(R14*1), Y14; \
	VFMADD231PS  Y12, Y14, Y10; \
	VFMADD231PS  Y13, Y14, Y11; \
	ADDQ         R12, SI; \
	ADDQ         R8, DI

#define ADDC6(c0, c1) \
	VADDPS (CX), c0, c0; \
	VADDPS 32(CX), c1, c1; \
	ADDQ   R13, CX

#define STC6(c0, c1) \
	VMOVUPS c0, (CX); \
	VMOVUPS c1, 32(CX); \
	ADDQ    R13, CX

// func kernel6x16AVX2(k, tiles int, a []float32, offs *[5]int, ts, cs int, b []float32, bs int, c []float32, ldc int, add bool)
TEXT ·kernel6x16AVX2(SB), NOSPLIT, $0-129
	MOVQ tiles+8(FP), AX
	MOVQ a_base+16(FP), SI
	MOVQ offs+40(FP), CX
	MOVQ 0(CX), R9
	SHLQ $2, R9
	MOVQ 8(CX), R10
	SHLQ $2, R10
	MOVQ 16(CX), R11
	SHLQ $2, R11
	MOVQ 24(CX), BX
	SHLQ $2, BX
	MOVQ 32(CX), R14
	SHLQ $2, R14
	MOVQ cs+56(FP), R12
	SHLQ $2, R12
	MOVQ b_base+64(FP), DI
	MOVQ bs+88(FP), R8
	SHLQ $2, R8
	MOVQ c_base+96(FP), DX
	MOVQ ldc+120(FP), R13
	SHLQ $2, R13

tile6:
	ZERO
	DEPTH(STEP6, loop6, tail6, tailloop6, store6)
	// SI back to the depth's start, then on to the next tile's rows.
	MOVQ  k+0(FP), CX
	IMULQ R12, CX
	SUBQ  CX, SI
	MOVQ  ts+48(FP), CX
	LEAQ  (SI)(CX*4), SI
	MOVQ  DX, CX
	CMPB  add+128(FP), $0
	JEQ   put6
	ADDC6(Y0, Y1)
	ADDC6(Y2, Y3)
	ADDC6(Y4, Y5)
	ADDC6(Y6, Y7)
	ADDC6(Y8, Y9)
	ADDC6(Y10, Y11)
	MOVQ  DX, CX

put6:
	STC6(Y0, Y1)
	STC6(Y2, Y3)
	STC6(Y4, Y5)
	STC6(Y6, Y7)
	STC6(Y8, Y9)
	STC6(Y10, Y11)
	MOVQ CX, DX
	MOVQ b_base+64(FP), DI
	DECQ AX
	JNZ  tile6
	VZEROUPPER
	RET

// kernelRowsAVX2 is kernelAVX2 with B's rows anywhere in b: row p at
// element offs[p]. R8 points at the current depth's offset, and R14
// holds the address of its row at the strip's first column.

#define BROWR \
	MOVQ (R8), R14; \
	LEAQ (DI)(R14*4), R14

#define STEPR3 \
	BROWR; \
	VMOVUPS (R14), Y12; \
	VMOVUPS 32(R14), Y13; \
	VMOVUPS 64(R14), Y14; \
	FMA3((SI), Y0, Y1, Y2); \
	FMA3((SI)(R9*1), Y3, Y4, Y5); \
	FMA3((SI)(R10*1), Y6, Y7, Y8); \
	FMA3((SI)(R11*1), Y9, Y10, Y11); \
	ADDQ R12, SI; \
	ADDQ $8, R8

#define STEPR2 \
	BROWR; \
	VMOVUPS (R14), Y12; \
	VMOVUPS 32(R14), Y13; \
	FMA2((SI), Y0, Y1); \
	FMA2((SI)(R9*1), Y3, Y4); \
	FMA2((SI)(R10*1), Y6, Y7); \
	FMA2((SI)(R11*1), Y9, Y10); \
	ADDQ R12, SI; \
	ADDQ $8, R8

#define STEPR1 \
	BROWR; \
	VMOVUPS (R14), Y12; \
	FMA1((SI), Y0); \
	FMA1((SI)(R9*1), Y3); \
	FMA1((SI)(R10*1), Y6); \
	FMA1((SI)(R11*1), Y9); \
	ADDQ R12, SI; \
	ADDQ $8, R8

// func kernelRowsAVX2(k, tiles int, a []float32, rs, cs int, b []float32, offs []int, c []float32, ldc, nv int, add bool)
TEXT ·kernelRowsAVX2(SB), NOSPLIT, $0-145
	MOVQ tiles+8(FP), AX
	MOVQ a_base+16(FP), SI
	MOVQ rs+40(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*1), R10
	LEAQ (R10)(R9*1), R11
	MOVQ cs+48(FP), R12
	SHLQ $2, R12
	MOVQ b_base+56(FP), DI
	MOVQ offs_base+80(FP), R8
	MOVQ c_base+104(FP), DX
	MOVQ ldc+128(FP), R13
	SHLQ $2, R13
	CMPQ nv+136(FP), $2
	JEQ  rtile2
	JLT  rtile1

rtile3:
	ZERO
	DEPTH(STEPR3, rloop3, rtail3, rtailloop3, rstore3)
	STORE3(add+144(FP), rput3)
	MOVQ b_base+56(FP), DI
	MOVQ offs_base+80(FP), R8
	DECQ AX
	JNZ  rtile3
	VZEROUPPER
	RET

rtile2:
	ZERO
	DEPTH(STEPR2, rloop2, rtail2, rtailloop2, rstore2)
	STORE2(add+144(FP), rput2)
	MOVQ b_base+56(FP), DI
	MOVQ offs_base+80(FP), R8
	DECQ AX
	JNZ  rtile2
	VZEROUPPER
	RET

rtile1:
	ZERO
	DEPTH(STEPR1, rloop1, rtail1, rtailloop1, rstore1)
	STORE1(add+144(FP), rput1)
	MOVQ b_base+56(FP), DI
	MOVQ offs_base+80(FP), R8
	DECQ AX
	JNZ  rtile1
	VZEROUPPER
	RET
