//go:build amd64 && !purego

#include "textflag.h"

// func newlineMasksSSE2(p *byte, words int, out *uint64)
//
// For each of words 64-byte chunks at p, one word of out with bit i set
// where byte i of the chunk is '\n'. SSE2 only: every amd64 processor has it.
TEXT ·newlineMasksSSE2(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ words+8(FP), CX
	MOVQ out+16(FP), DI
	MOVQ $0x0a0a0a0a0a0a0a0a, AX
	MOVQ AX, X7
	PUNPCKLQDQ X7, X7
	TESTQ CX, CX
	JEQ done

loop:
	MOVOU    (SI), X0
	MOVOU    16(SI), X1
	MOVOU    32(SI), X2
	MOVOU    48(SI), X3
	PCMPEQB  X7, X0
	PCMPEQB  X7, X1
	PCMPEQB  X7, X2
	PCMPEQB  X7, X3
	PMOVMSKB X0, AX
	PMOVMSKB X1, BX
	PMOVMSKB X2, DX
	PMOVMSKB X3, R8
	SHLQ     $16, BX
	SHLQ     $32, DX
	SHLQ     $48, R8
	ORQ      BX, AX
	ORQ      R8, DX
	ORQ      DX, AX
	MOVQ     AX, (DI)
	ADDQ     $64, SI
	ADDQ     $8, DI
	DECQ     CX
	JNE      loop

done:
	RET
