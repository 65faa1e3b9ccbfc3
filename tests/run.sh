#!/bin/bash
# tests/run.sh: run the test programs, JOBS at a time, and sum up their TAP.
#
# The programs: tests/shellcheck.sh; every built tests/unit/test-*;
# tests/integration.sh and every tests/integration-*.sh; tests/valgrind.sh;
# and, in an AddressSanitizer and UndefinedBehaviorSanitizer copy of the
# tree built by tests/lib-sanitize.sh, the unit tests and integration
# scripts again, named "asan: tests/unit/test-http" and so on. They run
# side by side, JOBS at a time (default: twice the number of cores), the
# slowest first; each one's output is held back and printed whole when it
# ends. The last line is exactly "N passed, M failed", counting every
# program; before it, the slowest programs and their times.
#
# Exit status non-zero when anything failed: a "not ok" line, and a
# program that crashed, timed out, printed nothing, fell short of its own
# plan, exited non-zero without reporting a failure, left a process
# running or a file in its temporary directory, and, in the sanitized
# copy, any sanitizer report, whichever process wrote it.
#
# Knobs, all environment variables (make check passes them on):
#   T="releases test-http"  only these programs: a name is an integration
#                           script (releases: tests/integration-releases.sh;
#                           integration: tests/integration.sh), a unit test
#                           (test-http), unit (all of them), valgrind,
#                           or shellcheck (tests/shellcheck.sh); with
#                           SANITIZE=1 their sanitized twins too
#   ONLY=pattern            passed on: the parts of a script to run
#   JOBS=N                  programs at a time (default: twice nproc)
#   SANITIZE=0              no sanitized copy (default 1 unless T is set)
#   SANITIZE_INTEGRATION="tests/integration.sh ..."
#                           only these scripts in the sanitized copy
#   VALGRIND=0              no tests/valgrind.sh
#   SANITIZE_KEEP=1         keep the sanitized copy and its reports
#   UNIT_TIMEOUT, INTEGRATION_TIMEOUT
#                           seconds per program (120, 900)
#
# Every program runs in a session of its own (setsid), with TMPDIR a
# private directory and SENTRY_TEST_RUN naming the program in its
# environment: when it ends, or when this script is interrupted (Ctrl-C,
# SIGTERM, SIGHUP), whatever still runs with that name is killed and the
# directory removed. A key cache (tests/lib.sh, FX_KEY_CACHE) is made once
# for all of them.
set -u

cd "$(dirname "$0")/.." || exit 70

UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-900}
T=${T:-}
if [ -n "$T" ]; then SANITIZE=${SANITIZE:-0}; else SANITIZE=${SANITIZE:-1}; fi
SANITIZE_INTEGRATION=${SANITIZE_INTEGRATION:-}
VALGRIND=${VALGRIND:-1}
# Twice the cores: the scripts wait on sshd, sleeps, kills and timeouts
# more than they compute (at one a core, the run kept one core of two
# busy).
JOBS=${JOBS:-$(($(nproc) * 2))}
case $JOBS in '' | *[!0-9]* | 0) echo "tests/run.sh: JOBS must be a number above 0" >&2; exit 64 ;; esac

# The longest first, so that the short ones fill the gaps at the end.
SLOW=(tests/integration-realistic.sh tests/integration-releases.sh tests/integration-faults.sh
	tests/integration-run.sh tests/integration-status.sh tests/integration.sh)

passed=0
failed=0
# The run's own directory: every program's TMPDIR, the key cache, the
# outputs. Searchable (0755) since some tests act as the user nobody.
base=$(mktemp -d "${TMPDIR:-/tmp}/sentry-source-run.XXXXXX") || exit 70
chmod 755 "$base"
token="sentry-source-run-$$-$RANDOM"
sdir=""
declare -a q_name=() q_kind=() times=()
declare -A running=() name_of=() start_of=() kind_of=() id_of=()
next=0

# --- stopping everything ------------------------------------------------

# procs_of NAME DIR: the pids whose environment's SENTRY_TEST_RUN holds
# NAME (a run inside a test's run adds its names to the outer one's), or
# whose command line names DIR (sshd rewrites its environment's memory
# with its title).
procs_of() {
	{
		# -F: the name's dots are dots (job 1 is not job 10).
		grep -lszF -- ":$1" /proc/[0-9]*/environ 2>/dev/null |
			sed 's|^/proc/\([0-9]*\)/environ$|\1|'
		pgrep -f -- "$(printf '%s' "$2" | sed 's/[].[*^$\\]/\\&/g')"
	} | sort -u | grep -vx -- "$$"
}

# sweep NAME DIR: kill what still runs under NAME or DIR; print its
# command lines.
sweep() {
	local pid pids
	pids=$(procs_of "$1" "$2")
	[ -n "$pids" ] || return 0
	for pid in $pids; do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c 1-120
		echo
	done
	# shellcheck disable=SC2086 # a list of pids
	kill -KILL $pids 2>/dev/null
	return 0
}

# stop_all: every running program's session, TERM and then KILL; then
# whatever carries the run's name; then the run's directory.
stop_all() {
	local pid i
	for pid in "${!running[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null
	done
	# A script's own cleanup stops its sshd and removes its files: give it
	# a moment.
	for i in $(seq 1 50); do
		[ -n "$(procs_of "$token" "$base/")" ] || break
		sleep 0.1
	done
	for pid in "${!running[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null
	done
	sweep "$token" "$base/" >/dev/null
	wait 2>/dev/null
	rm -rf -- "$base"
	[ -z "$sdir" ] || [ "${SANITIZE_KEEP:-0}" = 1 ] || rm -rf -- "$sdir"
}

interrupted() {
	trap '' INT TERM HUP
	printf '# interrupted: stopping every program of the run\n'
	stop_all
	printf 'not ok - tests/run.sh: interrupted\n'
	printf '%s passed, %s failed\n' "$passed" $((failed + 1))
	exit "$1"
}
trap 'interrupted 130' INT
trap 'interrupted 143' TERM
trap 'interrupted 129' HUP
trap 'stop_all' EXIT

# --- one program's result -------------------------------------------------

# synthetic NAME REASON: a failure the program could not report itself.
synthetic() {
	printf 'not ok - %s: %s\n' "$1" "$2"
	failed=$((failed + 1))
}

# sanitizer_reports NAME DIR OUT: each report in DIR is a failure of NAME,
# its first lines shown; so is a sanitizer's message in its output OUT.
sanitizer_reports() {
	local f
	for f in "$2"/san.*; do
		[ -f "$f" ] || continue
		synthetic "$1" "sanitizer report $(basename "$f")"
		grep -E 'ERROR|WARNING|runtime error|SUMMARY|^ +#[0-9]' "$f" | head -n 40 | sed 's/^/#   /'
	done
	if [ -n "$3" ] && grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' "$3"; then
		synthetic "$1" "a sanitizer message in its output"
	fi
}

# report ID RC: print a finished program's output and count its results.
report() {
	local id=$1 rc=$2 name=${name_of[$1]} kind=${kind_of[$1]} out="$base/out/$1"
	local limit ok nok plan total secs left
	secs=$((SECONDS - ${start_of[$1]}))
	times+=("$secs $name")
	printf '# --- %s\n' "$name"
	cat "$out"
	limit=$INTEGRATION_TIMEOUT
	case $kind in unit | asan-unit) limit=$UNIT_TIMEOUT ;; esac
	if [ "$kind" = build ]; then
		if [ "$rc" -ne 0 ]; then
			synthetic "$name" "the sanitized build failed (SANITIZE=0 skips it)"
		fi
		printf '# %s: %d s\n' "$name" "$secs"
		return "$rc"
	fi
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
	# What it left: processes still running under its name, files in its
	# TMPDIR (FX_KEEP=1 keeps them on purpose).
	left=$(sweep "$token.$id." "$base/tmp/$id/")
	if [ -n "$left" ]; then
		synthetic "$name" "left processes running (killed now)"
		printf '%s\n' "$left" | sed 's/^/#   /'
	fi
	if [ "${FX_KEEP:-0}" != 1 ] && [ -n "$(ls -A "$base/tmp/$id")" ]; then
		synthetic "$name" "left files in its temporary directory"
		ls -A "$base/tmp/$id" | head -n 5 | sed 's/^/#   /'
	fi
	[ "${FX_KEEP:-0}" = 1 ] || rm -rf -- "${base:?}/tmp/$id"
	case $kind in asan-*) sanitizer_reports "$name" "$sdir/reports/$id" "$out" ;; esac
	printf '# %s: %d s\n' "$name" "$secs"
}

# --- the queue -------------------------------------------------------------

# enqueue KIND NAME: kinds unit, script, valgrind, shellcheck (NAME a path),
# build (the sanitized copy), asan-unit and asan-script (NAME a path in it).
enqueue() {
	q_kind+=("$1")
	q_name+=("$2")
}

# launch I: start queue entry I in a session of its own.
launch() {
	local kind=${q_kind[$1]} name=${q_name[$1]} id=$1 limit=$INTEGRATION_TIMEOUT
	local dir=$PWD label=$name pid
	local -a cmd env=()
	mkdir -p "$base/tmp/$id"
	chmod 755 "$base/tmp/$id"
	case $kind in
	unit)
		limit=$UNIT_TIMEOUT
		cmd=("./$name")
		;;
	script | valgrind | shellcheck) cmd=(bash "$name") ;;
	build)
		label="asan: build"
		# shellcheck disable=SC2016 # for the inner bash
		cmd=(bash -c '. tests/lib-sanitize.sh && sanitize_build "$1" >"$1/build.log" 2>&1 ||
			{ tail -n 40 "$1/build.log" | sed "s/^/#   /"; exit 1; }' _ "$sdir")
		;;
	asan-unit | asan-script)
		label="asan: $name"
		dir=$sdir/tree
		mkdir -p "$sdir/reports/$id"
		# shellcheck source=tests/lib-sanitize.sh
		read -r -a env < <(. tests/lib-sanitize.sh && sanitize_env "$sdir" "$sdir/reports/$id" &&
			printf 'ASAN_OPTIONS=%s UBSAN_OPTIONS=%s LSAN_OPTIONS=%s\n' \
				"$ASAN_OPTIONS" "$UBSAN_OPTIONS" "$LSAN_OPTIONS")
		if [ "$kind" = asan-unit ]; then
			limit=$UNIT_TIMEOUT
			cmd=("./$name")
		else
			cmd=(bash "$name")
		fi
		;;
	esac
	# setsid: its own session and group, which stop_all kills whole; no
	# stdin (CI has none); stderr joins stdout so the log reads in order.
	# --default-signal: a background job of a script starts with SIGINT
	# ignored, and would pass that on.
	(cd "$dir" && exec env --default-signal "${env[@]}" TMPDIR="$base/tmp/$id" \
		SENTRY_TEST_RUN="${SENTRY_TEST_RUN:-}:$token.$id." \
		setsid timeout -k 10 "$limit" "${cmd[@]}") </dev/null >"$base/out/$id" 2>&1 &
	pid=$!
	running[$pid]=1
	id_of[$pid]=$id
	name_of[$id]=$label
	kind_of[$id]=$kind
	start_of[$id]=$SECONDS
}

# twin SCRIPT: does SCRIPT run in the sanitized copy too?
twin() {
	[ "$SANITIZE" != 0 ] &&
		{ [ -z "$SANITIZE_INTEGRATION" ] || [[ " $SANITIZE_INTEGRATION " == *" $1 "* ]]; }
}

# ordered_scripts: the integration scripts, the slow ones first.
ordered_scripts() {
	local t
	for t in "${SLOW[@]}"; do
		[ -f "$t" ] && printf '%s\n' "$t"
	done
	for t in tests/integration.sh tests/integration-*.sh; do
		[ -f "$t" ] || continue
		case " ${SLOW[*]} " in *" $t "*) continue ;; esac
		printf '%s\n' "$t"
	done
}

# wanted NAME KIND: is NAME selected by T?
wanted() {
	local w words
	[ -n "$T" ] || return 0
	read -r -a words <<<"$T"
	for w in "${words[@]}"; do
		case $2:$w in
		unit:unit | unit:"${1#tests/unit/}" | *:"$1") return 0 ;;
		script:integration) [ "$1" = tests/integration.sh ] && return 0 ;;
		script:*) [ "$1" = "tests/integration-$w.sh" ] && return 0 ;;
		valgrind:valgrind | shellcheck:shellcheck) return 0 ;;
		esac
	done
	return 1
}

# --- the run -----------------------------------------------------------------

mkdir -p "$base/out" "$base/tmp" "$base/keys"
# shellcheck source=tests/lib.sh
. tests/lib.sh
if ! fixture_key_cache "$base/keys" >&2; then
	synthetic "tests/run.sh" "could not make the key cache"
fi
export FX_KEY_CACHE="$base/keys"

if [ "$SANITIZE" != 0 ]; then
	if [ "${SANITIZE_KEEP:-0}" = 1 ]; then
		sdir=$(mktemp -d "${TMPDIR:-/tmp}/sentry-source-asan.XXXXXX") || exit 70
	else
		sdir="$base/asan"
		mkdir -p "$sdir"
	fi
	chmod 755 "$sdir"
	enqueue build "$sdir"
fi
# Each script, then its sanitized twin: the longest pairs first.
while IFS= read -r t; do
	wanted "$t" script || continue
	enqueue script "$t"
	twin "$t" && enqueue asan-script "$t"
done < <(ordered_scripts)
wanted tests/valgrind.sh valgrind && [ "$VALGRIND" != 0 ] && enqueue valgrind tests/valgrind.sh
wanted tests/shellcheck.sh shellcheck && enqueue shellcheck tests/shellcheck.sh
found=0
for kind in unit asan-unit; do
	[ "$kind" = unit ] || [ "$SANITIZE" != 0 ] || continue
	for t in tests/unit/test-*; do
		# Only the built programs, not their sources or objects.
		[ -f "$t" ] && [ -x "$t" ] || continue
		case "$t" in *.c | *.h | *.o | *.d) continue ;; esac
		found=1
		wanted "$t" unit && enqueue "$kind" "$t"
	done
done
[ "$found" = 1 ] || printf '# no unit test programs in tests/unit (not built?)\n'
[ "${#q_name[@]}" -gt 0 ] || { echo "tests/run.sh: T=$T names no test program" >&2; exit 64; }
printf '# %d programs, %d at a time; outputs as each one ends\n' "${#q_name[@]}" "$JOBS"

# The sanitized build runs alone (make -j, every core); if it fails, its
# twins are not started, the failure counted once.
building=0
broken=0
while [ "$next" -lt "${#q_name[@]}" ] || [ "${#running[@]}" -gt 0 ]; do
	while [ "$building" = 0 ] && [ "${#running[@]}" -lt "$JOBS" ] &&
		[ "$next" -lt "${#q_name[@]}" ]; do
		case $broken:${q_kind[$next]} in
		1:asan-*) ;;
		*:build)
			launch "$next"
			building=1
			;;
		*) launch "$next" ;;
		esac
		next=$((next + 1))
	done
	wait -n -p done_pid "${!running[@]}"
	rc=$?
	if [ -z "${done_pid:-}" ]; then
		# One that bash had already reaped: wait names it no more, so
		# ask for each.
		for pid in "${!running[@]}"; do
			kill -0 "$pid" 2>/dev/null && continue
			wait "$pid"
			rc=$?
			done_pid=$pid
			break
		done
		[ -n "$done_pid" ] || continue
	fi
	unset "running[$done_pid]"
	id=${id_of[$done_pid]}
	report "$id" "$rc"
	if [ "${kind_of[$id]}" = build ]; then
		building=0
		[ "$rc" = 0 ] || broken=1
	fi
	done_pid=""
done

# Reports from programs started without the scripts' environment.
if [ -n "$sdir" ]; then
	sanitizer_reports "asan: a program started with a cleared environment" "$sdir/reports" ""
fi
if [ "${#times[@]}" -gt 0 ]; then
	printf '# slowest:\n'
	printf '%s\n' "${times[@]}" | sort -rn | head -n 6 |
		while read -r secs name; do printf '#   %4d s  %s\n' "$secs" "$name"; done
	printf '# wall clock: %d s, %d at a time\n' "$SECONDS" "$JOBS"
fi
printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
