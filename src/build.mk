# src/: the vmcore-guests library (libvmcoreguests.a) and CLI.
VG_LIB_SRCS := src/outfile.c
VG_LIB := $(B)/lib/libvmcoreguests.a

$(VG_LIB): $(VG_LIB_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

LIBS_ALL += $(VG_LIB)
