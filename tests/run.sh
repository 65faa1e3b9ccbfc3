#!/bin/bash
# tests/run.sh: run every test program and sum up their TAP output.
#
# Runs each executable tests/unit/test-* (built by make), then
# tests/integration.sh and every tests/integration-*.sh, then
# tests/valgrind.sh (the front under memcheck);
# then the same unit and integration tests again, built with AddressSanitizer
# and UndefinedBehaviorSanitizer out of tree by tests/lib-sanitize.sh, named
# "asan: tests/unit/test-http" and so on.  Each prints TAP lines ("ok N -
# ...", "not ok N - ...").  The output is shown as it comes; the last line
# is exactly "N passed, M failed", counting every stream.  Exit status is
# non-zero when anything failed, including a program that crashed, timed
# out, printed nothing, fell short of its own plan, or exited non-zero
# without reporting a failure, and, in the sanitized streams, any sanitizer
# report, whichever process wrote it.
#
# VALGRIND=0 skips the valgrind stream, SANITIZE=0 the sanitized ones, for
# quick local runs. By default the sanitized pass runs the unit tests and
# every integration script; SANITIZE_INTEGRATION="tests/integration.sh ..."
# names fewer.
set -u

cd "$(dirname "$0")/.." || exit 70

UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-900}
SANITIZE=${SANITIZE:-1}
SANITIZE_INTEGRATION=${SANITIZE_INTEGRATION:-}
VALGRIND=${VALGRIND:-1}
# Set by tests/lib-sanitize.sh when this runs in its sanitized copy: the names'
# prefix, and the directory whose reports/ the sanitizers write to.
RUN_PREFIX=${RUN_PREFIX:-}
SANITIZE_REPORTS=${SANITIZE_REPORTS:-}

passed=0
failed=0
sdir=""
out=$(mktemp "${TMPDIR:-/tmp}/sentry-source-run.XXXXXX") || exit 70
# SANITIZE_KEEP=1 keeps the sanitized copy, its build log and reports.
trap 'rm -f -- "$out"; [ -z "$sdir" ] || [ "${SANITIZE_KEEP:-0}" = 1 ] || rm -rf -- "$sdir"' EXIT

# synthetic PROG REASON: a failure the program could not report itself.
synthetic() {
	printf 'not ok - %s: %s\n' "$1" "$2"
	failed=$((failed + 1))
}

# sanitizer_reports NAME: in a sanitized run, each report written while
# NAME ran is a failure of NAME, its first lines shown; so is a sanitizer's
# message that reached the output instead (see tests/lib-sanitize.sh).
sanitizer_reports() {
	local f
	[ -n "$SANITIZE_REPORTS" ] || return 0
	for f in "$SANITIZE_REPORTS"/reports/san.*; do
		[ -f "$f" ] || continue
		synthetic "$1" "sanitizer report $(basename "$f")"
		grep -E 'ERROR|WARNING|runtime error|SUMMARY|^ +#[0-9]' "$f" | head -n 40 | sed 's/^/#   /'
		mkdir -p "$SANITIZE_REPORTS/reports.seen"
		mv -- "$f" "$SANITIZE_REPORTS/reports.seen/"
	done
	if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' "$out"; then
		synthetic "$1" "a sanitizer message in its output"
	fi
}

# run_one TIMEOUT NAME CMD...: run one test program, show and count its results.
run_one() {
	local limit=$1 name=$RUN_PREFIX$2 rc ok nok plan total start=$SECONDS
	shift 2
	printf '# --- %s\n' "$name"
	# No stdin in CI; stderr joins stdout so the log reads in order.
	timeout -k 10 "$limit" "$@" </dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	ok=$(grep -cE '^ok( |$)' "$out")
	nok=$(grep -cE '^not ok( |$)' "$out")
	passed=$((passed + ok))
	failed=$((failed + nok))
	total=$((ok + nok))
	# A plan "1..N" (first or last line) must match what ran: a program that
	# dies halfway through would otherwise just look shorter.
	plan=$(grep -E '^1\.\.[0-9]+' "$out" | head -n 1 | sed 's/^1\.\.\([0-9]*\).*/\1/')
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		synthetic "$name" "timed out after ${limit}s"
	elif [ "$rc" -gt 128 ]; then
		synthetic "$name" "killed by signal $((rc - 128))"
	elif [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		synthetic "$name" "exited with status $rc without reporting a failure"
	elif [ "$total" -eq 0 ]; then
		synthetic "$name" "reported no results"
	elif [ -n "$plan" ] && [ "$plan" -ne "$total" ]; then
		synthetic "$name" "planned $plan tests, ran $total"
	fi
	sanitizer_reports "$name"
	printf '# %s: %d s\n' "$name" $((SECONDS - start))
}

# run_suite SCRIPT...: the unit tests and these integration scripts of the
# tree in the current directory.
run_suite() {
	local t found=0
	for t in tests/unit/test-*; do
		# Only the built programs, not their sources or objects.
		[ -f "$t" ] && [ -x "$t" ] || continue
		case "$t" in *.c | *.h | *.o | *.d) continue ;; esac
		found=1
		run_one "$UNIT_TIMEOUT" "$t" "./$t"
	done
	[ "$found" = 1 ] || printf '# no unit test programs in tests/unit (not built?)\n'
	for t in "$@"; do
		[ -f "$t" ] || continue
		run_one "$INTEGRATION_TIMEOUT" "$t" bash "$t"
	done
}

# run_sanitized: build the sanitized copy and run its suite, counted here.
run_sanitized() {
	local root=$PWD start=$SECONDS scripts=()
	# shellcheck source=tests/lib-sanitize.sh
	. tests/lib-sanitize.sh
	sdir=$(mktemp -d "${TMPDIR:-/tmp}/sentry-source-asan.XXXXXX") || exit 70
	printf '# --- asan: building a sanitized copy in %s\n' "$sdir"
	if ! sanitize_build "$sdir" >"$sdir/build.log" 2>&1; then
		tail -n 40 "$sdir/build.log" | sed 's/^/#   /'
		synthetic "asan: build" "the sanitized build failed (SANITIZE=0 skips it)"
		return
	fi
	printf '# asan: build: %d s\n' $((SECONDS - start))
	if [ -z "$SANITIZE_INTEGRATION" ]; then
		scripts=(tests/integration.sh tests/integration-*.sh)
	else
		read -r -a scripts <<<"$SANITIZE_INTEGRATION"
	fi
	cd "$sdir/tree" || exit 70
	sanitize_env "$sdir"
	RUN_PREFIX="asan: "
	SANITIZE_REPORTS=$sdir
	run_suite "${scripts[@]}"
	RUN_PREFIX=""
	SANITIZE_REPORTS=""
	unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
	cd "$root" || exit 70
}

run_suite tests/integration.sh tests/integration-*.sh
if [ "$VALGRIND" != 0 ]; then
	run_one "$INTEGRATION_TIMEOUT" tests/valgrind.sh bash tests/valgrind.sh
fi
if [ "$SANITIZE" != 0 ]; then
	run_sanitized
fi

printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
