#!/bin/bash
# tests/fuzz/seed.sh: write the seed corpus of fuzz targets into
# tests/fuzz/corpus/TARGET/ from the captured deliveries in
# tests/payloads.
#
#   bash tests/fuzz/seed.sh TARGET...    TARGET: http, form, status or source-NAME
#
# The corpus is committed, so that a run needs no seeding; run.sh
# calls this only for a target that has none yet (a new source). Existing
# files are overwritten with the same names; nothing else is removed.
set -u

cd "$(dirname "$0")/../.." || exit 70
PAYLOADS=tests/payloads
CORPUS=tests/fuzz/corpus
# Seeds larger than the source targets' -max_len would be cut (see run.sh).
SOURCE_MAX_LEN=${SOURCE_MAX_LEN:-65536}

die() {
	printf 'seed.sh: %s\n' "$*" >&2
	exit 1
}

[ -d "$PAYLOADS" ] || die "no payload corpus at $PAYLOADS (it sits beside the repository)"

# urlencode < BYTES: application/x-www-form-urlencoded, as a browser or
# GitHub writes it: unreserved bytes as they are, space as '+', %XX else.
urlencode() {
	od -An -v -tx1 | tr ' ' '\n' | awk '
		BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02x", i)] = i }
		NF {
			c = hex[$1]
			if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
			    c == 42 || c == 45 || c == 46 || c == 95)
				printf "%c", c
			else if (c == 32)
				printf "+"
			else
				printf "%%%s", toupper($1)
		}'
}

# header_lines FILE: a .headers file's fields, less those the targets add
# themselves (Host, Content-Length) and those a body in a seed replaces.
header_lines() {
	grep -viE '^(host|content-length|transfer-encoding|connection):' "$1" | tr -d '\r'
}

# is_event_field: the field names the hosts name their events with.
EVENT_FIELD='^x-([a-z]+-)?event(-key)?:'

# fields DIR JSON: the header lines of the capture JSON: its .headers, and
# when that names no event (or is missing), the event field of the
# .headers of its directory whose name shares the longest prefix with it,
# so that a body captured without headers still says what it is.
fields() {
	local dir=$1 base h best="" bestlen=-1 hb n
	base=$(basename "$2" .json)
	if [ -f "$dir/$base.headers" ]; then
		header_lines "$dir/$base.headers"
		grep -qiE "$EVENT_FIELD" "$dir/$base.headers" && return
	fi
	for h in "$dir"/*.headers; do
		[ -f "$h" ] && grep -qiE "$EVENT_FIELD" "$h" || continue
		hb=$(basename "$h" .headers)
		n=0
		while [ "$n" -lt "${#hb}" ] && [ "${hb:0:n+1}" = "${base:0:n+1}" ]; do
			n=$((n + 1))
		done
		if [ "$n" -gt "$bestlen" ]; then
			best=$h
			bestlen=$n
		fi
	done
	[ -z "$best" ] || grep -iE "$EVENT_FIELD" "$best" | tr -d '\r'
}

# payload_dirs NAME: the capture directories of a source: the one named
# like it, or the one its name starts with (stash-develop: stash); every
# directory for a source of a host we have no captures of.
payload_dirs() {
	local d best=""
	for d in "$PAYLOADS"/*/; do
		d=${d%/}
		case "$1" in
		"$(basename "$d")" | "$(basename "$d")"-*)
			[ "${#d}" -gt "${#best}" ] && best=$d ;;
		esac
	done
	if [ -n "$best" ]; then
		printf '%s\n' "$best"
	else
		for d in "$PAYLOADS"/*/; do printf '%s\n' "${d%/}"; done
	fi
}

seed_source() {
	local name=$1 out="$CORPUS/source-$1" d f seed smallest="" size
	mkdir -p "$out"
	while read -r d; do
		for f in "$d"/*.json; do
			[ -f "$f" ] || continue
			seed="$out/$(basename "$d")-$(basename "$f" .json)"
			{
				fields "$d" "$f"
				printf '\n'
				cat "$f"
			} >"$seed"
			size=$(wc -c <"$seed")
			if [ "$size" -gt "$SOURCE_MAX_LEN" ]; then
				printf 'seed.sh: %s: %s bytes, over -max_len; left out\n' "$f" "$size" >&2
				rm -f "$seed"
				continue
			fi
			# The smallest push of the source's own host, for the form seed.
			case "$(basename "$f")" in
			*push* | post-receive* | repo-refs_changed*)
				if [ -z "$smallest" ] || [ "$(wc -c <"$f")" -lt "$(wc -c <"$smallest")" ]; then
					smallest=$f
				fi ;;
			esac
		done
	done < <(payload_dirs "$name")
	# The same delivery as GitHub's form content type sends it.
	if [ -n "$smallest" ]; then
		d=$(dirname "$smallest")
		{
			fields "$d" "$smallest" | grep -vi '^content-type:'
			printf 'Content-Type: application/x-www-form-urlencoded\n\n'
			printf 'payload='
			urlencode <"$smallest"
		} >"$out/form-$(basename "$d")-$(basename "$smallest" .json)"
	fi
}

# http_head OUT HEADERS [BODY]: a request as a host sends it: request line,
# Host, the capture's fields with CRLF, a Content-Type if it names none,
# Content-Length, and the first KiB of the body.
http_head() {
	local out=$1 headers=$2 body=${3:-} tmp
	tmp=$(mktemp) || exit 70
	if [ -n "$body" ]; then head -c 1024 "$body" >"$tmp"; fi
	{
		printf 'POST /webhook HTTP/1.1\r\nHost: sentry.example.com:8080\r\n'
		header_lines "$headers" | sed 's/$/\r/'
		grep -qi '^content-type:' "$headers" ||
			printf 'Content-Type: application/json\r\n'
		printf 'Content-Length: %s\r\n\r\n' "$(wc -c <"$tmp")"
		cat "$tmp"
	} >"$out"
	rm -f "$tmp"
}

seed_http() {
	local out="$CORPUS/http" h j
	mkdir -p "$out"
	for h in "$PAYLOADS"/*/*.headers; do
		j="${h%.headers}.json"
		[ -f "$j" ] || j=""
		http_head "$out/$(basename "$(dirname "$h")")-$(basename "$h" .headers)" "$h" "$j"
	done
	# The shapes the parser must also know: HTTP/1.0 without Host, bare LF,
	# Expect, Sentry's mount with a query, and refused ones.
	printf 'POST /webhook HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' \
		>"$out/http10-no-host"
	printf 'POST /webhook HTTP/1.1\nHost: a\nContent-Type: application/json\nContent-Length: 2\n\n{}' \
		>"$out/bare-lf"
	printf 'POST /plugins/sources/github/webhook?x=1 HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: 2\r\n\r\n{}' \
		>"$out/sentry-mount-expect"
	printf 'POST /webhook HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n' \
		>"$out/chunked"
	printf 'POST /webhook HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}' \
		>"$out/two-lengths"
	printf 'GET /webhook HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n' >"$out/obs-fold"
	printf 'POST /webhook HTTP/2.0\r\nHost: a\r\n\r\n' >"$out/http2"
}

seed_form() {
	local out="$CORPUS/form" f
	mkdir -p "$out"
	# Byte 0 picks the field name (0: payload); see fuzz-form.c.
	for f in "$PAYLOADS"/bitbucket-server/diagnostics-ping.json "$PAYLOADS"/gitea/create-tag.json; do
		[ -f "$f" ] || continue
		{ printf '\0payload='; urlencode <"$f"; } >"$out/$(basename "$f" .json)"
	done
	printf '\0a=1&payload=%%7B%%7D&b=2' >"$out/among-others"
	printf '\0payload=1&payload=2' >"$out/twice"
	printf '\0payload=%%7' >"$out/truncated-escape"
	printf '\0payload=%%zz' >"$out/bad-escape"
	printf '\0payload' >"$out/no-equals"
	printf '\0pay%%6coad=x+y%%2B' >"$out/escaped-key"
	printf '\001=empty-key&&' >"$out/empty-key"
	printf '\003pay+load=spaced' >"$out/spaced-key"
}

# Records as sentry-source-sync writes them (src/common/status_record.h).
seed_status() {
	local out="$CORPUS/status" a=0123456789abcdef0123456789abcdef01234567
	local b=89abcdef0123456789abcdef0123456789abcdef
	mkdir -p "$out"
	printf 'sentry-source-status 1\ntime=1764522000\nduration_ms=412\nmode=socket\nbranch=develop\npushed=%s\nold=%s\nnew=%s\nstatus=0\nmessage=develop moved from 0123456789ab to 89abcdef0123\n' \
		"$b" "$a" "$b" >"$out/success"
	printf 'sentry-source-status 1\ntime=1764522001\nduration_ms=0\nmode=hook\nbranch=caf\\xc3\\xa9\npushed=\nold=\nnew=\nstatus=78\nmessage=SSH_KEYPATH /k: \\x5c \\x0a\n' \
		>"$out/escapes"
	printf 'sentry-source-status 1\ntime=1\nduration_ms=1\nmode=sync\nbranch=\npushed=\nold=%s\nnew=%s\nstatus=3\nmessage=\n' \
		"$a" "$a" >"$out/empty-texts"
	# Version 2: pinned by a rollback, the remote's tip named.
	printf 'sentry-source-status 2\ntime=1764522002\nduration_ms=9\nmode=rollback\nbranch=develop\npushed=\nold=%s\nnew=%s\nstatus=7\nmessage=rolled back\npinned=1\nremote=%s\n' \
		"$b" "$a" "$b" >"$out/pinned"
	printf 'sentry-source-status 2\ntime=1764522003\nduration_ms=300\nmode=sync\nbranch=develop\npushed=\nold=%s\nnew=%s\nstatus=0\nmessage=develop moved\npinned=0\nremote=\n' \
		"$a" "$b" >"$out/not-pinned"
}

[ "$#" -gt 0 ] || die "usage: seed.sh TARGET... (http, form, status, source-NAME)"
for t in "$@"; do
	case "$t" in
	http) seed_http ;;
	form) seed_form ;;
	status) seed_status ;;
	source-?*) seed_source "${t#source-}" ;;
	*) die "unknown target $t" ;;
	esac
	printf 'seed.sh: %s: %s seeds in %s/%s\n' "$t" "$(find "$CORPUS/$t" -type f | wc -l)" "$CORPUS" "$t"
done
