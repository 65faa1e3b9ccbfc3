#!/bin/bash
# tests/integration-status.sh: what a sync leaves to be asked about: log
# priorities under the journal, the status record and --status, the
# METRICS_FILE, and ON_FAILURE; each through the real programs, a real
# sshd and a real repository. Prints TAP. Needs `make` first.
# The metrics file is checked against the format's grammar by
# tests/promcheck.awk; PROMTOOL=/path/to/promtool (Debian's prometheus
# package) runs `promtool check metrics` on it too.
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


# --- the status record and --status ----------------------------------------

# field FILE KEY: a field of a status record.
field() { sed -n "s/^$2=//p" "$1"; }

# metric FILE SERIES: the value of one series (name and labels as written).
metric() { awk -v s="$2" 'substr($0, 1, length(s) + 1) == s " " { print substr($0, length(s) + 2) }' "$1"; }

# prom_ok FILE: well formed by tests/promcheck.awk, ends with a newline,
# and, when PROMTOOL names Prometheus's promtool, passes its check too.
prom_ok() {
	awk -f tests/promcheck.awk "$1" >&2 || return 1
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || return 1
	[ -z "${PROMTOOL:-}" ] || "$PROMTOOL" check metrics <"$1" >&2
}

# beside DIR: the names beside a checkout DIR that start with its name,
# or with a dot and its name (a temporary record would).
beside() {
	local f b
	b=$(basename "$1")
	(cd "$(dirname "$1")" && for f in "$b"* ".$b"*; do
		[ ! -e "$f" ] || printf '%s ' "$f"
	done)
}

test_status() {
	local conf="$P/st.conf" bad="$P/st-bad.conf" runfail="$P/st-run.conf"
	local cp="$FX_DIR/srv/st" m="$FX_DIR/metrics/st.prom" rec tip old t1 sel
	mkdir -p "$FX_DIR/metrics"
	write_config "$conf" "CLONE_PATH=$cp" "METRICS_FILE=$m"
	write_config "$bad" "CLONE_PATH=$cp" "METRICS_FILE=$m" "KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"
	write_config "$runfail" "CLONE_PATH=$cp" "METRICS_FILE=$m" 'RUN=/bin/sh -c "exit 3"'
	rec="$cp.status"
	sel="checkout=\"$cp\""

	cli -c "$conf" --status
	check_eq "--status before any sync: exits 66" 66 "$RC"
	check "--status before any sync: says no sync has run yet" grep -q "no sync has run yet" "$OUT"
	cli -c "$conf" --status --json
	check_eq "--status --json before any sync: exits 66" 66 "$RC"
	check_eq "--status --json before any sync: one object, no deployment, CLONE_PATH, status null" \
		"{\"deployment\":null,\"clone_path\":\"$cp\",\"status\":null,\"message\":\"no sync has run yet\"}" \
		"$(cat "$OUT")"
	cli -c "$conf" --json
	check_eq "--json without --status: exits 64" 64 "$RC"

	# A first clone, started by a webhook.
	old=$(repo_tip develop)
	tip=$(push_commit develop)
	stash_payload_develop "$P/st.json" "$old" "$tip"
	front "$conf" "$(post "$P/st.json")"
	check_eq "socket mode: the sync exits 0" 0 "$RC"
	check_eq "record after success: mode socket" socket "$(field "$rec" mode)"
	check_eq "record after success: branch develop" develop "$(field "$rec" branch)"
	check_eq "record after success: the pushed commit" "$tip" "$(field "$rec" pushed)"
	check_eq "record after success: no old commit (a first clone)" "" "$(field "$rec" old)"
	check_eq "record after success: new is the checkout's HEAD" "$(head_of "$cp")" "$(field "$rec" new)"
	check_eq "record after success: status 0" 0 "$(field "$rec" status)"
	check_eq "record after success: the message" "cloned develop at ${tip:0:12}" \
		"$(field "$rec" message)"
	check "record after success: time is now, to the minute" \
		test $(($(date +%s) - $(field "$rec" time))) -lt 60
	check_eq "record: mode 0640, whatever the umask (others, a web server, never read it)" \
		640 "$(stat -c %a "$rec")"
	check_eq "nothing left beside the checkout but the locks and the record" \
		"st st.lock st.status st.wait " "$(beside "$cp")"
	cli -c "$conf" --status
	check_eq "--status after success: exits 0" 0 "$RC"
	check "--status after success: prints the status for people" \
		grep -qx "status:    0 (success)" "$OUT"
	check "--status after success: prints the commit" grep -qx "after:     $tip" "$OUT"
	cli -c "$conf" --status --json
	check_eq "--status --json after success: exits 0" 0 "$RC"
	check "--status --json after success: one line, the record's fields" \
		grep -qx "{\"deployment\":null,\"clone_path\":\"$cp\",\"time\":[0-9]*,\"duration_ms\":[0-9]*,\"mode\":\"socket\",\"branch\":\"develop\",\"pushed\":\"$tip\",\"old\":null,\"new\":\"$tip\",\"status\":0,\"message\":\"cloned develop at ${tip:0:12}\",\"pinned\":false,\"remote\":null,\"ref\":\"refs/heads/develop\",\"tag\":null}" "$OUT"

	check "metrics after success: well formed (tests/promcheck.awk${PROMTOOL:+, promtool})" prom_ok "$m"
	check_eq "metrics after success: last_sync_success 1" 1 \
		"$(metric "$m" "sentry_source_last_sync_success{$sel}")"
	check_eq "metrics after success: syncs_total{result=success} 1" 1 \
		"$(metric "$m" "sentry_source_syncs_total{$sel,result=\"success\"}")"
	check_eq "metrics after success: last success is the last sync" \
		"$(metric "$m" "sentry_source_last_sync_timestamp_seconds{$sel}")" \
		"$(metric "$m" "sentry_source_last_success_timestamp_seconds{$sel}")"
	check_eq "metrics after success: the last sync's time is the record's" \
		"$(field "$rec" time)" "$(metric "$m" "sentry_source_last_sync_timestamp_seconds{$sel}")"
	check "metrics after success: a duration in seconds, to the millisecond" \
		grep -qE "^sentry_source_sync_duration_seconds\{$sel\} [0-9]+\.[0-9]{3}\$" "$m"
	check_eq "metrics after success: the live commit as an info metric" 1 \
		"$(metric "$m" "sentry_source_live_commit_info{$sel,branch=\"develop\",commit=\"$tip\"}")"
	check_eq "metrics: mode 0644" 644 "$(stat -c %a "$m")"
	t1=$(metric "$m" "sentry_source_last_success_timestamp_seconds{$sel}")

	# A failure: the host key changed. The checkout stays where it was.
	push_commit develop >/dev/null
	sleep 1 # so that the failure's time differs from the success's
	cli -c "$bad" --sync
	check_eq "a changed host key: --sync exits 3" 3 "$RC"
	check_eq "record after failure: mode sync" sync "$(field "$rec" mode)"
	check_eq "record after failure: status 3" 3 "$(field "$rec" status)"
	check_eq "record after failure: old is the checkout's HEAD" "$tip" "$(field "$rec" old)"
	check_eq "record after failure: new is old (nothing moved)" "$tip" "$(field "$rec" new)"
	check_eq "record after failure: nothing pushed (--sync)" "" "$(field "$rec" pushed)"
	check "record after failure: the message is the error" \
		grep -q '^message=fetch from .* host key .* has CHANGED' "$rec"
	cli -c "$conf" --status
	check_eq "--status after a failure: exits 3" 3 "$RC"
	check "--status after a failure: names the status" \
		grep -qx "status:    3 (unknown or changed host key)" "$OUT"
	cli -c "$conf" --status --json
	check_eq "--status --json after a failure: exits 3" 3 "$RC"
	check "--status --json after a failure: status 3" grep -q '"status":3,"message":"fetch from' "$OUT"

	check "metrics after failure: well formed" prom_ok "$m"
	check_eq "metrics after failure: last_sync_success 0" 0 \
		"$(metric "$m" "sentry_source_last_sync_success{$sel}")"
	check_eq "metrics after failure: last_sync_exit_status 3" 3 \
		"$(metric "$m" "sentry_source_last_sync_exit_status{$sel}")"
	check_eq "metrics after failure: syncs_total{result=success} still 1" 1 \
		"$(metric "$m" "sentry_source_syncs_total{$sel,result=\"success\"}")"
	check_eq "metrics after failure: syncs_total{result=host_key} 1" 1 \
		"$(metric "$m" "sentry_source_syncs_total{$sel,result=\"host_key\"}")"
	check_eq "metrics after failure: the last success's time is kept" "$t1" \
		"$(metric "$m" "sentry_source_last_success_timestamp_seconds{$sel}")"
	check "metrics after failure: the last sync is later than the last success" \
		test "$(metric "$m" "sentry_source_last_sync_timestamp_seconds{$sel}")" -gt "$t1"
	check_eq "metrics after failure: the live commit is still the old one" 1 \
		"$(metric "$m" "sentry_source_live_commit_info{$sel,branch=\"develop\",commit=\"$tip\"}")"

	# Counters keep counting; RUN failing is a failure of its own.
	cli -c "$conf" --sync
	check_eq "a sync after the failure: exits 0" 0 "$RC"
	check_eq "record: develop moved" "develop moved from ${tip:0:12} to $(head_of "$cp" | cut -c1-12)" \
		"$(field "$rec" message)"
	check_eq "metrics: syncs_total{result=success} 2" 2 \
		"$(metric "$m" "sentry_source_syncs_total{$sel,result=\"success\"}")"
	cli -c "$runfail" --sync
	check_eq "RUN exiting 3: the sync exits 6" 6 "$RC"
	check_eq "record after RUN failed: status 6" 6 "$(field "$rec" status)"
	check_eq "record after RUN failed: the message" "RUN failed: exit status 3" \
		"$(field "$rec" message)"
	cli -c "$conf" --status
	check_eq "--status after RUN failed: exits 6" 6 "$RC"
	check "metrics after RUN failed: well formed" prom_ok "$m"
	check_eq "metrics: syncs_total{result=run_failed} 1, success 2, host_key 1" "1 2 1" \
		"$(metric "$m" "sentry_source_syncs_total{$sel,result=\"run_failed\"}") $(metric "$m" "sentry_source_syncs_total{$sel,result=\"success\"}") $(metric "$m" "sentry_source_syncs_total{$sel,result=\"host_key\"}")"
	check_eq "nothing left beside the checkout after five syncs" \
		"st st.lock st.status st.wait " "$(beside "$cp")"
	check_eq "nothing left beside the metrics file" "st.prom" "$(ls -A "$FX_DIR/metrics")"

	# A record that is not what the helper writes is refused, not shown.
	cp "$rec" "$P/st.good"
	printf 'extra=1\n' >>"$rec"
	cli -c "$conf" --status
	check_eq "--status of a record with an extra line: exits 70" 70 "$RC"
	check "...and says what is wrong" grep -q "what follows ref is not what" "$ERR"
	sed 's/^message=RUN/message=\\x52UN/' "$P/st.good" >"$rec"
	cli -c "$conf" --status
	check_eq "--status of a record with an escape the helper would not write: exits 70" 70 "$RC"
	head -c 40 "$P/st.good" >"$rec"
	cli -c "$conf" --status
	check_eq "--status of a cut record: exits 70" 70 "$RC"
	# A C1 control (CSI, U+009B) in a message: escaped for a terminal,
	# in the text and in the JSON.
	sed 's/^message=RUN/message=\\xc2\\x9b2JRUN/' "$P/st.good" >"$rec"
	cli -c "$conf" --status
	check "--status shows a C1 control in a message as \\xc2\\x9b" \
		grep -qxF 'message:   \xc2\x9b2JRUN failed: exit status 3' "$OUT"
	cli -c "$conf" --status --json
	check "--status --json: the same escape, no raw C1 byte" \
		grep -qF '"message":"\\xc2\\x9b2JRUN failed' "$OUT"
	check "...no C1 byte in either" not env LC_ALL=C grep -q $'\xc2' "$OUT"
	cp "$P/st.good" "$rec"
	cli -c "$conf" --status
	check_eq "--status of the record restored: exits 6 again" 6 "$RC"

	# A counter that is not a number starts again; the file is rewritten whole.
	sed -i 's/\(result="success"}\) [0-9]*$/\1 2x/' "$m"
	cli -c "$conf" --sync
	check_eq "a damaged counter in the metrics file starts again from 1" 1 \
		"$(metric "$m" "sentry_source_syncs_total{$sel,result=\"success\"}")"
	check "metrics after a damaged counter: well formed" prom_ok "$m"
	check_eq "metrics: every result is always present" 11 \
		"$(grep -c '^sentry_source_syncs_total{' "$m")"

	# A file over 64 KiB is not read back: the counters start again.
	{ cat "$m"; head -c 70000 /dev/zero | tr '\0' '#'; echo; } >"$m.big"
	mv "$m.big" "$m"
	cli -c "$conf" --sync
	check_eq "a metrics file over 64 KiB: the sync still exits 0" 0 "$RC"
	check "...the log warns" grep -q "METRICS_FILE .*: File too large; the counters start again" "$ERR"
	check_eq "...and the counters start again" 1 \
		"$(metric "$m" "sentry_source_syncs_total{$sel,result=\"success\"}")"

	# A file that cannot be written changes nothing but the log.
	write_config "$P/st-nodir.conf" "CLONE_PATH=$cp" "METRICS_FILE=$FX_DIR/no-such-dir/m.prom"
	cli -c "$P/st-nodir.conf" --sync
	check_eq "METRICS_FILE in a missing directory: the sync still exits 0" 0 "$RC"
	check "...and the log warns" grep -q "METRICS_FILE .*no-such-dir/m.prom: cannot write it" "$ERR"
}

# Before a first clone there is no live commit; the rest is there.
test_metrics_no_checkout() {
	local conf="$P/nc.conf" cp="$FX_DIR/srv/nc" m="$FX_DIR/metrics/nc.prom"
	write_config "$conf" "CLONE_PATH=$cp" "METRICS_FILE=$m" "KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"
	cli -c "$conf" --sync
	check_eq "a first clone refused for its host key: exits 3" 3 "$RC"
	check "metrics without a checkout: well formed" prom_ok "$m"
	check "metrics without a checkout: no live commit sample" \
		not grep -q '^sentry_source_live_commit_info' "$m"
	check_eq "metrics without a checkout: never succeeded, last success 0" 0 \
		"$(metric "$m" "sentry_source_last_success_timestamp_seconds{checkout=\"$cp\"}")"
}

# A sync that fails before it takes the lock takes it to write the record;
# one coalesced into a waiting sync writes none.
test_status_early() {
	local conf="$P/early.conf" cp="$FX_DIR/srv/early" hold
	write_config "$conf" "CLONE_PATH=$cp" "SSH_KEYPATH=$FX_DIR/no-such-key"
	cli -c "$conf" --sync
	check_eq "a key that cannot be read: --sync exits 78" 78 "$RC"
	check_eq "...the record says 78" 78 "$(field "$cp.status" status)"
	check "...and names the key" grep -q "^message=SSH_KEYPATH $FX_DIR/no-such-key: " "$cp.status"
	cp "$cp.status" "$P/early.before"
	exec {hold}>"$cp.wait"
	flock "$hold"
	write_config "$conf" "CLONE_PATH=$cp"
	cli -c "$conf" --sync
	exec {hold}>&-
	check_eq "an event coalesced into a waiting sync: exits 0" 0 "$RC"
	check "...and leaves the record as it was" cmp -s "$P/early.before" "$cp.status"
}

# A branch name that is not ASCII, and one with a quote: escaped in the
# record, shown as UTF-8 by --status, valid in JSON and in a label value.
test_status_text() {
	local conf="$P/utf.conf" cp="$FX_DIR/srv/utf" m="$FX_DIR/metrics/utf.prom" b
	b='feature/caf'$'\xc3\xa9''"x'
	push_commit "$b" >/dev/null
	write_config "$conf" SOURCE=stash "CLONE_PATH=$cp" "METRICS_FILE=$m" 'BRANCH=feature/*'
	cli -c "$conf" --sync --branch "$b"
	check_eq "a branch with UTF-8 and a quote: --sync exits 0" 0 "$RC"
	check_eq "record: the branch escaped, printable ASCII only" 'feature/caf\xc3\xa9"x' \
		"$(field "$cp.status" branch)"
	check "record: printable ASCII only" not env LC_ALL=C grep -q '[^ -~]' "$cp.status"
	cli -c "$conf" --status
	check "--status prints the branch as UTF-8" grep -qxF "branch:    $b" "$OUT"
	cli -c "$conf" --status --json
	check "--status --json: the branch as a JSON string" \
		grep -qF '"branch":"feature/caf'$'\xc3\xa9''\"x"' "$OUT"
	check "metrics: the label value escapes the quote" \
		grep -qF 'branch="feature/caf'$'\xc3\xa9''\"x"' "$m"
	check "metrics with that label: well formed" prom_ok "$m"
}

# --- hook mode: the result is in the record, with or without syslog --------

test_hook_record() {
	local conf="$P/hook.conf" bad="$P/hook-bad.conf" cp="$FX_DIR/srv/hook" s tip i
	write_config "$conf" "CLONE_PATH=$cp"
	write_config "$bad" "CLONE_PATH=$cp" "KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"
	mkdir -p "$FX_DIR/bin"
	ln -sf "$PWD/sentry-source" "$FX_DIR/bin/sentry-source"
	install -m 755 hooks/post-receive "$FX_REPO/hooks/post-receive"
	git --git-dir="$FX_REPO" config sentry-source.config "$conf"
	git --git-dir="$FX_REPO" config core.hooksPath "$FX_REPO/hooks"
	[ -S /dev/log ] || note "no /dev/log here: the hook's syslog lines go nowhere"

	s="$FX_DIR/git/scratch"
	git -C "$s" fetch -q origin && git -C "$s" checkout -q -B develop origin/develop
	fx_git_commit "$s" "develop: pushed for the hook record"
	tip=$(git -C "$s" rev-parse HEAD)
	next_run
	PATH="$FX_DIR/bin:$PATH" git -C "$s" push -q origin develop >"$OUT" 2>&1
	check_eq "hook: git push exits 0" 0 "$?"
	for i in $(seq 1 150); do
		[ "$(field "$cp.status" new 2>/dev/null)" = "$tip" ] && break
		sleep 0.2
	done
	check_eq "hook: the record has the pushed commit" "$tip" "$(field "$cp.status" new)"
	check_eq "hook: the record says mode hook" hook "$(field "$cp.status" mode)"
	check_eq "hook: the record says status 0" 0 "$(field "$cp.status" status)"
	check_eq "hook: the record has the pushed commit as pushed" "$tip" "$(field "$cp.status" pushed)"
	cli -c "$conf" --status
	check_eq "hook: --status exits 0" 0 "$RC"

	# A failure in hook mode, where only syslog would have heard of it.
	git --git-dir="$FX_REPO" config sentry-source.config "$bad"
	fx_git_commit "$s" "develop: pushed for the hook failure"
	next_run
	PATH="$FX_DIR/bin:$PATH" git -C "$s" push -q origin develop >"$OUT" 2>&1
	for i in $(seq 1 150); do
		[ "$(field "$cp.status" status 2>/dev/null)" = 3 ] && break
		sleep 0.2
	done
	check_eq "hook failure: the record says status 3" 3 "$(field "$cp.status" status)"
	check_eq "hook failure: mode hook" hook "$(field "$cp.status" mode)"
	check "hook failure: the record has the error" grep -q '^message=fetch from .*CHANGED' "$cp.status"
	cli -c "$conf" --status
	check_eq "hook failure: --status exits 3" 3 "$RC"
	check_eq "hook failure: the checkout stayed" "$tip" "$(head_of "$cp")"

	git --git-dir="$FX_REPO" config --unset core.hooksPath
	rm -f "$FX_REPO/hooks/post-receive"
}

# --- ON_FAILURE ---------------------------------------------------------------

test_on_failure() {
	local conf="$P/of.conf" bad="$P/of-bad.conf" cp="$FX_DIR/srv/of" log="$P/notified"
	local script="$P/notify.sh" old tip hold
	printf '#!/bin/sh\n{ env | grep "^SENTRY_" | sort; echo "pwd=$(pwd)"; echo "home=$HOME"; echo ---; } >>"$1"\necho notified-marker\nexit "${2:-0}"\n' >"$script"
	chmod 755 "$script"
	write_config "$conf" "CLONE_PATH=$cp" "ON_FAILURE=$script $log"
	write_config "$bad" "CLONE_PATH=$cp" "ON_FAILURE=$script $log" \
		"KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"

	cli -c "$conf" --sync
	check_eq "ON_FAILURE set, a successful sync: exits 0" 0 "$RC"
	check "a successful sync does not run ON_FAILURE" test ! -e "$log"

	cli -c "$bad" --sync
	check_eq "ON_FAILURE set, a changed host key: the sync still exits 3" 3 "$RC"
	check "ON_FAILURE ran once" test "$(grep -c '^---$' "$log" 2>/dev/null)" = 1
	check "ON_FAILURE: SENTRY_STATUS=3" grep -qx "SENTRY_STATUS=3" "$log"
	check "ON_FAILURE: SENTRY_MODE=sync" grep -qx "SENTRY_MODE=sync" "$log"
	check "ON_FAILURE: SENTRY_BRANCH=develop" grep -qx "SENTRY_BRANCH=develop" "$log"
	check "ON_FAILURE: SENTRY_MESSAGE is the error" grep -q "^SENTRY_MESSAGE=fetch from .*CHANGED" "$log"
	check "ON_FAILURE: SENTRY_NEW is the checkout's HEAD" grep -qx "SENTRY_NEW=$(head_of "$cp")" "$log"
	check "ON_FAILURE: SENTRY_STATUS_FILE names the record" \
		grep -qx "SENTRY_STATUS_FILE=$cp.status" "$log"
	check "ON_FAILURE: SENTRY_REPO_PATH" grep -qx "SENTRY_REPO_PATH=$cp" "$log"
	check "ON_FAILURE: runs in /" grep -qx "pwd=/" "$log"
	check "ON_FAILURE: HOME as the helper was given it" grep -qx "home=$HOME" "$log"
	check "ON_FAILURE: its output is in the log" grep -q "on_failure: notified-marker" "$ERR"
	check_eq "ON_FAILURE ran after the record was written" 3 "$(field "$cp.status" status)"

	# Requests that are refused or ignored never reach a sync.
	printf 'GET /webhook HTTP/1.1\r\nHost: x\r\n\r\n' >"$P/of-get.http"
	front "$bad" "$P/of-get.http"
	check_eq "a refused request (405): exits 2" 2 "$RC"
	printf '{"refChanges":' >"$P/of-broken.json"
	front "$bad" "$(post "$P/of-broken.json")"
	check_eq "a refused request (400): exits 2" 2 "$RC"
	old=$(repo_tip main)
	tip=$(push_commit main)
	stash_payload "$P/of-main.json" refs/heads/main "$old" "$tip" UPDATE
	front "$bad" "$(post "$P/of-main.json")"
	check_eq "an ignored event: exits 0" 0 "$RC"
	check "refused and ignored requests do not run ON_FAILURE" \
		test "$(grep -c '^---$' "$log")" = 1

	# Nor does an event coalesced into a sync that waits (here, we hold
	# the waiting sync's lock).
	exec {hold}>"$cp.wait"
	flock "$hold"
	cli -c "$bad" --sync
	exec {hold}>&-
	check_eq "a coalesced event: exits 0" 0 "$RC"
	check "a coalesced event does not run ON_FAILURE" test "$(grep -c '^---$' "$log")" = 1

	# A webhook whose sync fails does.
	old=$(repo_tip develop)
	tip=$(push_commit develop)
	stash_payload_develop "$P/of.json" "$old" "$tip"
	front "$bad" "$(post "$P/of.json")"
	check_eq "a matching request whose sync fails: exits 3" 3 "$RC"
	check "...and runs ON_FAILURE, SENTRY_MODE=socket, SENTRY_PUSHED the push" \
		test "$(grep -c '^---$' "$log")" = 2 -a "$(grep -c "^SENTRY_PUSHED=$tip\$" "$log")" = 1 \
		-a "$(grep -c '^SENTRY_MODE=socket$' "$log")" = 1

	# Its own failure changes nothing but the log.
	write_config "$bad" "CLONE_PATH=$cp" "ON_FAILURE=$script $log 9" \
		"KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"
	cli -c "$bad" --sync
	check_eq "ON_FAILURE exiting 9: the sync's status is still 3" 3 "$RC"
	check "ON_FAILURE exiting 9: the log says so" grep -q "ON_FAILURE failed: exit status 9" "$ERR"

	# One that does not end is stopped after 60 s (LIMIT_NOTIFY_SECONDS),
	# its process group with it. Its argument is this run's own, so that
	# no other sleep on the machine is taken for it.
	local forever="1000.$$"
	write_config "$bad" "CLONE_PATH=$cp" "ON_FAILURE=/bin/sleep $forever" \
		"KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"
	RUN_TIMEOUT=120 cli -c "$bad" --sync
	check_eq "ON_FAILURE that does not end: the sync still exits 3" 3 "$RC"
	check "...and is stopped after 60 s, the log says" \
		grep -q "ON_FAILURE failed: stopped after 60s" "$ERR"
	check "...leaving no process behind" not pgrep -f "^/bin/sleep $forever\$"

	# No record can be written where CLONE_PATH's directory is missing;
	# ON_FAILURE still hears of it.
	write_config "$P/of-nodir.conf" "CLONE_PATH=$FX_DIR/no-such-dir/of" "ON_FAILURE=$script $log"
	cli -c "$P/of-nodir.conf" --sync
	check_eq "CLONE_PATH in a missing directory: exits 1" 1 "$RC"
	check "...ON_FAILURE is told why" \
		grep -q "^SENTRY_MESSAGE=CLONE_PATH $FX_DIR/no-such-dir/of: its directory $FX_DIR/no-such-dir: No such file or directory" "$log"

	# Checked before anything runs, by the front.
	write_config "$bad" "CLONE_PATH=$cp" "ON_FAILURE=$P/no-such-program"
	cli -c "$bad" --sync
	check_eq "ON_FAILURE naming no program: exits 78" 78 "$RC"
	check "...naming the key" grep -q "ON_FAILURE" "$ERR"
	front "$bad" "$(post "$P/of.json")"
	check "...and socket mode answers 500 before the sync" answer_is 500
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_priorities \
	test_status \
	test_status_early \
	test_metrics_no_checkout \
	test_status_text \
	test_hook_record \
	test_on_failure
printf '1..%d\n' "$n"
