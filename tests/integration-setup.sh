#!/bin/bash
# tests/integration-setup.sh: what a new deployment gets wrong, caught
# before it costs a sync: the files a sync needs (a 500, not a 200, when
# they are missing or too open). Real programs, the real sshd and
# repository of tests/lib.sh. Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60
tap_fixture conf

# log_has STRING: the last run's log says STRING.
log_has() { grep -qF -- "$1" "$ERR"; }

# A matching push for the fixture's stash-develop config.
push_request() {
	local body="$FX_DIR/push-$RUN.json"
	stash_payload_develop "$body" "$FX_ZERO" "$(repo_tip develop)" ADD || return 1
	post "$body"
}

# --- the files a sync needs, checked before the answer -------------------

# key_files NAME PATTERN CONFIG-LINE...: a config whose sync cannot
# connect is answered 500, logged, and nothing is cloned.
key_files() {
	local name=$1 pat=$2 conf="$FX_DIR/conf/files-$RUN.conf" req
	shift 2
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/files-$RUN" "$@"
	req=$(push_request) || bail "no payload"
	front "$conf" "$req"
	check "sync files, $name: answered 500, not 200" answer_is 500
	check_eq "sync files, $name: exits 78" 78 "$RC"
	check "sync files, $name: the log says $pat" log_has "$pat"
	check "sync files, $name: nothing cloned" test ! -e "$FX_DIR/srv/files-$RUN"
}

test_key_files() {
	local open="$FX_DIR/conf/key-0644" pp="$FX_DIR/conf/passphrase"
	cp "$FX_KEY" "$open" && chmod 644 "$open"
	key_files "SSH_KEYPATH missing" "SSH_KEYPATH $FX_DIR/none: No such file" \
		"SSH_KEYPATH=$FX_DIR/none"
	key_files "SSH_KEYPATH mode 0644" "mode 0644 lets others read" "SSH_KEYPATH=$open"
	key_files "SSH_KEYPATH a directory" "not a regular file" "SSH_KEYPATH=$FX_DIR/conf"
	key_files "KNOWN_HOSTS missing" "KNOWN_HOSTS $FX_DIR/none: No such file" \
		"KNOWN_HOSTS=$FX_DIR/none"
	key_files "SSH_PASSPHRASE_FILE missing" "SSH_PASSPHRASE_FILE $FX_DIR/none: No such file" \
		"SSH_PASSPHRASE_FILE=$FX_DIR/none"

	# Unreadable to the user that runs it: root reads anything, so as nobody.
	cp "$FX_KEY" "$FX_DIR/conf/key-root" && chmod 600 "$FX_DIR/conf/key-root"
	write_config "$FX_DIR/conf/nobody.conf" "SSH_KEYPATH=$FX_DIR/conf/key-root" \
		"CLONE_PATH=$FX_DIR/srv/nobody"
	chmod 755 "$FX_DIR" "$FX_DIR/conf" && chmod 644 "$FX_DIR/conf/nobody.conf"
	req=$(push_request) || bail "no payload"
	chmod 644 "$req"
	next_run
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		timeout -k 5 "$RUN_TIMEOUT" ./sentry-source -c "$FX_DIR/conf/nobody.conf" \
		<"$req" >"$OUT" 2>"$ERR"
	RC=$?
	check "sync files, key unreadable to this user: answered 500" answer_is 500
	check "sync files, key unreadable to this user: the log says Permission denied" \
		log_has "SSH_KEYPATH $FX_DIR/conf/key-root: Permission denied"

	# The good twin: the same request, the fixture's files, a 200 and a clone.
	write_config "$FX_DIR/conf/good.conf" "CLONE_PATH=$FX_DIR/srv/good" \
		"SSH_PASSPHRASE_FILE=$pp"
	printf '\n' >"$pp"
	req=$(push_request) || bail "no payload"
	front "$FX_DIR/conf/good.conf" "$req"
	check "sync files, all present: answered 200" answer_is 200
	check_eq "sync files, all present: exits 0" 0 "$RC"
	check_eq "sync files, all present: synced" "$(repo_tip develop)" "$(head_of "$FX_DIR/srv/good")"
}

test_key_files
printf '1..%d\n' "$n"
