#!/bin/bash
# tests/integration-setup.sh: what a new deployment gets wrong, caught
# before it costs a sync: the files a sync needs (a 500, not a 200, when
# they are missing or too open), and what --check must catch because every
# sync would refuse it (another origin, a BRANCH the remote lacks, an RSA
# key in any container, the wrong user, no state directory). Real programs, the real sshd and
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
	printf '\n' >"$pp" && chmod 600 "$pp"
	req=$(push_request) || bail "no payload"
	front "$FX_DIR/conf/good.conf" "$req"
	check "sync files, all present: answered 200" answer_is 200
	check_eq "sync files, all present: exits 0" 0 "$RC"
	check_eq "sync files, all present: synced" "$(repo_tip develop)" "$(head_of "$FX_DIR/srv/good")"
}

# --- --check: what every sync would refuse ---------------------------------

# as_nobody CMD...: run CMD as nobody (a hostile or simply other local
# user). The helper is found from the build tree as ., which nobody may
# enter even when a directory above it (a sanitized copy's) is private.
as_nobody() {
	next_run
	SENTRY_SOURCE_EXEC_PATH=. setpriv --reuid=nobody --regid=nogroup --clear-groups \
		timeout -k 5 "$RUN_TIMEOUT" "$@" </dev/null >"$OUT" 2>"$ERR"
	RC=$?
}

test_check_origin() {
	local conf="$FX_DIR/conf/origin.conf" cp="$FX_DIR/srv/origin"
	git clone -q "$FX_REPO" "$cp" 2>/dev/null || bail "local clone failed"
	write_config "$conf" "CLONE_PATH=$cp"
	cli -c "$conf" --check
	check_eq "--check, CLONE_PATH cloned from elsewhere: exits 5" 5 "$RC"
	check "--check, CLONE_PATH cloned from elsewhere: names both URLs" \
		grep -qF "FAIL: CLONE_PATH $cp: a clone of $FX_REPO, not of CLONE_URL $FX_CLONE_URL" "$OUT"
	cli -c "$conf" --sync
	check_eq "--sync agrees: exits 5" 5 "$RC"

	# The twin: a clone of CLONE_URL passes.
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/good"
	cli -c "$conf" --check
	check_eq "--check, CLONE_PATH a clone of CLONE_URL: exits 0" 0 "$RC"
	check "--check, CLONE_PATH a clone of CLONE_URL: says so" \
		grep -qF "ok: CLONE_PATH $FX_DIR/srv/good: a clone of CLONE_URL" "$OUT"
	check "--check, stash-develop: the remote has develop" \
		grep -qF "ok: BRANCH develop: the remote has 1 such branch" "$OUT"
}

test_check_branch() {
	local conf="$FX_DIR/conf/branch.conf"
	write_config "$conf" SOURCE=stash BRANCH=devel "CLONE_PATH=$FX_DIR/srv/branch"
	cli -c "$conf" --check
	check_eq "--check, BRANCH devel the remote lacks: exits 78" 78 "$RC"
	check "--check, BRANCH devel: FAIL names it" \
		grep -q "^FAIL: BRANCH devel: no branch of the remote" "$OUT"
	write_config "$conf" SOURCE=stash 'BRANCH="develop"' "CLONE_PATH=$FX_DIR/srv/branch"
	cli -c "$conf" --check
	check_eq "--check, BRANCH \"develop\" in quotes: exits 78" 78 "$RC"
	check "--check, BRANCH \"develop\": says quotes are part of the value" \
		grep -q "^FAIL: BRANCH \"develop\":.*quotes are part of the value" "$OUT"
	write_config "$conf" SOURCE=stash 'BRANCH=*' "CLONE_PATH=$FX_DIR/srv/branch"
	cli -c "$conf" --check
	check_eq "--check, BRANCH * (glob): exits 0" 0 "$RC"
	local count
	count=$(git --git-dir="$FX_REPO" for-each-ref refs/heads | wc -l)
	check "--check, BRANCH *: counts all $count branches" \
		grep -qF "ok: BRANCH *: the remote has $count such branches" "$OUT"
}

# check_rsa NAME FILE [PASSPHRASE_FILE]: an RSA key --check must name.
check_rsa() {
	local conf="$FX_DIR/conf/rsa.conf"
	write_config "$conf" "SSH_KEYPATH=$2" "CLONE_PATH=$FX_DIR/srv/rsa" \
		${3:+"SSH_PASSPHRASE_FILE=$3"}
	cli -c "$conf" --check
	check_eq "--check, RSA key as $1: exits 4" 4 "$RC"
	check "--check, RSA key as $1: says RSA, advises ed25519" \
		grep -q "^FAIL: SSH_KEYPATH.*RSA.*ed25519" "$OUT"
}

test_check_rsa() {
	local k="$FX_DIR/conf/rsa"
	cp "$FX_KEY_RSA" "$k.pkcs8" && ssh-keygen -q -p -N '' -m PKCS8 -f "$k.pkcs8" >/dev/null
	cp "$FX_KEY_RSA" "$k.pem" && ssh-keygen -q -p -N '' -m PEM -f "$k.pem" >/dev/null
	cp "$FX_KEY_RSA" "$k.enc" &&
		ssh-keygen -q -p -N 'correct horse battery staple' -m PKCS8 -f "$k.enc" >/dev/null
	check "fixture: a PKCS#8 key" grep -q "BEGIN PRIVATE KEY" "$k.pkcs8"
	check "fixture: an encrypted PKCS#8 key" grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$k.enc"
	check_rsa "OpenSSH" "$FX_KEY_RSA"
	check_rsa "PKCS#8 (BEGIN PRIVATE KEY)" "$k.pkcs8"
	check_rsa "PEM (BEGIN RSA PRIVATE KEY)" "$k.pem"
	check_rsa "encrypted PKCS#8" "$k.enc" "$FX_PASSPHRASE_FILE"

	# The twin: an ECDSA key in PKCS#8 is not taken for RSA.
	cp "$FX_KEY_ECDSA" "$k.ec8" && ssh-keygen -q -p -N '' -m PKCS8 -f "$k.ec8" >/dev/null
	write_config "$FX_DIR/conf/ec.conf" "SSH_KEYPATH=$k.ec8" "CLONE_PATH=$FX_DIR/srv/rsa"
	cli -c "$FX_DIR/conf/ec.conf" --check
	check "--check, ECDSA key as PKCS#8: not RSA" \
		grep -qF "ok: SSH_KEYPATH $k.ec8: readable by this user only, not RSA" "$OUT"
}

test_check_owner() {
	local conf="$FX_DIR/conf/owner.conf" cp="$FX_DIR/srv/owned" before
	cp -a "$FX_DIR/srv/good" "$cp"
	chown -R nobody:nogroup "$cp"
	write_config "$conf" "CLONE_PATH=$cp"
	before=$(state "$cp")
	cli -c "$conf" --check
	check_eq "--check as root, checkout of nobody: exits 5" 5 "$RC"
	check "--check as root, checkout of nobody: names the owner and runuser" \
		grep -qF "FAIL: CLONE_PATH $cp belongs to nobody, and this runs as root" "$OUT"
	check "--check as root: gives the command" \
		grep -qF "runuser -u nobody -- sentry-source -c $conf --check" "$OUT"
	check "--check as root: never says 'not a git repository'" not grep -q "not a git" "$OUT"
	cli -c "$conf" --sync
	check_eq "--sync as root, checkout of nobody: exits 5" 5 "$RC"
	check "--sync as root: names the owner and runuser" \
		grep -qF "runuser -u nobody -- sentry-source -c $conf --sync" "$ERR"
	check "--sync as root: never says 'not a git repository'" not grep -q "not a git" "$ERR"
	check "--sync as root: no lock file left for the owner to trip on" \
		test ! -e "$cp.lock"
	check_eq "--sync as root: the checkout is untouched" "$before" "$(state "$cp")"

	# Before the first clone, the directory's owner is the one to run as.
	mkdir -p "$FX_DIR/srv/nobodys" && chown nobody:nogroup "$FX_DIR/srv/nobodys"
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/nobodys/checkout"
	cli -c "$conf" --check
	check_eq "--check as root, directory of nobody: exits 5" 5 "$RC"
	check "--check as root, directory of nobody: names the owner" \
		grep -qF "CLONE_PATH's directory $FX_DIR/srv/nobodys belongs to nobody" "$OUT"

	# Not root, before the first clone: a directory of its own is enough
	# (one lent writable to all is refused: "A safe layout").
	mkdir -p "$FX_DIR/srv/lent" && chown nobody:nogroup "$FX_DIR/srv/lent" &&
		chmod 755 "$FX_DIR/srv/lent"
	install -o nobody -m 600 "$FX_KEY" "$FX_DIR/conf/key-nobody"
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/lent/checkout" \
		"SSH_KEYPATH=$FX_DIR/conf/key-nobody"
	chmod 755 "$FX_DIR" "$FX_DIR/conf" "$FX_DIR/srv" && chmod 644 "$conf"
	as_nobody ./sentry-source -c "$conf" --check
	check "--check as nobody, a directory of its own: no owner FAIL" \
		not grep -q "belongs to" "$OUT"
	check "--check as nobody, a directory of its own: the first sync may clone" \
		grep -qF "ok: CLONE_PATH $FX_DIR/srv/lent/checkout: absent; the first sync clones into it" "$OUT"

	# And a user other than the owner, not root.
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/good"
	chmod 755 "$FX_DIR" "$FX_DIR/conf" "$FX_DIR/srv" && chmod 644 "$conf"
	as_nobody ./sentry-source -c "$conf" --check
	check_eq "--check as nobody, checkout of root: exits 5" 5 "$RC"
	check "--check as nobody: names root and runuser" \
		grep -qF "belongs to root, and this runs as nobody" "$OUT"
}

test_check_state_dir() {
	local conf="$FX_DIR/conf/nodir.conf" dir="$FX_DIR/no-such-dir"
	write_config "$conf" "CLONE_PATH=$dir/checkout"
	cli -c "$conf" --check
	check_eq "--check, no state directory: exits 1" 1 "$RC"
	check "--check, no state directory: advises install -d" \
		grep -qF "FAIL: CLONE_PATH $dir/checkout: its directory $dir: No such file or directory; create it" "$OUT"
	check "--check, no state directory: not 'make the directory writable'" \
		not grep -q "make the directory writable" "$OUT"
	check "--check, no state directory: still reaches the remote" \
		grep -q "host key known, key accepted" "$OUT"
	cli -c "$conf" --sync
	check_eq "--sync, no state directory: exits 1" 1 "$RC"
	check "--sync, no state directory: advises install -d" grep -qF "install -d -m 700" "$ERR"
	check "--sync, no state directory: nothing created" test ! -e "$dir"
}

# --- credentials: LoadCredential= files named relative to them ------------

# start_creds CONF CREDDIR: socket activation as in production, with
# $CREDENTIALS_DIRECTORY set as systemd sets it for LoadCredential=.
start_creds() {
	local attempt port
	for attempt in 1 2 3; do
		port=$(free_port) || return 1
		start_bg "$FX_DIR/creds.log" env -C "$FX_ROOT" CREDENTIALS_DIRECTORY="$2" \
			systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
			-E SENTRY_SOURCE_EXEC_PATH -E HOME -E CREDENTIALS_DIRECTORY \
			./sentry-source -c "$1"
		if wait_port "$port" "$FX_BG_PID" 10; then
			CRED_PORT=$port
			return 0
		fi
		stop_bg "$FX_BG_PID"
	done
	return 1
}

# github_post BODY SECRET: curl a GitHub push signed with SECRET; sets CODE.
github_post() {
	local sig
	sig=$(openssl dgst -sha256 -hmac "$2" -r "$1" | cut -d' ' -f1)
	next_run
	CODE=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' \
		-H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
		-H "X-Hub-Signature-256: sha256=$sig" --data-binary @"$1" \
		"http://127.0.0.1:$CRED_PORT/webhook" 2>"$ERR")
}

# check_read_only CONF: --check of CONF, whose SSH_KEYPATH, KNOWN_HOSTS
# and SECRET_FILE name credentials, without $CREDENTIALS_DIRECTORY.
check_read_only() {
	local key name
	cli -c "$1" --check
	check_eq "--check, credential names, no \$CREDENTIALS_DIRECTORY: exits 75, not 0" 75 "$RC"
	for key in SSH_KEYPATH=id_ed25519 KNOWN_HOSTS=known_hosts SECRET_FILE=secret; do
		name=${key#*=}
		check "... says it skipped ${key%=*}" grep -qxF "skip: ${key%=*} names credential '$name' and \$CREDENTIALS_DIRECTORY is unset: not checked here" "$OUT"
	done
	check "... and that it did not connect" grep -q "^skip: connecting to .*: not tried" "$OUT"
	check "... but checked the rest: the source" grep -q "^ok: $1: SOURCE github" "$OUT"
	check "... and CLONE_PATH" grep -q "^ok: .*CLONE_PATH $FX_DIR/srv/" "$OUT"
	check "... and no line says FAIL" not grep -q "^FAIL" "$OUT"
}

test_credentials() {
	local cred="$FX_DIR/credentials" conf="$FX_DIR/conf/creds.conf"
	local cp="$FX_DIR/srv/creds" body="$FX_PAYLOADS/github/push-branch-update.json" tip
	local secret="a secret from LoadCredential="
	# As systemd lays them out: one directory, files readable by the user only.
	mkdir -m 700 "$cred"
	install -m 400 "$FX_KEY" "$cred/id_ed25519"
	install -m 400 "$FX_KNOWN_HOSTS" "$cred/known_hosts"
	printf '%s\n' "$secret" >"$cred/secret" && chmod 400 "$cred/secret"
	write_config "$conf" SOURCE=github BRANCH=master "CLONE_PATH=$cp" \
		SSH_KEYPATH=id_ed25519 KNOWN_HOSTS=known_hosts SECRET_FILE=secret

	tip=$(push_commit master)
	cli -c "$conf" --sync
	check_eq "credential names, no \$CREDENTIALS_DIRECTORY: --sync exits 78" 78 "$RC"
	check "credential names, no \$CREDENTIALS_DIRECTORY: a config error naming the line" \
		grep -qE "$conf:[0-9]+: SSH_KEYPATH must be an absolute path \(a credential's name only when" "$ERR"
	check "... and nothing cloned" test ! -e "$cp"
	check_read_only "$conf"
	CREDENTIALS_DIRECTORY=relative/creds cli -c "$conf" --check
	check_eq "credential names, a relative \$CREDENTIALS_DIRECTORY: --check exits 75" 75 "$RC"
	check "... says it is not an absolute path, not that it is unset" \
		grep -qxF "skip: SSH_KEYPATH names credential 'id_ed25519' and \$CREDENTIALS_DIRECTORY is not an absolute path: not checked here" "$OUT"

	CREDENTIALS_DIRECTORY=$cred cli -c "$conf" --check
	check_eq "credential names, \$CREDENTIALS_DIRECTORY set: --check exits 0" 0 "$RC"
	check "--check reads the key from the credentials" \
		grep -qF "ok: SSH_KEYPATH $cred/id_ed25519: readable" "$OUT"
	check "--check reads the secret from the credentials" \
		grep -qF "ok: SECRET_FILE $cred/secret: readable" "$OUT"

	start_creds "$conf" "$cred" || bail "systemd-socket-activate did not start"
	github_post "$body" "$secret"
	check_eq "systemd-socket-activate -E CREDENTIALS_DIRECTORY: signed push answered 200" \
		200 "$CODE"
	check "systemd-socket-activate -E CREDENTIALS_DIRECTORY: synced with the credential key" \
		wait_head "$cp" "$tip" 30
	github_post "$body" "another secret"
	check_eq "the twin, signed with another secret: 401 (the credential is the secret)" \
		401 "$CODE"
	rm "$cred/known_hosts"
	github_post "$body" "$secret"
	check_eq "a credential missing: answered 500, not 200" 500 "$CODE"
	check "a credential missing: the log names its file" \
		grep -qF "KNOWN_HOSTS $cred/known_hosts: No such file" "$FX_DIR/creds.log"
	install -m 400 "$FX_KNOWN_HOSTS" "$cred/known_hosts"
}

# The modes that read no secret, with credential names and no
# $CREDENTIALS_DIRECTORY, as someone runs them by hand outside the unit.
test_credentials_read_only() {
	local cred="$FX_DIR/credentials" conf="$FX_DIR/conf/creds-rel.conf"
	local cp="$FX_DIR/srv/creds-rel" first second
	write_config "$conf" SOURCE=github BRANCH=master "CLONE_PATH=$cp" PUBLISH=releases \
		SSH_KEYPATH=id_ed25519 KNOWN_HOSTS=known_hosts SECRET_FILE=secret
	cli -c "$conf" --status
	check_eq "--status, credential names, no \$CREDENTIALS_DIRECTORY: 66, no sync yet" 66 "$RC"
	first=$(push_commit master)
	CREDENTIALS_DIRECTORY=$cred cli -c "$conf" --sync
	check_eq "--sync with \$CREDENTIALS_DIRECTORY: exits 0" 0 "$RC"
	second=$(push_commit master)
	CREDENTIALS_DIRECTORY=$cred cli -c "$conf" --sync
	check_eq "a second --sync: exits 0" 0 "$RC"
	cli -c "$conf" --status
	check_eq "--status, no \$CREDENTIALS_DIRECTORY: exits 0, the last sync's" 0 "$RC"
	check "... and prints it" grep -qx "after:     $second" "$OUT"
	cli -c "$conf" --status --json
	check "--status --json, no \$CREDENTIALS_DIRECTORY: the record" \
		grep -q "^{\"deployment\":null,\"clone_path\":\"$cp\",.*\"new\":\"$second\"" "$OUT"
	cli -c "$conf" --releases
	check_eq "--releases, no \$CREDENTIALS_DIRECTORY: exits 0" 0 "$RC"
	check_eq "... lists both releases" 2 "$(grep -cE "^($first|$second) " "$OUT")"
	cli -c "$conf" --rollback
	check_eq "--rollback, no \$CREDENTIALS_DIRECTORY: exits 0" 0 "$RC"
	check "... the first release is live again" grep -q "^live: .*-$first, commit $first " "$OUT"
	check_read_only "$conf"
	# The twin: a part that can be checked fails; FAIL wins over skip.
	write_config "$conf" SOURCE=github BRANCH=master "CLONE_PATH=$FX_DIR/no-such-dir/x" \
		SSH_KEYPATH=id_ed25519 KNOWN_HOSTS=known_hosts SECRET_FILE=secret
	cli -c "$conf" --check
	check_eq "--check, a credential skipped and CLONE_PATH's directory missing: exits 1" 1 "$RC"
	check "... the FAIL line, and the skip lines" \
		sh -c "grep -q '^FAIL: CLONE_PATH ' '$OUT' && grep -q '^skip: SSH_KEYPATH ' '$OUT'"
	# A SECRET_FILE given as a path is still checked, read and all.
	install -m 600 "$cred/secret" "$FX_DIR/conf/creds-rel.secret"
	write_config "$conf" SOURCE=github BRANCH=master "CLONE_PATH=$cp" PUBLISH=releases \
		SSH_KEYPATH=id_ed25519 KNOWN_HOSTS=known_hosts "SECRET_FILE=$FX_DIR/conf/creds-rel.secret"
	cli -c "$conf" --check
	check_eq "--check, the keys credentials, SECRET_FILE a path: still 75" 75 "$RC"
	check "... SECRET_FILE checked" \
		grep -qx "ok: SECRET_FILE $FX_DIR/conf/creds-rel.secret: readable, one secret, checked against X-Hub-Signature-256" "$OUT"
	rm -f "$FX_DIR/conf/creds-rel.secret"
	cli -c "$conf" --check
	check_eq "--check, SECRET_FILE a path that is not there: 78, not 75" 78 "$RC"
	# The other way round: the keys are paths, so it connects; the secret is
	# a credential, so it is still not all checked.
	write_config "$conf" SOURCE=github BRANCH=master "CLONE_PATH=$cp" PUBLISH=releases \
		SECRET_FILE=secret
	cli -c "$conf" --check
	check_eq "--check, the keys paths, SECRET_FILE a credential: 75" 75 "$RC"
	check "... connects all the same" grep -q "host key known, key accepted" "$OUT"
	check "... and says SECRET_FILE was skipped" grep -q "^skip: SECRET_FILE names credential 'secret'" "$OUT"
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_key_files \
	test_credentials \
	test_credentials_read_only \
	test_check_origin \
	test_check_branch \
	test_check_rsa \
	test_check_owner \
	test_check_state_dir
printf '1..%d\n' "$n"
