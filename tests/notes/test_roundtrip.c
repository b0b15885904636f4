// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every note format through its writer and its reader: VMCSINFO and
 * KVMINFO as the load side builds them (vmcsinfo_note(), kvminfo_note()
 * on synthetic BTF), found again with the one walker and parsed with the
 * capture side's parsers; the load-time notes carrier unpacked by cpio(1)
 * as the kernel unpacks it; VMCOREINFO-style text through keyval.  The
 * KVMINFO case checks every key of the shared table (kvminfo-keys.h):
 * each one the writer emits is read back with the same value, and the
 * reader knows every key the writer writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/notes/btf_fixtures.h"
#include "tests/kexec/kexec_fixtures.h"
#include "notes/notebuild.h"
#include "notes/elfnote.h"
#include "notes/keyval.h"
#include "notes/kvminfo-parse.h"
#include "notes/kvminfo.h"
#include "notes/carrier.h"
#include "notes/loadnotes.h"
#include "notes/vmcsinfo-parse.h"

static const char vmcs_text[] = "VMCSINFO_VERSION=1\nREVISION_ID=0x2b\n"
				"FIELD(0x0800)=0x10\nFIELD(0x681e)=0x1f8\n";

static void vmcsinfo_round_trip(void **state)
{
	static unsigned char note[VMCSINFO_TEXT_MAX + 64];
	char t1[VMCSINFO_TEXT_MAX], t2[VMCSINFO_TEXT_MAX];
	struct vg_error err = { 0 };
	struct vmcsinfo vi, back;
	const void *desc;
	size_t len;
	int n;

	(void)state;
	assert_int_equal(
		vmcsinfo_parse(vmcs_text, sizeof(vmcs_text) - 1, &vi, &err), 0);
	vmcsinfo_set_info(&vi, "SOURCE", "file");
	n = vmcsinfo_note(&vi, note, sizeof(note));
	assert_true(n > 0);
	assert_int_equal(elfnote_find(note, (size_t)n, VMCSINFO_NOTE_NAME,
				      VMCSINFO_NOTE_TYPE, &desc, &len, &err),
			 0);
	assert_int_equal(vmcsinfo_parse(desc, len, &back, &err), 0);
	assert_int_equal(back.revision_id, 0x2b);
	assert_int_equal(vmcsinfo_offset(&back, 0x681e), 0x1f8);
	assert_true(vmcsinfo_format(&vi, t1, sizeof(t1)) > 0);
	assert_true(vmcsinfo_format(&back, t2, sizeof(t2)) > 0);
	assert_string_equal(t1, t2);
}

/* KVMINFO from synthetic BTF, read back key by key. */
static void kvminfo_case(int old, int vendor)
{
	static unsigned char note[KVMINFO_TEXT_MAX + 64];
	static struct vg_kvminfo ki;
	struct fx_kvm_opts o = { .vendor = vendor, .old = old };
	char *dir = fx_tmpdir(), btf[PATH_MAX], ks[PATH_MAX], cpu[PATH_MAX];
	struct kvminfo_source src = { btf, ks, cpu, "6.1.0-test" };
	struct vg_error err = { 0 };
	struct keyval_iter it;
	struct keyval kv;
	const void *desc;
	size_t len;
	int n, nkeys = 0;

	snprintf(btf, sizeof(btf), "%s/btf", dir);
	snprintf(ks, sizeof(ks), "%s/kallsyms", dir);
	snprintf(cpu, sizeof(cpu), "%s/cpu", dir);
	mkdir(cpu, 0755);
	fx_kvm_btf(btf, &o);
	fx_puts(dir, "kallsyms", FX_KALLSYMS);
	fx_puts(cpu, "possible", FX_CPU_POSSIBLE);
	n = kvminfo_note(&src, note, sizeof(note), &err);
	if (n < 0)
		fail_msg("kvminfo_note: %d %s", n, err.msg);
	assert_int_equal(elfnote_find(note, (size_t)n, KVMINFO_NOTE_NAME,
				      KVMINFO_NOTE_TYPE, &desc, &len, &err),
			 0);
	assert_int_equal(vg_kvminfo_parse(desc, len, &ki, &err), 0);
	assert_string_equal(ki.osrelease, "6.1.0-test");
	/* Every line the writer wrote is a key the reader stored. */
	keyval_init(&it, desc, len);
	while (keyval_next(&it, &kv, &err) > 0) {
		int k, found = 0;
		uint64_t v;

		if (keyval_is(&kv, "KVMINFO_VERSION") ||
		    keyval_is(&kv, "OSRELEASE") || keyval_is(&kv, "VENDOR"))
			continue;
		for (k = 0; k < KI_NR; k++) {
			if (!keyval_is(&kv, vg_kvminfo_key(k)))
				continue;
			found = 1;
			assert_true(ki.have[k]);
			assert_int_equal(
				keyval_u64(kv.val, kv.vlen,
					   kv.key[0] == 'S' &&
							   kv.key[1] == 'Y' ?
						   16 :
						   10,
					   &v),
				0);
			assert_true(ki.val[k] == v);
		}
		if (!found)
			fail_msg("writer key %.*s unknown to the reader",
				 (int)kv.klen, kv.key);
		nkeys++;
	}
	assert_true(nkeys > 40);
	/* the kernel's renamed member lands where the walk reads it */
	assert_true(ki.have[KI_OFF_TASK_STATE]);
	fx_rmtree(dir);
}

static void kvminfo_round_trip(void **state)
{
	(void)state;
	kvminfo_case(0, FX_SVM);
	kvminfo_case(1, FX_SVM);
	kvminfo_case(0, FX_VMX);
}

static void carrier_round_trip(void **state)
{
	static unsigned char note[VMCSINFO_TEXT_MAX + 64];
	char cmd[PATH_MAX * 2 + 64], file[PATH_MAX + 64], *dir = fx_tmpdir();
	struct vg_error err = { 0 };
	struct vmcsinfo vi, back;
	const void *desc;
	unsigned char *cpio;
	size_t len, clen;
	void *buf;
	int n;

	(void)state;
	assert_int_equal(
		vmcsinfo_parse(vmcs_text, sizeof(vmcs_text) - 1, &vi, &err), 0);
	n = vmcsinfo_note(&vi, note, sizeof(note));
	assert_true(n > 0);
	clen = loadnotes_cpio_size((size_t)n);
	cpio = malloc(clen);
	assert_int_equal(loadnotes_cpio_build(cpio, clen, note, (size_t)n, 0),
			 clen);
	fx_write(dir, "carrier.cpio", cpio, clen);
	free(cpio);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir root && cd root && "
		 "cpio -id --quiet < ../carrier.cpio",
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(file, sizeof(file), "%s/root/%s", dir, LOADNOTES_CPIO_NAME);
	assert_int_equal(elfnote_read_file(file, &buf, &len, &err), 0);
	assert_int_equal(elfnote_find(buf, len, VMCSINFO_NOTE_NAME,
				      VMCSINFO_NOTE_TYPE, &desc, &len, &err),
			 0);
	assert_int_equal(vmcsinfo_parse(desc, len, &back, &err), 0);
	assert_int_equal(back.revision_id, vi.revision_id);
	free(buf);
	fx_rmtree(dir);
}

static void vmcoreinfo_round_trip(void **state)
{
	static const char text[] = "OSRELEASE=6.1.0-13-amd64\n"
				   "SYMBOL(init_top_pgt)=ffffffff8ae0a000\n"
				   "NUMBER(phys_base)=-1\n"
				   "KERNELOFFSET=9000000\n";
	unsigned char note[512];
	struct vg_error err = { 0 };
	const void *desc;
	char v[32];
	size_t len, n;

	(void)state;
	n = loadnote_build(note, sizeof(note), "VMCOREINFO", 0, text,
			   sizeof(text) - 1);
	assert_true(n > 0);
	assert_int_equal(
		elfnote_find(note, n, "VMCOREINFO", 0, &desc, &len, &err), 0);
	assert_int_equal(
		keyval_get(desc, len, "SYMBOL(init_top_pgt)", v, sizeof(v)), 0);
	assert_string_equal(v, "ffffffff8ae0a000");
	assert_int_equal(
		keyval_get(desc, len, "NUMBER(phys_base)", v, sizeof(v)), 0);
	assert_string_equal(v, "-1");
	assert_int_equal(keyval_get(desc, len, "KERNELOFFSET", v, sizeof(v)),
			 0);
	assert_string_equal(v, "9000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmcsinfo_round_trip),
		cmocka_unit_test(kvminfo_round_trip),
		cmocka_unit_test(carrier_round_trip),
		cmocka_unit_test(vmcoreinfo_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
