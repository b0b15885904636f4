# tests/: cmocka unit tests, one file per module, mirroring the tree
# (tests/src/test_outfile.c tests src/outfile.c).
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

$(B)/tests/test_outfile: $(B)/obj/tests/src/test_outfile.o $(VG_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/test_outfile
include tests/fuzz/build.mk
