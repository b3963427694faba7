/* The loader's own file name, from the loaded image protocol's FilePath (a
 * device path relative to the DeviceHandle). Pure code: no UEFI calls, so
 * the host tests link it. UCS-2 strings as uint16_t. */
#ifndef METASLOT_EFI_SELFPATH_H
#define METASLOT_EFI_SELFPATH_H

#include <stddef.h>
#include <stdint.h>

#define SELFPATH_MAX 128 /* characters, NUL included */

/* Joins the PathName of every file-path node (type 4, subtype 4) of `dp` into
 * one absolute path with '\' separators ("\EFI\BOOT\BOOTX64.EFI": a shell
 * may pass it as one node or one node per component). Returns its length;
 * 0 when there is no file-path node (loaded from a memory buffer, or a
 * firmware that gives the device part only), -1 when the device path is
 * malformed or the name does not fit `cap` characters. */
int selfpath_file(const void *dp, uint16_t *out, size_t cap);

/* Length of the folder part of `path`, its last '\' included ("\EFI\BOOT\"). */
size_t selfpath_dir_len(const uint16_t *path);

#endif
