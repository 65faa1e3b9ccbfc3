#!/bin/bash
# tests/integration-faults.sh: hostile peers and faults, each through the
# real interfaces: a slow client and a header flood under
# systemd-socket-activate, bodies over MAX_BODY, a burst of 30 matching
# requests, kill -9 during a clone and during a fetch, a Git server that
# accepts and never speaks, 60 syncs in a row against the pack count, and
# kill -9 at each step of a repack.
# Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=120

tap_fixture p
P="$FX_DIR/p"
CP=$FX_CLONE_PATH

# raw_exchange PORT FILE [SECONDS]: send FILE's bytes, read the answer
# until the server closes; the status line goes to stdout.
raw_exchange() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	cat "$2" >&"$fd"
	timeout "${3:-20}" cat <&"$fd" | head -n 1 | tr -d '\r'
	exec {fd}>&-
}

# --- the request's limits, through socket activation ---------------------

test_request_limits() {
	local conf="$FX_DIR/limits.conf" slow code i t0 t1
	write_config "$conf" REQUEST_TIMEOUT=2 MAX_BODY=1K
	start_front "$conf" || bail "front did not start"

	# A client that sends half a head and then nothing: 408 after
	# REQUEST_TIMEOUT, and meanwhile everyone else is answered.
	exec {slow}<>"/dev/tcp/127.0.0.1/$FX_HTTP_PORT"
	printf 'POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&"$slow"
	printf '{"refChanges":[]}' >"$P/other.json"
	next_run
	code=$(curl -sS --noproxy '*' --max-time 10 -o "$OUT" -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @"$P/other.json" \
		"http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR")
	check_eq "slow client: another client is answered meanwhile (200)" 200 "$code"
	next_run
	timeout 10 cat <&"$slow" >"$OUT"
	exec {slow}>&-
	check_eq "slow client: answered 408 after REQUEST_TIMEOUT=2" \
		"HTTP/1.1 408 Request Timeout" "$(status_line)"

	# MAX_BODY=1K: a larger Content-Length is refused from the head alone;
	# the client never has to send the body.
	printf 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1025\r\n\r\n' \
		>"$P/big-head.http"
	check_eq "Content-Length 1025 with MAX_BODY=1K: 413 before any body byte" \
		"HTTP/1.1 413 Content Too Large" "$(raw_exchange "$FX_HTTP_PORT" "$P/big-head.http")"
	head -c 1024 /dev/zero | tr '\0' ' ' >"$P/1k.json"
	printf '{}' >>"$P/1k.json"
	make_request POST /webhook application/json "$P/1k.json" >"$P/1k.http"
	check_eq "a body of 1026 bytes with MAX_BODY=1K: 413" \
		"HTTP/1.1 413 Content Too Large" "$(raw_exchange "$FX_HTTP_PORT" "$P/1k.http")"

	# A Content-Length that promises more than arrives before EOF.
	{
		printf 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
		printf 'Content-Length: 500\r\n\r\n{"refChanges":'
	} >"$P/short.http"
	next_run
	./sentry-source -c "$conf" <"$P/short.http" >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "body shorter than Content-Length, then EOF: 400" \
		"HTTP/1.1 400 Bad Request" "$(status_line)"
	check_eq "body shorter than Content-Length: exits 2" 2 "$RC"

	# Header floods: many fields, or one huge one.
	{
		printf 'POST /webhook HTTP/1.1\r\nHost: x\r\n'
		for i in $(seq 1 100); do printf 'X-Flood-%d: %d\r\n' "$i" "$i"; done
		printf '\r\n'
	} >"$P/many.http"
	check_eq "100 header fields: 431" "HTTP/1.1 431 Request Header Fields Too Large" \
		"$(raw_exchange "$FX_HTTP_PORT" "$P/many.http")"
	{
		printf 'POST /webhook HTTP/1.1\r\nHost: x\r\nX-Big: '
		head -c 20000 /dev/zero | tr '\0' a
		printf '\r\n\r\n'
	} >"$P/huge-field.http"
	check_eq "one 20 kB header field: 431" "HTTP/1.1 431 Request Header Fields Too Large" \
		"$(raw_exchange "$FX_HTTP_PORT" "$P/huge-field.http")"
	{
		printf 'POST /'
		head -c 5000 /dev/zero | tr '\0' a
		printf ' HTTP/1.1\r\nHost: x\r\n\r\n'
	} >"$P/long-line.http"
	check_eq "a 5 kB request line: 414" "HTTP/1.1 414 URI Too Long" \
		"$(raw_exchange "$FX_HTTP_PORT" "$P/long-line.http")"

	# Chunked bodies are refused (documented): hosts send Content-Length.
	printf 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n' \
		>"$P/chunked.http"
	check_eq "Transfer-Encoding: chunked: 411" "HTTP/1.1 411 Length Required" \
		"$(raw_exchange "$FX_HTTP_PORT" "$P/chunked.http")"
	stop_bg "$FX_FRONT_PID"
	[ -n "${t0:-}${t1:-}" ] || true
}

# --- a burst --------------------------------------------------------------

# syncs_running: sentry-source-sync processes of this fixture.
syncs_running() { pgrep -f "sentry-source-sync -c $FX_DIR/" >/dev/null; }

wait_syncs_done() {
	local i
	for i in $(seq 1 300); do
		syncs_running || return 0
		sleep 0.2
	done
	return 1
}

test_burst() {
	local conf="$FX_DIR/burst.conf" tip old i codes ok=0 pids=()
	write_config "$conf"
	start_front "$conf" || bail "front did not start"
	old=$(repo_tip develop)
	push_commit develop >/dev/null
	stash_payload_develop "$P/burst.json" "$old" "$(repo_tip develop)"
	for i in $(seq 1 30); do
		# Halfway, another push: its commit must reach the checkout too.
		[ "$i" != 15 ] || push_commit develop >/dev/null
		curl -sS --noproxy '*' --max-time 30 -o /dev/null -w '%{http_code}\n' \
			-H 'Content-Type: application/json' --data-binary @"$P/burst.json" \
			"http://127.0.0.1:$FX_HTTP_PORT/webhook" >"$P/code.$i" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" # not the front's launcher
	tip=$(repo_tip develop)
	codes=$(cat "$P"/code.* | sort | uniq -c | sed 's/^ *//')
	check_eq "burst of 30 matching requests: 30 answers of 200" "30 200" "$codes"
	check "burst: every sync has ended" wait_syncs_done
	check_eq "burst: the checkout ends at the newest tip" "$tip" "$(head_of "$CP")"
	check "burst: git fsck is clean" git -C "$CP" fsck --no-progress --strict
	check "burst: some events were coalesced into a waiting sync" \
		grep -q "already waiting" "$FX_DIR/front.log"
	check "burst: only the two lock files and the status record beside the checkout" \
		test "$(cd "$(dirname "$CP")" && printf '%s\n' "$(basename "$CP")"* | sort | tr '\n' ' ')" \
		= "checkout checkout.lock checkout.status checkout.wait "
	stop_bg "$FX_FRONT_PID"
	[ "$ok" = 0 ]
}

# --- kill -9 --------------------------------------------------------------

# make_big_repo: a bare repository of about 30 MB of incompressible data,
# so that a clone or fetch over loopback takes long enough to be killed in.
make_big_repo() {
	local s="$FX_DIR/big-scratch" i
	BIG="$FX_DIR/big.git"
	git init -q --bare "$BIG"
	git init -q -b develop "$s"
	for i in 1 2 3; do
		head -c 10000000 /dev/urandom >"$s/blob$i"
	done
	git -C "$s" add . && git -C "$s" commit -q -m big &&
		git -C "$s" push -q "$BIG" develop
}

# big_push: another 10 MB commit on the big repository's develop.
big_push() {
	local s="$FX_DIR/big-scratch"
	head -c 10000000 /dev/urandom >"$s/blob-$RANDOM$RANDOM"
	git -C "$s" add . && git -C "$s" commit -q -m more && git -C "$s" push -q "$BIG" develop
	git --git-dir="$BIG" rev-parse develop
}

# kill_sync_after CONF SECONDS: start --sync, kill -9 it after SECONDS.
kill_sync_after() {
	local pid
	./sentry-source -c "$1" --sync </dev/null >/dev/null 2>>"$FX_DIR/kill.log" &
	pid=$!
	sleep "$2"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# The sync's own child dies with it (PR_SET_PDEATHSIG); give it a moment.
	for _ in 1 2 3 4 5 6 7 8 9 10; do syncs_running || break; sleep 0.1; done
}

test_kill_clone() {
	local conf="$FX_DIR/kill.conf" cp="$FX_DIR/kill/checkout" d tip bad="" mid=0
	make_big_repo || bail "could not make the big repository"
	mkdir -p "$FX_DIR/kill"
	write_config "$conf" "CLONE_URL=ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$BIG" \
		"CLONE_PATH=$cp"
	tip=$(git --git-dir="$BIG" rev-parse develop)
	for d in 0 0.05 0.1 0.2 0.3 0.5 0.8 1.2; do
		rm -rf "$cp"
		kill_sync_after "$conf" "$d"
		# Killed mid-clone: nothing. Finished first: a whole clone.
		if [ ! -e "$cp" ]; then
			mid=$((mid + 1))
		elif [ "$(head_of "$cp")" != "$tip" ]; then
			bad="$bad $d"
		fi
	done
	# Where a kill lands depends on the machine: reported, not asserted.
	printf '# kill -9 during a clone: %d of 8 kills came before the clone was done\n' "$mid"
	check_eq "kill -9 during a clone, at 8 moments: nothing ($mid times) or a whole clone at CLONE_PATH" \
		"" "$bad"
	# One kill during the clone, the shorter delays tried while none lands there.
	for d in 0.3 0.2 0.1 0.05 0; do
		rm -rf "$cp"
		kill_sync_after "$conf" "$d"
		[ -e "$cp" ] || break
	done
	check "kill -9 at ${d} s into a clone: nothing at CLONE_PATH, or a whole clone" \
		test ! -e "$cp" -o "$(head_of "$cp")" = "$tip"
	mid=$([ -e "$cp" ] || echo 1)
	cli -c "$conf" --sync
	check_eq "the next sync after a killed clone: exits 0" 0 "$RC"
	check_eq "the next sync after a killed clone: HEAD at the tip" "$tip" "$(head_of "$cp")"
	check "the next sync removed the killed clone's temporary directory" no_tmp_sibling "$cp"
	if [ -n "$mid" ]; then
		check "the next sync says what it removed" grep -q "interrupted clone" "$ERR"
	else
		skip "the next sync says what it removed" "no kill landed during the clone on this machine"
	fi
}

test_kill_fetch() {
	local conf="$FX_DIR/kill.conf" cp="$FX_DIR/kill/checkout" d tip bad="" head
	for d in 0.05 0.1 0.2 0.4 0.7 1.0; do
		tip=$(big_push)
		kill_sync_after "$conf" "$d"
		head=$(head_of "$cp")
		git -C "$cp" fsck --no-progress >/dev/null 2>&1 || bad="$bad $d:fsck"
		[ -n "$head" ] || bad="$bad $d:head"
	done
	check_eq "kill -9 during a fetch, at 6 moments: a valid repository each time" "" "$bad"
	cli -c "$conf" --sync
	check_eq "the next sync after killed fetches: exits 0" 0 "$RC"
	check_eq "the next sync after killed fetches: HEAD at the tip" "$tip" "$(head_of "$cp")"
	check "the checkout is clean after recovery" clean_tree "$cp"
	check "no pack_git2_* temporaries left" \
		not compgen -G "$cp/.git/objects/pack/pack_git2_*"
}

# --- a server that accepts and never speaks -------------------------------

test_silent_server() {
	local conf="$FX_DIR/silent.conf" cp="$FX_DIR/silent/checkout" port pid
	mkdir -p "$FX_DIR/silent"
	port=$(free_port)
	start_bg "$FX_DIR/silent.log" systemd-socket-activate --inetd -a \
		-l "127.0.0.1:$port" sleep 1000
	pid=$FX_BG_PID
	wait_port "$port" "$pid" 10 || bail "silent listener did not start"
	write_config "$conf" "CLONE_URL=ssh://$FX_USER@127.0.0.1:$port/repo.git" \
		"CLONE_PATH=$cp" SYNC_TIMEOUT=2
	cli -c "$conf" --sync
	check_eq "a server that never speaks, SYNC_TIMEOUT=2: exits 1" 1 "$RC"
	check "a server that never speaks: the log names SYNC_TIMEOUT and the connect" \
		grep -q "SYNC_TIMEOUT=2s during the connect" "$ERR"
	check "a server that never speaks: nothing at CLONE_PATH" test ! -e "$cp"
	check "a server that never speaks: no temporary directory left" no_tmp_sibling "$cp"
	stop_bg "$pid"
}

# --- 60 syncs and the pack count ------------------------------------------

test_pack_count() {
	local conf="$FX_DIR/packs.conf" cp="$FX_DIR/packs/checkout" i fails=0 packs
	mkdir -p "$FX_DIR/packs"
	write_config "$conf" "CLONE_PATH=$cp"
	for i in $(seq 1 60); do
		push_commit develop >/dev/null
		./sentry-source -c "$conf" --sync </dev/null >/dev/null 2>>"$FX_DIR/packs.log" ||
			fails=$((fails + 1))
	done
	check_eq "60 consecutive syncs, each after a push: all exit 0" 0 "$fails"
	packs=$(find "$cp/.git/objects/pack" -name '*.pack' | wc -l)
	check "after 60 syncs: $packs packs, at most 50" test "$packs" -le 50
	check "after 60 syncs: repacked (the log says so)" \
		grep -q "repacked" "$FX_DIR/packs.log"
	check "after 60 syncs: git fsck --strict is clean" \
		git -C "$cp" fsck --no-progress --strict
	check_eq "after 60 syncs: HEAD at the tip" "$(repo_tip develop)" "$(head_of "$cp")"
	# Geometric repacking: at most 2 + log2(objects) packs.
	local objects bound
	objects=$(git -C "$cp" count-objects -v | awk '$1 == "in-pack:" { print $2 }')
	bound=$(awk -v n="$objects" 'BEGIN { print 2 + int(log(n) / log(2)) }')
	check "after 60 syncs: $packs packs, at most 2 + log2($objects) = $bound" \
		test "$packs" -le "$bound"
}

# A sync killed at each rename and each unlink it makes, in turn, with a
# repack due: strace's fault injection stops it exactly there, pack
# renamed and its index not yet, index renamed and the old packs still
# there, half of them removed. The next sync must work, git fsck find
# every object, and the repository still fetch.
test_repack_kill() {
	local conf="$FX_DIR/packs.conf" cp="$FX_DIR/packs/checkout" t="$FX_DIR/repack-kill"
	local k call hits=0 fails=0 i
	command -v strace >/dev/null || { skip "repack kill" "no strace"; return; }
	mkdir -p "$t"
	# A state whose next sync repacks: tried on a copy until one does.
	for i in 1 2 3 4 5 6; do
		push_commit develop >/dev/null
		rm -rf "$t/try" && cp -a "$FX_DIR/packs" "$t/try" &&
			sed "s|$cp|$t/try/checkout|" "$conf" >"$t/try.conf" && chmod 644 "$t/try.conf"
		./sentry-source -c "$t/try.conf" --sync </dev/null >/dev/null 2>"$t/try.log"
		grep -q repacked "$t/try.log" && break
	done
	for call in rename unlink; do
		for k in 1 2 3 4 5 6 7 8; do
			rm -rf "$t/run" && cp -a "$FX_DIR/packs" "$t/run" &&
				sed "s|$cp|$t/run/checkout|" "$conf" >"$t/run.conf" && chmod 644 "$t/run.conf"
			# LeakSanitizer cannot work under ptrace; ASan's other checks stay.
			(env ${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0"} \
				strace -f -qq -o "$t/trace" -e trace="$call" \
				-e inject="$call":signal=KILL:when="$k" \
				./sentry-source -c "$t/run.conf" --sync </dev/null >/dev/null 2>&1) 2>/dev/null
			# Only the kills that hit the repack count: its files are named.
			tail -n 3 "$t/trace" | grep -q 'tmp_fold_\|/pack-[0-9a-f]*\.' || continue
			hits=$((hits + 1))
			./sentry-source -c "$t/run.conf" --sync </dev/null >/dev/null 2>>"$t/after.log" &&
				git -C "$t/run/checkout" fsck --no-progress --strict 2>>"$t/after.log" &&
				GIT_SSH_COMMAND=$(ssh_command "$FX_KEY" "$FX_KNOWN_HOSTS") \
				git -C "$t/run/checkout" fetch -q origin 2>>"$t/after.log" </dev/null &&
				[ "$(head_of "$t/run/checkout")" = "$(repo_tip develop)" ] ||
				fails=$((fails + 1))
		done
	done
	check "repack kill: the kills hit the repack ($hits times)" test "$hits" -ge 3
	check_eq "repack kill: after each, a sync, git fsck and a fetch all work" 0 "$fails"
	check "repack kill: no temporaries left after the next sync" \
		not compgen -G "$t/run/checkout/.git/objects/pack/tmp_fold_*"
	check "repack kill: at most 2 + log2(objects) packs after the next sync" \
		test "$(find "$t/run/checkout/.git/objects/pack" -name '*.pack' | wc -l)" -le 20
}

part limits && test_request_limits
part burst && test_burst
part kill && test_kill_clone
part kill && test_kill_fetch
part silent && test_silent_server
part packs && test_pack_count
part packs && test_repack_kill
printf '1..%d\n' "$n"
