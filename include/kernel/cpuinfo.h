/* What the CPU is: vendor, brand, family/model/stepping, microcode revision,
 * caches (CPUID leaf 4 on Intel, 0x8000001D on AMD), and its digital thermal
 * sensors where it has them. */
#ifndef METASLOT_KERNEL_CPUINFO_H
#define METASLOT_KERNEL_CPUINFO_H

#include <stdint.h>

struct cpu_caches {
	uint64_t l1d, l1i, l2, l3;   /* bytes per instance, 0 = none/unknown */
	uint32_t l2_shared_by, l3_shared_by; /* logical CPUs per instance, 0 = unknown */
	const char *source;          /* "leaf4", "leaf8000001d", "leaf80000005", "none" */
};

/* Pure decoders (host-tested): CPUID 1 EAX -> display family/model/stepping,
 * and one leaf-4-format cache descriptor -> bytes (0 for the null type). */
void cpuid_signature(uint32_t eax, uint32_t *family, uint32_t *model, uint32_t *stepping);
uint64_t cpuid_cache_bytes(const uint32_t r[4], uint32_t *level, uint32_t *type,
			   uint32_t *shared_by);

/* Reads everything on every online CPU (microcode can differ between them)
 * and emits cpu_info; call after smp_init. */
void cpuinfo_init(void);
const struct cpu_caches *cpuinfo_caches(void);
/* The brand string ("" before cpuinfo_init or when the CPU has none). */
const char *cpuinfo_brand(void);

/* Samples the thermal sensors on every CPU and emits a thermal event tagged
 * `when` ("available":false where the CPU has no DTS, QEMU included). */
void cpuinfo_thermal(const char *when);

/* This CPU's core temperature in degrees C from its digital thermal sensor
 * (one MSR read, no IPI: any CPU, inside an smp_run too); INT32_MIN where
 * there is none or the reading is not valid. */
int32_t cpuinfo_temp_c(void);

#endif
