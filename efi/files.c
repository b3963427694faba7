/* Files on the ESP the loader was started from, and the config text handed to
 * the kernel: METASLOT.CFG first, then the load options, so that a key given
 * in the load options wins (the kernel applies lines in order). */
#include "loader.h"
#include "loadopt.h"

void files_open_root(struct loader *L)
{
	EFI_STATUS s = BS->HandleProtocol(L->image, &LoadedImageProtocol, (void **)&L->loaded);

	if (EFI_ERROR(s) || !L->loaded)
		ldr_fatal("cannot get the loaded image protocol", s);
	L->root = LibOpenRoot(L->loaded->DeviceHandle);
	if (!L->root)
		ldr_fatal("cannot open the file system the loader came from", EFI_NOT_FOUND);
}

void *files_read(struct loader *L, const CHAR16 *path, UINTN *size)
{
	EFI_FILE_HANDLE f;
	void *buf;

	if (EFI_ERROR(L->root->Open(L->root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0)))
		return NULL;
	EFI_FILE_INFO *info = LibFileInfo(f);

	if (!info || info->FileSize > (1ull << 30)) {
		f->Close(f);
		return NULL;
	}
	*size = info->FileSize;
	FreePool(info);
	buf = AllocatePool(*size + 1);
	if (buf && EFI_ERROR(f->Read(f, size, buf))) {
		FreePool(buf);
		buf = NULL;
	}
	f->Close(f);
	if (buf)
		((char *)buf)[*size] = 0;
	return buf;
}

void config_read(struct loader *L)
{
	UINTN size = 0, len = 0;
	char *file = files_read(L, L"\\EFI\\METASLOT\\METASLOT.CFG", &size);

	if (file) {
		len = size < CONFIG_MAX / 2 ? size : CONFIG_MAX / 2;
		CopyMem(L->config, file, len);
		FreePool(file);
		if (len && L->config[len - 1] != '\n')
			L->config[len++] = '\n';
	} else {
		L->bi->flags |= BOOTINFO_FLAG_NO_CONFIG_FILE;
	}
	long n = loadopt_to_config(L->loaded->LoadOptions, L->loaded->LoadOptionsSize,
				   L->config + len, CONFIG_MAX - len);

	if (n < 0)
		L->bi->flags |= BOOTINFO_FLAG_LOADOPT_IGNORED;
	else
		len += n;
	L->config[len] = 0;
	L->bi->config_len = len;
}
