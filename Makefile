# cunzhan — build, run, test.  `make` builds ./cunzhan; `make check` installs
# what is missing (scripts/setup), builds and runs every test; `make run`
# builds the demo data and opens it.
#
# Object files and test binaries go under src/.build/<variant>/ so the top
# level stays src, screens, keys, tests, scripts, Makefile, README.md,
# LICENSE (README.md, the layout).  Variants: rel (default), asan,
# fuzz (clang + libFuzzer: `make fuzz`, `make fuzz-smoke`).

PREFIX  ?= /usr/local
CC      ?= cc
VARIANT ?= rel
B       := src/.build/$(VARIANT)

# The i386 variant (`make i386`) is the same program for 32-bit PCs, cross
# compiled on a 64-bit one: Debian's i686 compiler and the :i386 -dev
# packages (scripts/setup), 64-bit file offsets and time, its own
# pkg-config search path; no printing and no mirror (PRINT, MIRROR below).
ifeq ($(VARIANT),i386)
CC         := i686-linux-gnu-gcc
PRINT      := 0
MIRROR     := no
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
endif
PKG_CONFIG ?= pkg-config

# Lazily expanded so `make check` can install the packages before they are read.
# icu-uc icu-i18n: pinyin readings and Chinese sort order (src/pinyin.h).
CORE_PKGS  = lmdb libsodium libutf8proc jansson libzstd icu-uc icu-i18n
# Printing (src/print*.c: PDF through pango and cairo) is on unless
# PRINT=0, which builds src/print_none.c instead, whose functions say
# CZ_ENOPRINT: for a PC or a 32-bit build without the libraries.  Give it
# a build folder of its own (make PRINT=0 B=src/.build/noprint
# BIN_rel=src/.build/noprint/cunzhan), or `make clean` when switching.
PRINT ?= 1
PRINT_PKGS_1 = pangocairo
PRINT_PKGS = $(PRINT_PKGS_$(PRINT))
CORE_PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) $(PRINT_PKGS) 2>/dev/null)
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) ncursesw 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) $(PRINT_PKGS) 2>/dev/null)
PKG_LIBS   += -pthread
CURSES_LIBS = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
# The PostgreSQL mirror (src/mirror*.c, src/MIRROR.md) is the one part of
# the core that links libpq.  MIRROR=no builds without it (a 32-bit or
# minimal PC): `cunzhan mirror` then says this build has none.
MIRROR ?= yes
ifeq ($(MIRROR),yes)
MIRROR_CFLAGS = $(shell $(PKG_CONFIG) --cflags libpq 2>/dev/null)
PKG_LIBS   += $(shell $(PKG_CONFIG) --libs libpq 2>/dev/null || echo -lpq)
else
MIRROR_CFLAGS = -DCZ_NO_MIRROR
endif

OPT_rel   = -O2 -g
OPT_i386  = -O2 -g -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
OPT_asan  = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT_fuzz  = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?=

# Layers, enforced by what each one may include:
#   src/*.c        the core, libcunzhan.a: its own headers only (-Isrc), no
#                  curses, so a core file that includes a screen, keymap or
#                  command-line header does not compile;
#   screens/ keys/ the screens and keymaps: the core's public headers too;
#   src/cli/       the command line and main(), above both: linked into the
#                  binaries, never into libcunzhan.a, which the tests link.
# Tests and tools sit above the core (CZ_CFLAGS).  A quoted include with a
# path in it would step around -I, so $(LAYERS_OK) refuses those.
CZ_BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT_$(VARIANT))
CORE_CFLAGS = $(CZ_BASE_CFLAGS) $(CORE_PKG_CFLAGS) -Isrc $(CFLAGS)
CZ_CFLAGS   = $(CZ_BASE_CFLAGS) $(PKG_CFLAGS) -Isrc -Iscreens -Ikeys $(CFLAGS)
CLI_CFLAGS  = $(CZ_BASE_CFLAGS) $(PKG_CFLAGS) -Isrc -Isrc/cli -Iscreens -Ikeys $(CFLAGS)
CZ_LDFLAGS = $(OPT_$(VARIANT)) $(LDFLAGS)

LIB_SRC    := $(wildcard src/*.c)
ifeq ($(PRINT),1)
LIB_SRC    := $(filter-out src/print_none.c,$(LIB_SRC))
else
LIB_SRC    := $(filter-out src/print.c src/print_%.c,$(LIB_SRC)) src/print_none.c
endif
ifneq ($(MIRROR),yes)
LIB_SRC    := $(filter-out src/mirror%.c,$(LIB_SRC))
endif
CLI_SRC    := $(wildcard src/cli/*.c)
SCREEN_SRC := $(wildcard screens/*.c) $(wildcard keys/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(B)/%.o)
SCREEN_OBJ := $(SCREEN_SRC:%.c=$(B)/%.o)
# The default keymap, compiled in: keys/default.keys as a C string.
KEYS_GEN   := $(B)/gen/default_keys.c
SCREEN_OBJ += $(KEYS_GEN:.c=.o)
LIB        := $(B)/libcunzhan.a
LAYERS_OK  := $(B)/layers.ok
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
BIN_rel    := cunzhan
BIN_asan   := $(B)/cunzhan
BIN_i386   := $(B)/cunzhan
BIN        := $(BIN_$(VARIANT))
# Test builds (unit suites, the binary the scenarios run, every variant's):
# key slots are sealed with Argon2id's weakest limits (src/keys.c,
# CZ_TEST_KDF), chosen here at compile time and never by the environment,
# so `make`, `make install` and `make run` keep the real limits.
TEST_KDF   := -DCZ_TEST_KDF
KEYS_TEST_OBJ := $(B)/test/src/keys.o
TEST_LIB   := $(B)/libcunzhan-test.a
TEST_BIN   := $(B)/cunzhan-test

.PHONY: bench all run check test test-bin unit scenario asan valgrind install clean setup demo demo-print i386 \
        fuzz fuzz-smoke fuzz-bins fuzz-corpus
all: $(BIN)

# The most specific pattern wins (GNU make: the shortest stem).
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -MMD -MP -c $< -o $@

$(B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -MMD -MP -c $< -o $@

$(B)/src/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) $(MIRROR_CFLAGS) -MMD -MP -c $< -o $@

# The mirror's files, and only they, see libpq's headers.
$(filter $(B)/src/mirror%,$(LIB_OBJ)): $(B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(MIRROR_CFLAGS) -MMD -MP -c $< -o $@

# No quoted include with a path (it would reach another layer's header
# around -I), no curses in the core, and neither the screens nor the command
# line open transactions, reach the store or build index terms: they ask the
# query layer (overview.h, query.h).  No two core modules include each
# other, however indirectly (tsort finds the loop).  Checked before either library is
# archived; `make layers` runs it alone.
.PHONY: layers
layers: $(LAYERS_OK)

$(LAYERS_OK): $(wildcard src/*.[ch] src/cli/*.[ch] screens/*.[ch] keys/*.[ch])
	@mkdir -p $(dir $@)
	@if grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' $^; then \
	    echo "layers: include a header by its name alone; the layer's -I flags say what it may see" >&2; exit 1; fi
	@if grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*<n\{0,1\}curses' $(filter src/%,$(filter-out src/cli/%,$^)); then \
	    echo "layers: the core never includes curses: that belongs to screens/" >&2; exit 1; fi
	@if grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_0-9]*_int\.h"' \
	        $(filter-out src/cli/cli_int.h,$(filter screens/% keys/% src/cli/%,$^)) | grep -v 'cli_int\.h'; then \
	    echo "layers: a core module's _int.h is its own: screens/, keys/ and src/cli/ use the public headers" >&2; exit 1; fi
	@if grep -nE '\<(cz_txn_begin|cz_station_store|cz_store_[[:alnum:]_]*|cz_term_[[:alnum:]_]*)\(' \
	        $(filter screens/% src/cli/%,$^); then \
	    echo "layers: screens/ and src/cli/ ask the query layer (overview.h, cz_view_*), never the store or index terms" >&2; exit 1; fi
	@for f in $(filter src/%,$(filter-out src/cli/%,$^)); do \
	    m=$${f##*/}; m=$${m%.*}; m=$${m%_int}; \
	    for h in $$(sed -n 's/^#include "\([a-z_0-9]*\)\.h".*/\1/p' $$f); do \
	        d=$${h%_int}; [ -f src/$$h.h ] && [ "$$d" != "$$m" ] && echo "$$m $$d"; \
	    done; \
	done | tsort >/dev/null || { echo "layers: the core's modules include each other in a loop (named above)" >&2; exit 1; }
	@touch $@

$(KEYS_GEN): keys/default.keys
	@mkdir -p $(dir $@)
	{ echo "/* generated from keys/default.keys */"; echo "#include \"keymap.h\""; \
	  echo "const char cz_default_keys[] ="; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ";"; } > $@.tmp && mv $@.tmp $@

$(KEYS_GEN:.c=.o): $(KEYS_GEN)
	$(CC) $(CZ_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ) | $(LAYERS_OK)
	@rm -f $@
	ar rcs $@ $^

$(KEYS_TEST_OBJ): src/keys.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(TEST_KDF) -MMD -MP -c $< -o $@

$(TEST_LIB): $(filter-out $(B)/src/keys.o,$(LIB_OBJ)) $(KEYS_TEST_OBJ) | $(LAYERS_OK)
	@rm -f $@
	ar rcs $@ $^

# The test binary alone can play an older build (tests/scenario/olderbuild.c).
OLDER_OBJ := $(B)/test/olderbuild.o
$(OLDER_OBJ): tests/scenario/olderbuild.c
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -MMD -MP -c $< -o $@
$(TEST_BIN): $(CLI_OBJ) $(SCREEN_OBJ) $(OLDER_OBJ) $(TEST_LIB)
	$(CC) $(CZ_LDFLAGS) -o $@ $(CLI_OBJ) $(SCREEN_OBJ) $(OLDER_OBJ) $(TEST_LIB) $(PKG_LIBS) $(CURSES_LIBS)

$(BIN): $(CLI_OBJ) $(SCREEN_OBJ) $(LIB)
	$(CC) $(CZ_LDFLAGS) -o $@ $(CLI_OBJ) $(SCREEN_OBJ) $(LIB) $(PKG_LIBS) $(CURSES_LIBS)

# Every suite links the shared test set-up (tests/unit/testkit.c, .h).
TESTKIT_OBJ := $(B)/tests/unit/testkit.o $(B)/tests/unit/tk_office.o
$(B)/tests/%: tests/unit/%.c tests/unit/testkit.h $(TESTKIT_OBJ) $(TEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -o $@ $< $(TESTKIT_OBJ) $(TEST_LIB) $(PKG_LIBS) $(CMOCKA_LIBS)

# test_keymap also links the keymap loader and the compiled-in default
# keymap; keymap.c uses only curses' key-code macros, so no curses library.
$(B)/tests/test_keymap: tests/unit/test_keymap.c $(B)/keys/keymap.o $(KEYS_GEN:.c=.o) $(TESTKIT_OBJ) $(TEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)

# test_cli_progress tests the progress bar's text: it links that one
# command-line module, which draws with the core's width function only.
$(B)/tests/test_cli_progress: tests/unit/test_cli_progress.c $(B)/src/cli/cli_progress.o $(TESTKIT_OBJ) $(TEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)

setup:
	scripts/setup

# The demo: an office and village stations under src/.build (ignored by git).
DEMO_DIR ?= src/.build/demo
demo: $(BIN)
	@if [ ! -d "$(DEMO_DIR)/yangshuwan" ]; then ./$(BIN) -C $(DEMO_DIR) demo; fi

# Sample PDFs of the demo (README.md, "Printing"): a household's card, the
# public notice of an exit and the office's report, with a PNG of each
# first page, in DEMO_PRINT_DIR.  The demo's second exit (杨树林's) is
# taken to the county's decision on a demo of its own there, so that the
# notice has an exit awaiting it; the notice closes seven days from now.
DEMO_PRINT_DIR ?= src/.build/demo-print
DEMO_PRINT_CZ = CUNZHAN_PASSPHRASE=demo ./$(BIN) -C $(DEMO_PRINT_DIR)/demo
demo-print: $(BIN)
	rm -rf $(DEMO_PRINT_DIR)
	mkdir -p $(DEMO_PRINT_DIR)
	./$(BIN) -C $(DEMO_PRINT_DIR)/demo demo >/dev/null
	e=$$($(DEMO_PRINT_CZ)/office list exit | awk '/3900.00/ { print $$1 }') && \
	    $(DEMO_PRINT_CZ)/office --user 王县长 approve "$$e" --step county >/dev/null
	$(DEMO_PRINT_CZ)/yangshuwan print card YSW-2016-01 --to $(DEMO_PRINT_DIR)/card.pdf
	$(DEMO_PRINT_CZ)/office print notice --village 411024104201 --to $(DEMO_PRINT_DIR)/notice.pdf
	$(DEMO_PRINT_CZ)/office print report --to $(DEMO_PRINT_DIR)/report.pdf
	for d in card notice report; do pdftoppm -r 60 -png -singlefile $(DEMO_PRINT_DIR)/$$d.pdf $(DEMO_PRINT_DIR)/$$d; done
	@echo "demo-print: card.pdf, notice.pdf, report.pdf (and a PNG of each first page) in $(DEMO_PRINT_DIR)"

run: setup
	$(MAKE) all
	$(MAKE) demo
	CUNZHAN_PASSPHRASE=$${CUNZHAN_PASSPHRASE:-demo} ./$(BIN) -C $(DEMO_DIR)/yangshuwan

# Every unit suite and every scenario script is a target of its own
# (unit-test_load, scenario-core), so that `make -j2 test` runs them side
# by side; each keeps to its own temporary folders (testkit.h, lib.bash).
# A suite's output goes to $(LOGS)/<target>.log: one line when it passes,
# the whole log and the suite's name when it fails.  TEST_WRAP goes before
# every unit suite (valgrind below).
LOGS          ?= $(B)/logs
UNIT_RUNS     := $(UNIT_BIN:$(B)/tests/%=unit-%)
SCENARIO_RUNS := $(patsubst tests/scenario/%.sh,scenario-%,$(wildcard tests/scenario/*.sh))
.PHONY: $(UNIT_RUNS) $(SCENARIO_RUNS)

# $(call logged,TARGET,COMMAND): COMMAND with its output in TARGET's log.
logged = mkdir -p $(LOGS); t0=$$(date +%s); \
	if $(2) >$(LOGS)/$(1).log 2>&1; then \
	    echo "ok   $(1) ($$(($$(date +%s) - t0))s) $$(tail -n1 $(LOGS)/$(1).log)"; \
	else rc=$$?; cat $(LOGS)/$(1).log; echo "FAIL $(1): exit $$rc (whole log: $(LOGS)/$(1).log)"; exit 1; fi

unit: $(UNIT_RUNS)
$(UNIT_RUNS): unit-%: $(B)/tests/%
	@$(call logged,$@,$(TEST_WRAP) $<)

# The scenarios run the test build (TEST_KDF): `make test-bin` builds it
# alone, for running one script by hand (README.md).
test-bin: $(TEST_BIN)

scenario: $(SCENARIO_RUNS)
# LeakSanitizer (make asan) is told of what libraries keep for the life of
# the process: fontconfig's cache (pango, for print), p11-kit's locale
# (libpq, for the mirror): tests/scenario/lsan.supp.
$(SCENARIO_RUNS): scenario-%: tests/scenario/%.sh $(TEST_BIN)
	@$(call logged,$@,env CUNZHAN=$(CURDIR)/$(TEST_BIN) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/scenario/lsan.supp bash $<)

# The whole-screen goldens (tests/golden/LANG/NAME.txt, screens_golden.sh)
# written afresh from the current binary, then checked once against it so
# that a screen that does not come out the same twice shows now: after a
# deliberate change to a screen, `make golden` and review
# `git diff tests/golden`.
.PHONY: golden
golden: $(TEST_BIN)
	rm -f tests/golden/zh/*.txt tests/golden/en/*.txt
	-env GOLDEN_UPDATE=1 CUNZHAN=$(CURDIR)/$(TEST_BIN) bash tests/scenario/screens_golden.sh
	env CUNZHAN=$(CURDIR)/$(TEST_BIN) bash tests/scenario/screens_golden.sh

# Under -j the longest suites start first, so that the last to finish is
# a short one.
SLOW_RUNS := $(filter $(SCENARIO_RUNS) $(UNIT_RUNS),scenario-screens_switch scenario-faults scenario-restore scenario-screens_sync \
                      scenario-screens_admin unit-test_bundle scenario-screens_forms unit-test_merge \
                      scenario-i386_100k)
test: all $(SLOW_RUNS) scenario unit
	@echo "make check: all tests passed"

check: setup
	$(MAKE) --no-print-directory test
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory i386

# The unit and scenario tests again on a 32-bit build (VARIANT=i386 above):
# the program villages run on old 32-bit installs.
i386:
	$(MAKE) --no-print-directory VARIANT=i386 all $(SLOW_RUNS) scenario unit
	@echo "make i386: all tests passed"

asan:
	$(MAKE) --no-print-directory VARIANT=asan test

valgrind: $(UNIT_BIN)
	$(MAKE) --no-print-directory unit LOGS=$(B)/logs/valgrind TEST_WRAP="env CZ_MUTATIONS=300 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"

# Fuzzing (tests/fuzz/, README.md): libFuzzer targets built with clang under
# ASan+UBSan, one per tests/fuzz/fuzz_*.c.  `make fuzz` runs each
# FUZZ_SECONDS (FUZZ="draft keymap": only those); `make fuzz-smoke` (part
# of `make check`) replays tests/fuzz/regress/ and fuzzes each target
# briefly, one make target each (fuzz-smoke-draft), side by side under -j.
FUZZ_TARGETS       := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN           := $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 12
FUZZ_CC            ?= clang
FUZZ_SMOKE_RUNS    := $(FUZZ_TARGETS:%=fuzz-smoke-%)
.PHONY: fuzz-smoke-all $(FUZZ_SMOKE_RUNS)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzzkeys.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(PKG_LIBS)

# The keymap loader and the compiled-in default keymap, as test_keymap.
$(B)/fuzz/fuzz_keymap: tests/fuzz/fuzz_keymap.c $(B)/keys/keymap.o $(KEYS_GEN:.c=.o)
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -Ikeys -fsanitize=fuzzer -o $@ $^

fuzz-bins: $(FUZZ_BIN)

fuzz: setup
	$(MAKE) --no-print-directory VARIANT=fuzz CC=$(FUZZ_CC) fuzz-bins
	tests/fuzz/run src/.build/fuzz/fuzz $(FUZZ_SECONDS) $(or $(FUZZ),$(FUZZ_TARGETS))

fuzz-smoke:
	$(MAKE) --no-print-directory VARIANT=fuzz CC=$(FUZZ_CC) fuzz-smoke-all

fuzz-smoke-all: $(FUZZ_SMOKE_RUNS)
$(FUZZ_SMOKE_RUNS): fuzz-smoke-%: $(B)/fuzz/fuzz_%
	@$(call logged,$@,tests/fuzz/run $(B)/fuzz $(FUZZ_SMOKE_SECONDS) $*)

# Regenerates the seed corpora (a fresh bundle each time: sealing is random).
$(B)/tests/mkcorpus: tests/fuzz/mkcorpus.c tests/fuzz/fuzzkeys.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

fuzz-corpus: $(B)/tests/mkcorpus
	$(B)/tests/mkcorpus tests/fuzz/corpus

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/cunzhan

clean:
	rm -rf src/.build cunzhan

-include $(shell find src/.build -name '*.d' 2>/dev/null)

include tests/bench/bench.mk
