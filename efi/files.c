/* Where the loader came from and the files next to it. The program is one
 * file; its folder (from the loaded image's FilePath, selfpath.c) holds
 * METASLOT.CFG and REPORTS, with \EFI\METASLOT\ as the fallback (the stick
 * image's layout). Started without a file system (from a memory buffer, as
 * some boot managers do), it runs on its load options alone.
 * The config text handed to the kernel is METASLOT.CFG first, then the load
 * options, so that a key given in the load options wins (the kernel applies
 * lines in order), then the settings chosen in the pre-boot menu (menu_ui.c),
 * for which room is kept. */
#include "loader.h"
#include "loadopt.h"
#include "menu.h"

#define FALLBACK_HOME L"\\EFI\\METASLOT\\"

static void fold_ascii(char *out, UINTN cap, const CHAR16 *s)
{
	UINTN n = 0;

	for (; *s && n + 1 < cap; s++)
		out[n++] = *s >= 0x20 && *s < 0x7f ? (char)*s : '?';
	out[n] = 0;
}

void files_open_root(struct loader *L)
{
	EFI_STATUS s = BS->HandleProtocol(L->image, &LoadedImageProtocol, (void **)&L->loaded);

	if (EFI_ERROR(s) || !L->loaded)
		ldr_fatal("cannot get the loaded image protocol", s);
	if (selfpath_file(L->loaded->FilePath, L->self, SELFPATH_MAX) < 0) {
		ldr_note("own file path unreadable; using \\EFI\\METASLOT\\");
		L->self[0] = 0;
	}
	fold_ascii(L->bi->image_path, sizeof(L->bi->image_path), L->self);
	L->root = L->loaded->DeviceHandle ? LibOpenRoot(L->loaded->DeviceHandle) : NULL;
	if (!L->root) {
		ldr_note("no file system on the device this image came from: "
			 "running on the load options");
		L->bi->flags |= BOOTINFO_FLAG_NO_FILESYSTEM;
	}
}

void *files_read(struct loader *L, const CHAR16 *path, UINTN *size)
{
	EFI_FILE_HANDLE f;
	void *buf;

	if (!L->root || EFI_ERROR(L->root->Open(L->root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0)))
		return NULL;
	EFI_FILE_INFO *info = LibFileInfo(f);

	if (!info || info->FileSize > (1ull << 30)) {
		if (info)
			FreePool(info);
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

static int dir_exists(struct loader *L, const CHAR16 *path)
{
	EFI_FILE_HANDLE f;

	if (EFI_ERROR(L->root->Open(L->root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0)))
		return 0;
	f->Close(f);
	return 1;
}

/* METASLOT.CFG next to the image, else in \EFI\METASLOT\; L->home is the
 * folder it came from. Without one: the image's folder, unless
 * \EFI\METASLOT\ exists (a stick whose config was deleted keeps its
 * REPORTS where they were). */
static char *config_file(struct loader *L, UINTN *size)
{
	static CHAR16 path[SELFPATH_MAX + 16];
	UINTN dir = selfpath_dir_len(L->self);
	char *file = NULL;

	if (dir) {
		CopyMem(path, L->self, dir * sizeof(CHAR16));
		StrCpy(path + dir, L"METASLOT.CFG");
		file = files_read(L, path, size);
	}
	if (file) {
		CopyMem(L->home, L->self, dir * sizeof(CHAR16));
		L->home[dir] = 0;
		return file;
	}
	file = files_read(L, FALLBACK_HOME L"METASLOT.CFG", size);
	if (file || !dir || dir_exists(L, FALLBACK_HOME)) {
		StrCpy(L->home, FALLBACK_HOME);
	} else {
		CopyMem(L->home, L->self, dir * sizeof(CHAR16));
		L->home[dir] = 0;
	}
	return file;
}

void config_read(struct loader *L)
{
	UINTN size = 0, len = 0;
	char *file = L->root ? config_file(L, &size) : NULL;

	fold_ascii(L->bi->home, sizeof(L->bi->home), L->home);
	if (file) {
		len = size < CONFIG_MAX / 2 ? size : CONFIG_MAX / 2;
		CopyMem(L->config, file, len);
		FreePool(file);
		/* a NUL ends the file's text; the load options and the menu's
		 * lines after it must still be read (cfgline.h: NUL ends the text) */
		for (UINTN i = 0; i < len; i++)
			if (!L->config[i]) {
				len = i;
				break;
			}
		if (len && L->config[len - 1] != '\n')
			L->config[len++] = '\n';
	} else {
		L->bi->flags |= BOOTINFO_FLAG_NO_CONFIG_FILE;
	}
	long n = loadopt_to_config(L->loaded->LoadOptions, L->loaded->LoadOptionsSize,
				   L->config + len, CONFIG_MAX - MENU_CONFIG_RESERVE - len);

	if (n < 0)
		L->bi->flags |= BOOTINFO_FLAG_LOADOPT_IGNORED;
	else
		len += n;
	L->config[len] = 0;
	L->bi->config_len = len;
}
