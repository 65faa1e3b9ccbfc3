#!/bin/bash
# tests/integration-proxy.sh: HTTPS in front, as sentry-source(8) gives
# it. examples/nginx-sentry-source.conf as shipped (its ports, paths and
# certificates alone rewritten, each rewrite checked) in Debian's nginx
# with a throwaway CA (tests/lib-https.sh), in front of sentry-source
# under systemd-socket-activate; signed GitHub pushes sent with curl
# --cacert over https. The deploy, checked with git; the client's
# address in both logs; MAX_BODY and REQUEST_TIMEOUT as nginx enforces
# them, before sentry-source is reached; plain http on the TLS port; an
# X-Real-IP believed from a loopback peer only (the peer elsewhere is an
# address of a network namespace of its own); a connection closed before
# its first byte: exit 2 and no log line. Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/lib-https.sh
. tests/tap.sh

RUN_TIMEOUT=60
EXAMPLE=examples/nginx-sentry-source.conf

tap_fixture p
P="$FX_DIR/p"
SECRET='It'"'"'s a Secret to Everybody'
SECRET_FILE="$FX_DIR/secret"
printf '%s\n' "$SECRET" >"$SECRET_FILE"
chmod 600 "$SECRET_FILE"
CONF="$FX_DIR/proxy.conf"
write_config "$CONF" SOURCE=github BRANCH=master "SECRET_FILE=$SECRET_FILE"
PUSH="$FX_PAYLOADS/github/push-branch-update.json"
PING="$FX_PAYLOADS/github/ping.json"
FRONT_LOG="$FX_DIR/front.log"

start_front "$CONF" || bail "sentry-source did not start under systemd-socket-activate"
FX_HTTPS_DIR="$FX_DIR/https"
mkdir -p "$FX_HTTPS_DIR" || bail "no $FX_HTTPS_DIR"
https_certs || bail "no certificates"
SITE="$FX_HTTPS_DIR/site.conf"
ACCESS_LOG="$FX_HTTPS_DIR/sentry-source.access.log"

# site PORT: the example for this bed, included in nginx's http block.
# What is rewritten: where it listens, the certificate and key, where it
# logs, and sentry-source's port; every other line stays as shipped.
site() {
	sed -e "s|^\tlisten 443 ssl;\$|\tlisten 127.0.0.1:$1 ssl;|" \
		-e "s|^\tlisten \[::\]:443 ssl;\$|\tlisten [::1]:$1 ssl;|" \
		-e "s|/etc/letsencrypt/live/hooks.example.com/fullchain.pem;|\"$FX_SERVER_CERT\";|" \
		-e "s|/etc/letsencrypt/live/hooks.example.com/privkey.pem;|\"$FX_SERVER_KEY\";|" \
		-e "s|/var/log/nginx/|$FX_HTTPS_DIR/|" \
		-e "s|proxy_pass http://127.0.0.1:9473;|proxy_pass http://127.0.0.1:$FX_HTTP_PORT;|" \
		"$EXAMPLE" >"$SITE" || return 1
	printf 'include "%s";\n' "$SITE"
}
https_start_nginx_http site || bail "nginx did not start with $EXAMPLE"
URL="https://127.0.0.1:$FX_HTTPS_PORT/webhook"

hmac() { openssl dgst -sha256 -hmac "$SECRET" -r "$1" | cut -d' ' -f1; }

# post URL BODY [CURL_ARG...]: a GitHub delivery of BODY (event EVENT,
# default push), signed as GitHub signs; its status in CODE, the answer's
# body in OUT. Over https, the throwaway CA is the only one trusted.
post() {
	local url=$1 body=$2
	shift 2
	next_run
	CODE=$(curl -sS --noproxy '*' --max-time 30 --cacert "$FX_CA_FILE" -o "$OUT" \
		-w '%{http_code}' -H 'Content-Type: application/json' \
		-H "X-GitHub-Event: ${EVENT:-push}" \
		-H "X-Hub-Signature-256: sha256=$(hmac "$body")" --data-binary @"$body" \
		"$@" "$url" 2>"$ERR")
}

# front_lines: how many lines sentry-source logged.
front_lines() { grep -c '^sentry-source: ' "$FRONT_LOG"; }

# nothing_reached_us DESC LINES: sentry-source logged no line past LINES,
# nginx's last access line names no upstream, and the checkout is not at
# master's tip (the repository is ahead of it).
nothing_reached_us() {
	check_eq "$1: nginx did not connect to sentry-source (upstream=-)" "upstream=-" \
		"$(tail -n 1 "$ACCESS_LOG" | grep -o 'upstream=[^ ]*')"
	check_eq "$1: sentry-source logged nothing" "$2" "$(front_lines)"
	check "$1: nothing synced" not test "$(head_of "$FX_CLONE_PATH")" = "$(repo_tip master)"
}

# The example is what runs: only the lines a bed must change differ.
test_example() {
	local socket_addr example_addr t
	check_eq "the example is used as shipped: 7 lines rewritten (2 listen, certificate, key, 2 logs, proxy_pass)" \
		7 "$(diff "$EXAMPLE" "$SITE" | grep -c '^>')"
	check "...each rewrite applied: this bed's ports, certificate and logs" \
		grep -qF "listen [::1]:$FX_HTTPS_PORT ssl;" "$SITE"
	check "...and proxy_pass to this bed's sentry-source" \
		grep -qF "proxy_pass http://127.0.0.1:$FX_HTTP_PORT;" "$SITE"
	socket_addr=$(sed -n 's/^ListenStream=//p' examples/sentry-source.socket)
	example_addr=$(sed -n 's|^\t*proxy_pass http://\(.*\);$|\1|p' "$EXAMPLE")
	check_eq "the example proxies to examples/sentry-source.socket's address" \
		"$socket_addr" "$example_addr"
	check_eq "the example's client_max_body_size is MAX_BODY's default" \
		"$(sed -n 's/^#MAX_BODY=//p' examples/sentry-source.conf | tr 'M' 'm')" \
		"$(sed -n 's/^\tclient_max_body_size \(.*\);$/\1/p' "$EXAMPLE")"
	t=$(sed -n 's/^#REQUEST_TIMEOUT=//p' examples/sentry-source.conf)
	check_eq "the example's client and send timeouts are REQUEST_TIMEOUT's default" \
		"${t}s ${t}s ${t}s" \
		"$(sed -n 's/^\t*\(client_header_timeout\|client_body_timeout\|proxy_send_timeout\) \(.*\);$/\2/p' \
			"$EXAMPLE" | paste -sd ' ')"
}

# A signed push over https, through nginx, deploys; both logs name the
# client (curl bound to 127.0.0.9, so that it is not nginx's address).
test_deploy() {
	local tip
	tip=$(push_commit master)
	post "$URL" "$PUSH" --interface 127.0.0.9
	check_eq "a signed push over https through nginx: 200" 200 "$CODE"
	check "...the answer is sentry-source's" grep -qF '{"success":true}' "$OUT"
	check "...the checkout reaches master's tip (git)" wait_head "$FX_CLONE_PATH" "$tip" 30
	check "...sentry-source logs nginx's address and the client's: 127.0.0.1:PORT for 127.0.0.9" \
		wait_log "$FRONT_LOG" "127\.0\.0\.1:[0-9]+ for 127\.0\.0\.9: refs/heads/master .*: syncing" 10
	check "...nginx's access log names the client, the answer and sentry-source's address" \
		grep -qE "^127\.0\.0\.9 .* \"POST /webhook HTTP/1\.1\" 200 .* upstream=127\.0\.0\.1:$FX_HTTP_PORT 200 " \
		"$ACCESS_LOG"

	# IPv6, through the example's second listen: the certificate names
	# localhost, here ::1.
	EVENT=ping post "https://localhost:$FX_HTTPS_PORT/webhook" "$PING" \
		--resolve "localhost:$FX_HTTPS_PORT:::1"
	check_eq "a ping over IPv6 through nginx: 200" 200 "$CODE"
	check "...sentry-source logs the client as ::1" \
		wait_log "$FRONT_LOG" "127\.0\.0\.1:[0-9]+ for ::1: ignored" 10

	# A client's own X-Real-IP does not reach sentry-source: nginx sets it.
	EVENT=ping post "$URL" "$PING" --interface 127.0.0.9 -H 'X-Real-IP: 203.0.113.66'
	check_eq "a client's own X-Real-IP through nginx: 200" 200 "$CODE"
	check "...logged for the client's real address, 127.0.0.9" \
		wait_log "$FRONT_LOG" "127\.0\.0\.1:[0-9]+ for 127\.0\.0\.9: ignored" 10
	check "...the address it claimed is in no log line" not grep -q "203\.0\.113\.66" "$FRONT_LOG"

	# sentry-source answers a chunked body 411; nginx reads it whole and
	# passes it on with a Content-Length.
	tip=$(push_commit master)
	post "$URL" "$PUSH" -H 'Transfer-Encoding: chunked'
	check_eq "a chunked push through nginx: 200" 200 "$CODE"
	check "...the checkout reaches master's tip" wait_head "$FX_CLONE_PATH" "$tip" 30
}

# MAX_BODY: nginx's limit is sentry-source's, so exactly MAX_BODY passes
# both and a byte more is refused by nginx alone.
test_body() {
	local tip lines max=$((25 * 1024 * 1024)) size
	size=$(wc -c <"$PUSH")
	{ cat "$PUSH"; head -c $((max - size)) /dev/zero | tr '\0' ' '; } >"$P/max.json"
	tip=$(push_commit master)
	post "$URL" "$P/max.json"
	check_eq "a push of exactly MAX_BODY (25 MiB) through nginx: 200" 200 "$CODE"
	check "...the checkout reaches master's tip" wait_head "$FX_CLONE_PATH" "$tip" 30
	wait_log "$FRONT_LOG" "syncing" 10

	printf ' ' >>"$P/max.json"
	push_commit master >/dev/null
	lines=$(front_lines)
	post "$URL" "$P/max.json"
	check_eq "a body one byte over MAX_BODY: 413" 413 "$CODE"
	check "...answered by nginx (its page, not sentry-source's JSON)" \
		grep -q "413 Request Entity Too Large" "$OUT"
	nothing_reached_us "a body one byte over MAX_BODY" "$lines"
}

# Plain http on the TLS port: nginx's 400, nothing passed on.
test_plain() {
	local lines
	push_commit master >/dev/null
	lines=$(front_lines)
	post "http://127.0.0.1:$FX_HTTPS_PORT/webhook" "$PUSH"
	check_eq "plain http to the TLS port: 400" 400 "$CODE"
	check "...nginx's answer says so" grep -q "plain HTTP request was sent to HTTPS port" "$OUT"
	nothing_reached_us "plain http to the TLS port" "$lines"
}

# slow_client BYTES: a TLS client that sends BYTES (printf %b), then
# nothing, its input held open; what the server sends back in OUT, its
# status in RC (124: still connected after 30 s, when the test gives up).
slow_client() {
	local fifo="$P/slow.fifo" pid w
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	next_run
	timeout -k 5 30 openssl s_client -quiet -verify_return_error -CAfile "$FX_CA_FILE" \
		-servername localhost -connect "127.0.0.1:$FX_HTTPS_PORT" <"$fifo" >"$OUT" 2>"$ERR" &
	pid=$!
	exec {w}>"$fifo"
	printf '%b' "$1" >&"$w"
	fx_wait "$pid"
	RC=$?
	exec {w}>&-
	rm -f "$fifo"
}

# REQUEST_TIMEOUT: a client that stalls is closed by nginx; sentry-source
# never hears of it.
test_slow() {
	local lines
	push_commit master >/dev/null
	lines=$(front_lines)
	slow_client 'POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-GitHub-Event: push\r\n\r\n{"ref":'
	check "a client that stalls in its body is closed by nginx (before the test's 30 s)" \
		test "$RC" != 124
	check "...nginx logs it 408" grep -qE '"POST /webhook HTTP/1\.1" 408 ' "$ACCESS_LOG"
	nothing_reached_us "a client stalled in its body" "$lines"

	slow_client 'POST /webhook HTTP/1.1\r\nHost: localhost\r\n'
	check "a client that stalls in its head is closed by nginx (before the test's 30 s)" \
		test "$RC" != 124
	# nginx closes a timed-out TLS connection without a close_notify, which
	# s_client reports as an "unexpected eof"; the handshake itself must
	# have verified the certificate and raised no alert.
	check "...after a handshake that went well: the certificate verified" \
		grep -q '^depth=0 ' "$ERR"
	check "...and no alert nor verify error" \
		not grep -qiE 'alert|handshake fail|verify error|verify failed' "$ERR"
	check_eq "...sentry-source logged nothing" "$lines" "$(front_lines)"
}

# X-Real-IP sent straight to sentry-source's socket: believed from
# loopback (where only nginx should be), ignored when malformed.
test_direct() {
	local lines
	next_run
	CODE=$(curl -sS --noproxy '*' --max-time 30 -o "$OUT" -w '%{http_code}' \
		-H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
		-H "X-Hub-Signature-256: sha256=$(printf '%064d' 0)" \
		-H 'X-Real-IP: 203.0.113.66, sentry-source: forged' --data-binary @"$PUSH" \
		"http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR")
	check_eq "a wrong signature straight to the socket, X-Real-IP malformed: 401" 401 "$CODE"
	check "...logged with the peer alone" \
		wait_log "$FRONT_LOG" "^sentry-source: 127\.0\.0\.1:[0-9]+: POST /webhook: 401" 10
	check "...the field's value is in no log line" not grep -q "forged" "$FRONT_LOG"

	lines=$(front_lines)
	next_run
	CODE=$(curl -sS --noproxy '*' --max-time 30 -o "$OUT" -w '%{http_code}' \
		-H 'X-Real-IP: 2001:DB8::66' -X GET \
		"http://127.0.0.1:$FX_HTTP_PORT/webhook" 2>"$ERR")
	check_eq "a GET from loopback with X-Real-IP 2001:DB8::66: 405" 405 "$CODE"
	check "...a loopback peer is believed, as nginx is: logged 127.0.0.1:PORT for 2001:db8::66" \
		wait_log "$FRONT_LOG" "127\.0\.0\.1:[0-9]+ for 2001:db8::66: GET /webhook: 405" 10
}

# elsewhere ADDR CONF LOG BODY: run inside a network namespace of its own
# (unshare -n): ADDR on its loopback device, sentry-source listening
# there, and a client there sending a wrongly signed push with an
# X-Real-IP. The peer is ADDR, not a loopback address. Prints the status.
elsewhere() {
	local addr=$1 conf=$2 log=$3 body=$4 pid i
	ip link set lo up && ip addr add "$addr/32" dev lo || return 70
	systemd-socket-activate --inetd -a -l "$addr:9473" -E SENTRY_SOURCE_EXEC_PATH \
		./sentry-source -c "$conf" 2>"$log" &
	pid=$!
	for i in $(seq 1 50); do
		(exec 3<>"/dev/tcp/$addr/9473") 2>/dev/null && break
		sleep 0.1
	done
	curl -sS --noproxy '*' --max-time 20 -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
		-H "X-Hub-Signature-256: sha256=$(printf '%064d' 0)" \
		-H 'X-Real-IP: 203.0.113.66' --data-binary @"$body" "http://$addr:9473/webhook"
	for i in $(seq 1 50); do
		grep -q ' 401 ' "$log" && break
		sleep 0.1
	done
	kill "$pid"
	wait "$pid"
	return 0
}

test_elsewhere() {
	local addr=198.51.100.7 log="$FX_DIR/elsewhere.log"
	next_run
	timeout -k 5 "$RUN_TIMEOUT" unshare -n bash -c "$(declare -f elsewhere); elsewhere \"\$@\"" \
		_ "$addr" "$CONF" "$log" "$PUSH" >"$OUT" 2>"$ERR" &
	fx_wait $!
	RC=$?
	check_eq "from a peer elsewhere ($addr, a namespace's address): a wrong signature is 401" \
		401 "$(cat "$OUT")"
	check "...logged with that peer alone: X-Real-IP ignored" \
		grep -qE "^sentry-source: 198\.51\.100\.7:[0-9]+: POST /webhook: 401" "$log"
	check "...the address it claimed is in no log line" not grep -q "203\.0\.113\.66" "$log"
	check "...nor is its readiness probe, which sent nothing" \
		test "$(grep -c '^sentry-source: ' "$log")" = 1
}

# A probe that connects and closes: exit 2, nothing answered, nothing
# logged.
test_probe() {
	local lines i
	front "$CONF" /dev/null
	check_eq "a connection closed before its first byte: exits 2" 2 "$RC"
	check "...answers nothing" test ! -s "$OUT"
	check "...logs nothing" test ! -s "$ERR"

	lines=$(front_lines)
	for i in 1 2 3; do
		port_open "$FX_HTTP_PORT"
	done
	next_run
	curl -sS --noproxy '*' --max-time 30 -o "$OUT" "http://127.0.0.1:$FX_HTTP_PORT/probe-marker" 2>"$ERR"
	wait_log "$FRONT_LOG" "GET /probe-marker: 404" 10
	sleep 1
	check_eq "three connections closed at once, then a request, over the socket: one log line" \
		$((lines + 1)) "$(front_lines)"
}

run_parts test_example test_deploy test_body test_plain test_slow test_direct \
	test_elsewhere test_probe
printf '1..%d\n' "$n"
