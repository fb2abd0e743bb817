# make bench: the benchmarks (tests/bench/bench.c, tests/bench/README.md).  Sizes in
.PHONY: bench
# records: BENCH_SIZES="10000 100000 1000000" (the default).  Prints a
# markdown table for tests/bench/README.md (also in $(B)/bench.md) and writes CSV.
# bench_bounds.c: signing and verifying on one core and on all; bench_stat.c:
# the database's bytes by table, from LMDB itself; bench_report.c: the tables.
BENCH_BIN := $(B)/bench
BENCH_SRC := tests/bench/bench.c tests/bench/bench_bounds.c tests/bench/bench_stat.c tests/bench/bench_report.c
$(BENCH_BIN): $(BENCH_SRC) tests/bench/bench.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -o $@ $(BENCH_SRC) $(LIB) $(PKG_LIBS) -lutil

bench: setup
	$(MAKE) --no-print-directory all $(BENCH_BIN)
	@command -v age >/dev/null || echo "bench: install the Debian package age to compare bundle sizes"
	CZ_TOP=$(CURDIR) BENCH_CSV=$(B)/bench.csv BENCH_MD=$(B)/bench.md ./$(BENCH_BIN)
	$(MAKE) --no-print-directory mirrorbench

# make putbench: cz_store_put_entry alone (tests/bench/putbench.c).
# PUTBENCH_N records (100000), PUTBENCH_TXN per transaction, PUTBENCH_EDITS=1.
.PHONY: putbench
PUTBENCH_BIN := $(B)/putbench
$(PUTBENCH_BIN): tests/bench/putbench.c tests/unit/testkit.h $(TESTKIT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CZ_CFLAGS) -Itests/unit -o $@ $< $(TESTKIT_OBJ) $(LIB) $(PKG_LIBS)

putbench: $(PUTBENCH_BIN)
	./$(PUTBENCH_BIN) $(or $(PUTBENCH_N),100000)

# make mirrorbench: `cunzhan mirror` of MIRRORBENCH_N households (1000000)
# against COPY of the same rows into bare tables, on a throwaway
# PostgreSQL cluster (tests/bench/mirrorbench.sh); part of `make bench`.
.PHONY: mirrorbench
mirrorbench: $(BIN)
	CUNZHAN=$(CURDIR)/$(BIN) bash tests/bench/mirrorbench.sh
