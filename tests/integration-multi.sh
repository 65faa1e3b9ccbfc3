#!/bin/bash
# tests/integration-multi.sh: many deployments behind one socket
# (sentry-source --config-dir DIR: the path /NAME[/webhook] picks
# DIR/NAME.conf). Each deployment syncs its own checkout; every attempt to
# name a file outside DIR (.., escapes, a symlink) is a 404 or 400, and
# strace shows that no such file was opened, not even looked at. Real
# programs, the real sshd and repository of tests/lib.sh, and a real
# systemd-socket-activate with curl. Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60
tap_fixture deploy
D="$FX_DIR/deploy"

log_has() { grep -qF -- "$1" "$ERR"; }

# dir_front REQUEST_FILE [WRAPPER...]: socket mode over DIR, request on stdin.
dir_front() {
	local req=$1
	shift
	next_run
	timeout -k 5 "$RUN_TIMEOUT" "$@" ./sentry-source --config-dir "$D" \
		<"$req" >"$OUT" 2>"$ERR"
	RC=$?
}

# push_to BRANCH PATH: a Stash push of BRANCH's tip, POSTed to PATH.
push_to() {
	local body="$FX_DIR/push-$RUN-$1.json"
	stash_payload "$body" "refs/heads/$1" "$FX_ZERO" "$(repo_tip "$1")" ADD || return 1
	make_request POST "$2" application/json "$body" >"$body.http"
	printf '%s\n' "$body.http"
}

# Two deployments of the fixture's repository: a follows develop, b main.
write_config "$D/a.conf" "CLONE_PATH=$FX_DIR/srv/a"
write_config "$D/b.conf" SOURCE=stash BRANCH=main "CLONE_PATH=$FX_DIR/srv/b"
# Outside DIR: a valid deployment no request may ever reach.
write_config "$FX_DIR/canary.conf" "CLONE_PATH=$FX_DIR/srv/canary"
ln -s ../canary.conf "$D/link.conf"
write_config "$D/broken.conf" "NO_SUCH_KEY=1"

test_pick() {
	dir_front "$(push_to develop /a/webhook)"
	check "POST /a/webhook: answered 200" answer_is 200
	check_eq "POST /a/webhook: exits 0" 0 "$RC"
	check_eq "POST /a/webhook: a.conf's checkout follows develop" \
		"$(repo_tip develop)" "$(head_of "$FX_DIR/srv/a")"
	check "POST /a/webhook: b's checkout untouched" test ! -e "$FX_DIR/srv/b"

	dir_front "$(push_to main /b)"
	check "POST /b: answered 200" answer_is 200
	check_eq "POST /b: b.conf's checkout follows main" \
		"$(repo_tip main)" "$(head_of "$FX_DIR/srv/b")"

	dir_front "$(push_to main /a/webhook)"
	check "POST /a/webhook, a push to main: ignored by a" body_has '"ignored"'

	dir_front "$(push_to develop /nosuch/webhook)"
	check "POST /nosuch/webhook: 404" answer_is 404
	check_eq "POST /nosuch/webhook: exits 2" 2 "$RC"

	dir_front "$(push_to develop /broken/webhook)"
	check "POST /broken/webhook (unknown key): 500" answer_is 500
	check_eq "POST /broken/webhook: exits 78" 78 "$RC"
	check "POST /broken/webhook: the log names the file and line" \
		grep -qE "$D/broken.conf:[0-9]+: unknown key NO_SUCH_KEY" "$ERR"

	dir_front "$(push_to develop /webhook)"
	check "POST /webhook under --config-dir: 404 (names no deployment)" answer_is 404

	# The chosen file's limits apply to the body.
	write_config "$D/small.conf" "CLONE_PATH=$FX_DIR/srv/small" MAX_BODY=1K
	dir_front "$(push_to develop /small/webhook)"
	check "POST /small/webhook, a body over its MAX_BODY=1K: 413" answer_is 413
	check "POST /small/webhook: nothing synced" test ! -e "$FX_DIR/srv/small"
}

# tracer TRACE: the strace command line to put before the front. In a
# sanitized build the leak check is off for these runs: LeakSanitizer
# cannot work under ptrace. ASan's other checks stay.
tracer() {
	TRACER=(strace -f -qq -s 4096 -o "$1" -e trace=%file)
	[ -z "${ASAN_OPTIONS:-}" ] ||
		TRACER=(env "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0" "${TRACER[@]}")
}

# refused PATH STATUS: no deployment, and no file outside DIR opened.
refused() {
	local path=$1 want=$2 trace
	trace="$FX_DIR/run/trace-$((RUN + 1))"
	tracer "$trace"
	dir_front "$(push_to develop "$path")" "${TRACER[@]}"
	check "POST $path: $want" answer_is "$want"
	check_eq "POST $path: exits 2" 2 "$RC"
	check "POST $path: the trace shows DIR opened (strace saw the front)" \
		grep -qF "\"$D\", O_RDONLY" "$trace"
	check "POST $path: canary.conf never opened nor looked at" \
		not grep -q canary "$trace"
	check "POST $path: no other path under the test's directory named" \
		sh -c "! grep -v execve '$trace' | grep -oE '\"$FX_DIR/[^\"]*\"' | grep -vqxF '\"$D\"'"
	check "POST $path: names looked up in DIR hold no / and no .." \
		not grep -qE 'at\(3, "[^"]*(\.\.|/)' "$trace"
	check "POST $path: the canary's checkout never made" test ! -e "$FX_DIR/srv/canary"
}

test_traversal() {
	# The twin: a plain unknown name is looked up, in DIR only, and the
	# trace shows it, so the checks below can see a lookup.
	local trace="$FX_DIR/run/trace-$((RUN + 1))"
	tracer "$trace"
	dir_front "$(push_to develop /nosuch)" "${TRACER[@]}"
	check "POST /nosuch: 404" answer_is 404
	check "POST /nosuch: the trace shows nosuch.conf looked up in DIR, no further" \
		grep -qE 'at\(3, "nosuch\.conf".*ENOENT' "$trace"
	refused "/../canary" 404
	refused "/../canary/webhook" 404
	refused "/a/../../canary" 404
	refused "/..%2Fcanary" 400
	refused "/%2e%2e%2fcanary/webhook" 400
	refused "/a%2F..%2F..%2Fcanary" 400
	refused "/link" 404
	refused "/link/webhook" 404
	refused "/canary.conf" 404
	refused "/$(printf 'x%.0s' $(seq 1 65))" 404
}

test_socket() {
	local body="$FX_DIR/sock.json" attempt port
	push_commit develop "for the socket" >/dev/null || bail "no commit"
	stash_payload "$body" refs/heads/develop "$(head_of "$FX_DIR/srv/a")" "$(repo_tip develop)" UPDATE ||
		bail "no payload"
	for attempt in 1 2 3; do
		port=$(free_port) || bail "no free port"
		start_bg "$FX_DIR/socket.log" env -C "$FX_ROOT" systemd-socket-activate --inetd -a \
			-l "127.0.0.1:$port" -E SENTRY_SOURCE_EXEC_PATH -E HOME \
			./sentry-source --config-dir "$D"
		wait_port "$port" "$FX_BG_PID" 10 && break
		stop_bg "$FX_BG_PID"
	done
	next_run
	code=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' --data-binary @"$body" \
		"http://127.0.0.1:$port/a/webhook" 2>"$ERR")
	check_eq "systemd-socket-activate, curl POST /a/webhook: 200" 200 "$code"
	check "systemd-socket-activate: a's checkout reaches the new tip" \
		wait_head "$FX_DIR/srv/a" "$(repo_tip develop)" 30
	code=$(curl -sS --noproxy '*' --max-time 20 -o "$OUT" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' --data-binary @"$body" \
		"http://127.0.0.1:$port/..%2Fcanary/webhook" 2>"$ERR")
	check_eq "systemd-socket-activate, curl POST /..%2Fcanary/webhook: 400" 400 "$code"
}

test_usage() {
	cli --config-dir "$D" --sync
	check_eq "--config-dir with --sync: usage error (64)" 64 "$RC"
	cli --config-dir "$D" -c "$D/a.conf"
	check_eq "--config-dir with -c: usage error (64)" 64 "$RC"
	cli -c "$D/a.conf" --check
	check_eq "--check -c DIR/NAME.conf: exits 0" 0 "$RC"
	next_run
	timeout -k 5 "$RUN_TIMEOUT" ./sentry-source --config-dir "$FX_DIR/no-such-dir" \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	check "--config-dir naming no directory: answered 500" answer_is 500
	check_eq "--config-dir naming no directory: exits 78" 78 "$RC"
}

# every_line_named FILE NAME: FILE has lines, and each is a program's
# line with NAME's prefix.
every_line_named() {
	[ -s "$1" ] && ! grep -qvE "^sentry-source(-sync)?: \[$2\] " "$1"
}

# json_lines FILE: every line is one JSON object (jq when installed, and
# python3's json module).
json_lines() {
	[ -s "$1" ] || return 1
	if command -v jq >/dev/null; then
		jq -e 'type == "object"' "$1" >/dev/null || return 1
	fi
	python3 -c 'import json,sys
for l in open(sys.argv[1]): assert isinstance(json.loads(l), dict)' "$1"
}

# json_get FILE NAME KEY...: the KEYs of the object of deployment NAME
# (every object with NAME "-"), "null" for null, one line per object.
json_get() {
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if sys.argv[2] in ("-", d.get("deployment")):
        print(" ".join("null" if d.get(k) is None else str(d[k]) for k in sys.argv[3:]))' "$@"
}

# The log of a request and of its sync carries the deployment's name.
test_log_names() {
	write_config "$D/logged.conf" "CLONE_PATH=$FX_DIR/srv/logged" RUN=/usr/bin/env
	dir_front "$(push_to develop /logged/webhook)"
	check "POST /logged/webhook: answered 200" answer_is 200
	check_eq "POST /logged/webhook: synced, RUN ran: exits 0" 0 "$RC"
	check "every line of the request and the sync starts [logged]" \
		every_line_named "$ERR" logged
	check "... the front's lines and the helper's both" \
		sh -c "grep -q '^sentry-source: \[logged\] ' '$ERR' && grep -q '^sentry-source-sync: \[logged\] ' '$ERR'"
	check "... RUN's output too, and RUN= never sees \$SENTRY_SOURCE_DEPLOYMENT" \
		sh -c "grep -q 'PATH=' '$ERR' && ! grep -q SENTRY_SOURCE_DEPLOYMENT '$ERR'"
	check "the status record's message carries no prefix" \
		not grep -q '^message=\[' "$FX_DIR/srv/logged.status"
	# The twin: the same deployment with -c, in single-config mode.
	push_commit develop "for -c" >/dev/null || bail "no commit"
	front "$D/logged.conf" "$(push_to develop /webhook)"
	check_eq "-c DIR/logged.conf: exits 0" 0 "$RC"
	check "-c DIR/logged.conf: no line carries a name" \
		sh -c "[ -s '$ERR' ] && ! grep -q '\[logged\]' '$ERR'"
	# A name in the environment is not ours to take: the front drops it.
	next_run
	SENTRY_SOURCE_DEPLOYMENT=forged timeout -k 5 "$RUN_TIMEOUT" ./sentry-source \
		-c "$D/logged.conf" --sync </dev/null >"$OUT" 2>"$ERR"
	check "-c, \$SENTRY_SOURCE_DEPLOYMENT set by the caller: not in the log, nor RUN's env" \
		sh -c "[ -s '$ERR' ] && ! grep -qE 'forged|SENTRY_SOURCE_DEPLOYMENT' '$ERR'"
	# The helper checks what it is given: only a plain name.
	next_run
	SENTRY_SOURCE_DEPLOYMENT='a] [b' timeout -k 5 "$RUN_TIMEOUT" ./sentry-source-sync \
		-c "$D/logged.conf" --releases </dev/null >"$OUT" 2>"$ERR"
	check "the helper given a name that is not one: says so, and no line carries it" \
		sh -c "grep -q 'SENTRY_SOURCE_DEPLOYMENT is not a deployment' '$ERR' && ! grep -qF 'a] [b' '$ERR'"
	rm -f "$D/logged.conf"
}

# --config-dir DIR --status: a line per deployment, the worst status.
test_status_dir() {
	local a_tip b_tip
	a_tip=$(head_of "$FX_DIR/srv/a")
	b_tip=$(head_of "$FX_DIR/srv/b")
	# A deployment that names its credentials: no $CREDENTIALS_DIRECTORY here.
	write_config "$D/cred.conf" "CLONE_PATH=$FX_DIR/srv/cred" SSH_KEYPATH=id_ed25519 \
		KNOWN_HOSTS=known_hosts
	# Hostile twins: none of these is a deployment, and none may hang or count.
	mkfifo "$D/fifo.conf"
	write_config "$D/bad name.conf" "CLONE_PATH=$FX_DIR/srv/bad"
	write_config "$D/.hidden.conf" "CLONE_PATH=$FX_DIR/srv/hidden"
	# A record that is not what the helper writes: 70, with its CLONE_PATH.
	write_config "$D/garbled.conf" "CLONE_PATH=$FX_DIR/srv/garbled"
	printf 'not a record\n' >"$FX_DIR/srv/garbled.status"

	cli --config-dir "$D" --status
	check_eq "--config-dir --status: exits 78, the highest (broken.conf)" 78 "$RC"
	check_eq "--config-dir --status: one line per deployment, sorted by name" \
		"a b broken cred garbled small " "$(cut -d: -f1 "$OUT" | tr '\n' ' ')"
	check "... garbled: 70 and why" grep -qE "^garbled: 70 \(internal error\): $FX_DIR/srv/garbled.status: first line is not" "$OUT"
	check "... a: status 0, develop at its commit" \
		grep -qE "^a: 0 \(success\), [0-9-]+ [0-9:]+ UTC, develop at ${a_tip:0:12}: " "$OUT"
	check "... b: status 0, main at its commit" \
		grep -qE "^b: 0 \(success\), .*, main at ${b_tip:0:12}: " "$OUT"
	check "... broken: 78 and why" \
		grep -qE "^broken: 78 \(configuration error\): $D/broken.conf:[0-9]+: unknown key NO_SUCH_KEY\$" "$OUT"
	check "... small: no sync yet, 66" grep -qx "small: 66 (no sync has run yet)" "$OUT"
	check "... cred: credential names need no \$CREDENTIALS_DIRECTORY" \
		grep -qx "cred: 66 (no sync has run yet)" "$OUT"
	check "... the link, the FIFO and the bad name are warned about, not listed" \
		sh -c "grep -q 'link.conf: not a regular file; not used' '$ERR' &&
			grep -q 'fifo.conf: not a regular file; not used' '$ERR' &&
			grep -q 'bad name.conf: not a deployment' '$ERR'"
	check "... no other file outside DIR read: the canary not named" not grep -q canary "$OUT"

	cli --config-dir "$D" --status --json
	check_eq "--config-dir --status --json: exits 78" 78 "$RC"
	check "--json: every line is one JSON object" json_lines "$OUT"
	check_eq "--json: one line per deployment, named, in order" "a b broken cred garbled small " \
		"$(json_get "$OUT" - deployment | tr '\n' ' ')"
	check_eq "--json: deployment and clone_path come first" "deployment clone_path" \
		"$(python3 -c 'import json,sys
print(*sorted({" ".join(list(json.loads(l))[:2]) for l in open(sys.argv[1])}), sep="|")' "$OUT")"
	check_eq "--json: a's record, its CLONE_PATH and commit" \
		"$FX_DIR/srv/a 0 $a_tip develop" "$(json_get "$OUT" a clone_path status new branch)"
	check_eq "--json: broken: no CLONE_PATH, status 78" "null 78" \
		"$(json_get "$OUT" broken clone_path status)"
	check_eq "--json: garbled: its CLONE_PATH, status 70" "$FX_DIR/srv/garbled 70" \
		"$(json_get "$OUT" garbled clone_path status)"
	check "--json: broken: the error as its message" \
		grep -qE "\"message\":\"$D/broken.conf:[0-9]+: unknown key NO_SUCH_KEY\"" "$OUT"
	check_eq "--json: small: status null, no sync yet" \
		"{\"deployment\":\"small\",\"clone_path\":\"$FX_DIR/srv/small\",\"status\":null,\"message\":\"no sync has run yet\"}" \
		"$(grep '"small"' "$OUT")"

	mv "$D/broken.conf" "$FX_DIR/broken.conf"
	cli --config-dir "$D" --status
	check_eq "without broken.conf: exits 70, the highest left (garbled)" 70 "$RC"
	rm "$D/garbled.conf"
	cli --config-dir "$D" --status
	check_eq "without garbled.conf: exits 66, the highest left (no sync yet)" 66 "$RC"
	mkdir -p "$FX_DIR/onlyab"
	cp -p "$D/a.conf" "$D/b.conf" "$FX_DIR/onlyab/"
	cli --config-dir "$FX_DIR/onlyab" --status --json
	check_eq "a and b alone: exits 0" 0 "$RC"
	check_eq "a and b alone: two objects" "a b " "$(json_get "$OUT" - deployment | tr '\n' ' ')"
	mkdir -p "$FX_DIR/empty"
	cli --config-dir "$FX_DIR/empty" --status
	check_eq "a DIR with no deployment: exits 66" 66 "$RC"
	check "a DIR with no deployment: says so" grep -q "no deployment (NAME.conf) in it" "$ERR"
	cli --config-dir "$FX_DIR/no-such-dir" --status
	check_eq "--config-dir naming no directory, --status: exits 78" 78 "$RC"
	# The bound: 4096 deployments at most, and more is not a shorter list.
	mkdir -p "$FX_DIR/many"
	(cd "$FX_DIR/many" && for i in $(seq 1 4096); do : >"d$i.conf"; done)
	cli --config-dir "$FX_DIR/many" --status
	check_eq "4096 deployments: each listed (as config errors here)" 4096 "$(wc -l <"$OUT")"
	: >"$FX_DIR/many/d4097.conf"
	cli --config-dir "$FX_DIR/many" --status
	check_eq "4097 deployments: exits 78" 78 "$RC"
	check "4097 deployments: says so, and lists none" \
		sh -c "grep -q 'more than 4096 deployments' '$ERR' && [ ! -s '$OUT' ]"
	rm -rf "$FX_DIR/many"
	cli --config-dir "$D" -c "$D/a.conf" --status
	check_eq "--config-dir with -c and --status: usage error (64)" 64 "$RC"
	cli --config-dir "$D" --check
	check_eq "--config-dir with --check: usage error (64)" 64 "$RC"
	mv "$FX_DIR/broken.conf" "$D/broken.conf"
	rm -f "$D/fifo.conf" "$D/bad name.conf" "$D/.hidden.conf" "$D/cred.conf"
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_pick \
	test_traversal \
	test_socket \
	test_usage \
	test_log_names \
	test_status_dir
printf '1..%d\n' "$n"
