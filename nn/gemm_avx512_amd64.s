//go:build !noasm

#include "textflag.h"
#include "depth_amd64.h"

// Register use in kernelAVX512, as in kernelAVX2 but for 8 rows:
//	SI      A at the current depth, rows 0 to 3; R14 rows 4 to 7; R9,
//	        R10, R11 one, two and three rows of A on from each; R12 A's
//	        depth stride
//	DI      B at the current depth; R8 B's row stride
//	CX      depth counter
//	AX      tiles left
//	DX      the tile's first row of C; R13 C's row stride; BX the row
//	        being stored
//	Z0-Z23  the tile's sums: row r, vector v in Z(3r+v)
//	Z24-Z26 a row of B; Z27, Z28 broadcast elements of A
// Strides are in bytes once loaded.

// ZROWB sets BX to the address of the row of B whose offset in
// elements R8 points at: DI plus that offset.
#define ZROWB \
	MOVQ (R8), BX; \
	LEAQ (DI)(BX*4), BX

// ZFMA3 does one depth step for 3 vector(s) of B, the row of B at bp.
#define ZFMA3(bp) \
	VMOVUPS 0(bp), Z24; \
	VMOVUPS 64(bp), Z25; \
	VMOVUPS 128(bp), Z26; \
	VBROADCASTSS (SI), Z27; \
	VFMADD231PS Z24, Z27, Z0; \
	VFMADD231PS Z25, Z27, Z1; \
	VFMADD231PS Z26, Z27, Z2; \
	VBROADCASTSS (SI)(R9*1), Z28; \
	VFMADD231PS Z24, Z28, Z3; \
	VFMADD231PS Z25, Z28, Z4; \
	VFMADD231PS Z26, Z28, Z5; \
	VBROADCASTSS (SI)(R10*1), Z27; \
	VFMADD231PS Z24, Z27, Z6; \
	VFMADD231PS Z25, Z27, Z7; \
	VFMADD231PS Z26, Z27, Z8; \
	VBROADCASTSS (SI)(R11*1), Z28; \
	VFMADD231PS Z24, Z28, Z9; \
	VFMADD231PS Z25, Z28, Z10; \
	VFMADD231PS Z26, Z28, Z11; \
	VBROADCASTSS (R14), Z27; \
	VFMADD231PS Z24, Z27, Z12; \
	VFMADD231PS Z25, Z27, Z13; \
	VFMADD231PS Z26, Z27, Z14; \
	VBROADCASTSS (R14)(R9*1), Z28; \
	VFMADD231PS Z24, Z28, Z15; \
	VFMADD231PS Z25, Z28, Z16; \
	VFMADD231PS Z26, Z28, Z17; \
	VBROADCASTSS (R14)(R10*1), Z27; \
	VFMADD231PS Z24, Z27, Z18; \
	VFMADD231PS Z25, Z27, Z19; \
	VFMADD231PS Z26, Z27, Z20; \
	VBROADCASTSS (R14)(R11*1), Z28; \
	VFMADD231PS Z24, Z28, Z21; \
	VFMADD231PS Z25, Z28, Z22; \
	VFMADD231PS Z26, Z28, Z23

// ZSTEP3 is ZFMA3 at DI, moving A and B on by one depth.
#define ZSTEP3 \
	ZFMA3(DI); \
	ADDQ R12, SI; \
	ADDQ R12, R14; \
	ADDQ R8, DI

// ZSTEPR3 is ZFMA3 at the row of B that R8 points at, moving A and R8
// on by one depth.
#define ZSTEPR3 \
	ZROWB; \
	ZFMA3(BX); \
	ADDQ R12, SI; \
	ADDQ R12, R14; \
	ADDQ $8, R8

#define ZZERO3 \
	VPXORD Z0, Z0, Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z2, Z2, Z2; \
	VPXORD Z3, Z3, Z3; \
	VPXORD Z4, Z4, Z4; \
	VPXORD Z5, Z5, Z5; \
	VPXORD Z6, Z6, Z6; \
	VPXORD Z7, Z7, Z7; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11; \
	VPXORD Z12, Z12, Z12; \
	VPXORD Z13, Z13, Z13; \
	VPXORD Z14, Z14, Z14; \
	VPXORD Z15, Z15, Z15; \
	VPXORD Z16, Z16, Z16; \
	VPXORD Z17, Z17, Z17; \
	VPXORD Z18, Z18, Z18; \
	VPXORD Z19, Z19, Z19; \
	VPXORD Z20, Z20, Z20; \
	VPXORD Z21, Z21, Z21; \
	VPXORD Z22, Z22, Z22; \
	VPXORD Z23, Z23, Z23

#define ZADD3 \
	MOVQ DX, BX; \
	VADDPS 0(BX), Z0, Z0; \
	VADDPS 64(BX), Z1, Z1; \
	VADDPS 128(BX), Z2, Z2; \
	VMOVUPS Z0, 0(BX); \
	VMOVUPS Z1, 64(BX); \
	VMOVUPS Z2, 128(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z3, Z3; \
	VADDPS 64(BX), Z4, Z4; \
	VADDPS 128(BX), Z5, Z5; \
	VMOVUPS Z3, 0(BX); \
	VMOVUPS Z4, 64(BX); \
	VMOVUPS Z5, 128(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z6, Z6; \
	VADDPS 64(BX), Z7, Z7; \
	VADDPS 128(BX), Z8, Z8; \
	VMOVUPS Z6, 0(BX); \
	VMOVUPS Z7, 64(BX); \
	VMOVUPS Z8, 128(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z9, Z9; \
	VADDPS 64(BX), Z10, Z10; \
	VADDPS 128(BX), Z11, Z11; \
	VMOVUPS Z9, 0(BX); \
	VMOVUPS Z10, 64(BX); \
	VMOVUPS Z11, 128(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z12, Z12; \
	VADDPS 64(BX), Z13, Z13; \
	VADDPS 128(BX), Z14, Z14; \
	VMOVUPS Z12, 0(BX); \
	VMOVUPS Z13, 64(BX); \
	VMOVUPS Z14, 128(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z15, Z15; \
	VADDPS 64(BX), Z16, Z16; \
	VADDPS 128(BX), Z17, Z17; \
	VMOVUPS Z15, 0(BX); \
	VMOVUPS Z16, 64(BX); \
	VMOVUPS Z17, 128(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z18, Z18; \
	VADDPS 64(BX), Z19, Z19; \
	VADDPS 128(BX), Z20, Z20; \
	VMOVUPS Z18, 0(BX); \
	VMOVUPS Z19, 64(BX); \
	VMOVUPS Z20, 128(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z21, Z21; \
	VADDPS 64(BX), Z22, Z22; \
	VADDPS 128(BX), Z23, Z23; \
	VMOVUPS Z21, 0(BX); \
	VMOVUPS Z22, 64(BX); \
	VMOVUPS Z23, 128(BX)

#define ZPUT3 \
	MOVQ DX, BX; \
	VMOVUPS Z0, 0(BX); \
	VMOVUPS Z1, 64(BX); \
	VMOVUPS Z2, 128(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z3, 0(BX); \
	VMOVUPS Z4, 64(BX); \
	VMOVUPS Z5, 128(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z6, 0(BX); \
	VMOVUPS Z7, 64(BX); \
	VMOVUPS Z8, 128(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z9, 0(BX); \
	VMOVUPS Z10, 64(BX); \
	VMOVUPS Z11, 128(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z12, 0(BX); \
	VMOVUPS Z13, 64(BX); \
	VMOVUPS Z14, 128(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z15, 0(BX); \
	VMOVUPS Z16, 64(BX); \
	VMOVUPS Z17, 128(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z18, 0(BX); \
	VMOVUPS Z19, 64(BX); \
	VMOVUPS Z20, 128(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z21, 0(BX); \
	VMOVUPS Z22, 64(BX); \
	VMOVUPS Z23, 128(BX)

// ZFMA2 does one depth step for 2 vector(s) of B, the row of B at bp.
#define ZFMA2(bp) \
	VMOVUPS 0(bp), Z24; \
	VMOVUPS 64(bp), Z25; \
	VBROADCASTSS (SI), Z27; \
	VFMADD231PS Z24, Z27, Z0; \
	VFMADD231PS Z25, Z27, Z1; \
	VBROADCASTSS (SI)(R9*1), Z28; \
	VFMADD231PS Z24, Z28, Z3; \
	VFMADD231PS Z25, Z28, Z4; \
	VBROADCASTSS (SI)(R10*1), Z27; \
	VFMADD231PS Z24, Z27, Z6; \
	VFMADD231PS Z25, Z27, Z7; \
	VBROADCASTSS (SI)(R11*1), Z28; \
	VFMADD231PS Z24, Z28, Z9; \
	VFMADD231PS Z25, Z28, Z10; \
	VBROADCASTSS (R14), Z27; \
	VFMADD231PS Z24, Z27, Z12; \
	VFMADD231PS Z25, Z27, Z13; \
	VBROADCASTSS (R14)(R9*1), Z28; \
	VFMADD231PS Z24, Z28, Z15; \
	VFMADD231PS Z25, Z28, Z16; \
	VBROADCASTSS (R14)(R10*1), Z27; \
	VFMADD231PS Z24, Z27, Z18; \
	VFMADD231PS Z25, Z27, Z19; \
	VBROADCASTSS (R14)(R11*1), Z28; \
	VFMADD231PS Z24, Z28, Z21; \
	VFMADD231PS Z25, Z28, Z22

// ZSTEP2 is ZFMA2 at DI, moving A and B on by one depth.
#define ZSTEP2 \
	ZFMA2(DI); \
	ADDQ R12, SI; \
	ADDQ R12, R14; \
	ADDQ R8, DI

// ZSTEPR2 is ZFMA2 at the row of B that R8 points at, moving A and R8
// on by one depth.
#define ZSTEPR2 \
	ZROWB; \
	ZFMA2(BX); \
	ADDQ R12, SI; \
	ADDQ R12, R14; \
	ADDQ $8, R8

#define ZZERO2 \
	VPXORD Z0, Z0, Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z3, Z3, Z3; \
	VPXORD Z4, Z4, Z4; \
	VPXORD Z6, Z6, Z6; \
	VPXORD Z7, Z7, Z7; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z12, Z12, Z12; \
	VPXORD Z13, Z13, Z13; \
	VPXORD Z15, Z15, Z15; \
	VPXORD Z16, Z16, Z16; \
	VPXORD Z18, Z18, Z18; \
	VPXORD Z19, Z19, Z19; \
	VPXORD Z21, Z21, Z21; \
	VPXORD Z22, Z22, Z22

#define ZADD2 \
	MOVQ DX, BX; \
	VADDPS 0(BX), Z0, Z0; \
	VADDPS 64(BX), Z1, Z1; \
	VMOVUPS Z0, 0(BX); \
	VMOVUPS Z1, 64(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z3, Z3; \
	VADDPS 64(BX), Z4, Z4; \
	VMOVUPS Z3, 0(BX); \
	VMOVUPS Z4, 64(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z6, Z6; \
	VADDPS 64(BX), Z7, Z7; \
	VMOVUPS Z6, 0(BX); \
	VMOVUPS Z7, 64(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z9, Z9; \
	VADDPS 64(BX), Z10, Z10; \
	VMOVUPS Z9, 0(BX); \
	VMOVUPS Z10, 64(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z12, Z12; \
	VADDPS 64(BX), Z13, Z13; \
	VMOVUPS Z12, 0(BX); \
	VMOVUPS Z13, 64(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z15, Z15; \
	VADDPS 64(BX), Z16, Z16; \
	VMOVUPS Z15, 0(BX); \
	VMOVUPS Z16, 64(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z18, Z18; \
	VADDPS 64(BX), Z19, Z19; \
	VMOVUPS Z18, 0(BX); \
	VMOVUPS Z19, 64(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z21, Z21; \
	VADDPS 64(BX), Z22, Z22; \
	VMOVUPS Z21, 0(BX); \
	VMOVUPS Z22, 64(BX)

#define ZPUT2 \
	MOVQ DX, BX; \
	VMOVUPS Z0, 0(BX); \
	VMOVUPS Z1, 64(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z3, 0(BX); \
	VMOVUPS Z4, 64(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z6, 0(BX); \
	VMOVUPS Z7, 64(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z9, 0(BX); \
	VMOVUPS Z10, 64(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z12, 0(BX); \
	VMOVUPS Z13, 64(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z15, 0(BX); \
	VMOVUPS Z16, 64(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z18, 0(BX); \
	VMOVUPS Z19, 64(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z21, 0(BX); \
	VMOVUPS Z22, 64(BX)

// ZFMA1 does one depth step for 1 vector(s) of B, the row of B at bp.
#define ZFMA1(bp) \
	VMOVUPS 0(bp), Z24; \
	VBROADCASTSS (SI), Z27; \
	VFMADD231PS Z24, Z27, Z0; \
	VBROADCASTSS (SI)(R9*1), Z28; \
	VFMADD231PS Z24, Z28, Z3; \
	VBROADCASTSS (SI)(R10*1), Z27; \
	VFMADD231PS Z24, Z27, Z6; \
	VBROADCASTSS (SI)(R11*1), Z28; \
	VFMADD231PS Z24, Z28, Z9; \
	VBROADCASTSS (R14), Z27; \
	VFMADD231PS Z24, Z27, Z12; \
	VBROADCASTSS (R14)(R9*1), Z28; \
	VFMADD231PS Z24, Z28, Z15; \
	VBROADCASTSS (R14)(R10*1), Z27; \
	VFMADD231PS Z24, Z27, Z18; \
	VBROADCASTSS (R14)(R11*1), Z28; \
	VFMADD231PS Z24, Z28, Z21

// ZSTEP1 is ZFMA1 at DI, moving A and B on by one depth.
#define ZSTEP1 \
	ZFMA1(DI); \
	ADDQ R12, SI; \
	ADDQ R12, R14; \
	ADDQ R8, DI

// ZSTEPR1 is ZFMA1 at the row of B that R8 points at, moving A and R8
// on by one depth.
#define ZSTEPR1 \
	ZROWB; \
	ZFMA1(BX); \
	ADDQ R12, SI; \
	ADDQ R12, R14; \
	ADDQ $8, R8

#define ZZERO1 \
	VPXORD Z0, Z0, Z0; \
	VPXORD Z3, Z3, Z3; \
	VPXORD Z6, Z6, Z6; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z12, Z12, Z12; \
	VPXORD Z15, Z15, Z15; \
	VPXORD Z18, Z18, Z18; \
	VPXORD Z21, Z21, Z21

#define ZADD1 \
	MOVQ DX, BX; \
	VADDPS 0(BX), Z0, Z0; \
	VMOVUPS Z0, 0(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z3, Z3; \
	VMOVUPS Z3, 0(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z6, Z6; \
	VMOVUPS Z6, 0(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z9, Z9; \
	VMOVUPS Z9, 0(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z12, Z12; \
	VMOVUPS Z12, 0(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z15, Z15; \
	VMOVUPS Z15, 0(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z18, Z18; \
	VMOVUPS Z18, 0(BX); \
	ADDQ R13, BX; \
	VADDPS 0(BX), Z21, Z21; \
	VMOVUPS Z21, 0(BX)

#define ZPUT1 \
	MOVQ DX, BX; \
	VMOVUPS Z0, 0(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z3, 0(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z6, 0(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z9, 0(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z12, 0(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z15, 0(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z18, 0(BX); \
	ADDQ R13, BX; \
	VMOVUPS Z21, 0(BX)

// ZNEXT moves SI and R14 from the end of a tile's rows of A to the start
// of the next tile's.
#define ZNEXT \
	MOVQ  k+0(FP), CX; \
	IMULQ R12, CX; \
	SUBQ  CX, SI; \
	LEAQ  (SI)(R9*8), SI; \
	LEAQ  (SI)(R9*4), R14

// Register use in kernel12AVX512, as kernel6x16AVX2 for two halves of
// six rows:
//	SI      A's first row of the tile at the current depth; R8 the
//	        first of its second half; R9, R10, R11, BX, R14 the other
//	        five rows of a half, as offsets from its first
//	DI      B at the current depth; R12 B's row stride, 16*nv elements
//	CX      depth counter; then a row of C
//	AX      tiles left
//	DX      the tile's first row of C; R13 C's row stride
//	Z0-Z23  the tile's sums: row r, vector v in Z(2r+v)
//	Z24-Z25 a row of B; Z26, Z27 broadcast elements of A
// Strides and offsets are in bytes once loaded; A's depth stride is 1.

#define WSTEP2 \
	VMOVUPS (DI), Z24; \
	VMOVUPS 64(DI), Z25; \
	VBROADCASTSS (SI), Z26; \
	VFMADD231PS Z24, Z26, Z0; \
	VFMADD231PS Z25, Z26, Z1; \
	VBROADCASTSS (SI)(R9*1), Z27; \
	VFMADD231PS Z24, Z27, Z2; \
	VFMADD231PS Z25, Z27, Z3; \
	VBROADCASTSS (SI)(R10*1), Z26; \
	VFMADD231PS Z24, Z26, Z4; \
	VFMADD231PS Z25, Z26, Z5; \
	VBROADCASTSS (SI)(R11*1), Z27; \
	VFMADD231PS Z24, Z27, Z6; \
	VFMADD231PS Z25, Z27, Z7; \
	VBROADCASTSS (SI)(BX*1), Z26; \
	VFMADD231PS Z24, Z26, Z8; \
	VFMADD231PS Z25, Z26, Z9; \
	VBROADCASTSS (SI)(R14*1), Z27; \
	VFMADD231PS Z24, Z27, Z10; \
	VFMADD231PS Z25, Z27, Z11; \
	VBROADCASTSS (R8), Z26; \
	VFMADD231PS Z24, Z26, Z12; \
	VFMADD231PS Z25, Z26, Z13; \
	VBROADCASTSS (R8)(R9*1), Z27; \
	VFMADD231PS Z24, Z27, Z14; \
	VFMADD231PS Z25, Z27, Z15; \
	VBROADCASTSS (R8)(R10*1), Z26; \
	VFMADD231PS Z24, Z26, Z16; \
	VFMADD231PS Z25, Z26, Z17; \
	VBROADCASTSS (R8)(R11*1), Z27; \
	VFMADD231PS Z24, Z27, Z18; \
	VFMADD231PS Z25, Z27, Z19; \
	VBROADCASTSS (R8)(BX*1), Z26; \
	VFMADD231PS Z24, Z26, Z20; \
	VFMADD231PS Z25, Z26, Z21; \
	VBROADCASTSS (R8)(R14*1), Z27; \
	VFMADD231PS Z24, Z27, Z22; \
	VFMADD231PS Z25, Z27, Z23; \
	ADDQ $4, SI; \
	ADDQ $4, R8; \
	ADDQ R12, DI

#define WADD2 \
	MOVQ DX, CX; \
	VADDPS 0(CX), Z0, Z0; \
	VMOVUPS Z0, 0(CX); \
	VADDPS 64(CX), Z1, Z1; \
	VMOVUPS Z1, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z2, Z2; \
	VMOVUPS Z2, 0(CX); \
	VADDPS 64(CX), Z3, Z3; \
	VMOVUPS Z3, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z4, Z4; \
	VMOVUPS Z4, 0(CX); \
	VADDPS 64(CX), Z5, Z5; \
	VMOVUPS Z5, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z6, Z6; \
	VMOVUPS Z6, 0(CX); \
	VADDPS 64(CX), Z7, Z7; \
	VMOVUPS Z7, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z8, Z8; \
	VMOVUPS Z8, 0(CX); \
	VADDPS 64(CX), Z9, Z9; \
	VMOVUPS Z9, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z10, Z10; \
	VMOVUPS Z10, 0(CX); \
	VADDPS 64(CX), Z11, Z11; \
	VMOVUPS Z11, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z12, Z12; \
	VMOVUPS Z12, 0(CX); \
	VADDPS 64(CX), Z13, Z13; \
	VMOVUPS Z13, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z14, Z14; \
	VMOVUPS Z14, 0(CX); \
	VADDPS 64(CX), Z15, Z15; \
	VMOVUPS Z15, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z16, Z16; \
	VMOVUPS Z16, 0(CX); \
	VADDPS 64(CX), Z17, Z17; \
	VMOVUPS Z17, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z18, Z18; \
	VMOVUPS Z18, 0(CX); \
	VADDPS 64(CX), Z19, Z19; \
	VMOVUPS Z19, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z20, Z20; \
	VMOVUPS Z20, 0(CX); \
	VADDPS 64(CX), Z21, Z21; \
	VMOVUPS Z21, 64(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z22, Z22; \
	VMOVUPS Z22, 0(CX); \
	VADDPS 64(CX), Z23, Z23; \
	VMOVUPS Z23, 64(CX)

#define WPUT2 \
	MOVQ DX, CX; \
	VMOVUPS Z0, 0(CX); \
	VMOVUPS Z1, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z2, 0(CX); \
	VMOVUPS Z3, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z4, 0(CX); \
	VMOVUPS Z5, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z6, 0(CX); \
	VMOVUPS Z7, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z8, 0(CX); \
	VMOVUPS Z9, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z10, 0(CX); \
	VMOVUPS Z11, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z12, 0(CX); \
	VMOVUPS Z13, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z14, 0(CX); \
	VMOVUPS Z15, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z16, 0(CX); \
	VMOVUPS Z17, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z18, 0(CX); \
	VMOVUPS Z19, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z20, 0(CX); \
	VMOVUPS Z21, 64(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z22, 0(CX); \
	VMOVUPS Z23, 64(CX)

#define WSTEP1 \
	VMOVUPS (DI), Z24; \
	VBROADCASTSS (SI), Z26; \
	VFMADD231PS Z24, Z26, Z0; \
	VBROADCASTSS (SI)(R9*1), Z27; \
	VFMADD231PS Z24, Z27, Z2; \
	VBROADCASTSS (SI)(R10*1), Z26; \
	VFMADD231PS Z24, Z26, Z4; \
	VBROADCASTSS (SI)(R11*1), Z27; \
	VFMADD231PS Z24, Z27, Z6; \
	VBROADCASTSS (SI)(BX*1), Z26; \
	VFMADD231PS Z24, Z26, Z8; \
	VBROADCASTSS (SI)(R14*1), Z27; \
	VFMADD231PS Z24, Z27, Z10; \
	VBROADCASTSS (R8), Z26; \
	VFMADD231PS Z24, Z26, Z12; \
	VBROADCASTSS (R8)(R9*1), Z27; \
	VFMADD231PS Z24, Z27, Z14; \
	VBROADCASTSS (R8)(R10*1), Z26; \
	VFMADD231PS Z24, Z26, Z16; \
	VBROADCASTSS (R8)(R11*1), Z27; \
	VFMADD231PS Z24, Z27, Z18; \
	VBROADCASTSS (R8)(BX*1), Z26; \
	VFMADD231PS Z24, Z26, Z20; \
	VBROADCASTSS (R8)(R14*1), Z27; \
	VFMADD231PS Z24, Z27, Z22; \
	ADDQ $4, SI; \
	ADDQ $4, R8; \
	ADDQ R12, DI

#define WZERO1 \
	VPXORD Z0, Z0, Z0; \
	VPXORD Z2, Z2, Z2; \
	VPXORD Z4, Z4, Z4; \
	VPXORD Z6, Z6, Z6; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z12, Z12, Z12; \
	VPXORD Z14, Z14, Z14; \
	VPXORD Z16, Z16, Z16; \
	VPXORD Z18, Z18, Z18; \
	VPXORD Z20, Z20, Z20; \
	VPXORD Z22, Z22, Z22

#define WADD1 \
	MOVQ DX, CX; \
	VADDPS 0(CX), Z0, Z0; \
	VMOVUPS Z0, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z2, Z2; \
	VMOVUPS Z2, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z4, Z4; \
	VMOVUPS Z4, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z6, Z6; \
	VMOVUPS Z6, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z8, Z8; \
	VMOVUPS Z8, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z10, Z10; \
	VMOVUPS Z10, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z12, Z12; \
	VMOVUPS Z12, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z14, Z14; \
	VMOVUPS Z14, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z16, Z16; \
	VMOVUPS Z16, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z18, Z18; \
	VMOVUPS Z18, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z20, Z20; \
	VMOVUPS Z20, 0(CX); \
	ADDQ R13, CX; \
	VADDPS 0(CX), Z22, Z22; \
	VMOVUPS Z22, 0(CX)

#define WPUT1 \
	MOVQ DX, CX; \
	VMOVUPS Z0, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z2, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z4, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z6, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z8, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z10, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z12, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z14, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z16, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z18, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z20, 0(CX); \
	ADDQ R13, CX; \
	VMOVUPS Z22, 0(CX)

// WTILES runs kernel12AVX512's tiles for nv vectors (see ZTILES).
#define WTILES(zero, step, sum, put, tile, loop, tail, tailloop, store, putl, next) \
tile: \
	zero; \
	DEPTH(step, loop, tail, tailloop, store); \
	MOVQ  k+0(FP), CX; \
	SHLQ  $2, CX; \
	SUBQ  CX, SI; \
	MOVQ  ts+56(FP), CX; \
	LEAQ  (SI)(CX*4), SI; \
	MOVQ  half+48(FP), CX; \
	LEAQ  (SI)(CX*4), R8; \
	CMPB  add+128(FP), $0; \
	JEQ   putl; \
	sum; \
	JMP   next; \
putl: \
	put; \
next: \
	ADDQ R13, CX; \
	MOVQ CX, DX; \
	MOVQ b_base+64(FP), DI; \
	DECQ AX; \
	JNZ  tile; \
	VZEROUPPER; \
	RET

// ZRESET sets B back to b's start for the next tile; ZRESETR B and its
// rows' offsets.
#define ZRESET \
	MOVQ b_base+56(FP), DI

#define ZRESETR \
	MOVQ b_base+56(FP), DI; \
	MOVQ offs_base+80(FP), R8

// ZTILES runs the tiles of a kernel for nv vectors: the depth loop of
// step, unrolled by four, then the tile's sums put into C or added to it
// (add, a bool argument), then C on by 8 rows and B back to its start
// (reset).
#define ZTILES(zero, step, add, put, addArg, reset, tile, loop, tail, tailloop, store, putl, next) \
tile: \
	zero; \
	DEPTH(step, loop, tail, tailloop, store); \
	ZNEXT; \
	CMPB addArg, $0; \
	JEQ  putl; \
	add; \
	JMP  next; \
putl: \
	put; \
next: \
	LEAQ (DX)(R13*8), DX; \
	reset; \
	DECQ AX; \
	JNZ  tile; \
	VZEROUPPER; \
	RET

// func kernelAVX512(k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool)
TEXT ·kernelAVX512(SB), NOSPLIT, $0-129
	MOVQ tiles+8(FP), AX
	MOVQ a_base+16(FP), SI
	MOVQ rs+40(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*1), R10
	LEAQ (R10)(R9*1), R11
	LEAQ (SI)(R9*4), R14
	MOVQ cs+48(FP), R12
	SHLQ $2, R12
	MOVQ b_base+56(FP), DI
	MOVQ bs+80(FP), R8
	SHLQ $2, R8
	MOVQ c_base+88(FP), DX
	MOVQ ldc+112(FP), R13
	SHLQ $2, R13
	CMPQ nv+120(FP), $2
	JEQ  ztile2
	JLT  ztile1

	ZTILES(ZZERO3, ZSTEP3, ZADD3, ZPUT3, add+128(FP), ZRESET, ztile3, zloop3, ztail3, ztailloop3, zstore3, zput3, znext3)
	ZTILES(ZZERO2, ZSTEP2, ZADD2, ZPUT2, add+128(FP), ZRESET, ztile2, zloop2, ztail2, ztailloop2, zstore2, zput2, znext2)
	ZTILES(ZZERO1, ZSTEP1, ZADD1, ZPUT1, add+128(FP), ZRESET, ztile1, zloop1, ztail1, ztailloop1, zstore1, zput1, znext1)

// func packPanelsAVX512(k int, b []float32, ldb int, dst []float32, panels int)
TEXT ·packPanelsAVX512(SB), NOSPLIT, $0-72
	MOVQ  k+0(FP), CX
	MOVQ  b_base+8(FP), SI
	MOVQ  ldb+32(FP), R8
	SHLQ  $2, R8
	MOVQ  dst_base+40(FP), DI
	MOVQ  panels+64(FP), R9
	LEAQ  (CX)(CX*2), R10
	SHLQ  $6, R10 // bytes per panel: 48*4*k

zrows:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R9, BX

zpanels:
	VMOVUPS (R11), Z0
	VMOVUPS 64(R11), Z1
	VMOVUPS 128(R11), Z2
	VMOVUPS Z0, (R12)
	VMOVUPS Z1, 64(R12)
	VMOVUPS Z2, 128(R12)
	ADDQ    $192, R11
	ADDQ    R10, R12
	DECQ    BX
	JNZ     zpanels
	ADDQ    R8, SI
	ADDQ    $192, DI
	DECQ    CX
	JNZ     zrows
	VZEROUPPER
	RET

// func kernelRowsAVX512(k, tiles int, a []float32, rs, cs int, b []float32, offs []int, c []float32, ldc, nv int, add bool)
TEXT ·kernelRowsAVX512(SB), NOSPLIT, $0-145
	MOVQ tiles+8(FP), AX
	MOVQ a_base+16(FP), SI
	MOVQ rs+40(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*1), R10
	LEAQ (R10)(R9*1), R11
	LEAQ (SI)(R9*4), R14
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
	ZTILES(ZZERO3, ZSTEPR3, ZADD3, ZPUT3, add+144(FP), ZRESETR, rtile3, rloop3, rtail3, rtailloop3, rstore3, rput3, rnext3)
	ZTILES(ZZERO2, ZSTEPR2, ZADD2, ZPUT2, add+144(FP), ZRESETR, rtile2, rloop2, rtail2, rtailloop2, rstore2, rput2, rnext2)
	ZTILES(ZZERO1, ZSTEPR1, ZADD1, ZPUT1, add+144(FP), ZRESETR, rtile1, rloop1, rtail1, rtailloop1, rstore1, rput1, rnext1)

// func kernel12AVX512(k, tiles int, a []float32, offs *[5]int, half, ts int, b []float32, c []float32, ldc, nv int, add bool)
TEXT ·kernel12AVX512(SB), NOSPLIT, $0-129
	MOVQ tiles+8(FP), AX
	MOVQ a_base+16(FP), SI
	MOVQ half+48(FP), CX
	LEAQ (SI)(CX*4), R8
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
	MOVQ b_base+64(FP), DI
	MOVQ c_base+88(FP), DX
	MOVQ ldc+112(FP), R13
	SHLQ $2, R13
	MOVQ nv+120(FP), R12
	SHLQ $6, R12
	CMPQ nv+120(FP), $2
	JLT  wtile1
	WTILES(ZZERO3, WSTEP2, WADD2, WPUT2, wtile2, wloop2, wtail2, wtailloop2, wstore2, wput2, wnext2)
	WTILES(WZERO1, WSTEP1, WADD1, WPUT1, wtile1, wloop1, wtail1, wtailloop1, wstore1, wput1, wnext1)
