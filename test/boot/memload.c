/* Test helper, never shipped: a minimal boot manager that starts a UEFI
 * image from a memory buffer, as some boot managers do. Started from the
 * shell as
 *     memload.efi \PATH\TO\IMAGE.EFI key=value ...
 * it reads the image into pool memory and calls LoadImage with no device
 * path, so the started image has no DeviceHandle (no file system) and no
 * FilePath; its load options are the rest of our command line. */
#include <efi.h>
#include <efilib.h>

static UINTN skip_word(const CHAR16 *s, UINTN i, UINTN n)
{
	while (i < n && s[i] && s[i] != ' ')
		i++;
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *me, *child_li;
	EFI_HANDLE child = NULL;
	EFI_FILE_HANDLE root, f;
	static CHAR16 path[256];

	InitializeLib(image, st);
	if (EFI_ERROR(BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&me)))
		return EFI_LOAD_ERROR;
	const CHAR16 *opt = me->LoadOptions;
	UINTN n = me->LoadOptionsSize / 2, p = skip_word(opt, 0, n), k = 0;

	while (p < n && opt[p] && opt[p] != ' ' && k + 1 < 256)
		path[k++] = opt[p++];
	path[k] = 0;
	p = skip_word(opt, p, n);
	root = LibOpenRoot(me->DeviceHandle);
	if (!root || EFI_ERROR(root->Open(root, &f, path, EFI_FILE_MODE_READ, 0))) {
		Print(L"memload: cannot open %s\n", path);
		return EFI_NOT_FOUND;
	}
	EFI_FILE_INFO *info = LibFileInfo(f);
	UINTN size = info ? info->FileSize : 0;
	void *buf = size ? AllocatePool(size) : NULL;

	if (!buf || EFI_ERROR(f->Read(f, &size, buf))) {
		Print(L"memload: cannot read %s\n", path);
		return EFI_LOAD_ERROR;
	}
	EFI_STATUS s = BS->LoadImage(FALSE, image, NULL, buf, size, &child);

	Print(L"memload: LoadImage from a %d-byte buffer: %r\n", size, s);
	if (EFI_ERROR(s))
		return s;
	BS->HandleProtocol(child, &LoadedImageProtocol, (void **)&child_li);
	child_li->LoadOptions = (void *)(opt + p);
	child_li->LoadOptionsSize = (UINT32)((n - p) * 2);
	s = BS->StartImage(child, NULL, NULL);
	Print(L"memload: StartImage returned %r\n", s);
	return s;
}
