/* A real firmware memory map, shared by the map audit's host tests and the
 * fuzz harnesses' seeds (fuzz/memmap.c). Include after defining struct md
 * { uint32_t type; uint64_t phys, pages, attr; } and the short type and
 * attribute names test_mapaudit.c uses. */
#ifndef METASLOT_TEST_OVMF_Q35_1G_H
#define METASLOT_TEST_OVMF_Q35_1G_H

/* OVMF (edk2-stable, Debian 12) on QEMU q35 with 1 GiB: the map metaslot's
 * loader handed over, 132 descriptors of 48 bytes. The kernel image is the
 * 30-page loader code at 0x3de5c000; the loader's own image the 19 pages at
 * 0x3de93000. */
static const struct md ovmf_q35_1g[] = {
	{ BC, 0x0, 1, A_RAM }, { CONV, 0x1000, 158, A_RAM }, { TRAMP, 0x9f000, 1, A_RAM },
	{ CONV, 0x100000, 1798, A_RAM }, { NVS, 0x806000, 2, A_RAM }, { CONV, 0x808000, 8, A_RAM },
	{ NVS, 0x810000, 240, A_RAM }, { BD, 0x900000, 3072, A_RAM }, { CONV, 0x1500000, 239221, A_RAM },
	{ BD, 0x3bb75000, 32, A_RAM }, { CONV, 0x3bb95000, 4277, A_RAM }, { PGT, 0x3cc4a000, 530, A_RAM },
	{ META, 0x3ce5c000, 4096, A_RAM }, { LC, 0x3de5c000, 30, A_RAM }, { CONV, 0x3de7a000, 22, A_RAM },
	{ BINFO, 0x3de90000, 3, A_RAM }, { LC, 0x3de93000, 19, A_RAM }, { CONV, 0x3dea6000, 1, A_RAM },
	{ LD, 0x3dea7000, 2, A_RAM }, { BD, 0x3dea9000, 1, A_RAM }, { CONV, 0x3deaa000, 1, A_RAM },
	{ BD, 0x3deab000, 5, A_RAM }, { BINFO, 0x3deb0000, 5, A_RAM }, { BD, 0x3deb5000, 1679, A_RAM },
	{ BC, 0x3e544000, 158, A_RAM }, { BD, 0x3e5e2000, 63, A_RAM }, { BC, 0x3e621000, 5, A_RAM },
	{ BD, 0x3e626000, 1, A_RAM }, { BC, 0x3e627000, 29, A_RAM }, { BD, 0x3e644000, 3, A_RAM },
	{ BC, 0x3e647000, 10, A_RAM }, { BD, 0x3e651000, 2, A_RAM }, { BC, 0x3e653000, 23, A_RAM },
	{ BD, 0x3e66a000, 1, A_RAM }, { BC, 0x3e66b000, 8, A_RAM }, { BD, 0x3e673000, 4, A_RAM },
	{ BC, 0x3e677000, 23, A_RAM }, { BD, 0x3e68e000, 2, A_RAM }, { BC, 0x3e690000, 23, A_RAM },
	{ BD, 0x3e6a7000, 11, A_RAM }, { BC, 0x3e6b2000, 21, A_RAM }, { BD, 0x3e6c7000, 8, A_RAM },
	{ BC, 0x3e6cf000, 35, A_RAM }, { BD, 0x3e6f2000, 2, A_RAM }, { BC, 0x3e6f4000, 20, A_RAM },
	{ BD, 0x3e708000, 7, A_RAM }, { BC, 0x3e70f000, 25, A_RAM }, { BD, 0x3e728000, 3, A_RAM },
	{ BC, 0x3e72b000, 6, A_RAM }, { BD, 0x3e731000, 2, A_RAM }, { BC, 0x3e733000, 13, A_RAM },
	{ BD, 0x3e740000, 1, A_RAM }, { BC, 0x3e741000, 98, A_RAM }, { BD, 0x3e7a3000, 5, A_RAM },
	{ BC, 0x3e7a8000, 21, A_RAM }, { BD, 0x3e7bd000, 2, A_RAM }, { BC, 0x3e7bf000, 13, A_RAM },
	{ BD, 0x3e7cc000, 3, A_RAM }, { BC, 0x3e7cf000, 2, A_RAM }, { BD, 0x3e7d1000, 3, A_RAM },
	{ BC, 0x3e7d4000, 20, A_RAM }, { BD, 0x3e7e8000, 5, A_RAM }, { BC, 0x3e7ed000, 19, A_RAM },
	{ BD, 0x3e800000, 512, A_RAM }, { BC, 0x3ea00000, 18, A_RAM }, { BD, 0x3ea12000, 5, A_RAM },
	{ BC, 0x3ea17000, 1, A_RAM }, { BD, 0x3ea18000, 2, A_RAM }, { BC, 0x3ea1a000, 19, A_RAM },
	{ BD, 0x3ea2d000, 3, A_RAM }, { BC, 0x3ea30000, 1, A_RAM }, { BD, 0x3ea31000, 1, A_RAM },
	{ BC, 0x3ea32000, 7, A_RAM }, { BD, 0x3ea39000, 7, A_RAM }, { BC, 0x3ea40000, 4, A_RAM },
	{ BD, 0x3ea44000, 8, A_RAM }, { BC, 0x3ea4c000, 14, A_RAM }, { BD, 0x3ea5a000, 2, A_RAM },
	{ BC, 0x3ea5c000, 19, A_RAM }, { BD, 0x3ea6f000, 2, A_RAM }, { BC, 0x3ea71000, 30, A_RAM },
	{ BD, 0x3ea8f000, 8, A_RAM }, { BC, 0x3ea97000, 3, A_RAM }, { BD, 0x3ea9a000, 3, A_RAM },
	{ BC, 0x3ea9d000, 3, A_RAM }, { RD, 0x3eaa0000, 258, A_RT }, { BD, 0x3eba2000, 1024, A_RAM },
	{ BC, 0x3efa2000, 111, A_RAM }, { BD, 0x3f011000, 2, A_RAM }, { BC, 0x3f013000, 27, A_RAM },
	{ BD, 0x3f02e000, 5, A_RAM }, { BC, 0x3f033000, 1, A_RAM }, { BD, 0x3f034000, 1, A_RAM },
	{ BC, 0x3f035000, 2, A_RAM }, { BD, 0x3f037000, 2, A_RAM }, { BC, 0x3f039000, 6, A_RAM },
	{ BD, 0x3f03f000, 18, A_RAM }, { BC, 0x3f051000, 22, A_RAM }, { BD, 0x3f067000, 2, A_RAM },
	{ BC, 0x3f069000, 1, A_RAM }, { BD, 0x3f06a000, 1, A_RAM }, { BC, 0x3f06b000, 1, A_RAM },
	{ BD, 0x3f06c000, 1, A_RAM }, { BC, 0x3f06d000, 1, A_RAM }, { BD, 0x3f06e000, 1, A_RAM },
	{ BC, 0x3f06f000, 2, A_RAM }, { BD, 0x3f071000, 2, A_RAM }, { BC, 0x3f073000, 2, A_RAM },
	{ BD, 0x3f075000, 2, A_RAM }, { BC, 0x3f077000, 4, A_RAM }, { BD, 0x3f07b000, 2, A_RAM },
	{ BC, 0x3f07d000, 1, A_RAM }, { BD, 0x3f07e000, 2, A_RAM }, { BC, 0x3f080000, 9, A_RAM },
	{ BD, 0x3f089000, 3, A_RAM }, { BC, 0x3f08c000, 3, A_RAM }, { BD, 0x3f08f000, 1117, A_RAM },
	{ RD, 0x3f4ec000, 256, A_RT }, { RC, 0x3f5ec000, 256, A_RT }, { RSV, 0x3f6ec000, 128, A_RAM },
	{ ACPI, 0x3f76c000, 18, A_RAM }, { NVS, 0x3f77e000, 128, A_RAM }, { BD, 0x3f7fe000, 1538, A_RAM },
	{ CONV, 0x3fe00000, 129, A_RAM }, { BD, 0x3fe81000, 32, A_RAM }, { BC, 0x3fea1000, 46, A_RAM },
	{ BD, 0x3fecf000, 17, A_RAM }, { BC, 0x3fee0000, 20, A_RAM }, { RD, 0x3fef4000, 132, A_RT },
	{ NVS, 0x3ff78000, 136, A_RAM }, { RSV, 0xb0000000, 65536, A_UC }, { MMIO, 0xffc00000, 1024, A_RT_UC },
};
#define OVMF_KPHYS 0x3de5c000ull
#define OVMF_KBYTES 0x1e000ull

#endif
