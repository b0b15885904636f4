// SPDX-License-Identifier: GPL-2.0-or-later
#include "src/exitnames.h"

#include <stdio.h>

static const char *const vmx_names[] = {
	[0] = "EXCEPTION_NMI",
	[1] = "EXTERNAL_INTERRUPT",
	[2] = "TRIPLE_FAULT",
	[3] = "INIT_SIGNAL",
	[4] = "SIPI_SIGNAL",
	[5] = "IO_SMI",
	[6] = "OTHER_SMI",
	[7] = "INTERRUPT_WINDOW",
	[8] = "NMI_WINDOW",
	[9] = "TASK_SWITCH",
	[10] = "CPUID",
	[11] = "GETSEC",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[17] = "RSM",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMOFF",
	[27] = "VMON",
	[28] = "CR_ACCESS",
	[29] = "DR_ACCESS",
	[30] = "IO_INSTRUCTION",
	[31] = "MSR_READ",
	[32] = "MSR_WRITE",
	[33] = "INVALID_STATE",
	[34] = "MSR_LOAD_FAIL",
	[36] = "MWAIT_INSTRUCTION",
	[37] = "MONITOR_TRAP_FLAG",
	[39] = "MONITOR_INSTRUCTION",
	[40] = "PAUSE_INSTRUCTION",
	[41] = "MCE_DURING_VMENTRY",
	[43] = "TPR_BELOW_THRESHOLD",
	[44] = "APIC_ACCESS",
	[45] = "EOI_INDUCED",
	[46] = "GDTR_IDTR",
	[47] = "LDTR_TR",
	[48] = "EPT_VIOLATION",
	[49] = "EPT_MISCONFIG",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "PREEMPTION_TIMER",
	[53] = "INVVPID",
	[54] = "WBINVD",
	[55] = "XSETBV",
	[56] = "APIC_WRITE",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "PML_FULL",
	[63] = "XSAVES",
	[64] = "XRSTORS",
	[66] = "SPP",
	[67] = "UMWAIT",
	[68] = "TPAUSE",
	[69] = "LOADIWKEY",
	[74] = "BUS_LOCK",
	[75] = "NOTIFY",
};

/* SVM exit codes 0x60 .. 0xa4. */
static const char *const svm_names[] = {
	"INTR",
	"NMI",
	"SMI",
	"INIT",
	"VINTR",
	"CR0_SEL_WRITE",
	"IDTR_READ",
	"GDTR_READ",
	"LDTR_READ",
	"TR_READ",
	"IDTR_WRITE",
	"GDTR_WRITE",
	"LDTR_WRITE",
	"TR_WRITE",
	"RDTSC",
	"RDPMC",
	"PUSHF",
	"POPF",
	"CPUID",
	"RSM",
	"IRET",
	"SWINT",
	"INVD",
	"PAUSE",
	"HLT",
	"INVLPG",
	"INVLPGA",
	"IOIO",
	"MSR",
	"TASK_SWITCH",
	"FERR_FREEZE",
	"SHUTDOWN",
	"VMRUN",
	"VMMCALL",
	"VMLOAD",
	"VMSAVE",
	"STGI",
	"CLGI",
	"SKINIT",
	"RDTSCP",
	"ICEBP",
	"WBINVD",
	"MONITOR",
	"MWAIT",
	"MWAIT_COND",
	"XSETBV",
	"RDPRU",
	"EFER_WRITE_TRAP",
	"CR0_WRITE_TRAP",
	"CR1_WRITE_TRAP",
	"CR2_WRITE_TRAP",
	"CR3_WRITE_TRAP",
	"CR4_WRITE_TRAP",
	"CR5_WRITE_TRAP",
	"CR6_WRITE_TRAP",
	"CR7_WRITE_TRAP",
	"CR8_WRITE_TRAP",
	"CR9_WRITE_TRAP",
	"CR10_WRITE_TRAP",
	"CR11_WRITE_TRAP",
	"CR12_WRITE_TRAP",
	"CR13_WRITE_TRAP",
	"CR14_WRITE_TRAP",
	"CR15_WRITE_TRAP",
	"INVLPGB",
	"INVLPGB_ILLEGAL",
	"INVPCID",
	"MCOMMIT",
	"TLBSYNC",
};

static const char *const excp[32] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "09", "TS",
	"NP", "SS", "GP",  "PF", "15", "MF", "AC", "MC", "XM", "VE", "CP",
	"22", "23", "24",  "25", "26", "27", "HV", "VC", "SX", "31",
};

const char *vg_exit_reason_name(enum vg_vendor vendor, uint64_t code, char *buf,
				size_t bufsz)
{
	if (vendor == VG_VENDOR_VMX) {
		unsigned basic = (unsigned)(code & 0xffff);
		const char *n =
			basic < sizeof(vmx_names) / sizeof(vmx_names[0]) ?
				vmx_names[basic] :
				NULL;

		if (n)
			snprintf(buf, bufsz, "%s%s",
				 (code & 0x80000000u) ? "VM-entry failure: " :
							"",
				 n);
		else
			snprintf(buf, bufsz, "unknown(%u)", basic);
		return buf;
	}
	if (code < 0x10)
		snprintf(buf, bufsz, "READ_CR%u", (unsigned)code);
	else if (code < 0x20)
		snprintf(buf, bufsz, "WRITE_CR%u", (unsigned)(code - 0x10));
	else if (code < 0x30)
		snprintf(buf, bufsz, "READ_DR%u", (unsigned)(code - 0x20));
	else if (code < 0x40)
		snprintf(buf, bufsz, "WRITE_DR%u", (unsigned)(code - 0x30));
	else if (code < 0x60)
		snprintf(buf, bufsz, "EXCP_%s", excp[code - 0x40]);
	else if (code - 0x60 < sizeof(svm_names) / sizeof(svm_names[0]))
		snprintf(buf, bufsz, "%s", svm_names[code - 0x60]);
	else if (code == 0x400)
		snprintf(buf, bufsz, "NPF");
	else if (code == 0x401)
		snprintf(buf, bufsz, "AVIC_INCOMPLETE_IPI");
	else if (code == 0x402)
		snprintf(buf, bufsz, "AVIC_UNACCELERATED_ACCESS");
	else if (code == 0x403)
		snprintf(buf, bufsz, "VMGEXIT");
	else if (code == (uint64_t)-1)
		snprintf(buf, bufsz, "INVALID");
	else if (code == (uint64_t)-2)
		snprintf(buf, bufsz, "BUSY");
	else
		snprintf(buf, bufsz, "unknown(0x%llx)",
			 (unsigned long long)code);
	return buf;
}
