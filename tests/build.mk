# tests/: cmocka unit tests, one file per module, mirroring the tree
# (tests/src/test_outfile.c tests src/outfile.c).
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

$(B)/tests/test_outfile: $(B)/obj/tests/src/test_outfile.o $(VG_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/test_outfile
# The kdump-compressed guest dump, read back through src/hostdump.c
# (libkdumpfile): it links the whole library.
$(B)/tests/test_kdumpcore: $(B)/obj/tests/src/test_kdumpcore.o \
		$(B)/obj/tests/src/memfixture.o $(VG_LIB) $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(VG_LDLIBS) \
		$(VGNOTES_LDLIBS)

UNIT_TESTS += $(B)/tests/test_kdumpcore

include tests/fuzz/build.mk

# tests/tools/elf2kdump: an ELF guest vmcore through the kdump-compressed
# writer (tests/kdump-compare.sh holds it against makedumpfile).
$(B)/tests/elf2kdump: $(B)/obj/tests/tools/elf2kdump.o $(VG_LIB) $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VG_LDLIBS) $(VGNOTES_LDLIBS)

PROGRAMS += $(B)/tests/elf2kdump
