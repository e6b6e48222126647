// DEPTH, shared by the assembly kernels of gemm_amd64.s and
// gemm_avx512_amd64.s.

// DEPTH runs step over the depth k, four steps a turn.
#define DEPTH(step, loop, tail, tailloop, done) \
	MOVQ k+0(FP), CX; \
	SHRQ $2, CX; \
	JZ   tail; \
loop: \
	step; \
	step; \
	step; \
	step; \
	DECQ CX; \
	JNZ  loop; \
tail: \
	MOVQ k+0(FP), CX; \
	ANDQ $3, CX; \
	JZ   done; \
tailloop: \
	step; \
	DECQ CX; \
	JNZ  tailloop; \
done:
