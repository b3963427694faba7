/* Seeds shared by the three config harnesses: the image's real files and
 * texts from test/efi/test_cfgscan.c and test/kernel/test_config.c. */
#include <string.h>
#include "common/fuzz.h"

static void config_seeds(void)
{
	static const char *const texts[] = {
		"reports_keep=0\n",
		"reports_keep=20\nreports_keep=3x\n",
		"known_bad=forget # was keep\nreports_keep=5 #a # b\r\n",
		"  known_bad  =  forget  \n\tknown_bad_x=keep\n",
		"serial=com2,9600\nsmp=3\nstress_ops=0x10\npasses=1000\n",
		"patterns=own_address,mov_inv_random\ninject_fault=0x10000008:0x10\n",
		"audit=full\non_finish=reboot\nbench=on\nboot_services=keep\nreport=off\n",
		"fault_test=ap_panic\n# comment\n=x\nnot a line\nreports_keep=\x01\n",
		"known_bad=keep\0known_bad=forget\n",
	};
	char name[32];

	fuzz_emit_file("metaslot_cfg", "config/METASLOT.CFG");
	fuzz_emit_file("run_cfg", "config/run.cfg");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		snprintf(name, sizeof(name), "text%zu", i);
		fuzz_emit(name, texts[i], strlen(texts[i]) + (i == 8 ? 1 + 17 : 0));
	}
}
