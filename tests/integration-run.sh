#!/bin/bash
# tests/integration-run.sh: RUN= after a sync, through the real programs
# (a request on stdin, an inetd-style socket, --sync) against the real
# sshd and repository of tests/lib.sh, with a probe script that records
# what the command was given. Prints TAP. Needs `make` first.
#
# Every "it ran" has its twin "it did not run" (an ignored event, a bad
# config), and every kill is checked on the processes themselves.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

# Per-invocation bound (tests/tap.sh); the slowest case, a command that
# ignores SIGTERM, takes its RUN_TIMEOUT= plus the 5 s grace.
RUN_TIMEOUT=60
ZERO=$FX_ZERO

# --- running the programs ------------------------------------------------

# fresh: no probe output yet, and a clock, for the next invocation.
fresh() {
	rm -rf "$PROBE_OUT"
	START=$SECONDS
}

# run_front CONF REQUEST_FILE: socket mode with the request on stdin; RC
# is the sync's status (the front execs the helper).
run_front() {
	fresh
	front "$@"
}

# run_sync CONF: sentry-source --sync; an assignment before the call
# (VAR=value run_sync CONF) reaches the programs' environment.
run_sync() {
	fresh
	cli -c "$1" --sync
}

curl_post() {
	fresh
	next_run
	CODE=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT.body" -D "$OUT.head" \
		-w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary @"$1" "http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR")
	RC=$?
	cat "$OUT.head" "$OUT.body" >"$OUT" 2>/dev/null
}

# --- what the probe saw ----------------------------------------------------

ran() { [ -e "$PROBE_OUT/done" ]; }
# seen NAME: a file the probe wrote ("" when absent).
seen() { cat "$PROBE_OUT/$1" 2>/dev/null; }
is_set() { [ -e "$PROBE_OUT/env/$1" ]; }
var() { cat "$PROBE_OUT/env/$1" 2>/dev/null; }
# listed: the changed-files list the command got, sorted.
listed() { LC_ALL=C sort "$PROBE_OUT/changed" 2>/dev/null; }
sorted() { printf '%s\n' "$@" | LC_ALL=C sort; }
log_has() { grep -qF -- "$1" "$ERR"; }

# dead PID: gone (a zombie nobody reaps counts as gone).
dead() {
	! kill -0 "$1" 2>/dev/null || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]
}

# wait_for FILE SECONDS
wait_for() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# change_develop SNIPPET NAME: run SNIPPET in the scratch clone on develop
# (it stages what it changes), commit, push; prints the new tip.
change_develop() {
	local s="$FX_DIR/git/scratch"
	git -C "$s" fetch -q origin >&2 &&
		git -C "$s" checkout -q -B develop origin/develop >&2 &&
		(cd "$s" && eval "$1") >&2 &&
		fx_git_commit "$s" "develop: $2" >&2 &&
		git -C "$s" push -q origin develop >&2 &&
		git -C "$s" rev-parse HEAD
}

# payload_for OLD NEW: a develop UPDATE in $P/push.json; prints the
# request file.
payload_for() {
	stash_payload_develop "$P/push.json" "$1" "$2" && post "$P/push.json"
}

# --- fixture -------------------------------------------------------------

tap_fixture p
P="$FX_DIR/p"
CP=$FX_CLONE_PATH
PROBE="$FX_DIR/bin/probe"
PROBE_OUT="$FX_DIR/probe"
TEST_HOME=$HOME
TEST_XDG=$XDG_CONFIG_HOME

# The probe records its arguments, working directory, environment, the
# files it was given (they are gone after the run), its stdin and open
# descriptors, and prints to stdout and stderr.
mkdir -p "$FX_DIR/bin"
cat >"$PROBE" <<EOF
#!/bin/sh
out='$PROBE_OUT'
mkdir -p "\$out/env"
printf '<%s>\n' "\$@" >"\$out/argv"
pwd -P >"\$out/pwd"
for v in SENTRY_SOURCE SENTRY_REF SENTRY_OLD SENTRY_NEW SENTRY_REPO_PATH \\
    SENTRY_CHANGED_FILES SENTRY_PAYLOAD HOME XDG_CONFIG_HOME PROBE_INHERITED; do
	eval "set=\\\${\$v+x} val=\\\${\$v-}"
	[ -z "\$set" ] || printf '%s\n' "\$val" >"\$out/env/\$v"
done
if [ -n "\${SENTRY_CHANGED_FILES:-}" ]; then
	cp "\$SENTRY_CHANGED_FILES" "\$out/changed"
	stat -c %a "\$(dirname "\$SENTRY_CHANGED_FILES")" >"\$out/dirmode"
	stat -c %a "\$SENTRY_CHANGED_FILES" >"\$out/listmode"
fi
[ -z "\${SENTRY_PAYLOAD+x}" ] || cp "\$SENTRY_PAYLOAD" "\$out/payload"
readlink /proc/\$\$/fd/0 >"\$out/stdin"
for fd in 3 4 5 6 7 8 9; do
	[ ! -e /proc/\$\$/fd/\$fd ] || echo "\$fd"
done >"\$out/fds"
echo "probe-stdout-marker"
echo "probe-stderr-marker" >&2
: >"\$out/done"
EOF
chmod 755 "$PROBE"

# The tree develop holds before the first sync.
SETUP='mkdir -p src/deep docs vendor/x &&
	echo a >src/a.c && echo b >src/deep/b.c && echo r >docs/readme.md &&
	echo t >top.c && echo v >vendor/x/y.c && echo n >notes.txt &&
	echo s >"src/with space.c" && git add -A'
FILTERS=("INCLUDE_FILES=**/*.c docs/**" "EXCLUDE_FILES=vendor/** src/deep/skip-*.c")
CONF="$FX_DIR/run.conf"
write_config "$CONF" "RUN=$PROBE" "${FILTERS[@]}"

# --- tests -----------------------------------------------------------------

test_build() {
	check "./sentry-source and ./sentry-source-sync are built" \
		test -x ./sentry-source -a -x ./sentry-source-sync
}

# A first clone, started by a webhook on stdin: every file, filtered.
test_first_clone() {
	local old new req
	old=$(repo_tip develop)
	new=$(change_develop "$SETUP" "tree for RUN")
	req=$(payload_for "$old" "$new")
	run_front "$CONF" "$req"
	check_eq "first clone with RUN: exits 0" 0 "$RC"
	check "first clone: the command ran" ran
	check_eq "first clone: HEAD is the tip" "$new" "$(head_of "$CP")"
	check_eq "first clone: working directory is CLONE_PATH" "$(cd "$CP" && pwd -P)" "$(seen pwd)"
	check_eq "first clone: SENTRY_SOURCE" stash-develop "$(var SENTRY_SOURCE)"
	check_eq "first clone: SENTRY_REF" refs/heads/develop "$(var SENTRY_REF)"
	check_eq "first clone: SENTRY_OLD is 40 zeros" "$ZERO" "$(var SENTRY_OLD)"
	check_eq "first clone: SENTRY_NEW is the tip" "$new" "$(var SENTRY_NEW)"
	check_eq "first clone: SENTRY_REPO_PATH is CLONE_PATH" "$CP" "$(var SENTRY_REPO_PATH)"
	check_eq "first clone: every file, filtered by INCLUDE_FILES and EXCLUDE_FILES" \
		"$(sorted docs/readme.md src/a.c src/deep/b.c 'src/with space.c' top.c)" "$(listed)"
	check_eq "first clone: the files' directory is private (0700)" 700 "$(seen dirmode)"
	check_eq "first clone: the list is private (0600)" 600 "$(seen listmode)"
	check "first clone: the files are removed after the run" \
		not test -e "$(dirname "$(var SENTRY_CHANGED_FILES)")"
	check_eq "first clone: HOME is the invoking one, not the helper's" "$TEST_HOME" "$(var HOME)"
	check_eq "first clone: XDG_CONFIG_HOME is the invoking one" "$TEST_XDG" "$(var XDG_CONFIG_HOME)"
	check_eq "first clone: stdin is /dev/null" /dev/null "$(seen stdin)"
	check_eq "first clone: no descriptor but 0-2 is open" "" "$(seen fds)"
	check "first clone: SENTRY_PAYLOAD is set" is_set SENTRY_PAYLOAD
	check "first clone: SENTRY_PAYLOAD holds exactly the request body" \
		cmp "$PROBE_OUT/payload" "$P/push.json"
	check "first clone: the payload file is removed after the run" \
		not test -e "$(var SENTRY_PAYLOAD)"
	check "first clone: stdout of the command is in the log" log_has "run: probe-stdout-marker"
	check "first clone: stderr of the command is in the log" log_has "run: probe-stderr-marker"
	check "first clone: the HTTP answer holds nothing of the command" \
		not grep -q probe- "$OUT"
}

# A push changing some files: exactly those, filtered; deletions and a
# rename's old path left out; a mode change counts.
test_push() {
	local old new
	old=$(head_of "$CP")
	new=$(change_develop 'echo a2 >src/a.c && git mv src/deep/b.c src/deep/c.c &&
		git rm -q docs/readme.md && echo z >vendor/x/z.c && echo n2 >notes2.txt &&
		echo k >src/deep/skip-me.c && chmod +x top.c && git add -A' "changes for RUN")
	run_front "$CONF" "$(payload_for "$old" "$new")"
	check_eq "push: exits 0" 0 "$RC"
	check_eq "push: SENTRY_OLD is the HEAD before" "$old" "$(var SENTRY_OLD)"
	check_eq "push: SENTRY_NEW is the tip" "$new" "$(var SENTRY_NEW)"
	check_eq "push: the changed files that exist, filtered (modified, renamed-to, mode)" \
		"$(sorted src/a.c src/deep/c.c top.c)" "$(listed)"
	check "push: the log says how many files changed" log_has "3 changed files"
}

# Nothing new: still a sync, so the command runs, with OLD = NEW and an
# empty list; --sync has no request body, and an inherited SENTRY_PAYLOAD
# does not leak through.
test_noop_sync() {
	local tip
	tip=$(head_of "$CP")
	SENTRY_PAYLOAD=/etc/passwd PROBE_INHERITED=yes run_sync "$CONF"
	check_eq "--sync with nothing new: exits 0" 0 "$RC"
	check "--sync with nothing new: the command ran" ran
	check_eq "--sync with nothing new: SENTRY_OLD = SENTRY_NEW = HEAD" "$tip $tip" \
		"$(var SENTRY_OLD) $(var SENTRY_NEW)"
	check_eq "--sync with nothing new: the list is empty" "" "$(listed)"
	check "--sync with nothing new: the list file exists" test -e "$PROBE_OUT/changed"
	check "--sync: SENTRY_PAYLOAD is unset, even when inherited" not is_set SENTRY_PAYLOAD
	check_eq "--sync: the rest of the environment is passed on" yes "$(var PROBE_INHERITED)"
}

# Without INCLUDE_FILES / EXCLUDE_FILES: every file of the tree.
test_no_filters() {
	local conf="$FX_DIR/nofilter.conf" cp="$FX_DIR/nofilter/checkout"
	mkdir -p "$FX_DIR/nofilter"
	write_config "$conf" "RUN=$PROBE" "CLONE_PATH=$cp"
	run_sync "$conf"
	check_eq "no filters, first clone by --sync: exits 0" 0 "$RC"
	check_eq "no filters: the list is every file of the tree" \
		"$(git --git-dir="$FX_REPO" ls-tree -r --name-only develop | LC_ALL=C sort)" "$(listed)"
}

# Events that do not sync run nothing.
test_ignored() {
	cp "$FX_PAYLOADS/stash/post-receive-branch-update.json" "$P/feature.json"
	change_develop 'echo more >>notes.txt && git add notes.txt' "ahead" >/dev/null
	run_front "$CONF" "$(post "$P/feature.json")"
	check_eq "feature_branch UPDATE: exits 0" 0 "$RC"
	check "feature_branch UPDATE: the command did not run" not ran
	stash_payload_develop "$P/delete.json" "$(head_of "$CP")" "$ZERO" DELETE
	run_front "$CONF" "$(post "$P/delete.json")"
	check "develop DELETE: the command did not run" not ran
	printf '{}' >"$P/empty.json"
	run_front "$CONF" "$(post "$P/empty.json")"
	check_eq "malformed payload: exits 2" 2 "$RC"
	check "malformed payload: the command did not run" not ran
}

# The words of RUN=: quotes group, backslash escapes, nothing expands.
test_split() {
	local conf="$FX_DIR/split.conf"
	write_config "$conf" "RUN=$PROBE plain 'single  quoted' \"double \\\"q\\\" \$HOME\" back\\ slash '' *"
	run_sync "$conf"
	check_eq "RUN with quotes: exits 0" 0 "$RC"
	# shellcheck disable=SC2016 # a literal $HOME: RUN= expands nothing
	check_eq "RUN with quotes: the arguments as split" \
		"$(printf '<%s>\n' plain 'single  quoted' 'double "q" $HOME' 'back slash' '' '*')" \
		"$(seen argv)"
}

# A failing command: the checkout is updated, the status is 6, the reason
# and the output are in the log.
test_failure() {
	local conf="$FX_DIR/fail.conf" new
	write_config "$conf" "RUN=/bin/sh -c 'echo failing-marker; exit 3'"
	new=$(change_develop 'echo f >>notes.txt && git add notes.txt' "before a failing RUN")
	run_front "$conf" "$(payload_for "$(head_of "$CP")" "$new")"
	check_eq "failing RUN: exits 6" 6 "$RC"
	check_eq "failing RUN: the checkout is updated all the same" "$new" "$(head_of "$CP")"
	check "failing RUN: the log gives the exit status" log_has "exit status 3"
	check "failing RUN: its output is in the log" log_has "run: failing-marker"
	check "failing RUN: the HTTP answer is still 200" grep -q '^HTTP/1.1 200' "$OUT"

	write_config "$conf" "RUN=/bin/sh -c 'kill -USR1 \$\$'"
	run_sync "$conf"
	check_eq "RUN killed by a signal: exits 6" 6 "$RC"
	check "RUN killed by a signal: the log names the signal" log_has "signal 10"

	printf '#!/nonexistent/interpreter\n' >"$FX_DIR/bin/broken"
	chmod 755 "$FX_DIR/bin/broken"
	write_config "$conf" "RUN=$FX_DIR/bin/broken"
	run_sync "$conf"
	check_eq "RUN that cannot be executed: exits 6" 6 "$RC"
	check "RUN that cannot be executed: the log says so" log_has "cannot run"
}

# RUN_TIMEOUT: the whole process group goes, TERM first, KILL for who
# ignores it; what a command leaves behind when it exits goes too.
test_timeout() {
	local conf="$FX_DIR/timeout.conf" bg
	write_config "$conf" RUN_TIMEOUT=2 \
		"RUN=/bin/sh -c 'sleep 120 & echo \$! >$FX_DIR/bg1; echo started; wait'"
	run_sync "$conf"
	bg=$(cat "$FX_DIR/bg1" 2>/dev/null)
	check_eq "RUN over RUN_TIMEOUT: exits 6" 6 "$RC"
	check "RUN over RUN_TIMEOUT: stopped, not left to its 120 s" test $((SECONDS - START)) -lt 60
	check "RUN over RUN_TIMEOUT: the log says so" log_has "RUN_TIMEOUT=2s"
	check "RUN over RUN_TIMEOUT: its background child is gone too" dead "${bg:-0}"

	write_config "$conf" RUN_TIMEOUT=2 \
		"RUN=/bin/sh -c 'trap \"\" TERM; sleep 120 & echo \$! >$FX_DIR/bg2; wait; wait'"
	run_sync "$conf"
	bg=$(cat "$FX_DIR/bg2" 2>/dev/null)
	check_eq "RUN ignoring SIGTERM: exits 6" 6 "$RC"
	check "RUN ignoring SIGTERM: killed after the grace (5 s), not left to its 120 s" \
		test $((SECONDS - START)) -ge 6 -a $((SECONDS - START)) -lt 60
	check "RUN ignoring SIGTERM: its child is gone too" dead "${bg:-0}"

	write_config "$conf" "RUN=/bin/sh -c 'sleep 120 & echo \$! >$FX_DIR/bg3; exit 0'"
	run_sync "$conf"
	bg=$(cat "$FX_DIR/bg3" 2>/dev/null)
	check_eq "RUN leaving a process behind: exits 0" 0 "$RC"
	check "RUN leaving a process behind: the sync does not wait for its 120 s" \
		test $((SECONDS - START)) -lt 60
	check "RUN leaving a process behind: it is stopped" dead "${bg:-0}"
	check "RUN leaving a process behind: the log says so" log_has "left processes behind"
}

# The command does not outlive the helper (its lock goes with it).
test_helper_killed() {
	local conf="$FX_DIR/orphan.conf" helper cmd
	rm -f "$FX_DIR/orphan.pid"
	write_config "$conf" "RUN=/bin/sh -c 'echo \$\$ >$FX_DIR/orphan.pid; exec sleep 120'"
	fresh
	next_run
	# The front execs the helper: $! is the helper.
	./sentry-source -c "$conf" --sync </dev/null >"$OUT" 2>"$ERR" &
	helper=$!
	if ! wait_for "$FX_DIR/orphan.pid" 20; then
		tap 1 "helper killed during RUN: the command started"
		kill -KILL "$helper" 2>/dev/null
		return
	fi
	cmd=$(cat "$FX_DIR/orphan.pid")
	kill -KILL "$helper"
	wait "$helper" 2>/dev/null
	sleep 0.5
	check "helper killed during RUN: the command is killed too" dead "$cmd"
}

# Output: long lines are cut, a flood is bounded.
test_output() {
	local conf="$FX_DIR/output.conf" longest
	write_config "$conf" \
		"RUN=/bin/sh -c 'head -c 5000 /dev/zero | tr \"\\\\0\" x; echo; echo tail-marker'"
	run_sync "$conf"
	check_eq "5000 bytes without a newline: exits 0" 0 "$RC"
	longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$ERR")
	check "5000 bytes without a newline: logged in lines under 1 KiB (longest $longest)" \
		test "$longest" -lt 1024
	check "5000 bytes without a newline: all of them logged" \
		test "$(grep '^sentry-source-sync: run: x' "$ERR" | tr -cd x | wc -c)" -eq 5000
	check "the line after it is logged whole" log_has "run: tail-marker"

	write_config "$conf" "RUN=/bin/sh -c 'yes flood | head -c 4000000; echo flood-end >&2'"
	run_sync "$conf"
	check_eq "4 MB of output: exits 0 (the command is never blocked)" 0 "$RC"
	check "4 MB of output: the log says where it stopped" log_has "the rest is not logged"
	check "4 MB of output: the log stays under 1.5 MB" test "$(wc -c <"$ERR")" -lt 1500000
}

# Bad RUN= or globs are config errors before any sync: nothing moves.
config_error() {
	local name=$1 pat=$2 conf="$FX_DIR/bad-$RUN.conf" before line
	shift 2
	write_config "$conf" "$@"
	change_develop "echo x >>notes.txt && git add notes.txt" "ahead of a bad config" >/dev/null
	before=$(head_of "$CP")
	run_front "$conf" "$(payload_for "$before" "$(repo_tip develop)")"
	line=$(grep -n -- "$pat" "$conf" | head -n 1 | cut -d: -f1)
	check_eq "config, $name: exits 78" 78 "$RC"
	check "config, $name: the host is answered 500, not 200" \
		grep -q '^HTTP/1.1 500' "$OUT"
	check "config, $name: the message names $(basename "$conf"):$line" log_has "$conf:$line"
	check_eq "config, $name: no sync happened" "$before" "$(head_of "$CP")"
	check "config, $name: the command did not run" not ran
}

test_config_errors() {
	config_error "RUN with an unclosed quote" '^RUN=' "RUN=$PROBE 'oops"
	config_error "RUN with a relative path" '^RUN=' "RUN=bin/probe"
	config_error "RUN naming no command in PATH" '^RUN=' "RUN=no-such-command-for-sentry x"
	config_error "INCLUDE_FILES with an unclosed [" '^INCLUDE_FILES=' "RUN=$PROBE" \
		"INCLUDE_FILES=src/[abc"
	config_error "EXCLUDE_FILES starting with /" '^EXCLUDE_FILES=' "RUN=$PROBE" \
		"EXCLUDE_FILES=/vendor/**"
}

# Production shape: the command's output goes to the log, never to curl.
test_socket_activated() {
	local old new
	if ! start_front "$CONF"; then
		tap 1 "systemd-socket-activate serves ./sentry-source"
		return
	fi
	old=$(head_of "$CP")
	new=$(change_develop 'echo sa >src/a.c && git add src/a.c' "socket-activated")
	stash_payload_develop "$P/sa.json" "$old" "$new"
	curl_post "$P/sa.json"
	check_eq "socket-activated: curl gets 200" 200 "$CODE"
	check "socket-activated: the command ran within 20 s" wait_for "$PROBE_OUT/done" 20
	sleep 0.5
	check "socket-activated: curl got nothing of the command" not grep -q probe- "$OUT"
	ERR="$FX_DIR/front.log"
	check "socket-activated: its output is in the log" log_has "run: probe-stdout-marker"
	check_eq "socket-activated: the list is the one changed file" src/a.c "$(listed)"
	check "socket-activated: SENTRY_PAYLOAD holds exactly the request body" \
		cmp "$PROBE_OUT/payload" "$P/sa.json"
	stop_bg "$FX_FRONT_PID"
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_build \
	test_first_clone \
	test_push \
	test_noop_sync \
	test_no_filters \
	test_ignored \
	test_split \
	test_failure \
	test_timeout \
	test_helper_killed \
	test_output \
	test_config_errors \
	test_socket_activated

printf '1..%d\n' "$n"
