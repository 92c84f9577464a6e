//go:build amd64 && !purego

#include "textflag.h"

// laneMask: eight dwords of ones, then eight of zeros. Loading eight dwords
// from dword 8-k gives a mask of the first k lanes.
DATA laneMask<>+0(SB)/8, $-1
DATA laneMask<>+8(SB)/8, $-1
DATA laneMask<>+16(SB)/8, $-1
DATA laneMask<>+24(SB)/8, $-1
DATA laneMask<>+32(SB)/8, $0
DATA laneMask<>+40(SB)/8, $0
DATA laneMask<>+48(SB)/8, $0
DATA laneMask<>+56(SB)/8, $0
GLOBL laneMask<>(SB), RODATA|NOPTR, $64

// The case fold, the hash multiplier (hashWindow) and the low five bits.
DATA hashConsts<>+0(SB)/4, $0x20202020
DATA hashConsts<>+4(SB)/4, $0x9E3779B1
DATA hashConsts<>+8(SB)/4, $31
GLOBL hashConsts<>(SB), RODATA|NOPTR, $12

// WINDOWS8 tests the eight windows in register src against the bit set at
// DI and leaves in out one bit per window whose hash bit is set: fold,
// multiply, shift by X10 to the hash, gather the bit set's dword h>>5, shift
// it by h&31, and collect each lane's low bit. idx, msk and dst are scratch.
#define WINDOWS8(src, idx, msk, dst, out) \
	VPOR       Y13, src, src; \
	VPMULLD    Y12, src, src; \
	VPSRLD     X10, src, src; \
	VPSRLD     $5, src, idx; \
	VPAND      Y11, src, src; \
	VPCMPEQD   msk, msk, msk; \
	VPXOR      dst, dst, dst; \
	VPGATHERDD msk, (DI)(idx*4), dst; \
	VPSRLVD    src, dst, dst; \
	VPSLLD     $31, dst, dst; \
	VMOVMSKPS  dst, out

// TAIL tests the last 1 to 7 windows of a pass: count (a register, not
// zero) windows at p, with a masked load that reads only those and cannot
// fault past them; the lanes not loaded are dropped. The bits go into acc at
// bit CX.
#define TAIL(p, count, acc) \
	LEAQ       laneMask<>(SB), BX; \
	MOVQ       $8, AX; \
	SUBQ       count, AX; \
	VMOVDQU    (BX)(AX*4), Y6; \
	VPMASKMOVD p, Y6, Y5; \
	WINDOWS8(Y5, Y1, Y3, Y4, DX); \
	VMOVMSKPS  Y6, AX; \
	ANDQ       AX, DX; \
	SHLQ       CX, DX; \
	ORQ        DX, acc

// func windowHitsAVX2(words *byte, n0, n2 int, bits *uint64, shift uint32) (m0, m2 uint64)
//
// Two passes at once: n0 windows at words, words+4, …, and n2 windows at
// words+2, words+6, … (n2 is 0 or at most n0).
TEXT ·windowHitsAVX2(SB), NOSPLIT, $0-56
	MOVQ         words+0(FP), SI
	MOVQ         n0+8(FP), R10
	MOVQ         n2+16(FP), R11
	MOVQ         bits+24(FP), DI
	MOVL         shift+32(FP), AX
	MOVQ         AX, X10
	VPBROADCASTD hashConsts<>+0(SB), Y13
	VPBROADCASTD hashConsts<>+4(SB), Y12
	VPBROADCASTD hashConsts<>+8(SB), Y11
	XORQ         R8, R8 // m0
	XORQ         R9, R9 // m2
	XORQ         CX, CX // bit of the masks for the next eight windows

both:
	CMPQ    R11, $8
	JLT     bothDone
	VMOVDQU (SI), Y0
	VMOVDQU 2(SI), Y7
	WINDOWS8(Y0, Y1, Y3, Y4, DX)
	WINDOWS8(Y7, Y8, Y9, Y14, R12)
	SHLQ    CX, DX
	ORQ     DX, R8
	SHLQ    CX, R12
	ORQ     R12, R9
	ADDQ    $8, CX
	ADDQ    $32, SI
	SUBQ    $8, R10
	SUBQ    $8, R11
	JMP     both

bothDone:
	// The second pass is done but for its tail: at R12, its bits from R13.
	LEAQ    2(SI), R12
	MOVQ    CX, R13

one:
	CMPQ    R10, $8
	JLT     tails
	VMOVDQU (SI), Y0
	WINDOWS8(Y0, Y1, Y3, Y4, DX)
	SHLQ    CX, DX
	ORQ     DX, R8
	ADDQ    $8, CX
	ADDQ    $32, SI
	SUBQ    $8, R10
	JMP     one

tails:
	TESTQ R10, R10
	JEQ   tail2
	TAIL((SI), R10, R8)

tail2:
	TESTQ R11, R11
	JEQ   done
	MOVQ  R13, CX
	TAIL((R12), R11, R9)

done:
	VZEROUPPER
	MOVQ R8, m0+40(FP)
	MOVQ R9, m2+48(FP)
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL   $0, CX
	XGETBV
	MOVL   AX, eax+0(FP)
	MOVL   DX, edx+4(FP)
	RET
