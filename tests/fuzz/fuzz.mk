# tests/fuzz/fuzz.mk: how tests/fuzz/run.sh builds the fuzz targets.
# Run from the repository root: make -f tests/fuzz/fuzz.mk fuzz-build
#
# It reads the top Makefile for what the front is made of (the front's folders,
# SOURCE_FILES and their flags), so a new module or source is fuzzed
# without an edit here, and compiles its own copies of those objects under
# tests/fuzz/build/ with clang's fuzzer instrumentation and sanitizers;
# the main build's objects are never touched.

include Makefile

FZ = tests/fuzz/build
FUZZ_CC = clang
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SANITIZE)
FUZZ_CPPFLAGS = $(FRONT_CPPFLAGS) $(FRONT_CFLAGS) -iquote tests/fuzz

# The front's modules and sources but the table, which each target defines
# for itself. An archive: a target links only what it uses (a source may
# use another, as stash-develop does stash).
FUZZ_LIB_SRCS = $(filter-out src/front/main.c,$(wildcard src/front/*.c)) \
	$(wildcard src/common/*.c) $(SOURCE_FILES)
FUZZ_LIB_OBJS = $(FUZZ_LIB_SRCS:%.c=$(FZ)/obj/%.o)
FUZZ_SOURCES = $(notdir $(SOURCE_FILES:.c=))
FUZZ_BINS = $(FZ)/fuzz-http $(FZ)/fuzz-form $(FZ)/fuzz-status $(FZ)/fuzz-tree-check \
	$(FUZZ_SOURCES:%=$(FZ)/fuzz-source-%)

fuzz-build: $(FUZZ_BINS)

fuzz-list-sources:
	@echo $(FUZZ_SOURCES)

$(FZ)/obj/%.o: %.c src/front/*.h src/common/*.h $(BUILD)/paths.h tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(WARNINGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/libfront.a: $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $(FUZZ_LIB_OBJS)

$(FZ)/fuzz-http $(FZ)/fuzz-form $(FZ)/fuzz-status: $(FZ)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FZ)/libfront.a
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(WARNINGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
		-o $@ $< $(FZ)/libfront.a $(FRONT_LIBS)

# One binary per source: SOURCE_SYM names its struct, as the table does.
$(FZ)/fuzz-source-%: tests/fuzz/fuzz-source.c tests/fuzz/fuzz.h $(FZ)/libfront.a
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(WARNINGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
		-DSOURCE_SYM=source_$(subst -,_,$*) \
		-o $@ $< $(FZ)/libfront.a $(FRONT_LIBS)

# The helper's tree check: its pure core, tree_entry.c, without libgit2.
TREE_CHECK_SRCS = src/sync/tree_entry.c
$(FZ)/fuzz-tree-check: tests/fuzz/fuzz-tree-check.c tests/fuzz/fuzz.h $(TREE_CHECK_SRCS) \
		src/sync/tree_entry.h src/common/utf8.h tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) -D_GNU_SOURCE -iquote src/sync -iquote src/common -iquote tests/fuzz \
		$(WARNINGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(TREE_CHECK_SRCS)

.PHONY: fuzz-build fuzz-list-sources
