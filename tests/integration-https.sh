#!/bin/bash
# tests/integration-https.sh: CLONE_URL=https:// against a real HTTPS git
# server on 127.0.0.1 (tests/lib-https.sh: nginx, fcgiwrap, git
# http-backend, basic auth, a throwaway CA): clone and fetch with the
# token in both publishing modes, through --sync and a webhook; a wrong
# token, an unknown CA, a certificate for another name, a missing
# repository and an unreachable host refused in plain words with nothing
# written; http:// refused but for loopback; the token file's mode;
# SUBMODULES=yes over https, a submodule on another host or port or over
# ssh refused and sent nothing; and the token in no log, record,
# environment or --check output.
# Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/lib-https.sh
. tests/tap.sh

RUN_TIMEOUT=60

tap_fixture srv
https_setup || bail "the HTTPS git server did not start"
CONF="$FX_DIR/https.conf"
ENV_DUMP="$FX_DIR/run-env"
PROBE="$FX_DIR/probe"
printf '#!/bin/sh\nenv >"%s"\n' "$ENV_DUMP" >"$PROBE"
chmod 755 "$PROBE"

# conf [LINE...]: an https deployment of FX_REPO's develop, no ssh keys,
# the token and the throwaway CA; LINEs as write_config takes them, for
# these keys too.
conf() {
	local -A v=([HTTP_USER]=$FX_HTTP_USER [HTTP_TOKEN_FILE]=$FX_HTTP_TOKEN_FILE
		[CA_FILE]=$FX_CA_FILE)
	local rest=() line key
	for line in "$@"; do
		key=${line#-}
		key=${key%%=*}
		if [ -z "${v[$key]+set}" ]; then
			rest+=("$line")
		elif [ "${line:0:1}" = - ]; then
			unset "v[$key]"
		else
			v[$key]=${line#*=}
		fi
	done
	for key in "${!v[@]}"; do
		rest+=("$key=${v[$key]}")
	done
	write_config "$CONF" -SSH_KEYPATH -KNOWN_HOSTS "CLONE_URL=$FX_HTTPS_URL" "${rest[@]}"
}
said() { grep -qF -- "$1" "$ERR"; }
out_says() { grep -qF -- "$1" "$OUT"; }
# nothing_at DIR: no checkout, no releases, no clone's leftovers.
nothing_at() { [ ! -e "$1" ] && [ ! -e "$1.releases" ] && no_tmp_sibling "$1"; }
# webhook CONF: the push to develop, as Stash posts it, in socket mode.
webhook() {
	local body="$FX_DIR/push.json"
	stash_payload_develop "$body" "$FX_ZERO" "$(repo_tip develop)" || return 1
	front "$1" "$(post "$body")"
}

# --- config: which URLs ---------------------------------------------------

test_urls() {
	local u
	for u in http://git.example.com/r.git http://10.0.0.1/r.git "http://127.0.0.1.nip.io/r.git"; do
		conf "CLONE_URL=$u"
		cli -c "$CONF" --sync
		check_eq "http:// to $u: refused at config load (78)" 78 "$RC"
		check "...saying http:// is for loopback only" said "taken only for a loopback host"
	done
	conf "CLONE_URL=http://127.0.0.1:$FX_HTTPS_PORT/git/repo.git" "CLONE_PATH=$FX_DIR/srv/plain"
	cli -c "$CONF" --check
	check "http:// to 127.0.0.1 loads (the server speaks TLS, so it fails later)" \
		not said "must be https"
	check "...and --check fails, not 78" test "$RC" != 78 -a "$RC" != 0
	conf "CLONE_URL=https://$FX_HTTP_USER:$FX_HTTP_TOKEN@localhost:$FX_HTTPS_PORT/git/repo.git"
	cli -c "$CONF" --check
	check_eq "a token in the URL: refused (78)" 78 "$RC"
	check "...saying where it goes instead" said "set HTTP_USER and HTTP_TOKEN_FILE"
	check "...without repeating it" not grep -rqF "$FX_HTTP_TOKEN" "$OUT" "$ERR"
	write_config "$CONF" -SSH_KEYPATH "CLONE_URL=$FX_CLONE_URL"
	cli -c "$CONF" --check
	check_eq "an ssh URL still needs SSH_KEYPATH (78)" 78 "$RC"
	check "...and says so" said "missing required key SSH_KEYPATH (CLONE_URL is an ssh URL)"
}

# --- in place: clone, then a push through the webhook and --sync ----------

test_inplace() {
	local cp="$FX_DIR/srv/inplace" tip
	conf "CLONE_PATH=$cp" "RUN=$PROBE"
	cli -c "$CONF" --check
	check_eq "--check over https exits 0" 0 "$RC"
	check "...saying the certificate is trusted and the token accepted" \
		out_says "certificate trusted, token accepted; 2 branches: develop, main"
	check "...and which CA it checked against" out_says "checked against CA_FILE $FX_CA_FILE"
	cli -c "$CONF" --sync
	check_eq "--sync clones over https" 0 "$RC"
	check_eq "...develop's tip" "$(repo_tip develop)" "$(head_of "$cp")"
	check "...origin is CLONE_URL, no credentials in it" \
		test "$(git -C "$cp" config remote.origin.url)" = "$FX_HTTPS_URL"
	tip=$(push_commit develop) || bail "push failed"
	webhook "$CONF"
	check "a push, then the webhook: answered 200" answer_is 200
	check_eq "...and fetched over https and deployed (sync exit 0)" 0 "$RC"
	check_eq "...the pushed commit" "$tip" "$(head_of "$cp")"
	tip=$(push_commit develop) || bail "push failed"
	cli -c "$CONF" --sync
	check_eq "another push, then --sync: fetched" "$tip" "$(head_of "$cp")"
	check "RUN= ran" test -s "$ENV_DUMP"
	cli -c "$CONF" --status
	check_eq "--status exits 0" 0 "$RC"
}

# --- releases --------------------------------------------------------------

test_releases() {
	local cp="$FX_DIR/srv/releases" tip
	conf "CLONE_PATH=$cp" PUBLISH=releases "RUN=$PROBE"
	cli -c "$CONF" --sync
	check_eq "PUBLISH=releases: --sync clones over https" 0 "$RC"
	check "...and publishes develop's tip" test -f "$cp/history.txt"
	tip=$(push_commit develop) || bail "push failed"
	webhook "$CONF"
	check_eq "a push, then the webhook: published (sync exit 0)" 0 "$RC"
	check "...the live release is the pushed commit" test "$(basename "$(readlink "$cp")" | sed 's/^[0-9TZ.]*-//')" = "$tip"
}

# --- refused: token, CA, name, not found, unreachable ---------------------

# refused LABEL STATUS TEXT [LINE...]: --check and --sync exit STATUS and say
# TEXT, and nothing is written.
refused() {
	local label=$1 want=$2 text=$3 cp="$FX_DIR/srv/refused"
	shift 3
	conf "CLONE_PATH=$cp" "$@"
	cli -c "$CONF" --check
	check_eq "$label: --check exits $want" "$want" "$RC"
	check "...saying: $text" out_says "$text"
	cli -c "$CONF" --sync
	check_eq "$label: --sync exits $want" "$want" "$RC"
	check "...saying it in the log" said "$text"
	check "...nothing written" nothing_at "$cp"
}

test_refused() {
	local bad="$FX_DIR/bad-token"
	(umask 077 && printf 'not-the-token\n' >"$bad")
	refused "a wrong token" 4 "the server refused HTTP_USER and the token in HTTP_TOKEN_FILE (401" \
		"HTTP_TOKEN_FILE=$bad"
	refused "no token, and the server asks" 4 "asks for a user and token (401 Unauthorized)" \
		-HTTP_USER -HTTP_TOKEN_FILE
	refused "CA_FILE of another CA" 3 "the certificate of localhost is not trusted" \
		"CA_FILE=$FX_CA_OTHER"
	check "...saying mbedTLS's reason" said "not correctly signed by the trusted CA"
	refused "no CA_FILE, the CA not in the system's" 3 \
		"checked against the system's CAs in /etc/ssl/certs/ca-certificates.crt" -CA_FILE
	# Debian 12's mbedTLS 2.28 matches DNS names only: the certificate's
	# IP:127.0.0.1 is not taken. Refused, as it must be when unsure.
	refused "the URL names 127.0.0.1" 3 "the certificate of 127.0.0.1 is not trusted" \
		"CLONE_URL=https://127.0.0.1:$FX_HTTPS_PORT/git/repo.git"
	refused "a repository that is not there" 1 "the server answered 404 Not Found" \
		"CLONE_URL=https://localhost:$FX_HTTPS_PORT/git/nowhere.git"
	# Off-site, the token could follow: no redirect to another host.
	refused "a redirect to another host" 1 "cannot redirect from 'localhost' to '127.0.0.1'" "CLONE_URL=$FX_HTTPS_MOVED_URL"
	refused "nothing listening" 1 "host unreachable" \
		"CLONE_URL=https://localhost:$(free_port)/git/repo.git"
	conf "CLONE_PATH=$FX_DIR/srv/open" "CLONE_URL=$FX_HTTPS_OPEN_URL" -HTTP_USER -HTTP_TOKEN_FILE
	cli -c "$CONF" --check
	check_eq "a public repository, no token: --check exits 0" 0 "$RC"
	check "...saying no token was asked" out_says "certificate trusted, no token asked"
}

# --- the token file: modes, and the front's 500 ---------------------------

test_token_file() {
	local t="$FX_DIR/token-copy" cp="$FX_DIR/srv/modes"
	cp "$FX_HTTP_TOKEN_FILE" "$t"
	chmod 640 "$t"
	conf "CLONE_PATH=$cp" "HTTP_TOKEN_FILE=$t"
	cli -c "$CONF" --sync
	check_eq "a group-readable token file: --sync refuses (78)" 78 "$RC"
	check "...saying the fix" said "mode 0640 lets others read the token (chmod 600 it)"
	webhook "$CONF"
	check "...the front answers 500, not a silent failed sync" answer_is 500
	check "...and logs why" said "HTTP_TOKEN_FILE $t: mode 0640"
	rm -f "$t"
	webhook "$CONF"
	check "a missing token file: the front answers 500" answer_is 500
	check "...and logs why" said "HTTP_TOKEN_FILE $t: No such file"
	check "...nothing written" nothing_at "$cp"
	conf "CLONE_PATH=$cp" "CA_FILE=$FX_DIR/https/no-ca.pem"
	cli -c "$CONF" --check
	check_eq "a missing CA_FILE: --check exits 78" 78 "$RC"
	cp "$FX_CA_FILE" "$FX_DIR/ca-open.pem"
	chmod 666 "$FX_DIR/ca-open.pem"
	conf "CLONE_PATH=$cp" "CA_FILE=$FX_DIR/ca-open.pem"
	webhook "$CONF"
	check "a CA_FILE others may write: the front answers 500" answer_is 500
	check "...saying whom it would let choose" said "another user may write it"
	# ssh keys beside an https URL: checked, not used.
	conf "CLONE_PATH=$cp" "SSH_KEYPATH=$FX_KEY" "KNOWN_HOSTS=$FX_KNOWN_HOSTS"
	cli -c "$CONF" --check
	check_eq "ssh keys beside an https URL: --check exits 0" 0 "$RC"
	check "...saying they are not used" out_says "not used for an https CLONE_URL"
	chmod 644 "$FX_KEY"
	cli -c "$CONF" --check
	check_eq "...but a key others may read is still refused (78)" 78 "$RC"
	chmod 600 "$FX_KEY"
}

# --- another local user ------------------------------------------------------

test_nobody() {
	local nobody_uid cp="$FX_DIR/srv/nobody"
	if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
		skip "another user's CA_FILE" "needs root and a user nobody"
		return
	fi
	nobody_uid=$(id -u nobody)
	# nobody owns the CAs' file: nobody would choose whom the sync trusts.
	cp "$FX_CA_FILE" "$FX_DIR/ca-nobody.pem"
	chmod 644 "$FX_DIR/ca-nobody.pem"
	chown "$nobody_uid" "$FX_DIR/ca-nobody.pem"
	conf "CLONE_PATH=$cp" "CA_FILE=$FX_DIR/ca-nobody.pem"
	cli -c "$CONF" --sync
	check_eq "a CA_FILE nobody owns: --sync refuses (78)" 78 "$RC"
	check "...saying why" said "owner uid $nobody_uid"
	check "...nothing written" nothing_at "$cp"
	# The token's file: nobody reads neither it nor what the syncs left.
	chmod 755 "$FX_DIR"
	check "nobody cannot read HTTP_TOKEN_FILE" \
		not setpriv --reuid="$nobody_uid" --regid="$(id -g nobody)" --clear-groups \
		cat "$FX_HTTP_TOKEN_FILE"
	check "nobody finds the token in nothing it may read" \
		not setpriv --reuid="$nobody_uid" --regid="$(id -g nobody)" --clear-groups \
		grep -rqF "$FX_HTTP_TOKEN" "$FX_DIR/srv" "$FX_DIR/run"
	chmod 700 "$FX_DIR"
}

# --- submodules over https ---------------------------------------------------

# sub_repo NAME FILE CONTENT: a bare NAME.git beside repo.git, so served
# as it is, with one more commit holding FILE; prints the commit.
sub_repo() {
	local d="$FX_DIR/git/$1"
	[ -d "$d" ] || { git init -q --bare "$FX_DIR/$1.git" && git init -q -b main "$d"; } &&
		printf '%s\n' "$3" >"$d/$2" && git -C "$d" add -A && git -C "$d" commit -qm "$3" &&
		git -C "$d" push -q "$FX_DIR/$1.git" main && git -C "$d" rev-parse HEAD
}
# sub_push URL [LIB2]: a commit on branch subs whose vendor/lib2 has that
# URL (and that commit); lib stays ../lib.git. Prints the commit.
sub_push() {
	local s="$FX_DIR/git/subs"
	printf '[submodule "%s"]\n\tpath = %s\n\turl = %s\n' lib lib ../lib.git \
		lib2 vendor/lib2 "$1" >"$s/.gitmodules"
	git -C "$s" add .gitmodules &&
		{ [ -z "${2:-}" ] || git -C "$s" update-index --add --cacheinfo "160000,$2,vendor/lib2"; } &&
		fx_git_commit "$s" "subs: $1" >&2 && git -C "$s" push -q origin subs >&2 &&
		git -C "$s" rev-parse HEAD
}
# same_as_archive TOP DIR REPO COMMIT: TOP/DIR holds COMMIT's tree, no more.
same_as_archive() {
	local t
	t=$(mktemp -d "$FX_DIR/archive-XXXXXX") &&
		git --git-dir="$3" archive "$4" | tar -x -C "$t" && diff -r "$t" "$1/$2"
}
# deployed DESC DIR LIB2: both submodules' files are their commits'.
deployed() {
	check "$1: the relative submodule's files are git archive of its commit" \
		same_as_archive "$2" lib "$FX_DIR/lib.git" "$SUB_LIB"
	check "$1: the absolute https:// submodule's files are its commit's" \
		same_as_archive "$2" vendor/lib2 "$FX_DIR/lib2.git" "$3"
}
# other_listener: a second nginx (its own log) on another port of
# 127.0.0.1 and on 127.0.0.2 at the git server's port, asking every
# request for a user and password. Sets OTHER_PORT and OTHER_LOG.
other_listener() {
	local dir=$FX_HTTPS_DIR port=$FX_HTTPS_PORT pid=$FX_NGINX_PID
	FX_HTTPS_DIR="$FX_DIR/https-other"
	https_start_nginx "listen 127.0.0.2:$port ssl;
		location / { add_header WWW-Authenticate 'Basic realm=\"other\"' always; return 401; }"
	OTHER_PORT=$FX_HTTPS_PORT
	OTHER_LOG="$FX_HTTPS_DIR/access.log"
	FX_HTTPS_DIR=$dir FX_HTTPS_PORT=$port FX_NGINX_PID=$pid
}
# heard: the other listener's access log's lines.
heard() { wc -l <"$OTHER_LOG" 2>/dev/null || echo 0; }

# sub_refused DESC URL WHY: a push naming URL for vendor/lib2, and a
# commit of it not fetched yet: status 8 in releases saying WHY, nothing
# published, nothing sent to the other listener.
sub_refused() {
	local before
	sub_push "$2" "$(sub_repo lib2 lib2.txt "$1")" >/dev/null || bail "push failed"
	before=$(readlink "$SUB_RCP")
	cli -c "$SUB_RCONF" --sync
	check_eq "an https CLONE_URL and a submodule at $1: refused (8)" 8 "$RC"
	check "...nothing published" test "$(readlink "$SUB_RCP")" = "$before"
	check "...saying: $3" said "$3; nothing published"
	check_eq "...the other listener heard nothing" 2 "$(heard)"
}

test_submodules() {
	local lib2 iconf icp before tip s="$FX_DIR/git/subs" base="https://localhost:$FX_HTTPS_PORT/git"
	SUB_RCP="$FX_DIR/srv/sub-rel" SUB_RCONF="$FX_DIR/sub-rel.conf"
	icp="$FX_DIR/srv/sub-inp"
	other_listener || bail "the second listener did not start"
	# The listener logs a request, and its Basic user: what a leak would show.
	curl -sk -u probe:x "https://localhost:$OTHER_PORT/" >/dev/null
	curl -sk -u probe:x "https://127.0.0.2:$FX_HTTPS_PORT/" >/dev/null
	check "the other listener, on 127.0.0.2 and another port, logs a request's user" \
		test "$(grep -c ' - probe \[' "$OTHER_LOG")" = 2
	SUB_LIB=$(sub_repo lib lib.txt lib-1) && lib2=$(sub_repo lib2 lib2.txt lib2-1) &&
		git clone -q "$FX_REPO" "$s" && git -C "$s" checkout -q -b subs origin/main &&
		git -C "$s" update-index --add --cacheinfo "160000,$SUB_LIB,lib" ||
		bail "no submodule repositories"
	sub_push "$base/lib2.git" "$lib2" >/dev/null || bail "push failed"
	conf "CLONE_PATH=$SUB_RCP" PUBLISH=releases SOURCE=stash BRANCH=subs SUBMODULES=yes
	cp "$CONF" "$SUB_RCONF"
	conf "CLONE_PATH=$icp" SOURCE=stash BRANCH=subs SUBMODULES=yes
	iconf=$CONF
	cli -c "$SUB_RCONF" --sync
	check_eq "releases: both submodules fetched over https: exit 0" 0 "$RC"
	cli -c "$iconf" --sync
	check_eq "in place: the same: exit 0" 0 "$RC"
	deployed releases "$SUB_RCP" "$lib2"
	deployed "in place" "$icp" "$lib2"
	check "in place: git status of the checkout is clean" clean_tree "$icp"
	lib2=$(sub_repo lib2 lib2.txt lib2-2) || bail "no lib2 commit"
	sub_push "$base/lib2.git" "$lib2" >/dev/null || bail "push failed"
	cli -c "$SUB_RCONF" --sync
	check_eq "releases: the https submodule moved by a push: exit 0" 0 "$RC"
	deployed "...releases" "$SUB_RCP" "$lib2"
	cli -c "$iconf" --sync
	check_eq "in place: the same: exit 0" 0 "$RC"
	deployed "...in place" "$icp" "$lib2"
	cli -c "$SUB_RCONF" --check
	check_eq "submodules on CLONE_URL's server: --check exits 0" 0 "$RC"
	check "...naming the relative one, resolved" \
		out_says "ok: submodule lib: $base/lib.git, on CLONE_URL's https server"
	check "...and the absolute one" \
		out_says "ok: submodule lib2: $base/lib2.git, on CLONE_URL's https server"

	# Another host, another port: the token would go there.
	local other="an https:// submodule needs an https:// CLONE_URL on its host"
	sub_refused "127.0.0.2, the same port" "https://127.0.0.2:$FX_HTTPS_PORT/git/lib2.git" \
		"$other"
	sub_refused "another port of localhost" "https://localhost:$OTHER_PORT/git/lib2.git" \
		"$other"
	local ihead
	ihead=$(head_of "$icp")
	cli -c "$iconf" --sync
	check_eq "...in place too: 8" 8 "$RC"
	check_eq "...in place, HEAD not moved: nothing published" "$ihead" "$(head_of "$icp")"
	check "...saying why" said "submodule lib2: https://localhost:$OTHER_PORT/git/lib2.git: $other"
	check_eq "...the other listener heard nothing" 2 "$(heard)"
	cli -c "$SUB_RCONF" --check
	check_eq "...--check: 8" 8 "$RC"
	check "...saying why" out_says "submodule lib2: $other"
	check_eq "...and connecting to no other host" 2 "$(heard)"
	sub_refused "ssh://, while CLONE_URL is https" \
		"ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$FX_DIR/lib2.git" \
		"an ssh submodule needs an ssh CLONE_URL, whose key it uses"
	sub_refused "../ climbing to another host" "../../../127.0.0.2:$FX_HTTPS_PORT/git/lib2.git" \
		"its ../ climbs above the top of the superproject's URL"
	# The commit already fetched: the URL is judged all the same.
	sub_push "https://localhost:$OTHER_PORT/git/lib2.git" "$lib2" >/dev/null
	before=$(readlink "$SUB_RCP")
	cli -c "$SUB_RCONF" --sync
	check_eq "a submodule moved to another port, its commit already here: 8" 8 "$RC"
	check "...nothing published" test "$(readlink "$SUB_RCP")" = "$before"

	tip=$(sub_push "$base/lib2.git") || bail "push failed"
	cli -c "$SUB_RCONF" --sync
	check_eq "the next good push deploys: exit 0" 0 "$RC"
	check "...it is live" grep -q "$tip" <<<"$(readlink "$SUB_RCP")"
	deployed "...releases" "$SUB_RCP" "$lib2"
	cli -c "$iconf" --sync
	check_eq "...in place too" "$tip" "$(head_of "$icp")"
	deployed "...in place" "$icp" "$lib2"
	check "...git status of the checkout is clean" clean_tree "$icp"
	check "the other listener never saw the user" not grep -q " - $FX_HTTP_USER \[" "$OTHER_LOG"
}

# --- the token, nowhere but its file ---------------------------------------

test_leaks() {
	local hits
	# Every output of every run above, the checkouts and their records,
	# RUN='s environment, the front's log, TMPDIR: all under FX_DIR. The
	# token's file is the one place it may be; nginx's files hold its hash.
	check "the search finds the token where it is" grep -qF -- "$FX_HTTP_TOKEN" "$FX_HTTP_TOKEN_FILE"
	hits=$(grep -rlF -- "$FX_HTTP_TOKEN" "$FX_DIR" 2>/dev/null |
		grep -vxF "$FX_HTTP_TOKEN_FILE")
	check_eq "the token is in no file but HTTP_TOKEN_FILE (logs, records, RUN='s env, --check)" "" "$hits"
	check "RUN='s environment was dumped" grep -q "^SENTRY_" "$ENV_DUMP"
	check "...and holds no credentials" not grep -qE 'HTTP_TOKEN|deploy:' "$ENV_DUMP"
}

run_parts test_urls test_inplace test_releases test_refused test_token_file test_nobody \
	test_submodules test_leaks

echo "1..$n"
