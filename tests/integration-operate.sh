#!/bin/bash
# tests/integration-operate.sh: running it, day two. A webhook secret
# rotated (SECRET_FILE's two lines, either signs, nothing reloaded) for
# GitHub's HMAC and GitLab's token, through systemd-socket-activate and
# curl; config mistakes said plainly (a comment after a value, a mistyped
# key); --help held to the man page; the shipped hook under a real git
# push when sentry-source is gone; what make uninstall leaves, in a
# DESTDIR; singular counts in --check. Real programs, the real sshd and
# repository of tests/lib.sh. Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60
tap_fixture op
D="$FX_DIR/op"

OLD='the old secret, rotated out'
NEW='the new secret, rotated in'
OTHER='a secret nobody gave us'
SECRET_FILE="$D/secret"

# secret_file LINE...: SECRET_FILE holds these lines, one each, mode 0600.
secret_file() {
	printf '%s\n' "$@" >"$SECRET_FILE" && chmod 600 "$SECRET_FILE"
}

# hmac SECRET FILE: hex HMAC-SHA256 of FILE's bytes.
hmac() { openssl dgst -sha256 -hmac "$1" -r "$2" | cut -d' ' -f1; }

# curl_post BODY HEADER...: POST BODY to the front; prints the status.
curl_post() {
	local body=$1 h
	shift
	local -a hdrs=()
	for h in "$@"; do
		hdrs+=(-H "$h")
	done
	next_run
	curl -sS --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' \
		-H 'Content-Type: application/json' "${hdrs[@]}" --data-binary @"$body" \
		"http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR"
}

# As each host signs: GitHub an HMAC of the body, GitLab the token itself.
GITHUB_BODY="$FX_PAYLOADS/github/push-branch-update.json"
GITLAB_BODY="$FX_PAYLOADS/gitlab/push-hook-doc-example.json"
post_github() {
	curl_post "$GITHUB_BODY" 'X-GitHub-Event: push' \
		"X-Hub-Signature-256: sha256=$(hmac "$1" "$GITHUB_BODY")"
}
post_gitlab() { curl_post "$GITLAB_BODY" 'X-Gitlab-Event: Push Hook' "X-Gitlab-Token: $1"; }
post_github_unsigned() { curl_post "$GITHUB_BODY" 'X-GitHub-Event: push'; }
post_gitlab_unsigned() { curl_post "$GITLAB_BODY" 'X-Gitlab-Event: Push Hook'; }

# signed_syncs SOURCE SECRET WHAT: a push, announced signed with SECRET,
# is answered 200 and reaches the checkout.
signed_syncs() {
	local tip
	tip=$(push_commit master) || bail "no commit"
	check_eq "$1, $3: answered 200" 200 "$("post_$1" "$2")"
	check "$1, $3: the checkout reaches master's tip" wait_head "$D/$1/checkout" "$tip" 30
}

# rotation SOURCE HEADER: the recipe of sentry-source.conf(5), step by
# step, with the front serving throughout and never restarted.
rotation() {
	local src=$1 header=$2 conf="$D/$1.conf"
	mkdir -p "$D/$src"
	write_config "$conf" "SOURCE=$src" BRANCH=master "CLONE_PATH=$D/$src/checkout" \
		"SECRET_FILE=$SECRET_FILE"
	secret_file "$OLD"
	start_front "$conf" || bail "front did not start"
	signed_syncs "$src" "$OLD" "one secret, signed with it"

	# Step 1: the new secret as a second line, as the page does it.
	printf '%s\n' "$NEW" >>"$SECRET_FILE"
	signed_syncs "$src" "$OLD" "rotating, signed with the old (line 1)"
	signed_syncs "$src" "$NEW" "rotating, signed with the new (line 2)"
	check_eq "$src, rotating, signed with a third secret: 401" 401 "$("post_$src" "$OTHER")"
	check "$src, ...logged: $header matches neither" \
		wait_log "$FX_DIR/front.log" "401.*$header does not match either secret of SECRET_FILE" 10
	check_eq "$src, rotating, unsigned: 401" 401 "$("post_${src}_unsigned")"
	cli -c "$conf" --check
	check_eq "$src, rotating: --check exits 0" 0 "$RC"
	check "$src, rotating: --check says two secrets" grep -q "SECRET_FILE .*two secrets" "$OUT"

	# Step 3, the host changed (step 2): the old line removed.
	sed -i 1d "$SECRET_FILE"
	check_eq "$src, rotated: the file holds the new secret alone, mode 0600" \
		"$NEW 600" "$(cat "$SECRET_FILE") $(stat -c %a "$SECRET_FILE")"
	check_eq "$src, rotated: signed with the old: 401" 401 "$("post_$src" "$OLD")"
	signed_syncs "$src" "$NEW" "rotated, signed with the new"

	# A mistake: three lines. Refused at once, fail safe: no request is
	# taken, signed or not.
	secret_file "$OLD" "$NEW" "$OTHER"
	check_eq "$src, three lines: signed with line 1: 500" 500 "$("post_$src" "$OLD")"
	check "$src, ...logged: more than 2 lines" \
		wait_log "$FX_DIR/front.log" "SECRET_FILE $SECRET_FILE: more than 2 lines" 10
	check_eq "$src, three lines: unsigned: 500" 500 "$("post_${src}_unsigned")"
	cli -c "$conf" --check
	check_eq "$src, three lines: --check exits 78" 78 "$RC"
	check "$src, three lines: --check says so" grep -q "SECRET_FILE .*more than 2 lines" "$ERR"
	printf '%s\n\n' "$NEW" >"$SECRET_FILE"
	check_eq "$src, an empty second line: 500" 500 "$("post_$src" "$NEW")"
	cli -c "$conf" --check
	check "$src, an empty second line: --check says line 2 is empty" \
		grep -q "SECRET_FILE .*line 2 is empty" "$ERR"
	stop_bg "$FX_FRONT_PID"
}

test_rotation_github() { rotation github X-Hub-Signature-256; }
test_rotation_gitlab() { rotation gitlab X-Gitlab-Token; }

# --- config mistakes, said plainly ----------------------------------------

# config_says WHAT LINE MESSAGE: a config with LINE is refused, by
# --check and in socket mode (500), with MESSAGE.
config_says() {
	local conf="$D/mistake.conf" req="$D/mistake.json"
	write_config "$conf" "CLONE_PATH=$D/mistake/checkout" "$2"
	cli -c "$conf" --check
	check_eq "$1: --check exits 78" 78 "$RC"
	check "$1: --check says \"$3\"" grep -qF -- "$3" "$ERR"
	stash_payload_develop "$req" "$FX_ZERO" "$(repo_tip develop)" || bail "no payload"
	front "$conf" "$(post "$req")"
	check "$1: socket mode answers 500" answer_is 500
	check "$1: socket mode logs \"$3\"" grep -qF -- "$3" "$ERR"
}

test_config_mistakes() {
	config_says "a comment after RUN" "RUN=/bin/true # restart the app" \
		":7: RUN: values cannot hold comments; put the comment on its own line"
	config_says "a comment after BRANCH" "BRANCH=develop # the live one" \
		":7: BRANCH: values cannot hold comments"
	config_says "a mistyped key" "BRANCHE=develop" ":7: unknown key BRANCHE; did you mean BRANCH?"
	config_says "a key in lower case" "run=/bin/true" ":7: unknown key run; keys are upper case: RUN"
	config_says "a key like none" "COLOUR=blue" ":7: unknown key COLOUR"
	check "a key like none: no suggestion" not grep -q "did you mean" "$ERR"

	write_config "$D/fine.conf" "CLONE_PATH=$D/fine/checkout"
	printf '%s\n' "RUN=/bin/sh -c 'echo deployed # in quotes, not a comment'" \
		"EXCLUDE_FILES=\\#*# *.md" >>"$D/fine.conf"
	mkdir -p "$D/fine"
	cli -c "$D/fine.conf" --check
	check_eq "a '#' in quotes of RUN, and an escaped one in a glob: --check exits 0" 0 "$RC"
}

# --- --help and the man page ------------------------------------------------

# options: the options named in standard input, one a line, sorted.
# Drops the program's own name, whose "-source" is no option. mdoc's
# "Fl c" is -c, its "Fl \-branch" --branch (and so is a "\-version" that
# follows a Fl on its line).
options() {
	sed 's/sentry-source//g; s/\\-/--/g; s/Fl \([a-z]\)/-\1/g' |
		grep -oE -- '(^|[^A-Za-z0-9-])--?[a-z][a-z-]*' | sed 's/^[^-]*//' | sort -u
}

test_help() {
	local man=man/sentry-source.8 help_opts man_opts line missing=""
	cli --help
	check_eq "--help: exits 0" 0 "$RC"
	check "--help: prints the synopsis" grep -q '^usage: sentry-source \[-c file\]$' "$OUT"
	check "--help: names the modes" grep -q '^Modes' "$OUT"
	check "--help: no line wider than 80 columns" \
		test "$(awk '{ print length($0) }' "$OUT" | sort -n | tail -n 1)" -le 80
	check "--help: the synopsis of --config-dir dir --status [--json]" \
		grep -qF 'sentry-source --config-dir dir --status [--json]' "$OUT"

	# The option lines: "  -x ..." in --help, ".It Fl" in the list that
	# follows "The options are as follows:" in the page.
	help_opts=$(grep -E '^  -' "$OUT" | sed -E 's/^ +//; s/  .*//' | options)
	man_opts=$(sed -n '/^The options are as follows:/,/^\.El/p' "$man" | grep '^\.It Fl' | options)
	check "the page's option list is found" test -n "$man_opts"
	check_eq "every option in --help is in the man page's list, and every one there in --help" \
		"$man_opts" "$help_opts"
	check_eq "one --help line per option of the page" \
		"$(sed -n '/^The options are as follows:/,/^\.El/p' "$man" | grep -c '^\.It Fl')" \
		"$(grep -cE '^  -' "$OUT")"
	check_eq "the options of the synopsis: --help's are the page's" \
		"$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$man" | options)" \
		"$(sed -n '/^usage:/,/^$/p' "$OUT" | options)"
	# Each synopsis line of --help, as mandoc renders the page's.
	mandoc -Tascii "$man" | col -b >"$D/page.txt"
	while IFS= read -r line; do
		line=$(sed -E 's/^(usage:)? +//' <<<"$line")
		grep -qF -- "$line" "$D/page.txt" || missing+="$line; "
	done < <(sed -n '/^usage:/,/^$/p' "$OUT" | grep -v '^$')
	check_eq "each synopsis line of --help is in the page's SYNOPSIS" "" "$missing"

	cli --no-such-option
	check_eq "a usage error: exits 64" 64 "$RC"
	check "a usage error: prints the synopsis on stderr" grep -q '^usage: sentry-source' "$ERR"
	check "a usage error: the synopsis only, not the list" not grep -q '^Modes' "$ERR"
	cli -c /dev/null --json
	check_eq "--json without --status: exits 64 with the synopsis" "64 1" \
		"$RC $(grep -c '^usage:' "$ERR")"
}

# Two modes at once: a usage error naming both, and neither run (a
# --check --sync that synced would surprise whoever meant to check).
test_two_modes() {
	local conf="$D/modes.conf" cp="$D/modes/checkout" pair
	mkdir -p "$D/modes"
	write_config "$conf" "CLONE_PATH=$cp"
	for pair in "--check --sync" "--sync --status" "--resume --releases" "--rollback --releases"; do
		# shellcheck disable=SC2086 # two words, on purpose
		cli -c "$conf" $pair
		check_eq "$pair: a usage error (64)" 64 "$RC"
		check "$pair: names both" grep -qF -- "${pair% *} and ${pair#* }: two modes; give one" "$ERR"
		check "$pair: nothing synced, CLONE_PATH not made" test ! -e "$cp"
	done
	cli -c "$conf" --status --status
	check_eq "a mode given twice is one mode: --status --status reads the record (66: none)" 66 "$RC"
}

# --- the hook, when sentry-source is gone ----------------------------------

test_hook_not_installed() {
	local bare="$D/hooked.git" work="$D/hooked-work" path=/usr/bin:/bin
	if PATH=$path command -v sentry-source >/dev/null 2>&1; then
		skip "hook without sentry-source" "sentry-source is installed in $path"
		return
	fi
	git init -q --bare "$bare" && install -m 755 hooks/post-receive "$bare/hooks/post-receive" &&
		git --git-dir="$bare" config core.hooksPath "$bare/hooks" &&
		git clone -q "$bare" "$work" 2>/dev/null && fx_git_commit "$work" "first" ||
		bail "no hooked repository"
	next_run
	# PATH has git, not sentry-source; the hook runs with it.
	PATH=$path git -C "$work" push origin HEAD:refs/heads/main >"$OUT" 2>&1
	RC=$?
	check_eq "hook, no sentry-source in PATH: git push exits 0" 0 "$RC"
	# git pads a remote's line with blanks, to clear the terminal's.
	check "hook, ...the pusher is told, in one line" grep -qE \
		'^remote: sentry-source: not installed \(no sentry-source in PATH\); this push is not deployed *$' "$OUT"
	check_eq "hook, ...one line from the hook, no more" 1 "$(grep -c 'remote: ' "$OUT")"
	check_eq "hook, ...the push arrived" "$(git -C "$work" rev-parse HEAD)" \
		"$(git --git-dir="$bare" rev-parse refs/heads/main)"
}

# --- what make uninstall leaves --------------------------------------------

test_uninstall() {
	local d="$D/destdir" bin="$D/no-systemctl" t
	mkdir -p "$d/usr/bin" "$d/etc/sentry-source" "$d/var/lib/sentry-source/site" \
		"$d/etc/systemd/system/sockets.target.wants" "$bin"
	: >"$d/usr/bin/sentry-source"
	: >"$d/etc/sentry-source/site.conf"
	ln -s /usr/lib/systemd/system/sentry-source.socket \
		"$d/etc/systemd/system/sockets.target.wants/sentry-source.socket"
	# What the man page's recipes copy there: the reload pair, a drop-in.
	: >"$d/etc/systemd/system/sentry-source-reload.path"
	mkdir -p "$d/etc/systemd/system/sentry-source@.service.d"
	: >"$d/etc/systemd/system/sentry-source@.service.d/web-served.conf"
	next_run
	make -s uninstall DESTDIR="$d" PREFIX=/usr >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "make uninstall DESTDIR=...: exits 0" 0 "$RC"
	check "make uninstall: the program is gone" test ! -e "$d/usr/bin/sentry-source"
	check "make uninstall: says what it leaves" grep -q '^make uninstall: left in place' "$OUT"
	check "make uninstall: names the config" grep -qx "  config: $d/etc/sentry-source" "$OUT"
	check "make uninstall: ...and leaves it" test -e "$d/etc/sentry-source/site.conf"
	check "make uninstall: names the state" grep -qx "  state: $d/var/lib/sentry-source" "$OUT"
	check "make uninstall: names the unit still enabled, and how to disable it" grep -qF \
		"unit still enabled: $d/etc/systemd/system/sockets.target.wants/sentry-source.socket (systemctl disable --now sentry-source.socket)" "$OUT"
	check "make uninstall: names a unit copied by hand" grep -qx \
		"  unit or drop-in put there by hand: $d/etc/systemd/system/sentry-source-reload.path" "$OUT"
	check "make uninstall: names a drop-in directory" grep -qx \
		"  unit or drop-in put there by hand: $d/etc/systemd/system/sentry-source@.service.d" "$OUT"
	check "make uninstall: says it cannot know the hooks, and how to find them" \
		grep -qF "find / -xdev -path '*/hooks/post-receive' -exec grep -l sentry-source {} +" "$OUT"

	# Without systemctl (a container, another init): no failure.
	for t in rm rmdir find sort; do
		ln -s "$(command -v "$t")" "$bin/$t"
	done
	next_run
	PATH=$bin "$(command -v make)" -s uninstall DESTDIR="$d" PREFIX=/usr >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "make uninstall, no systemctl: exits 0" 0 "$RC"
	check "make uninstall, no systemctl: the link to remove is named" grep -qF \
		"(rm $d/etc/systemd/system/sockets.target.wants/sentry-source.socket)" "$OUT"

	rm -rf "${d:?}/etc" "${d:?}/var"
	next_run
	make -s uninstall DESTDIR="$d" PREFIX=/usr >"$OUT" 2>"$ERR"
	check "make uninstall, nothing left: names no config, state or unit" \
		not grep -qE '^  (config|state|unit)' "$OUT"
}

# --- one branch, one tag ---------------------------------------------------

test_singular() {
	local bare="$D/one.git" work="$D/one-work" conf="$D/one.conf"
	git init -q --bare "$bare" && git clone -q "$bare" "$work" 2>/dev/null &&
		fx_git_commit "$work" "only" && git -C "$work" tag v1.0 && git -C "$work" tag v2.0 &&
		git -C "$work" push -q origin HEAD:refs/heads/main v1.0 v2.0 || bail "no one-branch repository"
	mkdir -p "$D/one"
	write_config "$conf" -SOURCE BRANCH=main "CLONE_PATH=$D/one/checkout" \
		"CLONE_URL=ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$bare"
	cli -c "$conf" --check
	check_eq "--check, one branch: exits 0" 0 "$RC"
	check "--check, one branch: '1 branch: main'" grep -q "; 1 branch: main$" "$OUT"
	write_config "$conf" -SOURCE 'TAG=v1.*' "CLONE_PATH=$D/one/checkout" \
		"CLONE_URL=ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$bare"
	cli -c "$conf" --check
	check_eq "--check, one tag: exits 0" 0 "$RC"
	check "--check, one tag: '1 tag matches'" grep -q "TAG v1\.\*: 1 tag matches; the highest is v1\.0$" "$OUT"
	write_config "$conf" -SOURCE 'TAG=v*' "CLONE_PATH=$D/one/checkout" \
		"CLONE_URL=ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$bare"
	cli -c "$conf" --check
	check "--check, two tags: '2 tags match'" grep -q "TAG v\*: 2 tags match; the highest is v2\.0$" "$OUT"
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh).
run_parts \
	test_rotation_github \
	test_rotation_gitlab \
	test_config_mistakes \
	test_help \
	test_two_modes \
	test_hook_not_installed \
	test_uninstall \
	test_singular

printf '1..%d\n' "$n"
