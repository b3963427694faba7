"""random_sequence's vector loops in a guest: with `-cpu max` (QEMU's TCG
has AVX2, not AVX-512) the kernel enables the AVX state on every CPU, the
pattern runs its AVX2 loops (the simd event says so) and, alone, finds the
bit a host process holds stuck in the guest's RAM, as the scalar loops do in
cases_patterns.py under the default CPU."""

from cases import case
from cases_patterns import pattern_finds_stuck_bit, check_simd


@case
def random_sequence_avx2_finds_a_stuck_bit(d):
    return pattern_finds_stuck_bit(d, "random_sequence", extra=["-cpu", "max"],
                                   check=lambda b: check_simd(b, "avx2"))
