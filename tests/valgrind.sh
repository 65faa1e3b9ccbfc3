#!/bin/bash
# shellcheck disable=SC2034 # FX_* are read by tests/lib.sh's write_config
# tests/valgrind.sh: the front (./sentry-source, as make builds it) under
# valgrind's memcheck, one request per run on stdin as in the integration
# tests, and one TAP line per request: the answer's status, the exit
# status, and no memcheck error and no definite or indirect leak.
# Needs `make` first; tests/run.sh runs it (VALGRIND=0 skips it there).
#
# What can be checked where: a request that matches ends in execv() of the
# sync helper, and valgrind, not following it (no --trace-children), just
# lets the new program run: errors made before the exec are reported, but
# no leak check happens, and the exit status is the helper's. So one
# matching request execs a stub helper that records its arguments, and
# every other matching request points SENTRY_SOURCE_EXEC_PATH at a
# directory without the helper: the front answers 200, logs that it cannot
# run it and exits 70, which takes it through the whole request path and
# then valgrind's leak check. Requests that do not match exit normally.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh

VALGRIND_TIMEOUT=${VALGRIND_TIMEOUT:-120}
JOBS=${VALGRIND_JOBS:-$(nproc)}
n=0
printed=0

bail() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

command -v valgrind >/dev/null || bail "valgrind is not installed (apt-get install valgrind)"
[ -x ./sentry-source ] || bail "./sentry-source is not built (run make)"
[ -d "$FX_PAYLOADS/stash" ] || bail "payload corpus not found at $FX_PAYLOADS"
fixture_init || bail "cannot make a work directory"
V=$FX_DIR
mkdir -p "$V/runs" "$V/req" "$V/stub" "$V/nowhere"

# Nothing here is ever reached; the front only looks at the files (they
# exist, and the key is private) before it answers.
FX_CLONE_URL="ssh://git@127.0.0.1:1/nonexistent.git"
FX_CLONE_PATH="$V/checkout"
FX_KEY="$V/id_ed25519"
FX_KNOWN_HOSTS="$V/known_hosts"
install -m 600 /dev/null "$FX_KEY"
install -m 644 /dev/null "$FX_KNOWN_HOSTS"

# The stub helper: records how the front called it.
STUB_LOG="$V/stub.args"
# shellcheck disable=SC2016 # the stub's own $@
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"$VG_STUB_LOG"\n' >"$V/stub/sentry-source-sync"
chmod 755 "$V/stub/sentry-source-sync"
export VG_STUB_LOG=$STUB_LOG

# vg NAME STATUS EXIT CONF REQUEST [EXEC_DIR]: run the front on REQUEST
# (CONF dir:DIR for --config-dir DIR)
# under memcheck, in the background (valgrind takes most of a second to
# start); flush prints the results in order. STATUS "-": no answer at all.
vg() {
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	vg_one "$n" "$@" >"$V/runs/$n.tap" &
}

vg_one() {
	local i=$1 name=$2 want=$3 want_rc=$4 conf=$5 req=$6 exec=${7:-$V/nowhere}
	local log="$V/runs/$1.valgrind" out="$V/runs/$1.out" err="$V/runs/$1.err"
	local rc got problems=() args=(-c "$conf")
	# CONF "dir:DIR": the front runs with --config-dir DIR.
	case $conf in dir:*) args=(--config-dir "${conf#dir:}") ;; esac
	SENTRY_SOURCE_EXEC_PATH=$exec timeout -k 5 "$VALGRIND_TIMEOUT" \
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$log" ./sentry-source "${args[@]}" <"$req" >"$out" 2>"$err"
	rc=$?
	got=$(head -n 1 "$out" | tr -d '\r' | cut -d ' ' -f 2)
	[ -n "$got" ] || got=-
	[ "$got" = "$want" ] || problems+=("answered $got, want $want")
	[ "$rc" = "$want_rc" ] || problems+=("exited $rc, want $want_rc")
	# -q: the log holds only what valgrind found (errors, leaks, warnings).
	[ ! -s "$log" ] || problems+=("valgrind reported")
	if [ "${#problems[@]}" -eq 0 ]; then
		printf 'ok %d - valgrind: %s: %s, exit %s, clean\n' "$i" "$name" "$want" "$want_rc"
		return
	fi
	printf 'not ok %d - valgrind: %s: %s\n' "$i" "$name" "$(IFS=';'; echo "${problems[*]}")"
	sed 's/^/#   valgrind: /' "$log" | head -n 60
	tail -n 5 "$err" | sed 's/^/#   stderr: /'
}

# flush: wait for the runs, then print their results in order.
flush() {
	local i
	wait
	for ((i = printed + 1; i <= n; i++)); do
		cat "$V/runs/$i.tap"
	done
	printed=$n
}

# skip NAME WHY: a case that cannot run here.
skip() {
	n=$((n + 1))
	printf 'ok %d - valgrind: %s # SKIP %s\n' "$n" "$1" "$2" >"$V/runs/$n.tap"
}

# post NAME FILE [CTYPE [FIELD...]]: a POST /webhook request of FILE.
post() {
	local out="$V/req/$1.http" body=$2 ctype=${3:-application/json}
	shift 2
	[ "$#" -eq 0 ] || shift
	make_request POST /webhook "$ctype" "$body" "$@" >"$out"
	printf '%s\n' "$out"
}

# form_encode < BYTES: every byte as %XX, which any form decoder takes.
form_encode() {
	od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g'
}

# hmac_sha256 SECRET FILE: the hex HMAC-SHA256 of FILE.
hmac_sha256() {
	openssl dgst -sha256 -hmac "$1" -r "$2" | cut -d ' ' -f 1
}

CONF="$V/stash.conf"
write_config "$CONF"
OLD=1111111111111111111111111111111111111111
NEW=2222222222222222222222222222222222222222
stash_payload_develop "$V/develop.json" "$OLD" "$NEW" || bail "stash_payload failed"
stash_payload_develop "$V/delete.json" "$OLD" "$FX_ZERO" DELETE || bail "stash_payload failed"
good=$(post develop "$V/develop.json")

test_matching() {
	: >"$STUB_LOG"
	vg "develop UPDATE, the sync helper execs" 200 0 "$CONF" "$good" "$V/stub"
	flush
	n=$((n + 1))
	printed=$n
	if grep -qx -- refs/heads/develop "$STUB_LOG" && grep -qx -- "$NEW" "$STUB_LOG"; then
		printf 'ok %d - valgrind: the helper got --ref refs/heads/develop and the new oid\n' "$n"
	else
		printf 'not ok %d - valgrind: the helper got --ref refs/heads/develop and the new oid\n' "$n"
		sed 's/^/#   args: /' "$STUB_LOG"
	fi
	vg "develop UPDATE, no helper to exec" 200 70 "$CONF" "$good"
	write_config "$V/run.conf" "RUN=/bin/true"
	vg "develop UPDATE with RUN= (the body in a memfd), no helper" 200 70 "$V/run.conf" "$good"
	{ printf 'payload='; form_encode <"$V/develop.json"; } >"$V/form.txt"
	vg "develop UPDATE as a form body, no helper" 200 70 "$CONF" \
		"$(post form "$V/form.txt" application/x-www-form-urlencoded)"
}

test_ignored() {
	cp "$FX_PAYLOADS/stash/post-receive-branch-update.json" "$V/feature.json"
	vg "feature_branch UPDATE, ignored" 200 0 "$CONF" "$(post feature "$V/feature.json")"
	vg "develop DELETE, ignored" 200 0 "$CONF" "$(post delete "$V/delete.json")"
}

test_refused() {
	local size
	size=$(wc -c <"$V/develop.json")
	head -c $((size / 2)) "$V/develop.json" >"$V/truncated.json"
	vg "truncated JSON" 400 2 "$CONF" "$(post truncated "$V/truncated.json")"
	printf '{}' >"$V/empty.json"
	vg "JSON without refChanges" 400 2 "$CONF" "$(post empty "$V/empty.json")"
	{ cat "$V/develop.json"; printf ' GARBAGE'; } >"$V/trailing.json"
	vg "JSON followed by garbage" 400 2 "$CONF" "$(post trailing "$V/trailing.json")"
	printf 'payload=%%zz' >"$V/badform.txt"
	vg "form body with a bad escape" 400 2 "$CONF" \
		"$(post badform "$V/badform.txt" application/x-www-form-urlencoded)"
	printf 'other=1' >"$V/noform.txt"
	vg "form body without payload=" 400 2 "$CONF" \
		"$(post noform "$V/noform.txt" application/x-www-form-urlencoded)"

	make_request GET /webhook "" "" >"$V/req/get.http"
	vg "GET /webhook" 405 2 "$CONF" "$V/req/get.http"
	make_request POST /nope application/json "$V/develop.json" >"$V/req/nope.http"
	vg "POST /nope" 404 2 "$CONF" "$V/req/nope.http"
	make_request POST /webhook application/json "" >"$V/req/nolength.http"
	vg "no Content-Length" 411 2 "$CONF" "$V/req/nolength.http"
	printf 'POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 26214401\r\n\r\n{' \
		>"$V/req/huge.http"
	vg "Content-Length over 25 MiB" 413 2 "$CONF" "$V/req/huge.http"
	make_request POST /webhook text/plain "$V/develop.json" >"$V/req/text.http"
	vg "Content-Type: text/plain" 415 2 "$CONF" "$V/req/text.http"
	make_request POST /webhook application/json "$V/develop.json" \
		"X-Padding: $(head -c 17000 /dev/zero | tr '\0' x)" >"$V/req/bighead.http"
	vg "17 KB of header fields" 431 2 "$CONF" "$V/req/bighead.http"
	# shellcheck disable=SC2046 # one argument per field
	make_request POST /webhook application/json "$V/develop.json" \
		$(seq -f 'X-Field-%g:x' 1 64) >"$V/req/fields.http"
	vg "68 header fields" 431 2 "$CONF" "$V/req/fields.http"
	make_request POST "/$(head -c 3000 /dev/zero | tr '\0' x)" application/json \
		"$V/develop.json" >"$V/req/longline.http"
	vg "a 3 KB request line" 414 2 "$CONF" "$V/req/longline.http"
	printf 'POST /webhook HTTP/2.0\r\nHost: t\r\n\r\n' >"$V/req/http2.http"
	vg "HTTP/2.0" 505 2 "$CONF" "$V/req/http2.http"
	: >"$V/req/nothing.http"
	vg "closed without a request" - 2 "$CONF" "$V/req/nothing.http"
	write_config "$V/bad.conf" "FROBNICATE=1"
	vg "a config error" 500 78 "$V/bad.conf" "$good"
}

# Signed deliveries: the HMAC (github) and token (gitlab) checks, with
# Nettle linked in.
test_signed() {
	local body sig secret="$V/secret" conf
	if ! ./sentry-source --list-sources | grep -q '^github '; then
		skip "signed github push" "the github source is not compiled in"
		return
	fi
	if ! command -v openssl >/dev/null; then
		skip "signed github push" "openssl is not installed"
		return
	fi
	printf 'It'"'"'s a Secret to Everybody\n' >"$secret" && chmod 600 "$secret"
	conf="$V/github.conf"
	write_config "$conf" SOURCE=github 'BRANCH=*' "SECRET_FILE=$secret"
	body="$FX_PAYLOADS/github/push-branch-update.json"
	sig=$(hmac_sha256 "It's a Secret to Everybody" "$body")
	vg "github push, signed, no helper" 200 70 "$conf" \
		"$(post gh-signed "$body" application/json X-GitHub-Event:push \
			"X-Hub-Signature-256: sha256=$sig")"
	vg "github push, signed with another secret" 401 2 "$conf" \
		"$(post gh-forged "$body" application/json X-GitHub-Event:push \
			"X-Hub-Signature-256: sha256=$(hmac_sha256 forged "$body")")"
	vg "github push, unsigned" 401 2 "$conf" \
		"$(post gh-unsigned "$body" application/json X-GitHub-Event:push)"
	body="$FX_PAYLOADS/github/ping.json"
	vg "github ping, signed, ignored" 200 0 "$conf" \
		"$(post gh-ping "$body" application/json X-GitHub-Event:ping \
			"X-Hub-Signature-256: sha256=$(hmac_sha256 "It's a Secret to Everybody" "$body")")"
	if ! ./sentry-source --list-sources | grep -q '^gitlab '; then
		skip "gitlab token" "the gitlab source is not compiled in"
		return
	fi
	conf="$V/gitlab.conf"
	write_config "$conf" SOURCE=gitlab 'BRANCH=*' "SECRET_FILE=$secret"
	body="$FX_PAYLOADS/gitlab/push-hook-branch-update.json"
	vg "gitlab push, right token, no helper" 200 70 "$conf" \
		"$(post gl-token "$body" application/json "X-Gitlab-Event: Push Hook" \
			"X-Gitlab-Token: It's a Secret to Everybody")"
	vg "gitlab push, wrong token" 401 2 "$conf" \
		"$(post gl-wrong "$body" application/json "X-Gitlab-Event: Push Hook" \
			"X-Gitlab-Token: guess")"
}

# --config-dir: the path picks the file; every way it can fail.
test_config_dir() {
	local d="$V/deployments" p
	mkdir -p "$d"
	write_config "$d/a.conf"
	write_config "$d/broken.conf" "FROBNICATE=1"
	for p in a:/a/webhook nosuch:/nosuch escaped:/..%2fa broken:/broken/webhook; do
		make_request POST "${p#*:}" application/json "$V/develop.json" >"$V/req/dir-${p%%:*}.http"
	done
	vg "--config-dir, POST /a/webhook, no helper" 200 70 "dir:$d" "$V/req/dir-a.http"
	vg "--config-dir, POST /nosuch" 404 2 "dir:$d" "$V/req/dir-nosuch.http"
	vg "--config-dir, POST /..%2fa" 400 2 "dir:$d" "$V/req/dir-escaped.http"
	vg "--config-dir, POST /broken/webhook (a config error)" 500 78 "dir:$d" \
		"$V/req/dir-broken.http"
	vg "--config-dir, no such directory" 500 78 "dir:$V/none" "$V/req/dir-a.http"
}

test_matching
test_ignored
test_refused
test_signed
test_config_dir
flush

printf '1..%d\n' "$n"
