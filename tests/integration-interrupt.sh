#!/bin/bash
# tests/integration-interrupt.sh: an interrupted run leaves nothing behind.
# Starts, in a private TMPDIR each, tests/run.sh on one script, that
# script alone, make check and make demo; once the fixture's sshd runs,
# sends SIGINT to the whole group (as Ctrl-C does) or SIGTERM to the one
# process (as kill does); then checks that every process started under
# that TMPDIR is gone and that the TMPDIR is empty. Prints TAP. Needs
# `make` first. ONLY=run, script, make or demo runs one part.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

fixture_init || bail "cannot make a work directory"
mkdir -p "$FX_DIR/run"

# under TMP: the processes whose environment or command line names TMP.
under() {
	{
		grep -lszE -- "^TMPDIR=$1(/|\$)" /proc/[0-9]*/environ 2>/dev/null |
			sed 's|^/proc/\([0-9]*\)/environ$|\1|'
		pgrep -f -- "$1"
	} | sort -u | grep -vx -e "$$" -e "$BASHPID"
}

# sshd_up TMP SECONDS: wait until an sshd of the fixture runs under TMP.
sshd_up() {
	local i
	for i in $(seq 1 $(($2 * 5))); do
		pgrep -f -- "sshd -D -e -f $1/" >/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# gone PID SECONDS: wait until PID has ended.
gone() {
	local i
	for i in $(seq 1 $(($2 * 5))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.2
	done
	return 1
}

# interrupt NAME SIGNAL WHOM CMD...: run CMD in a session of its own under a
# private TMPDIR, send SIGNAL to WHOM ("group" or "leader") once its sshd
# runs, and check what is left.
interrupt() {
	local name=$1 sig=$2 whom=$3 tmp pid left log
	shift 3
	tmp=$(mktemp -d "$FX_DIR/tmp.XXXXXX") || bail "mktemp"
	chmod 755 "$tmp"
	log="$FX_DIR/run/${name//[!A-Za-z0-9]/-}-$sig.log"
	# env --default-signal: as a shell's foreground job starts, not with
	# SIGINT ignored as a background job does.
	TMPDIR=$tmp start_bg "$log" env -u ONLY --default-signal "$@"
	pid=$FX_BG_PID
	if ! sshd_up "$tmp" 120; then
		tap 1 "$name: its sshd started" || true
		sed 's/^/#   /' "$log" | tail -n 20
		return
	fi
	sleep 2
	if [ "$whom" = group ]; then
		kill "-$sig" -- "-$pid"
	else
		kill "-$sig" "$pid"
	fi
	check "$name, SIG$sig to the $whom: it ends (within 150 s: a run it waits for is bounded by 120)" gone "$pid" 150
	sleep 1
	left=$(under "$tmp")
	check_eq "$name, SIG$sig to the $whom: no process of it is left" "" \
		"$(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done 2>/dev/null)"
	check_eq "$name, SIG$sig to the $whom: its temporary directories are gone" "" \
		"$(cd "$tmp" && ls -A)"
	# Whatever it left must not outlive this test either.
	for p in $left; do kill -KILL "$p" 2>/dev/null; done
	stop_bg "$pid"
	rm -rf -- "$tmp"
}

test_run() {
	interrupt "tests/run.sh T=releases" INT group env T=releases bash tests/run.sh
	check "tests/run.sh, interrupted: its last line is the count" \
		grep -qE '^[0-9]+ passed, [0-9]+ failed$' <<<"$(tail -n 1 "$FX_DIR/run/tests-run-sh-T-releases-INT.log")"
	interrupt "tests/run.sh T=releases" TERM leader env T=releases bash tests/run.sh
}

test_script() {
	interrupt "integration-releases.sh alone" INT group bash tests/integration-releases.sh
	interrupt "integration-releases.sh alone" TERM leader bash tests/integration-releases.sh
}

test_make() {
	# MAKEFLAGS: not the jobserver of a make check that runs this test.
	interrupt "make check T=releases" TERM leader env -u MAKEFLAGS -u MAKELEVEL \
		make -s check T=releases
}

test_demo() {
	interrupt "make demo" INT group env -u MAKEFLAGS -u MAKELEVEL make -s demo
	interrupt "examples/demo.sh" TERM leader bash examples/demo.sh
}

run_parts test_run test_script test_make test_demo
printf '1..%d\n' "$n"
