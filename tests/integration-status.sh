#!/bin/bash
# tests/integration-status.sh: what a sync leaves to be asked about: log
# priorities under the journal, the status record and --status, the
# METRICS_FILE, and ON_FAILURE; each through the real programs, a real
# sshd and a real repository. Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60

tap_fixture p
P="$FX_DIR/p"

# journal_run ERRFILE CMD...: CMD with stderr on ERRFILE and JOURNAL_STREAM
# naming ERRFILE's device and inode, as systemd sets it for a service whose
# StandardError= is the journal (sd-daemon(3)).
journal_run() {
	local err=$1
	shift
	next_run
	: >"$err"
	ERR=$err
	JOURNAL_STREAM=$(stat -c '%d:%i' "$err") timeout -k 5 "$RUN_TIMEOUT" "$@" \
		</dev/null >"$OUT" 2>>"$err"
	RC=$?
}

# all_prefixed FILE: every line starts with a syslog priority, none with
# the program's name.
all_prefixed() {
	[ -s "$1" ] && ! grep -qvE '^<[0-7]>' "$1" && ! grep -qE '^<[0-7]>sentry-source(-sync)?: ' "$1"
}

# none_prefixed FILE: no line starts with a priority; each names the program.
none_prefixed() {
	[ -s "$1" ] && ! grep -qE '^<[0-9]' "$1" && ! grep -qvE '^sentry-source(-sync)?: ' "$1"
}

test_priorities() {
	local conf="$P/prio.conf" bad="$P/prio-bad.conf" cp="$FX_DIR/srv/prio" e
	write_config "$conf" "CLONE_PATH=$cp"
	write_config "$bad" "CLONE_PATH=$cp" "KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"

	e="$P/prio-sync.err"
	journal_run "$e" ./sentry-source -c "$conf" --sync
	check_eq "journal: a first clone by --sync exits 0" 0 "$RC"
	check "journal: every line of a sync has a priority, no program name" all_prefixed "$e"
	check "journal: the clone is a notice (<5>)" grep -qE '^<5>cloned ' "$e"

	e="$P/prio-fail.err"
	journal_run "$e" ./sentry-source -c "$bad" --sync
	check_eq "journal: a changed host key exits 3" 3 "$RC"
	check "journal: every line of a failed sync has a priority" all_prefixed "$e"
	check "journal: the failure is an error (<3>)" grep -qE '^<3>.*host key' "$e"

	printf 'GET /webhook HTTP/1.1\r\nHost: x\r\n\r\n' >"$P/get.http"
	e="$P/prio-refused.err"
	next_run
	: >"$e"
	ERR=$e
	JOURNAL_STREAM=$(stat -c '%d:%i' "$e") timeout 10 ./sentry-source -c "$conf" \
		<"$P/get.http" >"$OUT" 2>>"$e"
	RC=$?
	check_eq "journal: a refused request exits 2" 2 "$RC"
	check "journal: a refusal is a warning (<4>)" grep -qE '^<4>.*: 405 ' "$e"
	check "journal: no line of a refusal lacks a priority" all_prefixed "$e"

	# The same on a plain file: no priorities, the program's name.
	next_run
	./sentry-source -c "$bad" --sync </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check "plain file: no priorities, every line names the program" none_prefixed "$ERR"
	# JOURNAL_STREAM inherited from elsewhere (another file) is not ours.
	next_run
	JOURNAL_STREAM=$(stat -c '%d:%i' "$P/get.http") ./sentry-source -c "$bad" --sync \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check "JOURNAL_STREAM naming another file: no priorities" none_prefixed "$ERR"
	next_run
	JOURNAL_STREAM=garbage ./sentry-source -c "$bad" --sync </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check "JOURNAL_STREAM that is not dev:ino: no priorities" none_prefixed "$ERR"
}

test_priorities
printf '1..%d\n' "$n"
