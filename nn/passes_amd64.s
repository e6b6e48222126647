//go:build !noasm

#include "textflag.h"

// The passes of passes_amd64.go. Each gives every bit that the Go loop
// it stands for gives (a NaN's sign and payload aside): the same
// operations in the same order, each rounded on its own (no fused
// multiply-adds), the vector lanes doing what the loop does to
// consecutive elements, or to the partial sums it keeps apart.

// PLANES4 points R8-R11 at the four planes of x (SI) whose element
// offsets are at offs (DX).
#define PLANES4 \
	MOVQ 0(DX), R8; \
	MOVQ 8(DX), R9; \
	MOVQ 16(DX), R10; \
	MOVQ 24(DX), R11; \
	LEAQ (SI)(R8*4), R8; \
	LEAQ (SI)(R9*4), R9; \
	LEAQ (SI)(R10*4), R10; \
	LEAQ (SI)(R11*4), R11

// REDUCE4 sets the low lane of x, the low half of y, to (s0 + s1) + (s2
// + s3) of y's four lanes, using t.
#define REDUCE4(y, x, t) \
	VEXTRACTF128 $1, y, t; \
	VHADDPD      x, x, x; \
	VHADDPD      t, t, t; \
	VADDSD       t, x, x

// ZERO4 clears the four planes' sums, Y4-Y7, and the offset AX.
#define ZERO4 \
	VXORPD Y4, Y4, Y4; \
	VXORPD Y5, Y5, Y5; \
	VXORPD Y6, Y6, Y6; \
	VXORPD Y7, Y7, Y7; \
	XORQ   AX, AX

// STORE4 stores the four planes' sums, each reduced by REDUCE4, at DI.
#define STORE4 \
	REDUCE4(Y4, X4, X8); \
	REDUCE4(Y5, X5, X9); \
	REDUCE4(Y6, X6, X10); \
	REDUCE4(Y7, X7, X11); \
	VMOVSD X4, 0(DI); \
	VMOVSD X5, 8(DI); \
	VMOVSD X6, 16(DI); \
	VMOVSD X7, 24(DI)

// func planeSums4(x *float32, offs *[4]int, hw int, out *[4]float64)
TEXT ·planeSums4(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ offs+8(FP), DX
	MOVQ hw+16(FP), CX
	SHLQ $2, CX
	PLANES4
	ZERO4

sums:
	VCVTPS2PD (R8)(AX*1), Y0
	VCVTPS2PD (R9)(AX*1), Y1
	VCVTPS2PD (R10)(AX*1), Y2
	VCVTPS2PD (R11)(AX*1), Y3
	VADDPD    Y0, Y4, Y4
	VADDPD    Y1, Y5, Y5
	VADDPD    Y2, Y6, Y6
	VADDPD    Y3, Y7, Y7
	ADDQ      $16, AX
	CMPQ      AX, CX
	JB        sums

	MOVQ out+24(FP), DI
	STORE4
	VZEROUPPER
	RET

// func planeSquares4(x *float32, offs *[4]int, hw int, mean float64, out *[4]float64)
TEXT ·planeSquares4(SB), NOSPLIT, $0-40
	MOVQ         x+0(FP), SI
	MOVQ         offs+8(FP), DX
	MOVQ         hw+16(FP), CX
	SHLQ         $2, CX
	VBROADCASTSD mean+24(FP), Y15
	PLANES4
	ZERO4

squares:
	VCVTPS2PD (R8)(AX*1), Y0
	VCVTPS2PD (R9)(AX*1), Y1
	VCVTPS2PD (R10)(AX*1), Y2
	VCVTPS2PD (R11)(AX*1), Y3
	VSUBPD    Y15, Y0, Y0
	VSUBPD    Y15, Y1, Y1
	VSUBPD    Y15, Y2, Y2
	VSUBPD    Y15, Y3, Y3
	VMULPD    Y0, Y0, Y0
	VMULPD    Y1, Y1, Y1
	VMULPD    Y2, Y2, Y2
	VMULPD    Y3, Y3, Y3
	VADDPD    Y0, Y4, Y4
	VADDPD    Y1, Y5, Y5
	VADDPD    Y2, Y6, Y6
	VADDPD    Y3, Y7, Y7
	ADDQ      $16, AX
	CMPQ      AX, CX
	JB        squares

	MOVQ out+32(FP), DI
	STORE4
	VZEROUPPER
	RET

// func planeGradients4(dy, x *float32, offs *[4]int, hw int, mean, invStd float32, out *[8]float64)
//
// A vector of sums holds two planes' pairs of partial sums (even and odd
// elements): Y4 and Y5 those of dy for planes 0-1 and 2-3, Y6 and Y7
// those of dy*xhat.
TEXT ·planeGradients4(SB), NOSPLIT, $0-48
	MOVQ         x+8(FP), SI
	MOVQ         offs+16(FP), DX
	PLANES4
	MOVQ         dy+0(FP), SI
	MOVQ         0(DX), R12
	MOVQ         8(DX), R13
	MOVQ         16(DX), BX
	MOVQ         24(DX), DX
	LEAQ         (SI)(R12*4), R12
	LEAQ         (SI)(R13*4), R13
	LEAQ         (SI)(BX*4), BX
	LEAQ         (SI)(DX*4), DX
	MOVQ         hw+24(FP), CX
	SHLQ         $2, CX
	VBROADCASTSS mean+32(FP), X14
	VBROADCASTSS invStd+36(FP), X15
	ZERO4

gradients:
	VMOVQ     (R8)(AX*1), X0
	VPINSRQ   $1, (R9)(AX*1), X0, X0
	VMOVQ     (R10)(AX*1), X1
	VPINSRQ   $1, (R11)(AX*1), X1, X1
	VMOVQ     (R12)(AX*1), X2
	VPINSRQ   $1, (R13)(AX*1), X2, X2
	VMOVQ     (BX)(AX*1), X3
	VPINSRQ   $1, (DX)(AX*1), X3, X3
	VSUBPS    X14, X0, X0
	VSUBPS    X14, X1, X1
	VMULPS    X15, X0, X0
	VMULPS    X15, X1, X1
	VCVTPS2PD X0, Y0
	VCVTPS2PD X1, Y1
	VCVTPS2PD X2, Y2
	VCVTPS2PD X3, Y3
	VADDPD    Y2, Y4, Y4
	VADDPD    Y3, Y5, Y5
	VMULPD    Y2, Y0, Y0
	VMULPD    Y3, Y1, Y1
	VADDPD    Y0, Y6, Y6
	VADDPD    Y1, Y7, Y7
	ADDQ      $8, AX
	CMPQ      AX, CX
	JB        gradients

	// Each plane's two partial sums added: planes 0 and 1 from Y4's
	// halves, and so on.
	MOVQ         out+40(FP), DI
	VEXTRACTF128 $1, Y4, X8
	VHADDPD      X8, X4, X4
	VEXTRACTF128 $1, Y5, X9
	VHADDPD      X9, X5, X5
	VEXTRACTF128 $1, Y6, X10
	VHADDPD      X10, X6, X6
	VEXTRACTF128 $1, Y7, X11
	VHADDPD      X11, X7, X7
	VMOVUPD      X4, 0(DI)
	VMOVUPD      X5, 16(DI)
	VMOVUPD      X6, 32(DI)
	VMOVUPD      X7, 48(DI)
	VZEROUPPER
	RET

// func affinePlanes(y, x *float32, hw, n, stride int, scale, shift float32)
TEXT ·affinePlanes(SB), NOSPLIT, $0-48
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         hw+16(FP), CX
	SHLQ         $2, CX
	MOVQ         n+24(FP), BX
	MOVQ         stride+32(FP), DX
	SHLQ         $2, DX
	VBROADCASTSS scale+40(FP), Y14
	VBROADCASTSS shift+44(FP), Y15

affinePlane:
	XORQ AX, AX

affine8:
	LEAQ    32(AX), R8
	CMPQ    R8, CX
	JA      affine4
	VMULPS  (SI)(AX*1), Y14, Y0
	VADDPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	MOVQ    R8, AX
	JMP     affine8

affine4:
	CMPQ    AX, CX
	JAE     affineNext
	VMULPS  (SI)(AX*1), X14, X0
	VADDPS  X15, X0, X0
	VMOVUPS X0, (DI)(AX*1)

affineNext:
	ADDQ DX, SI
	ADDQ DX, DI
	DECQ BX
	JNZ  affinePlane
	VZEROUPPER
	RET

// INPUTGRAD computes 8 (Y) or 4 (X) values of the input gradient at
// offset AX: dx = (a*dy - mdy) - xhat*mdyx, xhat = (x - mean)*invStd.
#define INPUTGRAD(V0, V1, A, MDY, MDYX, MEAN, INV) \
	VMOVUPS (R9)(AX*1), V0; \
	VSUBPS  MEAN, V0, V0; \
	VMULPS  INV, V0, V0; \
	VMULPS  (SI)(AX*1), A, V1; \
	VSUBPS  MDY, V1, V1; \
	VMULPS  MDYX, V0, V0; \
	VSUBPS  V0, V1, V1; \
	VMOVUPS V1, (DI)(AX*1)

// func inputGradientPlanes(dx, dy, x *float32, hw, n, stride int, a, mdy, mdyx, mean, invStd float32)
TEXT ·inputGradientPlanes(SB), NOSPLIT, $0-68
	MOVQ         dx+0(FP), DI
	MOVQ         dy+8(FP), SI
	MOVQ         x+16(FP), R9
	MOVQ         hw+24(FP), CX
	SHLQ         $2, CX
	MOVQ         n+32(FP), BX
	MOVQ         stride+40(FP), DX
	SHLQ         $2, DX
	VBROADCASTSS a+48(FP), Y11
	VBROADCASTSS mdy+52(FP), Y12
	VBROADCASTSS mdyx+56(FP), Y13
	VBROADCASTSS mean+60(FP), Y14
	VBROADCASTSS invStd+64(FP), Y15

gradPlane:
	XORQ AX, AX

grad8:
	LEAQ 32(AX), R8
	CMPQ R8, CX
	JA   grad4
	INPUTGRAD(Y0, Y1, Y11, Y12, Y13, Y14, Y15)
	MOVQ R8, AX
	JMP  grad8

grad4:
	CMPQ AX, CX
	JAE  gradNext
	INPUTGRAD(X0, X1, X11, X12, X13, X14, X15)

gradNext:
	ADDQ DX, SI
	ADDQ DX, DI
	ADDQ DX, R9
	DECQ BX
	JNZ  gradPlane
	VZEROUPPER
	RET

// func reluAVX2(dst, src *float32, n int)
//
// For n a positive multiple of 8: dst = src where src is not ≤ 0 (so
// positive or NaN), else +0.
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   n+16(FP), CX
	SHLQ   $2, CX
	XORQ   AX, AX
	VXORPS Y15, Y15, Y15

relu:
	VMOVUPS (SI)(AX*1), Y0
	VCMPPS  $0x16, Y15, Y0, Y1 // not less or equal, unordered
	VANDPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JB      relu
	VZEROUPPER
	RET

// func reluBackwardAVX2(dx, dy, y *float32, n int)
//
// For n a positive multiple of 8: dx = dy where y's bits are not all
// zero, else +0.
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-32
	MOVQ   dx+0(FP), DI
	MOVQ   dy+8(FP), SI
	MOVQ   y+16(FP), DX
	MOVQ   n+24(FP), CX
	SHLQ   $2, CX
	XORQ   AX, AX
	VPXOR  Y15, Y15, Y15

reluBack:
	VMOVUPS  (DX)(AX*1), Y0
	VPCMPEQD Y15, Y0, Y1
	VANDNPS  (SI)(AX*1), Y1, Y1
	VMOVUPS  Y1, (DI)(AX*1)
	ADDQ     $32, AX
	CMPQ     AX, CX
	JB       reluBack
	VZEROUPPER
	RET

// func splitAVX2(even, odd, src *float32, w, rows, srcRow, dstRow int)
//
// For w a positive multiple of 4: each of rows rows r, srcRow apart in
// src and dstRow apart in even and odd, gets even[j] = src[2j] and
// odd[j] = src[2j+1] for j < w.
TEXT ·splitAVX2(SB), NOSPLIT, $0-56
	MOVQ even+0(FP), DI
	MOVQ odd+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ w+24(FP), CX
	SHLQ $2, CX
	MOVQ rows+32(FP), BX
	MOVQ srcRow+40(FP), R9
	SHLQ $2, R9
	MOVQ dstRow+48(FP), R10
	SHLQ $2, R10

splitRow:
	XORQ AX, AX // bytes of the row's output done; its input is twice on

split8:
	LEAQ    32(AX), R11
	CMPQ    R11, CX
	JA      split4
	VMOVUPS (SI)(AX*2), Y0
	VMOVUPS 32(SI)(AX*2), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // even elements, in 64-bit pairs 0, 2, 1, 3
	VSHUFPS $0xdd, Y1, Y0, Y3 // odd elements, likewise
	VPERMPD $0xd8, Y2, Y2
	VPERMPD $0xd8, Y3, Y3
	VMOVUPS Y2, (DI)(AX*1)
	VMOVUPS Y3, (R8)(AX*1)
	MOVQ    R11, AX
	JMP     split8

split4:
	CMPQ    AX, CX
	JAE     splitNext
	VMOVUPS (SI)(AX*2), X0
	VMOVUPS 16(SI)(AX*2), X1
	VSHUFPS $0x88, X1, X0, X2
	VSHUFPS $0xdd, X1, X0, X3
	VMOVUPS X2, (DI)(AX*1)
	VMOVUPS X3, (R8)(AX*1)

splitNext:
	ADDQ R9, SI
	ADDQ R10, DI
	ADDQ R10, R8
	DECQ BX
	JNZ  splitRow
	VZEROUPPER
	RET

// func addAVX2(dst, a, b *float32, n int)
//
// For n a positive multiple of 8: dst = a + b.
TEXT ·addAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHLQ $2, CX
	XORQ AX, AX

add:
	VMOVUPS (SI)(AX*1), Y0
	VADDPS  (DX)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JB      add
	VZEROUPPER
	RET

// func addReLUAVX2(dst, a, b *float32, n int)
//
// For n a positive multiple of 8: dst = relu(a + b), as reluAVX2 of the
// sum.
TEXT ·addReLUAVX2(SB), NOSPLIT, $0-32
	MOVQ   dst+0(FP), DI
	MOVQ   a+8(FP), SI
	MOVQ   b+16(FP), DX
	MOVQ   n+24(FP), CX
	SHLQ   $2, CX
	XORQ   AX, AX
	VXORPS Y15, Y15, Y15

addReLU:
	VMOVUPS (SI)(AX*1), Y0
	VADDPS  (DX)(AX*1), Y0, Y0
	VCMPPS  $0x16, Y15, Y0, Y1 // not less or equal, unordered
	VANDPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JB      addReLU
	VZEROUPPER
	RET
