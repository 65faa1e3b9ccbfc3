#!/bin/bash
# tests/integration-hosts.sh: every compiled-in source end to end, through
# the same path: a real payload of its host from tests/payloads, with
# that host's headers and a signature made here as the host makes it,
# into the real front, which syncs the checkout from the real sshd.
# Forged, unsigned and wrong-token twins get 401 and sync nothing.
# Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60

tap_fixture p
P="$FX_DIR/p"
SECRET_FILE="$FX_DIR/secret"
SECRET='It'"'"'s a Secret to Everybody'
printf '%s\n' "$SECRET" >"$SECRET_FILE"
chmod 600 "$SECRET_FILE"

# signature_header SOURCE: how the host signs (header, prefix or "token").
signature_header() {
	case $1 in
	github) echo "X-Hub-Signature-256 sha256=" ;;
	bitbucket-server | bitbucket-cloud) echo "X-Hub-Signature sha256=" ;;
	gitea) echo "X-Gitea-Signature -" ;;
	forgejo) echo "X-Forgejo-Signature -" ;;
	gogs) echo "X-Gogs-Signature -" ;;
	gitlab) echo "X-Gitlab-Token token" ;;
	*) echo "- -" ;;
	esac
}

# hmac FILE: hex HMAC-SHA256 of FILE's bytes with the secret.
hmac() { openssl dgst -sha256 -hmac "$SECRET" -r "$1" | cut -d' ' -f1; }

# host_headers FILE: the captured headers that are not framing or signatures.
host_headers() {
	[ -f "$1" ] || return 0
	tr -d '\r' <"$1" | grep -viE '^(host|content-length|content-type|x-hub-signature(-256)?|x-(gitea|forgejo|gogs)-signature|x-gitlab-token):'
}

# signed_request SOURCE BODY CTYPE HEADERS_FILE [EXTRA_HEADER...]: the
# request, signed as SOURCE's host signs it.
signed_request() {
	local src=$1 body=$2 ctype=$3 hfile=$4 name prefix sig
	shift 4
	local -a hdrs=()
	mapfile -t hdrs < <(host_headers "$hfile")
	read -r name prefix <<<"$(signature_header "$src")"
	case $prefix in
	-) sig="$name: $(hmac "$body")" ;;
	token) sig="$name: $SECRET" ;;
	*) sig="$name: $prefix$(hmac "$body")" ;;
	esac
	[ "$name" != - ] || sig="X-Unsigned: yes"
	make_request POST /webhook "$ctype" "$body" "${hdrs[@]}" "$@" "$sig"
}

# Each source's first matching row of tests/payloads.tsv, end to end.
test_every_source() {
	local dir file src header value branch ref conf cp tip req extra
	# The verdict column is test-sources' business: every row here matches.
	while IFS=$'\t' read -r dir file src header value branch _ ref _; do
		conf="$FX_DIR/$src.conf"
		cp="$FX_DIR/$src/checkout"
		mkdir -p "$FX_DIR/$src"
		# The payload's branch, made in the fixture repository.
		tip=$(push_commit "${ref#refs/heads/}")
		if [ "$(signature_header "$src")" = "- -" ]; then
			write_config "$conf" "SOURCE=$src" "BRANCH=$branch" "CLONE_PATH=$cp"
		else
			write_config "$conf" "SOURCE=$src" "BRANCH=$branch" "CLONE_PATH=$cp" \
				"SECRET_FILE=$SECRET_FILE"
		fi
		extra=()
		[ "$header" = - ] || extra=("$header: $value")
		req="$P/$src.http"
		signed_request "$src" "$FX_PAYLOADS/$dir/$file" application/json \
			"$FX_PAYLOADS/$dir/${file%.json}.headers" "${extra[@]}" >"$req"
		front "$conf" "$req"
		check_eq "$src: $dir/$file, signed: exits 0 (synced)" 0 "$RC"
		check "$src: answered 200" answer_is 200
		check_eq "$src: the checkout is at $ref's tip" "$tip" "$(head_of "$cp")"

		[ "$(signature_header "$src")" != "- -" ] || continue
		# Twins: forged (a body changed after signing; for a token, which
		# does not cover the body, a wrong token), and no signature at all.
		if [ "$src" = gitlab ]; then
			sed 's/^X-Gitlab-Token: .*/X-Gitlab-Token: not the secret\r/' "$req" >"$P/forged.http"
		else
			cat "$req" >"$P/forged.http"
			printf ' ' >>"$P/forged.http" # one byte more than was signed
			sed -i 's/^Content-Length: \([0-9]*\)/echo "Content-Length: $((\1 + 1))"/e' \
				"$P/forged.http"
		fi
		push_commit "${ref#refs/heads/}" >/dev/null
		front "$conf" "$P/forged.http"
		check "$src: forged ($([ "$src" = gitlab ] && echo "wrong token" || echo "body changed after signing")): 401" \
			answer_is 401
		check_eq "$src: ...exits 2, nothing synced" "2 $tip" "$RC $(head_of "$cp")"
		grep -viE '^(x-hub-signature(-256)?|x-(gitea|forgejo|gogs)-signature|x-gitlab-token):' \
			"$req" >"$P/unsigned.http"
		front "$conf" "$P/unsigned.http"
		check "$src: no signature header: 401" answer_is 401
		check_eq "$src: ...exits 2, nothing synced" "2 $tip" "$RC $(head_of "$cp")"
	done < <(grep -v '^#' tests/payloads.tsv | awk -F'\t' '$7 == "match" && !seen[$3]++')
}

# Through the socket, as deployed: the 401 is logged with the peer's
# address, and a GitHub form body (payload=...) signed over its raw bytes
# syncs.
test_github_socket() {
	local conf="$FX_DIR/gh-socket.conf" cp="$FX_DIR/gh-socket/checkout" tip body code
	mkdir -p "$FX_DIR/gh-socket"
	write_config "$conf" SOURCE=github BRANCH=master "CLONE_PATH=$cp" \
		"SECRET_FILE=$SECRET_FILE"
	start_front "$conf" || bail "front did not start"
	tip=$(push_commit master)
	body="$FX_PAYLOADS/github/push-branch-update.json"

	next_run
	code=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' \
		-H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
		-H "X-Hub-Signature-256: sha256=$(printf '%064d' 0)" --data-binary @"$body" \
		"http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR")
	check_eq "github over the socket, wrong signature: 401" 401 "$code"
	check "github over the socket, wrong signature: logged with the peer address" \
		wait_log "$FX_DIR/front.log" "127\.0\.0\.1.*401.*X-Hub-Signature-256 does not match" 10

	{
		printf 'payload='
		# application/x-www-form-urlencoded, as GitHub's form option sends it
		od -An -v -tx1 "$body" | tr -s ' \n' ' ' | sed 's/ \([0-9a-f][0-9a-f]\)/%\1/g; s/ //g'
	} >"$P/form.body"
	next_run
	code=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' \
		-H 'Content-Type: application/x-www-form-urlencoded' -H 'X-GitHub-Event: push' \
		-H "X-Hub-Signature-256: sha256=$(hmac "$P/form.body")" \
		--data-binary @"$P/form.body" "http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR")
	check_eq "github over the socket, signed form body (payload=...): 200" 200 "$code"
	check "github form body: the checkout reaches master's tip" wait_head "$cp" "$tip" 30

	# RFC 9112 3.2.2: the absolute-form, as sent through a proxy, is routed
	# by its path.
	tip=$(push_commit master)
	next_run
	code=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' \
		--request-target "http://hooks.example.org/webhook" \
		-H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
		-H "X-Hub-Signature-256: sha256=$(hmac "$body")" --data-binary @"$body" \
		"http://127.0.0.1:$FX_HTTP_PORT/" 2>"$ERR")
	check_eq "github over the socket, absolute-form target http://host/webhook: 200" 200 "$code"
	check "absolute-form: the checkout reaches master's tip" wait_head "$cp" "$tip" 30
	stop_bg "$FX_FRONT_PID"
}

# A signing source will not start unprotected by accident.
test_unsigned_refused() {
	local conf="$FX_DIR/nosecret.conf" cp="$FX_DIR/nosecret/checkout"
	mkdir -p "$FX_DIR/nosecret"
	write_config "$conf" SOURCE=gitea BRANCH=main "CLONE_PATH=$cp"
	make_request POST /webhook application/json "$FX_PAYLOADS/gitea/push-branch-update.json" \
		"X-Gitea-Event: push" >"$P/nosecret.http"
	front "$conf" "$P/nosecret.http"
	check_eq "gitea without SECRET_FILE or ALLOW_UNSIGNED: exits 78" 78 "$RC"
	check "gitea without SECRET_FILE: answered 500, not synced" answer_is 500
	check "gitea without SECRET_FILE: the log says to set one or ALLOW_UNSIGNED=yes" \
		grep -q "SECRET_FILE.*ALLOW_UNSIGNED=yes" "$ERR"
	write_config "$conf" SOURCE=gitea BRANCH=main "CLONE_PATH=$cp" ALLOW_UNSIGNED=yes
	front "$conf" "$P/nosecret.http"
	check_eq "gitea with ALLOW_UNSIGNED=yes, unsigned: exits 0 (synced)" 0 "$RC"
	check_eq "gitea with ALLOW_UNSIGNED=yes: the checkout is at main's tip" \
		"$(repo_tip main)" "$(head_of "$cp")"
	chmod 644 "$SECRET_FILE"
	write_config "$conf" SOURCE=gitea BRANCH=main "CLONE_PATH=$cp" "SECRET_FILE=$SECRET_FILE"
	front "$conf" "$P/nosecret.http"
	check_eq "a SECRET_FILE every user can read: exits 78" 78 "$RC"
	check "a SECRET_FILE every user can read: the log says chmod" grep -q "chmod o-rwx" "$ERR"
	chmod 600 "$SECRET_FILE"
	write_config "$conf" SOURCE=stash BRANCH=main "CLONE_PATH=$cp" "SECRET_FILE=$SECRET_FILE"
	front "$conf" "$P/nosecret.http"
	check_eq "SECRET_FILE for stash, which cannot sign: exits 78" 78 "$RC"
	check "SECRET_FILE for stash: the log says to restrict who may connect" \
		grep -q "IPAddressAllow" "$ERR"
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_every_source \
	test_github_socket \
	test_unsigned_refused
printf '1..%d\n' "$n"
