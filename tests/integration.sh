#!/bin/bash
# tests/integration.sh: drive the built ./sentry-source and
# ./sentry-source-sync through their real interfaces (a request on stdin, an
# inetd-style socket, a real sshd, a real repository) and print TAP.
# Run from anywhere; it works in the repository root.  Needs `make` first.
#
# Every positive case has hostile twins, and every "nothing changed" check
# is made while the repository is ahead of the checkout, so that a sync that
# should not have happened would show.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

# Per-invocation bound: a clone over loopback takes well under a second.
RUN_TIMEOUT=60

# --- fixture -------------------------------------------------------------

tap_fixture p
CONF="$FX_DIR/sentry-source.conf"
write_config "$CONF"
CP=$FX_CLONE_PATH
P="$FX_DIR/p"

# The fixture itself, checked with plain git and OpenSSH, so a failure
# below is the program's and not the test bed's.
test_fixture() {
	local d="$FX_DIR/fixture-check"
	check "fixture: git clone over ssh with the authorized key and known_hosts" \
		ssh_clone "$FX_KEY" "$FX_KNOWN_HOSTS" "$d/ok"
	check "fixture: the unauthorized key is refused by sshd" \
		not ssh_clone "$FX_KEY_UNAUTHORIZED" "$FX_KNOWN_HOSTS" "$d/unauthorized"
	check "fixture: known_hosts.other does not match the server" \
		not ssh_clone "$FX_KEY" "$FX_KNOWN_HOSTS_OTHER" "$d/other"
}

test_build() {
	check "./sentry-source and ./sentry-source-sync are built" \
		test -x ./sentry-source -a -x ./sentry-source-sync
	check "ldd ./sentry-source shows no libgit2" front_without_libgit2
}

# front_without_libgit2: ldd must work (a missing or static binary is a
# failure, not a pass) and list no libgit2.
front_without_libgit2() {
	local libs
	libs=$(ldd ./sentry-source 2>&1) || return 1
	! grep -q libgit2 <<<"$libs"
}

test_cli() {
	cli --list-sources
	check_eq "--list-sources exits 0" 0 "$RC"
	check "--list-sources names stash-develop" grep -q stash-develop "$OUT"
	cli --no-such-option
	check_eq "an unknown option exits 64" 64 "$RC"
}

# First event: no checkout yet, so this is the clone path.
test_first_clone() {
	local tip parent req
	tip=$(repo_tip develop)
	parent=$(git --git-dir="$FX_REPO" rev-parse develop^)
	stash_payload_develop "$P/first.json" "$parent" "$tip"
	req=$(post "$P/first.json")
	front "$CONF" "$req"
	check "develop UPDATE on stdin: answers HTTP/1.1 200" answer_is 200
	check "develop UPDATE on stdin: body is {\"success\":true}" body_has '{"success":true}'
	check "develop UPDATE on stdin: Connection: close" header_has '^Connection: *close'
	check_eq "develop UPDATE on stdin: exits 0 (clone)" 0 "$RC"
	check "clone: CLONE_PATH is a checkout of CLONE_URL" is_our_checkout "$CP"
	check_eq "clone: HEAD is the develop tip" "$tip" "$(head_of "$CP")"
	check_eq "clone: branch develop is checked out" develop "$(branch_of "$CP")"
	check "clone: work tree clean" clean_tree "$CP"
	check "clone: no .checkout.tmp-* left beside it" no_tmp_sibling "$CP"
}

# Second event: the checkout exists, so this is the fetch path.
test_fetch() {
	local old new req
	old=$(repo_tip develop)
	new=$(push_commit develop)
	stash_payload_develop "$P/fetch.json" "$old" "$new"
	req=$(post "$P/fetch.json")
	front "$CONF" "$req"
	check "fetch: answers 200 {\"success\":true}" eval 'answer_is 200 && body_has "{\"success\":true}"'
	check_eq "fetch: exits 0" 0 "$RC"
	check_eq "fetch: HEAD moved to the new develop tip" "$new" "$(head_of "$CP")"
	check_eq "fetch: still on branch develop" develop "$(branch_of "$CP")"
	check "fetch: work tree clean" clean_tree "$CP"
}

# curl_post PATH FILE: POST FILE to the socket-activated front; sets OUT
# (headers + body, like the stdin runs) and CODE.
curl_post() {
	next_run
	CODE=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT.body" -D "$OUT.head" \
		-w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary @"$2" "http://127.0.0.1:$FX_HTTP_PORT$1" 2>"$ERR")
	RC=$?
	cat "$OUT.head" "$OUT.body" >"$OUT" 2>/dev/null
}

# Production shape: one process per connection under an inetd-style launcher;
# the sync runs after the answer, so the checkout moves a little later.
test_socket_activated() {
	local path old new
	if ! start_front "$CONF"; then
		tap 1 "systemd-socket-activate serves ./sentry-source"
		return
	fi
	tap 0 "systemd-socket-activate serves ./sentry-source"
	for path in /webhook /plugins/sources/stash-develop/webhook; do
		old=$(repo_tip develop)
		new=$(push_commit develop)
		stash_payload_develop "$P/sa.json" "$old" "$new"
		curl_post "$path" "$P/sa.json"
		check_eq "socket-activated POST $path: curl gets 200" 200 "$CODE"
		check "socket-activated POST $path: body is {\"success\":true}" body_has '{"success":true}'
		check "socket-activated POST $path: Connection: close" header_has '^Connection: *close'
		ERR="$FX_DIR/front.log"
		check "socket-activated POST $path: checkout moves to the new tip within 20 s" \
			wait_head "$CP" "$new" 20
	done
	stop_bg "$FX_FRONT_PID"
}

# hostile NAME EXPECT_CODE EXPECT_RC REQUEST [CHECK...]: a request that must
# not sync.  develop is ahead of the checkout, so a sync would show.
hostile() {
	local name=$1 code=$2 want_rc=$3 req=$4 before
	shift 4
	before=$(state "$CP")
	front "$CONF" "$req"
	check "$name: answers $code" answer_is "$code"
	check_eq "$name: exits $want_rc" "$want_rc" "$RC"
	check_eq "$name: checkout untouched" "$before" "$(state "$CP")"
	while [ "$#" -gt 0 ]; do
		check "$name: $1" eval "$1"
		shift
	done
}

test_hostile_twins() {
	local tip old f size
	old=$(head_of "$CP")
	tip=$(push_commit develop)
	stash_payload_develop "$P/good.json" "$old" "$tip"
	size=$(wc -c <"$P/good.json")

	head -c $((size / 2)) "$P/good.json" >"$P/truncated.json"
	hostile "truncated JSON" 400 2 "$(post "$P/truncated.json")"

	printf '{}' >"$P/empty-object.json"
	hostile "JSON without refChanges" 400 2 "$(post "$P/empty-object.json")"

	make_request GET /webhook "" "" >"$P/get.http"
	hostile "GET /webhook" 405 2 "$P/get.http" "header_has '^Allow: *POST'"

	hostile "POST /nope" 404 2 "$(post "$P/good.json" /nope)"
	hostile "POST to another source's path" 404 2 \
		"$(post "$P/good.json" /plugins/sources/github/webhook)"

	make_request POST /webhook text/plain "$P/good.json" >"$P/text.http"
	hostile "Content-Type: text/plain" 415 2 "$P/text.http"

	make_request POST /webhook application/json "" >"$P/nolength.http"
	hostile "POST without Content-Length" 411 2 "$P/nolength.http"

	cp "$FX_PAYLOADS/stash/post-receive-branch-update.json" "$P/feature.json"
	hostile "feature_branch UPDATE" 200 0 "$(post "$P/feature.json")" \
		"body_has '\"ignored\"'"

	stash_payload_develop "$P/delete.json" "$(head_of "$CP")" "$FX_ZERO" DELETE
	hostile "develop DELETE" 200 0 "$(post "$P/delete.json")" \
		"body_has '\"ignored\"'"

	# The real captures: none of them touches develop.
	for f in "$FX_PAYLOADS"/stash/*.json; do
		cp "$f" "$P/stock.json"
		hostile "stock stash/$(basename "$f")" 200 0 "$(post "$P/stock.json")" \
			"body_has '\"ignored\"'"
	done

	# The positive twin, same state: proves the checks above could fail.
	front "$CONF" "$(post "$P/good.json")"
	check_eq "after the twins, the real develop UPDATE still syncs (exit 0)" 0 "$RC"
	check_eq "after the twins, HEAD is the develop tip" "$tip" "$(head_of "$CP")"
}

# new_clone_path NAME: an empty parent dir, so stray siblings can be seen.
new_clone_path() {
	mkdir -p "$FX_DIR/$1"
	printf '%s\n' "$FX_DIR/$1/checkout"
}

# refused_clone NAME WANT_RC CONF CP: the sync must fail before writing.
refused_clone() {
	local name=$1 want=$2 conf=$3 cp=$4
	front "$conf" "$(post "$P/good.json")"
	check_eq "$name: exits $want" "$want" "$RC"
	check "$name: nothing at CLONE_PATH" not test -e "$cp"
	check "$name: no .checkout.tmp-* left beside it" no_tmp_sibling "$cp"
}

# names_a_server_key: the last run's stderr holds the fingerprint of one of
# the fixture sshd's host keys, as ssh-keygen -l prints it.
names_a_server_key() {
	local k
	for k in "$FX_DIR"/sshd/ssh_host_*_key.pub; do
		grep -qF " $(ssh-keygen -lf "$k" | cut -d' ' -f2) " "$ERR" && return 0
	done
	return 1
}

test_host_key() {
	local cp conf empty
	cp=$(new_clone_path hostkey-changed)
	conf="$FX_DIR/hostkey-changed.conf"
	write_config "$conf" "KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER" "CLONE_PATH=$cp"
	refused_clone "changed host key (known_hosts.other), clone" 3 "$conf" "$cp"
	cli -c "$conf" --sync
	check_eq "changed host key, --sync: exits 3" 3 "$RC"
	check "changed host key, --sync: nothing at CLONE_PATH" not test -e "$cp"
	# The fingerprint in the message is the server's, as ssh-keygen -l prints it.
	check "changed host key, --sync: names the server's key by its SHA256 fingerprint" \
		names_a_server_key

	cp=$(new_clone_path hostkey-unknown)
	conf="$FX_DIR/hostkey-unknown.conf"
	empty="$FX_DIR/known_hosts.empty"
	: >"$empty"
	write_config "$conf" "KNOWN_HOSTS=$empty" "CLONE_PATH=$cp"
	refused_clone "unknown host (empty known_hosts), clone" 3 "$conf" "$cp"

	refused_fetch "changed host key, fetch" 3 "KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"
}

test_wrong_key() {
	local cp conf
	cp=$(new_clone_path wrong-key)
	conf="$FX_DIR/wrong-key.conf"
	write_config "$conf" "SSH_KEYPATH=$FX_KEY_UNAUTHORIZED" "CLONE_PATH=$cp"
	refused_clone "unauthorized client key, clone" 4 "$conf" "$cp"

	refused_fetch "unauthorized client key, fetch" 4 "SSH_KEYPATH=$FX_KEY_UNAUTHORIZED"
}

# refused_fetch NAME WANT_RC CONF_LINE: against the existing checkout, with
# develop ahead, the sync must fail closed and leave every ref where it was.
refused_fetch() {
	local conf="$FX_DIR/refused-fetch-$RUN.conf" before
	push_commit develop >/dev/null
	write_config "$conf" "$3"
	before=$(state "$CP")
	front "$conf" "$(post "$P/good.json")"
	check_eq "$1: exits $2" "$2" "$RC"
	check_eq "$1: checkout untouched" "$before" "$(state "$CP")"
}

# fresh_clone NAME CONF_LINES...: a first sync into a new CLONE_PATH with
# the given config changes; sets CPX to the path.
fresh_clone() {
	local name=$1 conf="$FX_DIR/$1.conf"
	shift
	CPX=$(new_clone_path "$name")
	write_config "$conf" "CLONE_PATH=$CPX" "$@"
	front "$conf" "$(post "$P/good.json")"
}

# Key types: ECDSA and a passphrase-protected ed25519 key work; RSA fails
# with advice (libssh2 1.10 signs it with SHA-1); a key others may read is
# refused before any connection, as ssh refuses it.
test_key_types() {
	local tip
	tip=$(repo_tip develop)
	fresh_clone key-ecdsa "SSH_KEYPATH=$FX_KEY_ECDSA"
	check_eq "ECDSA client key: exits 0" 0 "$RC"
	check_eq "ECDSA client key: HEAD is the develop tip" "$tip" "$(head_of "$CPX")"

	fresh_clone key-pass "SSH_KEYPATH=$FX_KEY_PASS" "SSH_PASSPHRASE_FILE=$FX_PASSPHRASE_FILE"
	check_eq "ed25519 key with SSH_PASSPHRASE_FILE: exits 0" 0 "$RC"
	check_eq "ed25519 key with SSH_PASSPHRASE_FILE: HEAD is the develop tip" \
		"$tip" "$(head_of "$CPX")"

	printf 'wrong\n' >"$FX_DIR/keys/wrong-passphrase"
	chmod 600 "$FX_DIR/keys/wrong-passphrase"
	fresh_clone key-wrong-pass "SSH_KEYPATH=$FX_KEY_PASS" \
		"SSH_PASSPHRASE_FILE=$FX_DIR/keys/wrong-passphrase"
	check_eq "wrong passphrase: exits 4" 4 "$RC"
	check "wrong passphrase: nothing at CLONE_PATH" not test -e "$CPX"
	check "wrong passphrase: no .checkout.tmp-* left beside it" no_tmp_sibling "$CPX"

	fresh_clone key-rsa "SSH_KEYPATH=$FX_KEY_RSA"
	check_eq "RSA client key: exits 4" 4 "$RC"
	check "RSA client key: the error says RSA and names ed25519" \
		eval 'grep -q "RSA key" "$ERR" && grep -q ed25519 "$ERR"'
	check "RSA client key: nothing at CLONE_PATH" not test -e "$CPX"

	cp "$FX_KEY" "$FX_DIR/keys/readable" && chmod 644 "$FX_DIR/keys/readable"
	fresh_clone key-mode "SSH_KEYPATH=$FX_DIR/keys/readable"
	check_eq "private key with mode 0644: exits 78" 78 "$RC"
	check "private key with mode 0644: the error says chmod 600" grep -q 'chmod 600' "$ERR"
	check "private key with mode 0644: nothing at CLONE_PATH" not test -e "$CPX"
}

# libgit2 alone would read ~/.ssh/known_hosts (and ask only for the key
# type of its first entry: ssh-rsa breaks the handshake with OpenSSH 9) and
# ~/.gitconfig (where url.insteadOf could redirect the clone). The helper
# reads neither: a HOME with both must change nothing.
test_home_ignored() {
	local home="$FX_DIR/home-known-hosts" tip
	tip=$(repo_tip develop)
	mkdir -p "$home/.ssh"
	cp "$FX_KNOWN_HOSTS" "$home/.ssh/known_hosts"	# ssh-rsa first
	HOME=$home fresh_clone home-known-hosts
	check_eq "HOME with an rsa-first ~/.ssh/known_hosts: exits 0" 0 "$RC"
	check_eq "HOME with an rsa-first ~/.ssh/known_hosts: HEAD is the tip" \
		"$tip" "$(head_of "$CPX")"

	home="$FX_DIR/home-gitconfig"
	mkdir -p "$home"
	printf '[url "ssh://%s@127.0.0.1:%s/nonexistent/"]\n\tinsteadOf = %s\n' \
		"$FX_USER" "$FX_SSH_PORT" "$(dirname "$FX_CLONE_URL")/" >"$home/.gitconfig"
	HOME=$home fresh_clone home-gitconfig
	check_eq "HOME with url.insteadOf in ~/.gitconfig: exits 0" 0 "$RC"
	check_eq "HOME with url.insteadOf in ~/.gitconfig: HEAD is the tip" \
		"$tip" "$(head_of "$CPX")"
}

# What is not ours, or holds someone's work, is refused and kept as it is.
test_not_ours() {
	local before conf foreign="$FX_DIR/foreign/checkout"
	mkdir -p "$foreign" && printf 'precious\n' >"$foreign/notes.txt"
	conf="$FX_DIR/foreign.conf"
	write_config "$conf" "CLONE_PATH=$foreign"
	front "$conf" "$(post "$P/good.json")"
	check_eq "CLONE_PATH a plain directory: exits 5" 5 "$RC"
	check_eq "CLONE_PATH a plain directory: its file untouched" precious "$(cat "$foreign/notes.txt")"

	git init -q "$FX_DIR/other-repo/checkout"
	git -C "$FX_DIR/other-repo/checkout" remote add origin "ssh://$FX_USER@127.0.0.1:1/elsewhere.git"
	conf="$FX_DIR/other-repo.conf"
	write_config "$conf" "CLONE_PATH=$FX_DIR/other-repo/checkout"
	front "$conf" "$(post "$P/good.json")"
	check_eq "CLONE_PATH a repository of another origin: exits 5" 5 "$RC"
	check "CLONE_PATH a repository of another origin: it says origin" grep -q origin "$ERR"

	push_commit develop >/dev/null
	local file
	file=$(git -C "$CP" ls-files | head -n 1)
	printf 'local edit\n' >>"$CP/$file"
	before=$(state "$CP")
	front "$CONF" "$(post "$P/good.json")"
	check_eq "local modification: exits 5" 5 "$RC"
	check "local modification: the error names $file" grep -qF "$file" "$ERR"
	check_eq "local modification: checkout, HEAD and the edit kept" "$before" "$(state "$CP")"
	git -C "$CP" checkout -q -- "$file"

	printf 'scratch\n' >"$CP/untracked-scratch.txt"
	front "$CONF" "$(post "$P/good.json")"
	check_eq "an untracked file does not block a sync: exits 0" 0 "$RC"
	check_eq "an untracked file does not block a sync: HEAD is the tip" \
		"$(repo_tip develop)" "$(head_of "$CP")"
	check "an untracked file does not block a sync: the file is kept" \
		test -f "$CP/untracked-scratch.txt"
	rm -f "$CP/untracked-scratch.txt"
}

# Bodies too large are refused from the head, before a byte is read; large
# ones within the limit are read even when curl asks to Expect: 100-continue.
test_sizes() {
	printf 'POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 26214401\r\n\r\n{' \
		>"$P/huge.http"
	hostile "Content-Length over 25 MiB" 413 2 "$P/huge.http"

	{ printf '{"refChanges":[],"padding":"'; head -c 2000000 /dev/zero | tr '\0' x; printf '"}'; } \
		>"$P/two-megabytes.json"
	start_front "$CONF" || { tap 1 "systemd-socket-activate serves ./sentry-source"; return; }
	next_run
	CODE=$(curl -sS -v --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @"$P/two-megabytes.json" \
		"http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR")
	check_eq "2 MB body through curl: 200" 200 "$CODE"
	check "2 MB body through curl: ignored (no develop change)" grep -q '"ignored"' "$OUT"
	check "2 MB body through curl: answered 100 Continue first" grep -q '< HTTP/1.1 100 Continue' "$ERR"
	check "socket-activated: the log names the peer 127.0.0.1:port" \
		wait_log "$FX_DIR/front.log" '127\.0\.0\.1:[0-9]+: ignored' 10
	stop_bg "$FX_FRONT_PID"
}

# Only the server's ssh-rsa key in KNOWN_HOSTS: libssh2 asks for ECDSA, so
# the sync fails closed, and says why without crying "changed".
test_host_key_types() {
	local kh="$FX_DIR/known_hosts.rsa-only"
	grep ' ssh-rsa ' "$FX_KNOWN_HOSTS" >"$kh"
	fresh_clone hostkey-rsa-only "KNOWN_HOSTS=$kh"
	check_eq "KNOWN_HOSTS with the ssh-rsa key only: exits 3" 3 "$RC"
	check "KNOWN_HOSTS with the ssh-rsa key only: says other types, not CHANGED" \
		eval 'grep -q "keys of other types only" "$ERR" && ! grep -q CHANGED "$ERR"'
	check "KNOWN_HOSTS with the ssh-rsa key only: nothing at CLONE_PATH" not test -e "$CPX"
}

# Commits made in the checkout and never pushed are not dropped.
test_local_commits() {
	local mine before
	push_commit develop >/dev/null
	printf 'mine\n' >"$CP/local-work.txt"
	git -C "$CP" add local-work.txt && git -C "$CP" commit -q -m "local work"
	mine=$(head_of "$CP")
	before=$(state "$CP")
	front "$CONF" "$(post "$P/good.json")"
	check_eq "a local commit on develop: exits 5" 5 "$RC"
	check "a local commit on develop: the error says so" grep -q "has commits that origin/develop does not" "$ERR"
	check_eq "a local commit on develop: HEAD kept at it" "$mine" "$(head_of "$CP")"
	git -C "$CP" reset -q --hard HEAD^
	front "$CONF" "$(post "$P/good.json")"
	check_eq "without the local commit: syncs (exit 0)" 0 "$RC"
	check_eq "without the local commit: HEAD is the tip" "$(repo_tip develop)" "$(head_of "$CP")"
}

# A sync stopped between checking out and moving the branch (here: the ref
# is locked) leaves a work tree that is the remote's tip; the next sync
# finishes the job instead of taking it for local modifications.
test_interrupted_sync() {
	local new
	new=$(push_commit develop)
	: >"$CP/.git/refs/heads/develop.lock"
	front "$CONF" "$(post "$P/good.json")"
	check_eq "ref locked while syncing: exits 1" 1 "$RC"
	rm -f "$CP/.git/refs/heads/develop.lock"
	front "$CONF" "$(post "$P/good.json")"
	check_eq "the next sync finishes the interrupted one: exits 0" 0 "$RC"
	check "the next sync finishes the interrupted one: says so" grep -q "finishing an interrupted sync" "$ERR"
	check_eq "the next sync finishes the interrupted one: HEAD is the tip" "$new" "$(head_of "$CP")"
	check "the next sync finishes the interrupted one: work tree clean" clean_tree "$CP"
}

# An ignored file is someone's: a push that would overwrite it is refused.
test_ignored_file() {
	printf 'secret.txt\n' >>"$CP/.git/info/exclude"
	printf 'local secret\n' >"$CP/secret.txt"
	push_file develop secret.txt "from upstream" >/dev/null
	front "$CONF" "$(post "$P/good.json")"
	check_eq "a push over an ignored local file: exits 5" 5 "$RC"
	check "a push over an ignored local file: names it" grep -q secret.txt "$ERR"
	check_eq "a push over an ignored local file: the file kept" "local secret" "$(cat "$CP/secret.txt")"
	rm -f "$CP/secret.txt"
	front "$CONF" "$(post "$P/good.json")"
	check_eq "once the file is gone: syncs (exit 0)" 0 "$RC"
}

# CLONE_PATH through a symlinked directory: not "someone else's" on sync 2.
test_symlinked_parent() {
	local conf="$FX_DIR/symlink.conf"
	mkdir -p "$FX_DIR/real-parent" && ln -s "$FX_DIR/real-parent" "$FX_DIR/link-parent"
	write_config "$conf" "CLONE_PATH=$FX_DIR/link-parent/checkout"
	front "$conf" "$(post "$P/good.json")"
	check_eq "CLONE_PATH under a symlink, first sync: exits 0" 0 "$RC"
	push_commit develop >/dev/null
	front "$conf" "$(post "$P/good.json")"
	check_eq "CLONE_PATH under a symlink, second sync: exits 0" 0 "$RC"
	check_eq "CLONE_PATH under a symlink: HEAD is the tip" "$(repo_tip develop)" \
		"$(head_of "$FX_DIR/real-parent/checkout")"
}

test_body_shapes() {
	printf '%s GARBAGE' "$(cat "$P/good.json")" >"$P/trailing.json"
	hostile "JSON followed by garbage" 400 2 "$(post "$P/trailing.json")"
	{ printf '['; head -c 2000001 /dev/zero | tr '\0' '0' | sed 's/0/0,/g'; printf '0]'; } \
		>"$P/values.json"
	hostile "2 million JSON values" 413 2 "$(post "$P/values.json")" \
		"body_has 'JSON values'"
}

# A classic inetd hands the peer over as stderr too: it must read the
# answer and nothing of the log, even when the log speaks first (a bad
# config is logged before the 500), and the sync must still run.
test_inetd_stderr() {
	local conf="$FX_DIR/inetd.conf" pid port old new w="$FX_DIR/inetd-helper"
	write_config "$conf"
	# The helper, behind a wrapper that keeps its arguments.
	mkdir -p "$w"
	printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/argv"\nexec "%s/sentry-source-sync" "$@"\n' \
		"$w" "$FX_ROOT" >"$w/sentry-source-sync"
	chmod 755 "$w/sentry-source-sync"
	port=$(free_port)
	start_bg "$FX_DIR/inetd.log" env -C "$FX_ROOT" SENTRY_SOURCE_EXEC_PATH="$w" \
		systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
		-E SENTRY_SOURCE_EXEC_PATH sh -c 'exec ./sentry-source -c "$0" 2>&1' "$conf"
	pid=$FX_BG_PID
	if ! wait_port "$port" "$pid" 10; then
		tap 1 "inetd-style launcher with stderr on the socket starts"
		return
	fi
	old=$(head_of "$CP")
	new=$(push_commit develop)
	stash_payload_develop "$P/inetd.json" "$old" "$new"
	raw_request "$port" "$(post "$P/inetd.json")"
	check "stderr on the socket: the peer reads the answer" answer_is 200
	check "stderr on the socket: and no log line" not grep -q 'sentry-source' "$OUT"
	check "stderr on the socket: the sync still runs to the end" wait_head "$CP" "$new" 20
	check "stderr on the socket: the helper logs to syslog too (--syslog)" \
		grep -qx -- --syslog "$w/argv"

	write_config "$conf" 'FROBNICATE=1'	# read afresh by the next connection
	raw_request "$port" "$(post "$P/inetd.json")"
	check "stderr on the socket, bad config: the peer reads 500 first" answer_is 500
	check "stderr on the socket, bad config: and no log line" not grep -q 'FROBNICATE' "$OUT"
	stop_bg "$pid"
}

# raw_request PORT REQUEST_FILE: every byte the server sends until it
# closes (curl would stop reading at Content-Length), into OUT.
raw_request() {
	next_run
	timeout 20 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && cat "$2" >&3 && cat <&3' \
		_ "$1" "$2" >"$OUT" 2>"$ERR"
	RC=$?
}

# config_error NAME LINE_PATTERN [write_config args...]: exit 78 and the
# message names FILE:LINE (LINE from the line matching LINE_PATTERN), or
# just FILE when LINE_PATTERN is empty (a missing key has no line).
config_error() {
	local name=$1 pat=$2 conf="$FX_DIR/bad-$RUN.conf" line where
	shift 2
	write_config "$conf" "$@"
	front "$conf" "$(post "$P/good.json")"
	check_eq "config, $name: exits 78" 78 "$RC"
	if [ -n "$pat" ]; then
		line=$(grep -n -- "$pat" "$conf" | head -n 1 | cut -d: -f1)
		where="$conf:$line"
	else
		where="$conf"
	fi
	check "config, $name: stderr names $(basename "$where")" grep -qF -- "$where" "$ERR"
}

test_config_errors() {
	config_error "unknown key" '^FROBNICATE=' 'FROBNICATE=1'
	config_error "missing CLONE_PATH" '' -CLONE_PATH
	config_error "BRANCH for stash-develop" '^BRANCH=' 'BRANCH=main'
	config_error "relative CLONE_PATH" '^CLONE_PATH=' 'CLONE_PATH=relative/checkout'
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_fixture \
	test_build \
	test_cli \
	test_first_clone \
	test_fetch \
	test_socket_activated \
	test_hostile_twins \
	test_host_key \
	test_wrong_key \
	test_key_types \
	test_home_ignored \
	test_not_ours \
	test_sizes \
	test_host_key_types \
	test_local_commits \
	test_interrupted_sync \
	test_ignored_file \
	test_symlinked_parent \
	test_body_shapes \
	test_inetd_stderr \
	test_config_errors

printf '1..%d\n' "$n"
