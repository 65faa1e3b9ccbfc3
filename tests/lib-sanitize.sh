#!/bin/bash
# tests/lib-sanitize.sh: an AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer build of the whole program (both binaries and
# the unit tests), made out of tree so that the main build's objects are
# never touched, and its tests.
#
#   bash tests/lib-sanitize.sh     build in a temporary directory, run the copy's
#                              unit and integration tests there (its
#                              tests/run.sh, SANITIZE=0), print their TAP and
#                              "N passed, M failed"; exit non-zero on failure
#   . tests/lib-sanitize.sh        (as tests/run.sh does) define the functions below
#
# Environment: SANITIZE_CC (default clang: gcc's separate libubsan ignores
# log_path and reports on stderr only), SANITIZE_KEEP=1 keeps the temporary
# directory.
#
# The copy is DIR/tree. Every sanitized program has its options compiled
# in (DIR/options.c), because systemd-socket-activate passes a child only the
# variables -E names: a front it starts would otherwise run with the
# defaults. The same options are exported for the programs started directly.
# Reports go to files DIR/reports/san.PID, not to stderr: a report from a
# process whose status or stderr no test looks at (the sync that runs after
# the answer, a front under systemd-socket-activate) still shows there, and
# tests/run.sh turns each into a failure of the stream that was running.
# exitcode=99 makes a report change the exit status of the process too,
# which most tests check.

SANITIZE_CC=${SANITIZE_CC:-clang}
SANITIZE_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

# LeakSanitizer suppressions, by library: the front loads none of these,
# so every leak of the front is reported. In the sync helper they hide the
# leaks of libgit2 1.5.1 (the pcre2 match data of the config regexes
# behind git_remote_lookup and git_remote_create; its ssh transport's
# libssh2_knownhost_init list and a buffer beside it) and of libssh2 1.10
# (libssh2_userauth_list). Named by module, not function: the malloc stacks
# are cut at the first frame of a library built without frame pointers
# (fast_unwind_on_malloc=0 would see through them, at twice the run time),
# so a leak of an object of ours made under a libgit2 call is hidden too;
# the helper's own allocations are still checked.
# XXX: the sync runs in a child that leaves with _exit() (src/sync/deadline.c),
# so LeakSanitizer never looks at it; these matter once it does.
SANITIZE_SUPPRESSIONS='leak:libgit2.so
leak:libpcre2-8.so
leak:libssh2.so
'

# sanitize_options DIR TOOL [REPORTS]: the options string of one sanitizer,
# reports written under REPORTS (default DIR/reports).
# print_suppressions=0: the list of suppressions used would be a report
# file of its own.
sanitize_options() {
	local common="log_path=${3:-$1/reports}/san:exitcode=99"
	case "$2" in
	asan) printf '%s' "$common:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" ;;
	ubsan) printf '%s' "$common:halt_on_error=1:print_stacktrace=1" ;;
	lsan) printf '%s' "$common:suppressions=$1/lsan.supp:print_suppressions=0" ;;
	esac
}

# sanitize_env DIR [REPORTS]: export the options, for the programs started
# directly and those that pass the environment on. tests/run.sh gives each
# script a REPORTS directory of its own, so that scripts running side by
# side are told apart; a program started with a cleared environment
# writes under DIR/reports, which run.sh checks last.
sanitize_env() {
	ASAN_OPTIONS=$(sanitize_options "$1" asan "${2:-}")
	UBSAN_OPTIONS=$(sanitize_options "$1" ubsan "${2:-}")
	LSAN_OPTIONS=$(sanitize_options "$1" lsan "${2:-}")
	export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
}

# c_string TEXT: TEXT as a C string literal.
c_string() {
	printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# sanitize_build DIR: copy the tree to DIR/tree and build it there with the
# sanitizers. Progress and compiler output on stdout; non-zero on failure.
sanitize_build() {
	local dir=$1 root units=()
	command -v "$SANITIZE_CC" >/dev/null ||
		{ echo "sanitize: no $SANITIZE_CC (apt-get install clang libclang-rt-14-dev)"; return 1; }
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
	mkdir -p "$dir/tree" "$dir/reports" || return 1
	# Everything but git's data and what builds made; then make clean for
	# the binaries.
	tar -C "$root" --exclude=./.git --exclude='*.o' --exclude=./tests/fuzz/build \
		--exclude=./bench/build --exclude=./build -cf - . | tar -C "$dir/tree" -xf - || return 1
	make -s -C "$dir/tree" clean >/dev/null || return 1

	printf '%s' "$SANITIZE_SUPPRESSIONS" >"$dir/lsan.supp"
	cat >"$dir/options.c" <<-EOF
		/* Made by tests/lib-sanitize.sh: the sanitizers' defaults, in every program. */
		const char *__asan_default_options(void);
		const char *__ubsan_default_options(void);
		const char *__lsan_default_options(void);
		const char *__asan_default_options(void) { return $(c_string "$(sanitize_options "$dir" asan)"); }
		const char *__ubsan_default_options(void) { return $(c_string "$(sanitize_options "$dir" ubsan)"); }
		const char *__lsan_default_options(void) { return $(c_string "$(sanitize_options "$dir" lsan)"); }
	EOF
	"$SANITIZE_CC" -c -o "$dir/options.o" "$dir/options.c" || return 1

	# The unit tests as the Makefile lists them.
	# shellcheck disable=SC2016 # make expands it
	read -r -a units < <(printf 'sanitize-print-units:\n\t@echo $(UNIT_TESTS) $(TEST_TOOLS)\n' |
		make -s -C "$dir/tree" --no-print-directory -f Makefile -f - sanitize-print-units)
	echo "sanitize: building with $SANITIZE_CC $SANITIZE_FLAGS in $dir/tree"
	# Every later make in the copy (make install in the tests) builds alike.
	cat >"$dir/tree/config.mk" <<-EOF
		CC = $SANITIZE_CC
		CFLAGS = -O1 -g $SANITIZE_FLAGS
		LDFLAGS = $SANITIZE_FLAGS $dir/options.o
	EOF
	make -C "$dir/tree" -j"$(nproc)" --no-print-directory all "${units[@]}" \
		WARNINGS="-Wall -Wextra"
}

# Run directly: build, then the copy's own tests/run.sh under the sanitizers.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	dir=$(mktemp -d "${TMPDIR:-/tmp}/sentry-source-asan.XXXXXX") || exit 70
	[ "${SANITIZE_KEEP:-0}" = 1 ] || trap 'rm -rf -- "$dir"' EXIT
	if ! sanitize_build "$dir" >"$dir/build.log" 2>&1; then
		sed 's/^/# /' "$dir/build.log" | tail -n 40
		echo "not ok - sanitize: the sanitized build failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
	sanitize_env "$dir"
	SANITIZE=0 VALGRIND=0 SANITIZE_REPORTS="$dir" RUN_PREFIX="asan: " bash "$dir/tree/tests/run.sh"
fi
