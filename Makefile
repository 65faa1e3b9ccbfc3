# sentry-source: see README.md. Targets: all check demo bench fuzz install uninstall clean.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
WARNINGS = -Wall -Wextra
# A tree's own build settings (CC, CFLAGS, LDFLAGS), kept for every later
# make in it: the sanitized copy of tests/lib-sanitize.sh writes one, so
# that `make install` there rebuilds with the same compiler and flags.
-include config.mk

# Objects and generated files; never in src/.
BUILD = build

# Nettle serves both programs: HMAC-SHA256 and SHA256 for the front's
# signatures; base64 and HMAC-SHA1 for the helper's known_hosts and key
# checks (bench/README.md says why Nettle, not libcrypto or libmbedcrypto).
# The front links it statically: loaded as a shared library (its symbols
# all bound at start) it cost every request about 0.15 of the floor; the
# few functions the front uses add 46 KB to the image. NETTLE_FRONT_LIBS=
# -lnettle links it as a shared library instead.
FRONT_PKGS = libcjson
NETTLE_FRONT_LIBS = -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs nettle) -Wl,-Bdynamic
SYNC_PKGS = libgit2 nettle libcrypto zlib

# Each side sees its own folder and common/, through -iquote only: a front
# file that includes a helper's header does not compile, and no project
# header can stand in for a system one.
CPPFLAGS_ALL = -D_GNU_SOURCE $(CPPFLAGS)
COMMON_CPPFLAGS = -iquote src/common $(CPPFLAGS_ALL)
FRONT_CPPFLAGS = -iquote src/front -iquote $(BUILD) $(COMMON_CPPFLAGS)
SYNC_CPPFLAGS = -iquote src/sync $(COMMON_CPPFLAGS)
FRONT_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(FRONT_PKGS) nettle)
FRONT_LIBS = $(shell $(PKG_CONFIG) --libs $(FRONT_PKGS)) $(NETTLE_FRONT_LIBS)
SYNC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(SYNC_PKGS))
SYNC_LIBS = $(shell $(PKG_CONFIG) --libs $(SYNC_PKGS))

# A bare machine: name the packages, rather than fail in the compiler.
# Not for the targets that install them first (deps, and check, demo,
# bench and fuzz through it), nor for those that build nothing.
BUILD_DEPS_DEBIAN = build-essential pkg-config libgit2-dev libssh2-1-dev libcjson-dev nettle-dev libssl-dev zlib1g-dev
ifneq ($(filter-out clean uninstall deps check demo bench fuzz,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell $(PKG_CONFIG) --exists $(FRONT_PKGS) $(SYNC_PKGS) 2>/dev/null && echo ok),ok)
$(error pkg-config does not find $(FRONT_PKGS) $(SYNC_PKGS); on Debian: apt-get install $(BUILD_DEPS_DEBIAN))
endif
endif

# Every sources/*.c but the template is a compiled-in source.
SOURCE_FILES = $(sort $(filter-out sources/template.c,$(wildcard sources/*.c)))
SOURCE_OBJS = $(SOURCE_FILES:%.c=$(BUILD)/%.o)

# Linked into both programs: no cJSON, no libgit2.
COMMON_OBJS = $(patsubst src/%.c,$(BUILD)/%.o,$(sort $(wildcard src/common/*.c)))
# The front: reads requests; never links libgit2 (see README.md).
FRONT_MAIN_OBJS = $(BUILD)/front/main.o
FRONT_LIB_OBJS = $(filter-out $(FRONT_MAIN_OBJS),$(patsubst src/%.c,$(BUILD)/%.o, \
	$(sort $(wildcard src/front/*.c)))) $(BUILD)/source_table.o $(SOURCE_OBJS) $(COMMON_OBJS)
FRONT_OBJS = $(FRONT_MAIN_OBJS) $(FRONT_LIB_OBJS)
# The sync helper: holds the key and the repository; parses no payload.
SYNC_OBJS = $(patsubst src/%.c,$(BUILD)/%.o,$(sort $(wildcard src/sync/*.c))) $(COMMON_OBJS)

MANPAGES = man/sentry-source.8 man/sentry-source-sync.8 man/sentry-source.conf.5 \
	man/sentry-source-sources.7
UNITS = examples/sentry-source.socket examples/sentry-source@.service \
	examples/sentry-source-sync.service examples/sentry-source-sync.timer \
	examples/sentry-source-dir.socket examples/sentry-source-dir@.service \
	examples/sentry-source-sync@.service examples/sentry-source-sync@.timer
# Copied for the operator to adapt, not installed as units: the reload
# pair runs as root and names the service it reloads.
EXAMPLES = examples/sentry-source.conf examples/web-served.conf \
	examples/nginx-sentry-source.conf \
	examples/sentry-source-reload.path examples/sentry-source-reload.service

# Every tests/unit/test-*.c is a TAP program.
UNIT_TESTS = $(patsubst %.c,%,$(sort $(wildcard tests/unit/test-*.c)))
# The unit tests of the helper's side; the others test the front's. A
# tests/unit/test-sync-NAME.c is one without anything to add here: it is
# linked with every object of the helper but its main().
SYNC_UNIT_TESTS = tests/unit/test-known-hosts tests/unit/test-pathglob \
	tests/unit/test-remove-tree $(filter tests/unit/test-sync-%,$(UNIT_TESTS))
SYNC_LIB_OBJS = $(filter-out $(BUILD)/sync/sync_main.o,$(SYNC_OBJS))
UNIT_SUPPORT = $(BUILD)/tests/unit/tap.o $(BUILD)/tests/unit/request.o
# Programs the test scripts drive (not TAP programs themselves), and the
# bench's program that links the helper's objects (built by make check so
# that a change to the helper cannot leave make bench unbuildable).
TEST_TOOLS = tests/unit/http-verdict $(BUILD)/bench/intent_cost

all: sentry-source sentry-source-sync

sentry-source: $(FRONT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(FRONT_OBJS) $(FRONT_LIBS)

sentry-source-sync: $(SYNC_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(SYNC_OBJS) $(SYNC_LIBS)

# Where the front finds its helper. Rewritten only when LIBEXECDIR changes,
# so `make install PREFIX=/usr` after `make` rebuilds what depends on it.
$(BUILD)/paths.h: FORCE
	@mkdir -p $(@D)
	@printf '#define LIBEXECDIR "%s"\n' '$(LIBEXECDIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/front/exec_sync.o: $(BUILD)/paths.h

# The table of sources, made from the file names: adding a source is
# adding a file.
$(BUILD)/source_table.c: $(SOURCE_FILES) Makefile
	@mkdir -p $(@D)
	@{ echo '/* Made by make from the files in sources/; do not edit. */'; \
	  echo '#include <stddef.h>'; echo '#include "source.h"'; \
	  for f in $(SOURCE_FILES); do n=$$(basename $$f .c | tr - _); \
	    echo "extern const struct source source_$$n;"; done; \
	  echo 'const struct source *const source_table[] = {'; \
	  for f in $(SOURCE_FILES); do n=$$(basename $$f .c | tr - _); \
	    echo "	&source_$$n,"; done; \
	  echo '	NULL'; echo '};'; } > $@.tmp && mv $@.tmp $@

COMPILE = $(CC) $(SIDE_CPPFLAGS) $(WARNINGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/common/%.o: SIDE_CPPFLAGS = $(COMMON_CPPFLAGS)
$(BUILD)/common/%.o: src/common/%.c src/common/*.h Makefile
	@mkdir -p $(@D)
	$(COMPILE)
$(BUILD)/front/%.o: SIDE_CPPFLAGS = $(FRONT_CPPFLAGS) $(FRONT_CFLAGS)
$(BUILD)/front/%.o: src/front/%.c src/front/*.h src/common/*.h Makefile
	@mkdir -p $(@D)
	$(COMPILE)
$(BUILD)/sources/%.o: SIDE_CPPFLAGS = $(FRONT_CPPFLAGS) $(FRONT_CFLAGS)
$(BUILD)/sources/%.o: sources/%.c src/front/*.h src/common/*.h Makefile
	@mkdir -p $(@D)
	$(COMPILE)
$(BUILD)/source_table.o: SIDE_CPPFLAGS = $(FRONT_CPPFLAGS) $(FRONT_CFLAGS)
$(BUILD)/source_table.o: $(BUILD)/source_table.c src/front/source.h
	$(COMPILE)
$(BUILD)/sync/%.o: SIDE_CPPFLAGS = $(SYNC_CPPFLAGS) $(SYNC_CFLAGS)
$(BUILD)/sync/%.o: src/sync/%.c src/sync/*.h src/common/*.h Makefile
	@mkdir -p $(@D)
	$(COMPILE)

# Unit tests see the side they test; the tests' own helpers are quoted too.
$(BUILD)/tests/unit/%.o: SIDE_CPPFLAGS = -iquote tests/unit $(FRONT_CPPFLAGS) $(FRONT_CFLAGS)
$(BUILD)/tests/unit/%.o: tests/unit/%.c tests/unit/*.h src/front/*.h src/common/*.h Makefile
	@mkdir -p $(@D)
	$(COMPILE)
$(SYNC_UNIT_TESTS:tests/unit/%=$(BUILD)/tests/unit/%.o): SIDE_CPPFLAGS = -iquote tests/unit $(SYNC_CPPFLAGS) $(SYNC_CFLAGS)
$(SYNC_UNIT_TESTS:tests/unit/%=$(BUILD)/tests/unit/%.o): $(BUILD)/tests/unit/%.o: \
		tests/unit/%.c tests/unit/*.h src/sync/*.h src/common/*.h Makefile
	@mkdir -p $(@D)
	$(COMPILE)

tests/unit/test-%: $(BUILD)/tests/unit/test-%.o $(UNIT_SUPPORT) $(FRONT_LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(FRONT_LIBS)
# The template, built as a real source and judged as one.
tests/unit/test-template: $(BUILD)/tests/unit/test-template.o $(BUILD)/sources/template.o \
		$(UNIT_SUPPORT) $(FRONT_LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(FRONT_LIBS)
$(BUILD)/bench/%.o: SIDE_CPPFLAGS = $(SYNC_CPPFLAGS) $(SYNC_CFLAGS)
$(BUILD)/bench/%.o: bench/%.c src/sync/*.h src/common/*.h Makefile
	@mkdir -p $(@D)
	$(COMPILE)
$(BUILD)/bench/intent_cost: $(BUILD)/bench/intent_cost.o $(SYNC_LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(SYNC_LIBS)
tests/unit/http-verdict: $(BUILD)/tests/unit/http-verdict.o $(FRONT_LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(FRONT_LIBS)
tests/unit/test-pathglob: $(BUILD)/tests/unit/test-pathglob.o $(BUILD)/tests/unit/tap.o \
		$(BUILD)/sync/pathglob_match.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^
tests/unit/test-run-split: $(BUILD)/tests/unit/test-run-split.o $(BUILD)/tests/unit/tap.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^
tests/unit/test-edit-distance: $(BUILD)/tests/unit/test-edit-distance.o $(BUILD)/tests/unit/tap.o \
		$(BUILD)/common/edit_distance.o
	$(CC) $(LDFLAGS) -o $@ $^
tests/unit/test-remove-tree: $(BUILD)/tests/unit/test-remove-tree.o $(BUILD)/tests/unit/tap.o \
		$(BUILD)/sync/remove_tree.o
	$(CC) $(LDFLAGS) -o $@ $^
# The shortest stem wins: test-sync-* link here, not with the front.
tests/unit/test-sync-%: $(BUILD)/tests/unit/test-sync-%.o $(BUILD)/tests/unit/tap.o $(SYNC_LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(SYNC_LIBS)
tests/unit/test-known-hosts: $(BUILD)/tests/unit/test-known-hosts.o $(BUILD)/tests/unit/tap.o \
		$(BUILD)/sync/known_hosts.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(SYNC_LIBS)

deps:
	@bash .ci/install-deps

# Tests build with -Werror; the default build does not impose it.
# make check T=releases runs one program, JOBS=N that many at a time;
# ONLY= picks parts of a script (see tests/README). Variables given to
# make reach tests/run.sh through the environment.
check: deps
	$(MAKE) all $(UNIT_TESTS) $(TEST_TOOLS) WARNINGS='-Wall -Wextra -Werror'
	mandoc -Tlint -W warning $(MANPAGES)
	bash tests/run.sh

demo: deps
	$(MAKE) all
	bash examples/demo.sh

# libFuzzer targets, each run for a bounded time (see tests/fuzz/README.md).
fuzz: deps
	bash tests/fuzz/run.sh

# Measures and reports; never fails on a number (see bench/README.md).
bench: deps
	$(MAKE) all
	bash bench/run.sh

# Units, examples and the hook name the installed paths, not /usr/local's.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/sentry-source \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(DATADIR)/sentry-source/hooks \
		$(DESTDIR)$(DATADIR)/sentry-source/examples
	install -m 755 sentry-source $(DESTDIR)$(BINDIR)/sentry-source
	install -m 755 sentry-source-sync $(DESTDIR)$(LIBEXECDIR)/sentry-source/sentry-source-sync
	install -m 644 man/sentry-source.conf.5 $(DESTDIR)$(MANDIR)/man5/sentry-source.conf.5
	install -m 644 man/sentry-source-sources.7 $(DESTDIR)$(MANDIR)/man7/sentry-source-sources.7
	install -m 644 man/sentry-source.8 $(DESTDIR)$(MANDIR)/man8/sentry-source.8
	install -m 644 man/sentry-source-sync.8 $(DESTDIR)$(MANDIR)/man8/sentry-source-sync.8
	for u in $(UNITS); do \
		sed 's|/usr/local/bin/|$(BINDIR)/|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; done
	install -m 644 examples/sentry-source.sysusers $(DESTDIR)$(SYSUSERSDIR)/sentry-source.conf
	install -m 755 hooks/post-receive $(DESTDIR)$(DATADIR)/sentry-source/hooks/post-receive
	for e in $(EXAMPLES); do \
		sed 's|/usr/local/share/sentry-source/|$(DATADIR)/sentry-source/|g' $$e \
			>$(DESTDIR)$(DATADIR)/sentry-source/examples/$${e##*/} && \
		chmod 644 $(DESTDIR)$(DATADIR)/sentry-source/examples/$${e##*/} || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sentry-source \
		$(DESTDIR)$(LIBEXECDIR)/sentry-source/sentry-source-sync \
		$(DESTDIR)$(MANDIR)/man5/sentry-source.conf.5 \
		$(DESTDIR)$(MANDIR)/man7/sentry-source-sources.7 \
		$(DESTDIR)$(MANDIR)/man8/sentry-source.8 \
		$(DESTDIR)$(MANDIR)/man8/sentry-source-sync.8 \
		$(DESTDIR)$(SYSUSERSDIR)/sentry-source.conf \
		$(DESTDIR)$(DATADIR)/sentry-source/hooks/post-receive
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/}; done
	for e in $(EXAMPLES); do rm -f $(DESTDIR)$(DATADIR)/sentry-source/examples/$${e##*/}; done
	-rmdir $(DESTDIR)$(LIBEXECDIR)/sentry-source $(DESTDIR)$(DATADIR)/sentry-source/hooks \
		$(DESTDIR)$(DATADIR)/sentry-source/examples $(DESTDIR)$(DATADIR)/sentry-source
	@$(UNINSTALL_LEFT)

# What uninstall leaves, said rather than removed: the operator's config
# and state, which install never made; units still enabled (the links
# systemctl enable made), which name files just removed; units and
# drop-ins the man page's recipes copy into /etc/systemd/system; and
# hooks copied into repositories, which only a search can find.
UNINSTALL_LEFT = \
	echo "make uninstall: left in place, to remove by hand when no longer needed:"; \
	for f in $(DESTDIR)/etc/sentry-source*; do \
		[ ! -e "$$f" ] || echo "  config: $$f"; done; \
	for f in $(DESTDIR)/var/lib/sentry-source; do \
		[ ! -e "$$f" ] || echo "  state: $$f"; done; \
	for f in $$(find $(DESTDIR)/etc/systemd/system -name 'sentry-source*' -type l \
		2>/dev/null | sort); do \
		u=$${f\#\#*/}; \
		if command -v systemctl >/dev/null 2>&1; then \
			echo "  unit still enabled: $$f (systemctl disable --now $$u)"; \
		else echo "  unit still enabled: $$f (rm $$f)"; fi; done; \
	for f in $$(find $(DESTDIR)/etc/systemd/system -maxdepth 1 -name 'sentry-source*' \
		! -type l 2>/dev/null | sort); do \
		echo "  unit or drop-in put there by hand: $$f"; done; \
	echo "  hooks copied into repositories: make uninstall cannot know which;"; \
	echo "    find them with: find / -xdev -path '*/hooks/post-receive' -exec grep -l sentry-source {} +"

clean:
	rm -f sentry-source sentry-source-sync $(UNIT_TESTS) $(TEST_TOOLS)
	rm -rf $(BUILD)
	rm -rf tests/fuzz/build bench/build

.PHONY: all bench check demo deps fuzz install uninstall clean FORCE
