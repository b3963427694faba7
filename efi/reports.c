/* The previous run's record (lib/record.h): read from the UEFI variable,
 * decoded and validated (version 1 or 2: a record still `running` is a run
 * that did not finish, and its files say so), written to the ESP as
 * <home>REPORTS\<run id>.json and .txt
 * (home: the loader's folder or \EFI\METASLOT\, files.c), the folder pruned
 * to `reports_keep` runs (oldest first: run ids sort by time), and the
 * known-bad frames handed to the kernel in bootinfo. An ESP that is full or
 * read-only, or no file system at all, is reported to the kernel, never
 * fatal; the record stays in the variable either way. */
#include "loader.h"
#include "cfgscan.h"
#include <lib/record.h>

#define MAX_LISTED 256

static EFI_GUID report_guid = REPORT_GUID_INIT;
static CHAR16 var_name[] = L"MetaslotLastRun";
static UINT8 raw[sizeof(struct report_record)];  /* as stored: version 1 or 2 */
static struct report_record rec;                /* decoded */
static char text[16384];

static void name16(CHAR16 *out, const char *run_id, const char *ext)
{
	UINTN n = 0;

	for (const char *p = run_id; *p; p++)
		out[n++] = (CHAR16)*p;
	for (const char *p = ext; *p; p++)
		out[n++] = (CHAR16)*p;
	out[n] = 0;
}

static EFI_STATUS write_file(EFI_FILE_HANDLE dir, const CHAR16 *name, const char *data, UINTN len)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS s;

	/* replace, not overwrite in place: a shorter report must not keep a tail */
	if (!EFI_ERROR(dir->Open(dir, &f, (CHAR16 *)name, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0)))
		f->Delete(f);
	s = dir->Open(dir, &f, (CHAR16 *)name,
		      EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE, 0);
	if (EFI_ERROR(s))
		return s;
	s = f->Write(f, &len, (void *)data);
	EFI_STATUS c = f->Close(f);

	return EFI_ERROR(s) ? s : c;
}

/* Keeps the newest `keep` run ids (by file name); returns how many remain. */
static uint32_t prune(EFI_FILE_HANDLE dir, uint32_t keep)
{
	static CHAR16 names[MAX_LISTED][40];
	static UINT8 buf[512];
	uint32_t n = 0;

	dir->SetPosition(dir, 0);
	for (;;) {
		UINTN size = sizeof(buf);

		if (EFI_ERROR(dir->Read(dir, &size, buf)) || size == 0)
			break;
		EFI_FILE_INFO *fi = (EFI_FILE_INFO *)buf;
		UINTN len = StrLen(fi->FileName);

		if ((fi->Attribute & EFI_FILE_DIRECTORY) || len < 6 || len >= 40 ||
		    StrCmp(fi->FileName + len - 5, L".json") || n == MAX_LISTED)
			continue;
		StrCpy(names[n++], fi->FileName);
	}
	/* sort names ascending: run ids begin with the date */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && StrCmp(names[j - 1], names[j]) > 0; j--) {
			CHAR16 t[40];

			StrCpy(t, names[j]);
			StrCpy(names[j], names[j - 1]);
			StrCpy(names[j - 1], t);
		}
	for (uint32_t i = 0; i + keep < n; i++) {
		EFI_FILE_HANDLE f;
		UINTN len = StrLen(names[i]);

		if (!EFI_ERROR(dir->Open(dir, &f, names[i], EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0)))
			f->Delete(f);
		StrCpy(names[i] + len - 5, L".txt");
		if (!EFI_ERROR(dir->Open(dir, &f, names[i], EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0)))
			f->Delete(f);
	}
	return n < keep ? n : keep;
}

static EFI_STATUS write_reports(struct loader *L, uint32_t keep)
{
	EFI_FILE_HANDLE dir;
	CHAR16 name[40], path[SELFPATH_MAX + 8];

	StrCpy(path, L->home);
	StrCat(path, L"REPORTS");
	EFI_STATUS s = L->root->Open(L->root, &dir, path,
				     EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE,
				     EFI_FILE_DIRECTORY);

	if (EFI_ERROR(s))
		return s;
	name16(name, rec.run_id, ".json");
	s = write_file(dir, name, text, report_record_json(&rec, text, sizeof(text)));
	if (!EFI_ERROR(s)) {
		name16(name, rec.run_id, ".txt");
		s = write_file(dir, name, text, report_record_text(&rec, text, sizeof(text)));
	}
	L->bi->reports_kept = prune(dir, keep);
	dir->Close(dir);
	return s;
}

void reports_collect(struct loader *L)
{
	struct bootinfo *bi = L->bi;
	UINTN size = sizeof(raw);
	UINT32 attr = 0;
	EFI_STATUS s = RT->GetVariable(var_name, &report_guid, &attr, &size, raw);

	if (s == EFI_NOT_FOUND)
		return;
	if (EFI_ERROR(s) || report_record_decode(raw, size, &rec)) {
		bi->last_run_status = BOOTINFO_LAST_RUN_INVALID;
		bi->report_error = (uint32_t)s;
		return;
	}
	CopyMem(bi->last_run_id, rec.run_id, sizeof(bi->last_run_id));
	if (cfgscan_forget_known_bad(L->config, bi->config_len)) {
		RT->SetVariable(var_name, &report_guid, REPORT_VAR_ATTRIBUTES, 0, NULL);
		bi->last_run_status = BOOTINFO_LAST_RUN_FORGOTTEN;
		return;
	}
	/* the known-bad list goes to the kernel whether or not the files can be written */
	struct report_range *kb = (struct report_range *)(uintptr_t)bi->known_bad;

	CopyMem(kb, rec.ranges, rec.nranges * sizeof(struct report_range));
	bi->known_bad_count = rec.nranges;
	if (!L->root) {
		bi->last_run_status = BOOTINFO_LAST_RUN_NO_FILESYSTEM;
		return;
	}
	s = write_reports(L, cfgscan_reports_keep(L->config, L->bi->config_len));
	bi->last_run_status = EFI_ERROR(s) ? BOOTINFO_LAST_RUN_WRITE_FAILED : BOOTINFO_LAST_RUN_WRITTEN;
	bi->report_error = (uint32_t)s;
}
