#!/bin/bash
# tests/run.sh: run every test program and sum up their TAP output.
#
# Runs each executable tests/unit/test-* (built by make), then
# tests/integration.sh.  Each prints TAP lines ("ok N - ...", "not ok N - ...").
# The output is shown as it comes; the last line is exactly
# "N passed, M failed".  Exit status is non-zero when anything failed,
# including a program that crashed, timed out, printed nothing, fell short
# of its own plan, or exited non-zero without reporting a failure.
set -u

cd "$(dirname "$0")/.." || exit 70

UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-900}

passed=0
failed=0
out=$(mktemp "${TMPDIR:-/tmp}/sentry-source-run.XXXXXX") || exit 70
trap 'rm -f -- "$out"' EXIT

# synthetic PROG REASON: a failure the program could not report itself.
synthetic() {
	printf 'not ok - %s: %s\n' "$1" "$2"
	failed=$((failed + 1))
}

# run_one TIMEOUT NAME CMD...: run one test program, show and count its results.
run_one() {
	local limit=$1 name=$2 rc ok nok plan total
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
}

found=0
for t in tests/unit/test-*; do
	# Only the built programs, not their sources or objects.
	[ -f "$t" ] && [ -x "$t" ] || continue
	case "$t" in *.c | *.h | *.o | *.d) continue ;; esac
	found=1
	run_one "$UNIT_TIMEOUT" "$t" "./$t"
done
[ "$found" = 1 ] || printf '# no unit test programs in tests/unit (not built?)\n'

run_one "$INTEGRATION_TIMEOUT" tests/integration.sh bash tests/integration.sh

printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
