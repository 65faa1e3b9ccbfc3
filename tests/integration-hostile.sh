#!/bin/bash
# tests/integration-hostile.sh: another local user against the sync. Each
# attack is run as `nobody` (setpriv), against the real programs, the real
# sshd and repository of tests/lib.sh: a writable directory holding
# CLONE_PATH, a squatted lock, a link swapped into a look-alike clone
# while the sweep removes it, a passphrase file others may read, and a
# pusher's environment (git push -o, GIT_DIR) against RUN= in hook mode,
# a FIFO or a link at METRICS_FILE, a config file others may write.
# Prints TAP. Needs `make` first, and root (to become nobody).
# shellcheck disable=SC2016 # eval, perl and git push -o get their quotes unexpanded, on purpose
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60
# Rounds of the swap race: the path-based sweep this replaced lost
# victim files within a few rounds, every time it was tried.
SWAP_ROUNDS=${SWAP_ROUNDS:-40}
VICTIM_FILES=300

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and a user nobody"
	exit 0
fi
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

tap_fixture bin
# nobody may come in and look, as on a shared machine; not write.
chmod 755 "$FX_DIR"
CONF="$FX_DIR/sentry-source.conf"

NOBODY=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups)
# as_nobody CMD...: CMD as the other user.
as_nobody() { "${NOBODY[@]}" "$@"; }
# nobody_bg CMD...: CMD as the other user in its own process group, which
# stop_bg (tests/lib.sh) ends, with all it started; sets FX_BG_PID.
nobody_bg() { start_bg "$FX_DIR/nobody.log" "${NOBODY[@]}" "$@"; }

# sync_conf CONF: sentry-source --sync, as the deployment's user (root).
sync_conf() { cli -c "$1" --sync; }

# said TEXT: the last run's stderr says TEXT.
said() { grep -qF -- "$1" "$ERR"; }

# --- a writable directory holding CLONE_PATH ------------------------------

# held FILE: somebody holds an flock on FILE (tests/lib.sh).
held() { flock_held "$1"; }

wait_held() {
	local i
	for i in $(seq 1 50); do
		held "$1" && return 0
		sleep 0.1
	done
	return 1
}

test_writable_parent() {
	local d="$FX_DIR/shared" cp="$FX_DIR/shared/checkout" pid
	mkdir -p "$d"
	chmod 777 "$d"	# a deploy directory "everyone" may write, say
	write_config "$CONF" "CLONE_PATH=$cp"
	# The squat: nobody takes CLONE_PATH.wait before any sync does.
	nobody_bg flock "$cp.wait" sleep 600
	pid=$FX_BG_PID
	wait_held "$cp.wait"
	check "writable parent: nobody holds an flock on CLONE_PATH.wait" held "$cp.wait"
	sync_conf "$CONF"
	check_eq "writable parent: --sync exits 78" 78 "$RC"
	check "writable parent: the error names the directory and chmod go-w" \
		eval 'said "$d, the directory holding CLONE_PATH, is writable by group or others" &&
			said "chmod go-w $d"'
	check "writable parent: nothing was cloned" test ! -e "$cp"
	cli -c "$CONF" --check
	check_eq "writable parent: --check exits 78" 78 "$RC"
	check "writable parent: --check says FAIL and names the directory" \
		grep -q "^FAIL: CLONE_PATH $cp: $d, the directory holding" "$OUT"
	# A rollback switches a link in that directory: refused alike.
	write_config "$FX_DIR/releases.conf" "CLONE_PATH=$cp" "PUBLISH=releases"
	cli -c "$FX_DIR/releases.conf" --rollback
	check_eq "writable parent: --rollback exits 78" 78 "$RC"
	check "writable parent: --rollback names the directory" \
		said "$d, the directory holding CLONE_PATH, is writable by group or others"
	stop_bg "$pid"

	chmod 1777 "$d"
	sync_conf "$CONF"
	check_eq "sticky but writable parent: still refused, 78" 78 "$RC"

	# Above the parent: not writable without the sticky bit, not another
	# user's; a root-owned sticky directory (as /tmp) is fine.
	mkdir -p "$FX_DIR/open/deploy" "$FX_DIR/sticky/deploy" "$FX_DIR/theirs/deploy"
	chmod 777 "$FX_DIR/open"
	chmod 1777 "$FX_DIR/sticky"
	chown "$NOBODY_UID" "$FX_DIR/theirs"
	write_config "$CONF" "CLONE_PATH=$FX_DIR/open/deploy/checkout"
	sync_conf "$CONF"
	check_eq "a writable directory further up, not sticky: 78" 78 "$RC"
	check "...the error names it" said "$FX_DIR/open is writable by group or others without the sticky bit"
	write_config "$CONF" "CLONE_PATH=$FX_DIR/theirs/deploy/checkout"
	sync_conf "$CONF"
	check_eq "a directory further up owned by another user: 78" 78 "$RC"
	check "...the error names it and its owner" said "$FX_DIR/theirs belongs to uid $NOBODY_UID"
	ln -s "$FX_DIR/shared" "$FX_DIR/link-to-shared"
	write_config "$CONF" "CLONE_PATH=$FX_DIR/link-to-shared/checkout"
	sync_conf "$CONF"
	check_eq "a parent that is a link to a writable directory: 78" 78 "$RC"
	write_config "$CONF" "CLONE_PATH=$FX_DIR/sticky/deploy/checkout"
	sync_conf "$CONF"
	check_eq "under a root-owned sticky directory (as /tmp): synced, exit 0" 0 "$RC"
	check_eq "...HEAD is the develop tip" "$(repo_tip develop)" \
		"$(head_of "$FX_DIR/sticky/deploy/checkout")"
}

# --- lock files that are not ours -----------------------------------------

test_lock_squat() {
	local d="$FX_DIR/locks" cp="$FX_DIR/locks/checkout" pid
	mkdir -p "$d"
	write_config "$CONF" "CLONE_PATH=$cp"
	# A lock file of nobody's, left from a time the directory was open to
	# them (or made by an admin for them): they may hold it at will.
	: >"$cp.wait"
	chown "$NOBODY_UID" "$cp.wait"
	nobody_bg flock "$cp.wait" sleep 600
	pid=$FX_BG_PID
	wait_held "$cp.wait"
	check "lock squat: nobody holds an flock on its own CLONE_PATH.wait" held "$cp.wait"
	sync_conf "$CONF"
	check_eq "lock squat: --sync exits 5, not 0 as coalesced" 5 "$RC"
	check "lock squat: the error names the lock file" \
		said "$cp.wait is not a lock file of ours"
	check "lock squat: no 'already waiting' line" not said "already waiting"
	stop_bg "$pid"
	rm -f "$cp.wait"

	: >"$cp.lock"
	chmod 666 "$cp.lock"
	sync_conf "$CONF"
	check_eq "a lock file of ours that others may write: exit 5" 5 "$RC"
	check "...named" said "$cp.lock is not a lock file of ours"
	rm -f "$cp.lock"
	ln -s /etc/passwd "$cp.lock"
	sync_conf "$CONF"
	check_eq "a lock file that is a symbolic link: exit 5" 5 "$RC"
	check "...named" said "$cp.lock is a symbolic link"
	rm -f "$cp.lock"
	mkfifo -m 600 "$cp.lock"
	next_run
	timeout -k 2 20 ./sentry-source -c "$CONF" --sync </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "a FIFO as the lock file: exit 5 at once (124: it hung)" 5 "$RC"
	check "...named as a FIFO" said "$cp.lock is not a lock file of ours (a FIFO"
	rm -f "$cp.lock"
	sync_conf "$CONF"
	check_eq "the lock files removed: the sync runs, exit 0" 0 "$RC"
	check_eq "...lock files made 0600 by this user" "0 600 0 600" \
		"$(stat -c '%u %a' "$cp.lock" "$cp.wait" | tr '\n' ' ' | sed 's/ $//')"
}

# --- the sweep against a link swapped in ------------------------------------

# A victim directory nobody cannot even list, with VICTIM_FILES files.
make_victim() {
	local i
	mkdir -p "$FX_DIR/victim"
	chmod 700 "$FX_DIR/victim"
	for i in $(seq 1 "$VICTIM_FILES"); do : >"$FX_DIR/victim/f$i"; done
}

# The look-alike temporary clone, nobody's, holding d/ with the victim's
# names, and l, a link to the victim.
plant_lookalike() {
	local look=$1 i
	rm -rf "$look"
	mkdir -p "$look/d"
	for i in $(seq 1 "$VICTIM_FILES"); do : >"$look/d/f$i"; done
	ln -s "$FX_DIR/victim" "$look/l"
	chown -hR "$NOBODY_UID:$NOBODY_GID" "$look"
}

# nobody exchanging d and l, as fast as it can, with renameat2(2)'s
# RENAME_EXCHANGE: d is always there, a directory or a link to the victim.
start_swapper() {
	local nr
	case $(uname -m) in
	x86_64) nr=316 ;;
	aarch64) nr=276 ;;
	*) return 1 ;;
	esac
	nobody_bg perl -e '
		my ($look, $nr) = @ARGV;
		my ($d, $l) = ("d", "l");
		chdir $look or die;
		for (;;) { syscall($nr, -100, $d, -100, $l, 2) == 0 or die "renameat2: $!"; }' \
		"$1" "$nr"
	SWAPPER=$FX_BG_PID
}

test_sweep_race() {
	local d="$FX_DIR/sweep" cp="$FX_DIR/sweep/checkout" look round lost=0 left
	look="$d/.checkout.tmp-theirs"
	mkdir -p "$d"
	make_victim
	check "sweep race: nobody cannot list the victim directory" \
		not as_nobody ls "$FX_DIR/victim"
	# A server that refuses at once: each round is the sweep, then a
	# failed clone.
	write_config "$CONF" "CLONE_PATH=$cp" \
		"CLONE_URL=ssh://$FX_USER@127.0.0.1:1/nothing.git"
	for round in $(seq 1 "$SWAP_ROUNDS"); do
		plant_lookalike "$look"
		start_swapper "$look"
		sync_conf "$CONF"
		stop_bg "$SWAPPER"
		left=$(find "$FX_DIR/victim" -type f | wc -l)
		lost=$((VICTIM_FILES - left))
		[ "$lost" -eq 0 ] || break
	done
	check_eq "sweep race: $round rounds of a link swapped in during the sweep, victim files lost" \
		0 "$lost"
	check "sweep race: the look-alike is left, with a log line" \
		eval 'test -d "$look" && said "left $look alone: it, or something in it, belongs to another user"'
	rm -rf "$look"
}

# --- the passphrase file ---------------------------------------------------

test_passphrase_mode() {
	local pp="$FX_DIR/keys/passphrase.readable" cp="$FX_DIR/srv/pass-checkout"
	cp "$FX_PASSPHRASE_FILE" "$pp"
	chmod 644 "$pp"
	check "passphrase 0644: nobody can read it" as_nobody cat "$pp"
	write_config "$CONF" "CLONE_PATH=$cp" "SSH_KEYPATH=$FX_KEY_PASS" \
		"SSH_PASSPHRASE_FILE=$pp"
	sync_conf "$CONF"
	check_eq "passphrase 0644: --sync exits 78" 78 "$RC"
	check "passphrase 0644: the error names the file and chmod 600" \
		eval 'said "SSH_PASSPHRASE_FILE $pp: mode 0644" && said "chmod 600"'
	check "passphrase 0644: nothing cloned" test ! -e "$cp"
	cli -c "$CONF" --check
	check_eq "passphrase 0644: --check exits 78" 78 "$RC"
	check "passphrase 0644: --check says FAIL and names it" \
		grep -q "^FAIL: SSH_PASSPHRASE_FILE $pp: mode 0644" "$OUT"
	chmod 640 "$pp"
	sync_conf "$CONF"
	check_eq "passphrase 0640 (the group may read it): --sync exits 78" 78 "$RC"
	chmod 600 "$pp"
	sync_conf "$CONF"
	check_eq "passphrase 0600: synced, exit 0" 0 "$RC"
}

# --- the pusher's environment against RUN= in hook mode --------------------

# The probe RUN= runs: what GIT_ variables it got, and whether git in the
# checkout works; written whole by one rename, so a reader sees all or none.
write_probe() {
	cat >"$FX_DIR/bin/probe" <<-'PROBE'
		#!/bin/sh
		out=$1
		rm -rf "$out.tmp" && mkdir -p "$out.tmp" || exit 1
		env | grep '^GIT_' >"$out.tmp/git-env"
		git rev-parse HEAD >"$out.tmp/head" 2>"$out.tmp/head.err"
		pwd >"$out.tmp/pwd"
		mv "$out.tmp" "$out"
	PROBE
	chmod 755 "$FX_DIR/bin/probe"
}

wait_probe() {
	local i
	for i in $(seq 1 150); do
		[ -d "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# RUN works in the three modes: hook (git push -o), --sync with a GIT_DIR
# from the caller, and socket mode.
test_hook_env() {
	local cp="$FX_DIR/srv/hook-checkout" s="$FX_DIR/git/scratch" probe tip
	probe="$FX_DIR/probe-out"
	write_probe
	write_config "$CONF" "CLONE_PATH=$cp" "RUN=$FX_DIR/bin/probe $probe"
	ln -sf "$PWD/sentry-source" "$FX_DIR/bin/sentry-source"
	install -m 755 hooks/post-receive "$FX_REPO/hooks/post-receive"
	git --git-dir="$FX_REPO" config sentry-source.config "$CONF"
	git --git-dir="$FX_REPO" config core.hooksPath "$FX_REPO/hooks"
	git --git-dir="$FX_REPO" config receive.advertisePushOptions true

	rm -rf "$probe"
	git -C "$s" fetch -q origin && git -C "$s" checkout -q -B develop origin/develop
	fx_git_commit "$s" "develop: pushed with options"
	tip=$(git -C "$s" rev-parse HEAD)
	next_run
	PATH="$FX_DIR/bin:$PATH" git -C "$s" push -o 'evil=$(id)' -o "GIT_DIR=/tmp" \
		origin develop >"$OUT" 2>&1
	RC=$?
	check_eq "hook, git push -o: the push exits 0" 0 "$RC"
	check "hook, git push -o: the pusher is told it is syncing" \
		grep -q "develop -> ${tip:0:7}, syncing" "$OUT"
	check "hook, git push -o: RUN ran" wait_probe "$probe"
	check_eq "hook, git push -o: RUN got no GIT_ variable (push options, GIT_DIR)" \
		"" "$(cat "$probe/git-env" 2>/dev/null)"
	check_eq "hook: git rev-parse HEAD inside RUN works and gives the pushed tip" \
		"$tip" "$(cat "$probe/head" 2>/dev/null)"

	rm -rf "$probe"
	next_run
	GIT_DIR="$FX_REPO" GIT_WORK_TREE=/ timeout -k 5 "$RUN_TIMEOUT" ./sentry-source \
		-c "$CONF" --sync </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "--sync with GIT_DIR and GIT_WORK_TREE set by the caller: exit 0" 0 "$RC"
	check_eq "--sync: RUN got neither" "" \
		"$(grep -E '^GIT_(DIR|WORK_TREE)=' "$probe/git-env" 2>/dev/null)"
	check_eq "--sync: git rev-parse HEAD inside RUN gives the checkout's HEAD" \
		"$tip" "$(cat "$probe/head" 2>/dev/null)"

	rm -rf "$probe"
	stash_payload_develop "$FX_DIR/hook.json" "$FX_ZERO" "$tip"
	front "$CONF" "$(post "$FX_DIR/hook.json")"
	check_eq "socket mode: exit 0" 0 "$RC"
	check_eq "socket mode: git rev-parse HEAD inside RUN gives the checkout's HEAD" \
		"$tip" "$(cat "$probe/head" 2>/dev/null)"

	# No helper where the front looks: the pusher hears it, not "syncing".
	fx_git_commit "$s" "develop: pushed with no helper"
	tip=$(git -C "$s" rev-parse HEAD)
	next_run
	PATH="$FX_DIR/bin:$PATH" SENTRY_SOURCE_EXEC_PATH="$FX_DIR/nohelper" \
		git -C "$s" push origin develop >"$OUT" 2>&1
	RC=$?
	check_eq "hook, no helper: the push still exits 0" 0 "$RC"
	check "hook, no helper: the pusher is told it cannot sync, and why" \
		grep -q "develop -> ${tip:0:7}, cannot sync: $FX_DIR/nohelper/sentry-source-sync: No such file or directory" "$OUT"
	check "hook, no helper: not told 'syncing'" not grep -q "syncing" "$OUT"
	git --git-dir="$FX_REPO" config --unset core.hooksPath
	rm -f "$FX_REPO/hooks/post-receive"
}

# The units' layout: the service's user (nobody here) runs the sync in
# its StateDirectory=, a 0700 directory of its own under root's 0755 one.
test_state_directory() {
	local lib="$FX_DIR/var-lib" key="$FX_DIR/keys/nobody-key" conf="$FX_DIR/nobody.conf"
	local cp="$FX_DIR/var-lib/sentry-source/repo"
	# A build tree under a private directory (a home, the sanitized copy)
	# is out of nobody's reach: nothing to learn from it then.
	if ! as_nobody test -x "$SENTRY_SOURCE_EXEC_PATH/sentry-source-sync"; then
		tap 0 "# SKIP StateDirectory= layout: nobody cannot run $SENTRY_SOURCE_EXEC_PATH"
		return
	fi
	install -d -m 755 "$lib"
	install -d -m 700 -o "$NOBODY_UID" -g "$NOBODY_GID" "$lib/sentry-source"
	install -m 600 -o "$NOBODY_UID" "$FX_KEY" "$key"
	write_config "$conf" "CLONE_PATH=$cp" "SSH_KEYPATH=$key"
	chmod 644 "$conf"
	next_run
	timeout -k 5 "$RUN_TIMEOUT" "${NOBODY[@]}" ./sentry-source -c "$conf" --sync \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "StateDirectory= layout, the sync as its user: exit 0" 0 "$RC"
	check_eq "...HEAD is the develop tip" "$(repo_tip develop)" \
		"$(as_nobody env HOME=/nonexistent git -C "$cp" rev-parse HEAD)"
	next_run
	timeout -k 5 "$RUN_TIMEOUT" "${NOBODY[@]}" ./sentry-source -c "$conf" --check \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check "...--check reports CLONE_PATH ok" grep -q "^ok: CLONE_PATH $cp: a clone of CLONE_URL" "$OUT"
}

# Not a trust question: a directory holding CLONE_PATH that does not exist
# is said as before, with status 1.
test_missing_parent() {
	write_config "$CONF" "CLONE_PATH=$FX_DIR/no-such-dir/checkout"
	sync_conf "$CONF"
	check_eq "a directory holding CLONE_PATH that does not exist: exit 1" 1 "$RC"
	check "...and the error says so" said "No such file or directory; create it"
}

# RUN's private directory goes whole, whatever the command left in it,
# and a link it left there is removed, not followed.
test_run_dir_removal() {
	local cp="$FX_DIR/srv/run-dir-checkout" keep="$FX_DIR/run-dir-keep"
	mkdir -p "$keep"
	: >"$keep/precious"
	cat >"$FX_DIR/bin/leaver" <<-LEAVER
		#!/bin/sh
		d=\$(dirname "\$SENTRY_CHANGED_FILES")
		printf '%s\n' "\$d" >"$FX_DIR/run-dir-was"
		mkdir "\$d/sub" && : >"\$d/sub/file" && ln -s "$keep" "\$d/link"
	LEAVER
	chmod 755 "$FX_DIR/bin/leaver"
	write_config "$CONF" "CLONE_PATH=$cp" "RUN=$FX_DIR/bin/leaver"
	sync_conf "$CONF"
	check_eq "RUN leaving files and a link in its private directory: exit 0" 0 "$RC"
	check "...the directory is gone" eval 'test -s "$FX_DIR/run-dir-was" && test ! -e "$(cat "$FX_DIR/run-dir-was")"'
	check "...what the link pointed to is untouched" test -e "$keep/precious"
}

# The hook's own status when it cannot run the helper.
test_hook_no_helper_status() {
	local line
	line="$FX_ZERO $(repo_tip develop) refs/heads/develop"
	next_run
	printf '%s\n' "$line" | SENTRY_SOURCE_EXEC_PATH="$FX_DIR/nohelper" \
		timeout -k 5 "$RUN_TIMEOUT" ./sentry-source -c "$CONF" --post-receive \
		>"$OUT" 2>"$ERR"
	RC=$?
	check_eq "hook with no helper: exits 70" 70 "$RC"
	check "...having told the pusher it cannot sync" grep -q "cannot sync: $FX_DIR/nohelper/sentry-source-sync" "$OUT"
}

# --- a FIFO where the sync reads a file -----------------------------------

# A textfile collector's directory that everyone may write (sticky, as
# /tmp): nobody puts a FIFO at METRICS_FILE. The sync must not wait on
# it, holding the lock; it says what the file is, and its write replaces
# the FIFO (root may rename over nobody's entry).
test_metrics_fifo() {
	local d="$FX_DIR/textfile" cp="$FX_DIR/srv/fifo" m
	m="$d/sentry.prom"
	mkdir -p "$d" "$FX_DIR/srv"
	chmod 1777 "$d"
	as_nobody mkfifo "$m"
	write_config "$CONF" "CLONE_PATH=$cp" "METRICS_FILE=$m"
	next_run
	timeout -k 2 20 ./sentry-source -c "$CONF" --sync </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "FIFO at METRICS_FILE: --sync exits 0 at once (124: it hung)" 0 "$RC"
	check "...and says what the file is" said "METRICS_FILE $m: a FIFO, not a regular file"
	check "...the checkout was synced" test -d "$cp/.git"
	check "...the metrics file replaced the FIFO" test -f "$m"
	sync_conf "$CONF"
	check_eq "FIFO gone: the next sync exits 0" 0 "$RC"
	check "...without a warning" not said "METRICS_FILE"
	check "...and counts two successes" grep -q 'result="success"} 2$' "$m"
	# A link at METRICS_FILE is refused too: the file is never written
	# through one, so it is not read through one.
	rm -f "$m"
	as_nobody ln -s /etc/shadow "$m"
	sync_conf "$CONF"
	check_eq "a link at METRICS_FILE: --sync exits 0" 0 "$RC"
	check "...says it is a link, not a regular file" \
		said "METRICS_FILE $m: a symbolic link, not a regular file"
	check "...and replaced it" test -f "$m" -a ! -L "$m"
	# The status record: a FIFO there does not hold --status.
	rm -f "$cp.status"
	mkfifo "$cp.status"
	next_run
	timeout -k 2 20 ./sentry-source -c "$CONF" --status </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "FIFO at the status record: --status exits 70 at once" 70 "$RC"
	check "...and says what it is" said "$cp.status: a FIFO, not a regular file"
	sync_conf "$CONF"
	check_eq "...the next sync exits 0" 0 "$RC"
	cli -c "$CONF" --status
	check_eq "...and --status reads its record again" 0 "$RC"
}

# --- a config file that other users may write ------------------------------

# refused_in_every_mode CONF LABEL HINT: each mode of both programs exits
# 78 on CONF, with HINT (the fix) in the error; socket mode answers 500.
refused_in_every_mode() {
	local conf=$1 label=$2 hint=$3 dir name mode body="$FX_DIR/trust-body.json"
	dir=${conf%/*}
	name=${conf##*/}
	name=${name%.conf}
	for mode in --sync --check --status --rollback --releases; do
		cli -c "$conf" "$mode"
		check_eq "$label: $mode exits 78" 78 "$RC"
		check "$label: $mode says the fix: $hint" said "$hint"
	done
	next_run
	printf '%s %s refs/heads/develop\n' "$FX_ZERO" "$(repo_tip develop)" |
		timeout -k 5 "$RUN_TIMEOUT" ./sentry-source -c "$conf" --post-receive \
		>"$OUT" 2>"$ERR"
	RC=$?
	check_eq "$label: --post-receive exits 78" 78 "$RC"
	check "$label: --post-receive says the fix" said "$hint"
	stash_payload_develop "$body" "$FX_ZERO" "$(repo_tip develop)"
	make_request POST /webhook application/json "$body" >"$body.http"
	front "$conf" "$body.http"
	check_eq "$label: socket mode exits 78" 78 "$RC"
	check "$label: socket mode answers 500" answer_is 500
	check "$label: socket mode says the fix" said "$hint"
	make_request POST "/$name/webhook" application/json "$body" >"$body.http"
	next_run
	timeout -k 5 "$RUN_TIMEOUT" ./sentry-source --config-dir "$dir" <"$body.http" \
		>"$OUT" 2>"$ERR"
	RC=$?
	check_eq "$label: --config-dir exits 78" 78 "$RC"
	check "$label: --config-dir answers 500" answer_is 500
	next_run
	timeout -k 5 "$RUN_TIMEOUT" ./sentry-source-sync -c "$conf" --ref refs/heads/develop \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "$label: sentry-source-sync exits 78" 78 "$RC"
}

test_config_trust() {
	local d="$FX_DIR/trust" conf="$FX_DIR/trust/t.conf" cp="$FX_DIR/srv/trust"
	mkdir -p "$d" "$FX_DIR/srv"
	chmod 755 "$d"
	write_config "$conf" "CLONE_PATH=$cp"
	chmod 666 "$conf"
	refused_in_every_mode "$conf" "config mode 0666" "chmod go-w $conf"
	check "config mode 0666: the error says who may write it" \
		said "mode 0666: group and others may write it"
	chmod 620 "$conf"
	refused_in_every_mode "$conf" "config mode 0620" "chmod go-w $conf"
	check "config mode 0620: the error says its group may write it" \
		said "its group may write it"
	chmod 644 "$conf"
	chown nobody "$conf"
	refused_in_every_mode "$conf" "config owned by nobody" "chown root $conf"
	chown 0 "$conf"
	# Whoever may write the directory may replace the file.
	chmod 775 "$d"
	cli -c "$conf" --sync
	check_eq "config in a group-writable directory: --sync exits 78" 78 "$RC"
	check "...and names the directory and chmod go-w" \
		eval 'said "its directory $d (owner uid 0, mode 0775)" && said "chmod go-w $d"'
	cli -c "$conf" --check
	check_eq "...--check exits 78" 78 "$RC"
	chmod 755 "$d"
	# A link to the config is allowed; its own directory must be safe too.
	mkdir -p "$FX_DIR/linkdir"
	chmod 777 "$FX_DIR/linkdir"
	ln -s "$conf" "$FX_DIR/linkdir/t.conf"
	cli -c "$FX_DIR/linkdir/t.conf" --status
	check_eq "a link to the config, in a directory others may write: exits 78" 78 "$RC"
	check "...names the link's directory" said "a link in $FX_DIR/linkdir, which group and others may write"
	chmod 755 "$FX_DIR/linkdir"
	cli -c "$FX_DIR/linkdir/t.conf" --status
	check_eq "...in a safe directory: accepted (--status: no sync yet, 66)" 66 "$RC"
	# Root's 0644 file: trusted by another user, as ssh trusts root's.
	next_run
	as_nobody timeout -k 5 "$RUN_TIMEOUT" ./sentry-source -c "$conf" --status \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "root's 0644 config, read by nobody: accepted (--status: 66)" 66 "$RC"
	sync_conf "$conf"
	check_eq "config fixed: the next sync exits 0" 0 "$RC"
	check "...and cloned" test -d "$cp/.git"
}


# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_state_directory \
	test_missing_parent \
	test_writable_parent \
	test_lock_squat \
	test_sweep_race \
	test_passphrase_mode \
	test_hook_env \
	test_hook_no_helper_status \
	test_run_dir_removal \
	test_metrics_fifo \
	test_config_trust
echo "1..$n"
