"""The patterns' vector loops in a guest: with `-cpu max` (QEMU's TCG has
AVX2, not AVX-512) the kernel enables the AVX state on every CPU,
random_sequence and mov_inv_walk64 run their AVX2 loops (the simd event says
so) and each, alone, finds the bit a host process holds stuck in the guest's
RAM, as their scalar loops do in cases_patterns.py under the default CPU."""

from cases import case
from cases_patterns import pattern_finds_stuck_bit, check_simd


def avx2_finds_a_stuck_bit(d, name):
    return pattern_finds_stuck_bit(d, name, extra=["-cpu", "max"],
                                   check=lambda b: check_simd(b, "avx2"))


@case
def random_sequence_avx2_finds_a_stuck_bit(d):
    return avx2_finds_a_stuck_bit(d, "random_sequence")


@case
def mov_inv_walk64_avx2_finds_a_stuck_bit(d):
    return avx2_finds_a_stuck_bit(d, "mov_inv_walk64")
