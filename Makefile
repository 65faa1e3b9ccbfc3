# sentry-source: see README.md. Targets: all check demo bench fuzz install uninstall clean.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
VERSION = 0.1

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
WARNINGS = -Wall -Wextra

FRONT_PKGS = libcjson
# libcrypto's headers only: the front opens the library when it checks a
# signature (see src/signature.c).
FRONT_CFLAGS_CRYPTO = $(shell $(PKG_CONFIG) --cflags libcrypto)
SYNC_PKGS = libgit2 libcrypto

CPPFLAGS_ALL = -Isrc -D_GNU_SOURCE -DVERSION='"$(VERSION)"' $(CPPFLAGS)
FRONT_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(FRONT_PKGS)) $(FRONT_CFLAGS_CRYPTO)
FRONT_LIBS = $(shell $(PKG_CONFIG) --libs $(FRONT_PKGS))
SYNC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(SYNC_PKGS))
SYNC_LIBS = $(shell $(PKG_CONFIG) --libs $(SYNC_PKGS))

# Every sources/*.c but the template is a compiled-in source.
SOURCE_FILES = $(sort $(filter-out sources/template.c,$(wildcard sources/*.c)))
SOURCE_OBJS = $(SOURCE_FILES:.c=.o)

# The front: reads requests; never links libgit2 (see DESIGN.md).
FRONT_LIB_OBJS = src/config.o src/file.o src/log.o src/http_parse.o src/http_io.o \
	src/form.o src/signature.o src/source.o src/source_table.o $(SOURCE_OBJS) \
	src/services_config.o src/run.o src/pathglob.o
FRONT_OBJS = src/main.o src/serve.o src/hook.o src/exec_sync.o $(FRONT_LIB_OBJS)

# The sync helper: holds the key and the repository; parses no payload.
SYNC_OBJS = src/sync_main.o src/sync.o src/check.o src/services.o src/services_config.o src/run.o src/pathglob.o src/changes.o src/pack.o src/worktree.o src/ssh_auth.o src/known_hosts.o \
	src/lock.o src/config.o src/file.o src/log.o

MANPAGES = man/sentry-source.8 man/sentry-source.conf.5 man/sentry-source-sources.7
UNITS = examples/sentry-source.socket examples/sentry-source@.service \
	examples/sentry-source-sync.service examples/sentry-source-sync.timer

# Every tests/unit/test-*.c is a TAP program.
UNIT_TESTS = $(patsubst %.c,%,$(sort $(wildcard tests/unit/test-*.c)))

all: sentry-source sentry-source-sync

sentry-source: $(FRONT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(FRONT_OBJS) $(FRONT_LIBS)

sentry-source-sync: $(SYNC_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(SYNC_OBJS) $(SYNC_LIBS)

# Where the front finds its helper. Rewritten only when LIBEXECDIR changes,
# so `make install PREFIX=/usr` after `make` rebuilds what depends on it.
src/paths.h: FORCE
	@printf '#define LIBEXECDIR "%s"\n' '$(LIBEXECDIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
src/exec_sync.o: src/paths.h

# The table of sources, made from the file names: adding a source is
# adding a file.
src/source_table.c: $(SOURCE_FILES) Makefile
	@{ echo '/* Made by make from the files in sources/; do not edit. */'; \
	  echo '#include <stddef.h>'; echo '#include "source.h"'; \
	  for f in $(SOURCE_FILES); do n=$$(basename $$f .c | tr - _); \
	    echo "extern const struct source source_$$n;"; done; \
	  echo 'const struct source *const source_table[] = {'; \
	  for f in $(SOURCE_FILES); do n=$$(basename $$f .c | tr - _); \
	    echo "	&source_$$n,"; done; \
	  echo '	NULL'; echo '};'; } > $@.tmp && mv $@.tmp $@

src/sync_main.o src/sync.o src/check.o src/services.o src/run.o src/pathglob.o src/changes.o src/pack.o src/worktree.o src/ssh_auth.o src/known_hosts.o src/lock.o tests/unit/test-known-hosts.o: CFLAGS_EXTRA = $(SYNC_CFLAGS)

.c.o:
	$(CC) $(CPPFLAGS_ALL) $(FRONT_CFLAGS) $(CFLAGS_EXTRA) $(WARNINGS) $(CFLAGS) -c -o $@ $<

$(FRONT_OBJS) $(SYNC_OBJS) $(UNIT_TESTS:=.o): src/*.h Makefile

tests/unit/test-%: tests/unit/test-%.o tests/unit/tap.o tests/unit/request.o $(FRONT_LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(FRONT_LIBS)
tests/unit/test-pathglob: tests/unit/test-pathglob.o tests/unit/tap.o src/pathglob.o
	$(CC) $(LDFLAGS) -o $@ $^
tests/unit/test-run-split: tests/unit/test-run-split.o tests/unit/tap.o src/run.o src/log.o
	$(CC) $(LDFLAGS) -o $@ $^
tests/unit/test-known-hosts: tests/unit/test-known-hosts.o tests/unit/tap.o src/known_hosts.o src/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SYNC_LIBS)

deps:
	@bash tests/deps.sh

# Tests build with -Werror; the default build does not impose it.
check: deps
	$(MAKE) all $(UNIT_TESTS) WARNINGS='-Wall -Wextra -Werror'
	$(CC) $(CPPFLAGS_ALL) $(FRONT_CFLAGS) -Wall -Wextra -Werror -fsyntax-only sources/template.c
	mandoc -Tlint -W warning $(MANPAGES)
	bash tests/run.sh

demo: deps
	$(MAKE) all
	bash tests/demo.sh

# libFuzzer targets, each run for a bounded time (see tests/fuzz/README.md).
fuzz: deps
	bash tests/fuzz/run.sh

# Measures and reports; never fails on a number (see bench/README.md).
bench: deps
	$(MAKE) all
	bash bench/run.sh

# Units and the hook name the installed paths, not /usr/local's.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/sentry-source \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DATADIR)/sentry-source/hooks \
		$(DESTDIR)$(DATADIR)/sentry-source/examples
	install -m 755 sentry-source $(DESTDIR)$(BINDIR)/sentry-source
	install -m 755 sentry-source-sync $(DESTDIR)$(LIBEXECDIR)/sentry-source/sentry-source-sync
	install -m 644 man/sentry-source.conf.5 $(DESTDIR)$(MANDIR)/man5/sentry-source.conf.5
	install -m 644 man/sentry-source-sources.7 $(DESTDIR)$(MANDIR)/man7/sentry-source-sources.7
	install -m 644 man/sentry-source.8 $(DESTDIR)$(MANDIR)/man8/sentry-source.8
	for u in $(UNITS); do \
		sed 's|/usr/local/bin/|$(BINDIR)/|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; done
	install -m 755 hooks/post-receive $(DESTDIR)$(DATADIR)/sentry-source/hooks/post-receive
	install -m 644 examples/sentry-source.conf \
		$(DESTDIR)$(DATADIR)/sentry-source/examples/sentry-source.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sentry-source \
		$(DESTDIR)$(LIBEXECDIR)/sentry-source/sentry-source-sync \
		$(DESTDIR)$(MANDIR)/man5/sentry-source.conf.5 \
		$(DESTDIR)$(MANDIR)/man7/sentry-source-sources.7 \
		$(DESTDIR)$(MANDIR)/man8/sentry-source.8 \
		$(DESTDIR)$(DATADIR)/sentry-source/hooks/post-receive \
		$(DESTDIR)$(DATADIR)/sentry-source/examples/sentry-source.conf
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/}; done
	-rmdir $(DESTDIR)$(LIBEXECDIR)/sentry-source $(DESTDIR)$(DATADIR)/sentry-source/hooks \
		$(DESTDIR)$(DATADIR)/sentry-source/examples $(DESTDIR)$(DATADIR)/sentry-source

clean:
	rm -f sentry-source sentry-source-sync src/*.o sources/*.o src/source_table.c src/paths.h \
		tests/unit/*.o $(UNIT_TESTS)
	rm -rf tests/fuzz/build bench/build

.PHONY: all bench check demo deps fuzz install uninstall clean FORCE
