#!/bin/bash
# bench/run.sh: what a request and a sync cost, against yardsticks: a
# trivial C responder for the front, the git CLI for the sync helper.
# Run by `make bench` after `make all`; see bench/README.md.
#
# It measures and reports. It fails only when the set-up is broken (a tool
# does not build, a request is not answered 200, a sync does not reach the
# tip), never on a number. Everything talks to 127.0.0.1 only; every process
# and directory it makes is gone when it exits.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD="$ROOT/bench/build"

# Counts, chosen so that `make bench` stays well under 5 minutes on 2 cores.
# Override from the environment for a quick try (e.g. BENCH_REQUESTS=300),
# or BENCH_QUICK=1: every figure, from fewer runs, in about a minute.
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_REQUESTS:=300}" "${BENCH_REAL_SYNCS:=8}" "${BENCH_SYNCS:=7}" \
		"${BENCH_FETCHES:=4}" "${BENCH_CLONES:=2}" "${BENCH_RSS_RUNS:=2}" \
		"${BENCH_INTENTS:=41}" "${BENCH_PUBLISHES:=3}"
fi
N_REQ=${BENCH_REQUESTS:-3000}	# requests per side, no match and match
N_REAL=${BENCH_REAL_SYNCS:-40}	# matching requests that run the real helper
N_SYNC=${BENCH_SYNCS:-31}	# no-op syncs per side
N_FETCH=${BENCH_FETCHES:-15}	# syncs after a push, per side
N_CLONE=${BENCH_CLONES:-7}	# clones per side
N_RSS=${BENCH_RSS_RUNS:-5}	# traced runs per peak-RSS figure
N_INTENT=${BENCH_INTENTS:-201}	# records of a move, timed one by one
N_PUBLISH=${BENCH_PUBLISHES:-11}	# pushes synced in place and published as releases
for n in "$N_REQ" "$N_REAL" "$N_SYNC" "$N_FETCH" "$N_CLONE" "$N_RSS" "$N_INTENT" "$N_PUBLISH"; do
	case $n in '' | 0 | *[!0-9]*)
		echo "bench: BENCH_* counts must be positive integers, not '$n'" >&2
		exit 64
		;;
	esac
done

# The curve of cost against the size of the tree (BENCH_LARGE=1 for
# 100,000 files); BENCH_ONLY=curve measures it alone.
# shellcheck source=curve.sh
. bench/curve.sh

# The generated repository for the clone: cached, rebuilt when these change.
BIG_COMMITS=2000
BIG_FILES=500
BIG_BLOB=9000

# shellcheck source=../tests/lib.sh disable=SC1091 # followed with shellcheck -x
. tests/lib.sh

say() { printf '# %s\n' "$*" >&2; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

# --- tools ------------------------------------------------------------------

# build_tool NAME: bench/NAME.c -> bench/build/NAME, warnings shown.
build_tool() {
	local src="$ROOT/bench/$1.c" out="$BUILD/$1"
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		${CC:-cc} -O2 -Wall -Wextra -o "$out" "$src" || die "cannot build bench/$1.c"
	fi
}

mkdir -p "$BUILD"
for t in client floor measure genrepo; do
	build_tool "$t"
done
if [ ! -x ./sentry-source ] || [ ! -x ./sentry-source-sync ]; then
	die "./sentry-source and ./sentry-source-sync are not built: run make all first"
fi
# The helper's own record of a move (src/sync/intent.c), linked by make
# with the helper's objects.
make -s build/bench/intent_cost >&2 || die "cannot build bench/intent_cost.c"
cp build/bench/intent_cost "$BUILD/intent_cost" || die "cannot copy intent_cost"

# --- small helpers ----------------------------------------------------------

# kv KEY LINE: the value of KEY=value in a measure/client output line.
kv() {
	local f fields
	read -ra fields <<<"$2"
	for f in "${fields[@]}"; do
		case $f in "$1="*)
			printf '%s\n' "${f#*=}"
			return 0
			;;
		esac
	done
	die "no $1 in: $2"
}

# median: of the numbers on stdin, one per line.
median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A/B with 2 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b > 0 ? a / b : 0) }'; }
us() { awk -v n="$1" 'BEGIN { printf "%.0f us", n / 1000 }'; }
ms() { awk -v n="$1" 'BEGIN { printf "%.1f ms", n / 1000000 }'; }
cpu_ms() { awk -v n="$1" 'BEGIN { printf "%.1f ms", n / 1000 }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "MISSED") }'; }

# children PID: the pids of PID's children (empty when none).
children() { cat "/proc/$1/task/$1/children" 2>/dev/null || true; }

# settle PID: wait (max 30 s) until PID has no children: the syncs a
# matching request started in the background are done.
settle() {
	local i
	for i in $(seq 1 3000); do
		[ -z "$(children "$1")" ] && return 0
		sleep 0.01
	done
	die "process $1 still has children after 30 s"
}

# probe PORT REQUEST WANT: one request by bash, the answer must hold WANT.
probe() {
	local got
	# shellcheck disable=SC2016 # $1 and $2 are the inner bash's
	got=$(timeout 20 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && cat "$2" >&3 && cat <&3' \
		_ "$1" "$2" | tr -d '\r') || die "no answer on port $1"
	case $got in
	"HTTP/1.1 200 "*"$3"*) ;;
	*) die "port $1: unexpected answer to $2: $got" ;;
	esac
}

# activate LOG PROG...: PROG per connection on a free port under
# systemd-socket-activate --inetd -a, as tests/lib.sh's start_front does.
# Sets PORT and PID.
activate() {
	local log=$1 attempt port
	shift
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		start_bg "$log" systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
			-E SENTRY_SOURCE_EXEC_PATH -E HOME "$@"
		if wait_port "$port" "$FX_BG_PID" 10; then
			PORT=$port
			PID=$FX_BG_PID
			return 0
		fi
		stop_bg "$FX_BG_PID" || true
		say "systemd-socket-activate did not come up on $port (attempt $attempt)"
	done
	die "could not start systemd-socket-activate"
}

# --- fixture ----------------------------------------------------------------

say "setting up sshd, keys and repositories on 127.0.0.1"
fixture_setup || die "fixture setup failed"
# lib.sh's cleanup, but never under set -e: a kill of a process that is
# already gone must not cut the cleanup short.
trap 'set +e; fixture_cleanup' EXIT
F=$FX_DIR
mkdir -p "$F/p" "$F/log" "$F/m" "$F/git-side"
export SENTRY_SOURCE_EXEC_PATH="$ROOT"
export GIT_SSH_COMMAND
GIT_SSH_COMMAND=$(ssh_command "$FX_KEY" "$FX_KNOWN_HOSTS")

# Other work on the machine shows in the numbers: say how busy it was.
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
LIBGIT2_VERSION=$(pkg-config --modversion libgit2 2>/dev/null || echo unknown)
GIT_VERSION=$(git --version | awk '{ print $3 }')
SSH_VERSION=$(ssh -V 2>&1 | awk '{ print $1 }')

if [ "${BENCH_ONLY:-}" = curve ]; then
	curve_run
	echo
	echo "sentry-source benchmark, the curve only, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc: $(nproc)  libgit2: $LIBGIT2_VERSION  git: $GIT_VERSION  ssh: $SSH_VERSION  kernel: $(uname -r)"
	echo "load average: $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
	echo
	curve_row "measure" "sentry-source" "yardstick" "ratio" "target" ""
	curve_row "-------" "-------------" "---------" "-----" "------" ""
	curve_rows
	echo
	echo "How the numbers were obtained (medians; the sides alternate run by run):"
	curve_notes
	echo
	curve_lines
	exit 0
fi

# The generated repository, cached across runs under bench/build/.
BIG="$BUILD/big.git"
big_stamp="genrepo $BIG_COMMITS $BIG_FILES $BIG_BLOB $(cksum <"$ROOT/bench/genrepo.c")"
if [ "$(cat "$BUILD/big.stamp" 2>/dev/null || true)" != "$big_stamp" ]; then
	say "generating $BIG ($BIG_COMMITS commits of $BIG_BLOB random bytes)"
	rm -rf "$BIG" "$BUILD/big.stamp"
	git init -q --bare "$BIG"
	"$BUILD/genrepo" "$BIG_COMMITS" "$BIG_FILES" "$BIG_BLOB" |
		git -C "$BIG" fast-import --quiet
	git -C "$BIG" symbolic-ref HEAD refs/heads/develop
	git -C "$BIG" repack -adq
	printf '%s\n' "$big_stamp" >"$BUILD/big.stamp"
fi
BIG_TIP=$(git --git-dir="$BIG" rev-parse refs/heads/develop)
BIG_PACK_KIB=$(git --git-dir="$BIG" count-objects -v | awk '$1 == "size-pack:" { print $2 }')
BIG_COUNT=$(git --git-dir="$BIG" rev-list --count refs/heads/develop)

# Configs. CONF: the sync benchmarks' checkout. CONF_REQ: another checkout,
# kept at the tip, for the requests whose sync really runs (a no-op then).
CONF="$F/sync.conf"
CONF_REQ="$F/req.conf"
CONF_CLONE="$F/clone.conf"
write_config "$CONF" "CLONE_PATH=$F/srv/checkout"
write_config "$CONF_REQ" "CLONE_PATH=$F/srv/req-checkout"
write_config "$CONF_CLONE" "CLONE_URL=ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$BIG" \
	"CLONE_PATH=$F/clone-ours/checkout"
GIT_CLONE="$F/git-side/checkout"

./sentry-source -c "$CONF" --sync 2>>"$F/log/sync.log" || die "first sync (clone) failed; see above"
./sentry-source -c "$CONF_REQ" --sync 2>>"$F/log/sync.log" || die "first sync of req-checkout failed"
git clone -q -b develop "$FX_CLONE_URL" "$GIT_CLONE" || die "git clone over ssh failed"

# --- requests ---------------------------------------------------------------

TIP=$(repo_tip develop)
PARENT=$(git --git-dir="$FX_REPO" rev-parse develop^)
stash_payload "$F/p/nomatch.json" refs/heads/feature "$PARENT" "$TIP" UPDATE
stash_payload_develop "$F/p/match.json" "$PARENT" "$TIP"
make_request POST /webhook application/json "$F/p/nomatch.json" >"$F/p/nomatch.http"
make_request POST /webhook application/json "$F/p/match.json" >"$F/p/match.http"

# Signed requests that match nothing, one per signing scheme: GitHub's
# HMAC-SHA256 header (sha256=<hex> of the body) and GitLab's token. Each
# host's captured push to a branch other than develop, signed as the host
# signs it; answered 200 "ignored" after the signature is checked.
SECRET='It'"'"'s a Secret to Everybody'
printf '%s\n' "$SECRET" >"$F/secret" && chmod 600 "$F/secret"
write_config "$F/github.conf" SOURCE=github BRANCH=develop "CLONE_PATH=$F/srv/req-checkout" \
	"SECRET_FILE=$F/secret"
write_config "$F/gitlab.conf" SOURCE=gitlab BRANCH=develop "CLONE_PATH=$F/srv/req-checkout" \
	"SECRET_FILE=$F/secret"
body="$FX_PAYLOADS/github/push-branch-update.json"
make_request POST /webhook application/json "$body" "X-GitHub-Event: push" \
	"X-Hub-Signature-256: sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$body" | cut -d' ' -f1)" \
	>"$F/p/github.http"
make_request POST /webhook application/json "$FX_PAYLOADS/gitlab/push-hook-branch-update.json" \
	"X-Gitlab-Event: Push Hook" "X-Gitlab-Token: $SECRET" >"$F/p/gitlab.http"

# A helper that does nothing, for the matching requests in bulk (see README).
mkdir -p "$F/stub"
ln -s /bin/true "$F/stub/sentry-source-sync"

activate "$F/log/floor.log" "$BUILD/floor"
FLOOR_PORT=$PORT FLOOR_PID=$PID
activate "$F/log/front.log" "$ROOT/sentry-source" -c "$CONF_REQ"
FRONT_PORT=$PORT FRONT_PID=$PID
SENTRY_SOURCE_EXEC_PATH="$F/stub" activate "$F/log/front-stub.log" \
	"$ROOT/sentry-source" -c "$CONF_REQ"
STUB_PORT=$PORT STUB_PID=$PID
activate "$F/log/github.log" "$ROOT/sentry-source" -c "$F/github.conf"
GITHUB_PORT=$PORT GITHUB_PID=$PID
activate "$F/log/gitlab.log" "$ROOT/sentry-source" -c "$F/gitlab.conf"
GITLAB_PORT=$PORT GITLAB_PID=$PID

probe "$FLOOR_PORT" "$F/p/nomatch.http" '{"success":true}'
probe "$FRONT_PORT" "$F/p/nomatch.http" '"ignored"'
probe "$GITHUB_PORT" "$F/p/github.http" '"ignored"'
probe "$GITLAB_PORT" "$F/p/gitlab.http" '"ignored"'
probe "$STUB_PORT" "$F/p/match.http" '{"success":true}'
settle "$STUB_PID"

# client_medians OUT ROUNDS PORT:FILE...: run the client, print the medians.
# Each request waits until the launchers named in QUIET have no child left.
client_medians() {
	local out=$1 rounds=$2 pid
	local -a q=()
	shift 2
	for pid in $QUIET; do
		q+=(-q "$pid")
	done
	"$BUILD/client" -n "$rounds" "${q[@]}" -w "$out" "$@" >"$out.txt" ||
		die "client: failed requests: $(cat "$out.txt")"
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^median_ns=/) print substr($i, 11) }' "$out.txt"
}

QUIET="$FRONT_PID $STUB_PID $FLOOR_PID $GITHUB_PID $GITLAB_PID"
say "requests: $N_REQ non-matching each, front and floor alternating"
client_medians "$F/m/warm" 100 "$FRONT_PORT:$F/p/nomatch.http" "$FLOOR_PORT:$F/p/nomatch.http" >/dev/null
client_medians "$F/m/nomatch" "$N_REQ" \
	"$FRONT_PORT:$F/p/nomatch.http" "$FLOOR_PORT:$F/p/nomatch.http" >"$F/m/med"
mapfile -t med <"$F/m/med"
NOMATCH_NS=${med[0]} NOMATCH_FLOOR_NS=${med[1]}
p90() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR - 1) * 0.9) + 1] }'; }
NOMATCH_P90=$(p90 "$F/m/nomatch.0") NOMATCH_FLOOR_P90=$(p90 "$F/m/nomatch.1")

say "requests: $N_REQ signed non-matching each (GitHub HMAC, GitLab token), each with the floor"
client_medians "$F/m/warm" 100 "$GITHUB_PORT:$F/p/github.http" "$FLOOR_PORT:$F/p/github.http" \
	"$GITLAB_PORT:$F/p/gitlab.http" "$FLOOR_PORT:$F/p/gitlab.http" >/dev/null
client_medians "$F/m/signed" "$N_REQ" \
	"$GITHUB_PORT:$F/p/github.http" "$FLOOR_PORT:$F/p/github.http" \
	"$GITLAB_PORT:$F/p/gitlab.http" "$FLOOR_PORT:$F/p/gitlab.http" >"$F/m/med"
mapfile -t med <"$F/m/med"
SIGNED_NS=${med[0]} SIGNED_FLOOR_NS=${med[1]} TOKEN_NS=${med[2]} TOKEN_FLOOR_NS=${med[3]}
SIGNED_P90=$(p90 "$F/m/signed.0") SIGNED_FLOOR_P90=$(p90 "$F/m/signed.1")
TOKEN_P90=$(p90 "$F/m/signed.2") TOKEN_FLOOR_P90=$(p90 "$F/m/signed.3")

say "requests: $N_REQ matching each (helper: a stub), front and floor alternating"
client_medians "$F/m/match" "$N_REQ" \
	"$STUB_PORT:$F/p/match.http" "$FLOOR_PORT:$F/p/match.http" >"$F/m/med"
mapfile -t med <"$F/m/med"
MATCH_NS=${med[0]} MATCH_FLOOR_NS=${med[1]}
MATCH_P90=$(p90 "$F/m/match.0") MATCH_FLOOR_P90=$(p90 "$F/m/match.1")
settle "$STUB_PID"

say "requests: $N_REAL matching each with the real helper, each sync waited for"
probe "$FRONT_PORT" "$F/p/match.http" '{"success":true}'
client_medians "$F/m/real" "$N_REAL" \
	"$FRONT_PORT:$F/p/match.http" "$FLOOR_PORT:$F/p/match.http" >"$F/m/med"
mapfile -t med <"$F/m/med"
REAL_NS=${med[0]} REAL_FLOOR_NS=${med[1]}
settle "$FRONT_PID"
# Each of those syncs (and the probe's) must have run to the end: the
# helper logs "CLONE_PATH: develop at OID (was OID)" when it has.
synced=$(grep -c ": develop at $TIP (was " "$F/log/front.log" || true)
if [ "$synced" -ne $((N_REAL + 1)) ]; then
	tail -n 20 "$F/log/front.log" >&2
	die "$((N_REAL + 1)) syncs started by requests, $synced finished (log above)"
fi
[ "$(git -C "$F/srv/req-checkout" rev-parse HEAD)" = "$TIP" ] || die "req-checkout not at the tip"

say "front peak RSS: $N_RSS traced non-matching requests"
activate "$F/log/front-rss.log" "$BUILD/measure" -t -o "$F/m/front-rss" \
	"$ROOT/sentry-source" -c "$CONF_REQ"
FRONT_RSS_PID=$PID FRONT_RSS_PORT=$PORT
activate "$F/log/floor-rss.log" "$BUILD/measure" -t -o "$F/m/floor-rss" "$BUILD/floor"
FLOOR_RSS_PID=$PID FLOOR_RSS_PORT=$PORT
QUIET="$FRONT_RSS_PID $FLOOR_RSS_PID"
client_medians "$F/m/rss" "$N_RSS" "$FRONT_RSS_PORT:$F/p/nomatch.http" \
	"$FLOOR_RSS_PORT:$F/p/nomatch.http" >/dev/null
settle "$FRONT_RSS_PID"
settle "$FLOOR_RSS_PID"
# measure writes its line after the traced process is reaped: wait for both.
for i in $(seq 1 100); do
	[ "$(wc -l <"$F/m/front-rss")" -ge "$N_RSS" ] && [ "$(wc -l <"$F/m/floor-rss")" -ge "$N_RSS" ] && break
	sleep 0.05
done
FRONT_RSS=$(while read -r l; do kv rss_sum_kib "$l"; done <"$F/m/front-rss" | median)
FRONT_RUMAX=$(while read -r l; do kv ru_maxrss_kib "$l"; done <"$F/m/front-rss" | median)
FLOOR_RSS=$(while read -r l; do kv rss_sum_kib "$l"; done <"$F/m/floor-rss" | median)
FRONT_PROCS=$(kv procs "$(tail -n 1 "$F/m/front-rss")")

for pid in "$FRONT_PID" "$STUB_PID" "$FLOOR_PID" "$GITHUB_PID" "$GITLAB_PID" \
	"$FRONT_RSS_PID" "$FLOOR_RSS_PID"; do
	stop_bg "$pid" || true
done

# --- syncs ------------------------------------------------------------------

# ours / theirs: one measured sync of each side, output line on stdout.
# (Variables expand at call time: $1 picks the config, $2 the git clone.)
ours() {
	"$BUILD/measure" ./sentry-source -c "$1" --sync 2>>"$F/log/sync.log" ||
		die "sentry-source -c $1 --sync failed (see $F/log/sync.log)"
}
# What any sync over ssh pays at least: git's ssh command, running `true`.
sshonly() {
	local -a cmd
	eval "cmd=($GIT_SSH_COMMAND)"
	"$BUILD/measure" "${cmd[@]}" -p "$FX_SSH_PORT" "$FX_USER@127.0.0.1" true 2>>"$F/log/git.log" ||
		die "ssh $FX_USER@127.0.0.1 true failed"
}
theirs() {
	"$BUILD/measure" git -C "$1" fetch -q ::: git -C "$1" merge -q --ff-only 2>>"$F/log/git.log" ||
		die "git fetch + merge --ff-only in $1 failed"
}

# one SIDE KIND ARGS...: run one side, append its line to $F/m/KIND.SIDE.
# The last run's sshd processes are gone first, as they would be on a
# server that is not hammered.
one() {
	local side=$1 kind=$2 line
	shift 2
	settle "$FX_SSHD_PID"
	line=$("$side" "$@")
	printf '%s\n' "$line" >>"$F/m/$kind.$side"
}

# col KIND SIDE KEY: the median of KEY over that side's runs.
col() { while read -r l; do kv "$3" "$l"; done <"$F/m/$1.$2" | median; }

say "no-op syncs: $N_SYNC each, alternating"
for i in 1 2; do ours "$CONF" >/dev/null && theirs "$GIT_CLONE" >/dev/null; done
for i in $(seq 1 "$N_SYNC"); do
	one ours noop "$CONF"
	one theirs noop "$GIT_CLONE"
	one sshonly noop
done
# sshd runs every command through the user's login shell, which reads its
# rc file when started by sshd (Debian's bash does): the same for both sides.
IFS=: read -r _ _ _ _ _ USER_HOME USER_SHELL < <(getent passwd "$FX_USER")
for i in $(seq 1 "$N_RSS"); do
	"$BUILD/measure" env -i HOME="$USER_HOME" PATH=/usr/local/bin:/usr/bin:/bin \
		SSH_CLIENT="127.0.0.1 50000 $FX_SSH_PORT" "$USER_SHELL" -c true >>"$F/m/shell.login" ||
		die "$USER_SHELL -c true failed"
done

say "syncs after a push: $N_FETCH each (a push, then A B; a push, then B A ...)"
for i in $(seq 1 "$N_FETCH"); do
	push_commit develop >/dev/null
	if [ $((i % 2)) = 1 ]; then
		one ours fetch "$CONF"
		one theirs fetch "$GIT_CLONE"
	else
		one theirs fetch "$GIT_CLONE"
		one ours fetch "$CONF"
	fi
done
TIP=$(repo_tip develop)
[ "$(git -C "$F/srv/checkout" rev-parse HEAD)" = "$TIP" ] || die "our checkout is not at the tip"
[ "$(git -C "$GIT_CLONE" rev-parse HEAD)" = "$TIP" ] || die "git's checkout is not at the tip"

say "recording a move: $N_INTENT records in our checkout"
INTENT_LINE=$("$BUILD/intent_cost" "$F/srv/checkout" "$N_INTENT") || die "intent_cost failed"

say "peak RSS of a no-op sync: $N_RSS traced runs each"
for i in $(seq 1 "$N_RSS"); do
	"$BUILD/measure" -t ./sentry-source -c "$CONF" --sync >>"$F/m/rss.ours" 2>>"$F/log/sync.log" ||
		die "traced sync failed"
	"$BUILD/measure" -t git -C "$GIT_CLONE" fetch -q ::: git -C "$GIT_CLONE" merge -q --ff-only \
		>>"$F/m/rss.theirs" 2>>"$F/log/git.log" || die "traced git fetch failed"
done

say "clones of a $((BIG_PACK_KIB / 1024)) MiB, $BIG_COUNT-commit repository: $N_CLONE each"
clone_ours() {
	rm -rf "$F/clone-ours"
	mkdir -p "$F/clone-ours"
	sync # the dirty pages of the last run are not this run's to write
	"$BUILD/measure" ./sentry-source -c "$CONF_CLONE" --sync 2>>"$F/log/sync.log" ||
		die "sentry-source clone failed (see $F/log/sync.log)"
	[ "$(git -C "$F/clone-ours/checkout" rev-parse HEAD)" = "$BIG_TIP" ] || die "our clone is not at the tip"
}
clone_theirs() {
	rm -rf "$F/clone-git"
	mkdir -p "$F/clone-git"
	sync
	"$BUILD/measure" git clone -q "ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$BIG" "$F/clone-git/checkout" \
		2>>"$F/log/git.log" || die "git clone of the big repository failed"
	[ "$(git -C "$F/clone-git/checkout" rev-parse HEAD)" = "$BIG_TIP" ] || die "git's clone is not at the tip"
}
clone_ours >/dev/null && clone_theirs >/dev/null # warm the caches
for i in $(seq 1 "$N_CLONE"); do
	one clone_ours clone
	one clone_theirs clone
done
rm -rf "$F/clone-ours" "$F/clone-git"

# PUBLISH=releases against in place, the same push each time, on a copy of
# the bench repository (the cached one stays as generated).
say "publishing: $N_PUBLISH pushes to the bench repository, synced in place and as releases"
PUB_REPO="$F/pub.git"
git clone -q --bare "$BIG" "$PUB_REPO" || die "cannot copy $BIG"
git clone -q -b develop "$PUB_REPO" "$F/pub-scratch" || die "cannot clone $PUB_REPO"
PUB_URL="ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$PUB_REPO"
CONF_INPLACE="$F/pub-inplace.conf" CONF_RELEASES="$F/pub-releases.conf"
mkdir -p "$F/pub-inplace" "$F/pub-releases"
write_config "$CONF_INPLACE" "CLONE_URL=$PUB_URL" "CLONE_PATH=$F/pub-inplace/checkout"
write_config "$CONF_RELEASES" "CLONE_URL=$PUB_URL" "CLONE_PATH=$F/pub-releases/checkout" \
	PUBLISH=releases
inplace() { ours "$CONF_INPLACE"; }
releases() { ours "$CONF_RELEASES"; }
inplace >/dev/null && releases >/dev/null
pub_push() {
	printf 'push %s\n' "$1" >>"$F/pub-scratch/pushed.txt"
	git -C "$F/pub-scratch" add pushed.txt &&
		git -C "$F/pub-scratch" commit -q -m "push $1" &&
		git -C "$F/pub-scratch" push -q origin develop || die "push to $PUB_REPO failed"
}
for i in $(seq 1 "$N_PUBLISH"); do
	pub_push "$i"
	if [ $((i % 2)) = 1 ]; then
		one inplace publish
		one releases publish
	else
		one releases publish
		one inplace publish
	fi
done
PUB_TIP=$(git --git-dir="$PUB_REPO" rev-parse refs/heads/develop)
[ "$(git -C "$F/pub-inplace/checkout" rev-parse HEAD)" = "$PUB_TIP" ] || die "in place: not at the tip"
[ "$(readlink "$F/pub-releases/checkout" | sed 's/.*-//')" = "$PUB_TIP" ] ||
	die "releases: the live release is not the tip"
PUB_FILES=$(git --git-dir="$PUB_REPO" ls-tree -r refs/heads/develop | wc -l)
RELEASE_KIB=$(du -sk "$F/pub-releases/checkout/" | cut -f1)
RELEASES_N=$(find "$F/pub-releases/checkout.releases" -mindepth 1 -maxdepth 1 -name '2*' | wc -l)
RELEASES_KIB=$(du -sk "$F/pub-releases/checkout.releases" | cut -f1)
REPO_KIB=$(du -sk "$F/pub-releases/checkout.releases/repo.git" | cut -f1)
INPLACE_KIB=$(du -sk "$F/pub-inplace/checkout" | cut -f1)
rm -rf "$F/pub-inplace" "$F/pub-releases" "$F/pub-scratch" "$PUB_REPO"

curve_run

# --- report -------------------------------------------------------------------

NOOP_OURS=$(col noop ours wall_ns) NOOP_GIT=$(col noop theirs wall_ns)
FETCH_OURS=$(col fetch ours wall_ns) FETCH_GIT=$(col fetch theirs wall_ns)
CLONE_OURS=$(col clone clone_ours wall_ns) CLONE_GIT=$(col clone clone_theirs wall_ns)
CPU_OURS=$(col noop ours cpu_us) CPU_GIT=$(col noop theirs cpu_us)
SSHONLY_NS=$(col noop sshonly wall_ns) SSHONLY_CPU=$(col noop sshonly cpu_us)
SSHONLY_CPU_RATIO=$(ratio "$CPU_OURS" "$SSHONLY_CPU")
LOGIN_NS=$(col shell login wall_ns)
FCPU_OURS=$(col fetch ours cpu_us) FCPU_GIT=$(col fetch theirs cpu_us)
CCPU_OURS=$(col clone clone_ours cpu_us) CCPU_GIT=$(col clone clone_theirs cpu_us)
SYNC_RSS=$(col rss ours rss_sum_kib) GIT_RSS=$(col rss theirs rss_sum_kib)
SYNC_RUMAX=$(col rss ours ru_maxrss_kib) GIT_RUMAX=$(col rss theirs ru_maxrss_kib)
SYNC_LIST=$(kv list "$(tail -n 1 "$F/m/rss.ours")")
SYNC_PROCS=$(kv procs "$(tail -n 1 "$F/m/rss.ours")")
GIT_LIST=$(kv list "$(tail -n 1 "$F/m/rss.theirs")")

R_NOMATCH=$(ratio "$NOMATCH_NS" "$NOMATCH_FLOOR_NS")
R_MATCH=$(ratio "$MATCH_NS" "$MATCH_FLOOR_NS")
R_SIGNED=$(ratio "$SIGNED_NS" "$SIGNED_FLOOR_NS")
R_TOKEN=$(ratio "$TOKEN_NS" "$TOKEN_FLOOR_NS")
R_REAL=$(ratio "$REAL_NS" "$REAL_FLOOR_NS")
R_NOOP=$(ratio "$NOOP_OURS" "$NOOP_GIT")
R_FETCH=$(ratio "$FETCH_OURS" "$FETCH_GIT")
R_CLONE=$(ratio "$CLONE_OURS" "$CLONE_GIT")
R_CPU=$(ratio "$CPU_OURS" "$CPU_GIT")
R_FCPU=$(ratio "$FCPU_OURS" "$FCPU_GIT")
R_CCPU=$(ratio "$CCPU_OURS" "$CCPU_GIT")
R_RSS=$(ratio "$SYNC_RSS" "$GIT_RSS")
INTENT_NS=$(kv median_ns "$INTENT_LINE") INTENT_P90=$(kv p90_ns "$INTENT_LINE")
PUB_INPLACE=$(col publish inplace wall_ns) PUB_RELEASES=$(col publish releases wall_ns)
R_PUBLISH=$(ratio "$PUB_RELEASES" "$PUB_INPLACE")
R_INTENT=$(awk -v a="$INTENT_NS" -v b="$FETCH_OURS" 'BEGIN { printf "%.2f%%\n", (b > 0 ? 100 * a / b : 0) }')
FRONT_RSS_OK=$(awk -v v="$FRONT_RSS" 'BEGIN { print (v <= 2048 ? "met" : "MISSED") }')

row() { printf '%-34s %14s %14s %7s %8s  %s\n' "$@" | sed 's/ *$//'; }

echo
echo "sentry-source benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc: $(nproc)  libgit2: $LIBGIT2_VERSION  git: $GIT_VERSION  ssh: $SSH_VERSION  kernel: $(uname -r)"
echo "load average: $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
row "measure" "sentry-source" "yardstick" "ratio" "target" ""
row "-------" "-------------" "---------" "-----" "------" ""
row "request, no match (median)" "$(us "$NOMATCH_NS")" "$(us "$NOMATCH_FLOOR_NS")" "$R_NOMATCH" "<= 1.15" "$(verdict "$R_NOMATCH" 1.15)"
row "  90th percentile" "$(us "$NOMATCH_P90")" "$(us "$NOMATCH_FLOOR_P90")" "" "" ""
row "  signed, HMAC-SHA256 (GitHub)" "$(us "$SIGNED_NS")" "$(us "$SIGNED_FLOOR_NS")" "$R_SIGNED" "<= 1.15" "$(verdict "$R_SIGNED" 1.15)"
row "  90th percentile" "$(us "$SIGNED_P90")" "$(us "$SIGNED_FLOOR_P90")" "" "" ""
row "  signed, token (GitLab)" "$(us "$TOKEN_NS")" "$(us "$TOKEN_FLOOR_NS")" "$R_TOKEN" "<= 1.15" "$(verdict "$R_TOKEN" 1.15)"
row "  90th percentile" "$(us "$TOKEN_P90")" "$(us "$TOKEN_FLOOR_P90")" "" "" ""
row "request, match, stub helper" "$(us "$MATCH_NS")" "$(us "$MATCH_FLOOR_NS")" "$R_MATCH" "<= 1.5" "$(verdict "$R_MATCH" 1.5)"
row "  90th percentile" "$(us "$MATCH_P90")" "$(us "$MATCH_FLOOR_P90")" "" "" ""
row "request, match, real helper" "$(us "$REAL_NS")" "$(us "$REAL_FLOOR_NS")" "$R_REAL" "(info)" ""
row "sync, nothing new (wall)" "$(ms "$NOOP_OURS")" "$(ms "$NOOP_GIT")" "$R_NOOP" "<= 0.9" "$(verdict "$R_NOOP" 0.9)"
row "sync, one new commit (wall)" "$(ms "$FETCH_OURS")" "$(ms "$FETCH_GIT")" "$R_FETCH" "<= 0.9" "$(verdict "$R_FETCH" 0.9)"
row "  of which: recording the move" "$(us "$INTENT_NS")" "$(ms "$FETCH_OURS")" "$R_INTENT" "(info)" ""
row "  90th percentile" "$(us "$INTENT_P90")" "" "" "" ""
row "publish a release vs in place" "$(ms "$PUB_RELEASES")" "$(ms "$PUB_INPLACE")" "$R_PUBLISH" "(info)" ""
row "  disk: one release, the repo" "$RELEASE_KIB KiB" "$REPO_KIB KiB" "" "" ""
row "  disk: $RELEASES_N releases + repo, in place" "$RELEASES_KIB KiB" "$INPLACE_KIB KiB" "" "" ""
row "first sync = clone (wall)" "$(ms "$CLONE_OURS")" "$(ms "$CLONE_GIT")" "$R_CLONE" "<= 1.0" "$(verdict "$R_CLONE" 1.0)"
row "sync, nothing new (CPU, client)" "$(cpu_ms "$CPU_OURS")" "$(cpu_ms "$CPU_GIT")" "$R_CPU" "<= 0.3" "$(verdict "$R_CPU" 0.3)"
row "sync, one new commit (CPU)" "$(cpu_ms "$FCPU_OURS")" "$(cpu_ms "$FCPU_GIT")" "$R_FCPU" "(info)" ""
row "clone (CPU)" "$(cpu_ms "$CCPU_OURS")" "$(cpu_ms "$CCPU_GIT")" "$R_CCPU" "(info)" ""
row "ssh ... true alone (wall)" "" "$(ms "$SSHONLY_NS")" "" "(info)" ""
row "  CPU: our no-op sync vs ssh true" "$(cpu_ms "$CPU_OURS")" "$(cpu_ms "$SSHONLY_CPU")" "$SSHONLY_CPU_RATIO" "" ""
row "  $(basename "$USER_SHELL") -c true as sshd runs it" "" "$(ms "$LOGIN_NS")" "" "" ""
row "front peak RSS, sum" "$FRONT_RSS KiB" "$FLOOR_RSS KiB" "" "<= 2048" "$FRONT_RSS_OK"
row "no-op sync peak RSS, sum" "$SYNC_RSS KiB" "$GIT_RSS KiB" "$R_RSS" "(info)" ""
row "  largest process (ru_maxrss)" "$SYNC_RUMAX KiB" "$GIT_RUMAX KiB" "" "" ""
curve_rows
cat <<EOF

How the numbers were obtained (medians; the two sides alternate run by run):
- requests: bench/client.c on 127.0.0.1, connect() to end of answer, $N_REQ per side
  alternating A B A B, both under systemd-socket-activate --inetd -a (one fork+exec
  per connection). Yardstick: bench/floor.c (reads head and body, fixed 200, exits).
  No match: a Stash payload for refs/heads/feature (answered 200 "ignored").
  Signed: GitHub's push to master signed with X-Hub-Signature-256 (HMAC-SHA256),
  GitLab's push to main with X-Gitlab-Token, against BRANCH=develop: the signature
  is checked, then the push ignored; each alternates with the floor on the same bytes.
  Match, stub helper: SENTRY_SOURCE_EXEC_PATH holds sentry-source-sync -> /bin/true
  (the answer is out before the exec; $N_REQ real syncs would take minutes). Real helper: $N_REAL
  requests, the no-op sync of an up-to-date checkout. Every request waits, untimed,
  until the launchers have no child left (the last server process, its sync).
- syncs: bench/measure.c forks and times 'sentry-source -c CONF --sync' (execs
  ./sentry-source-sync: libgit2 + libssh2 in-process) against 'git fetch -q'
  then 'git merge -q --ff-only' in a git clone (ssh via GIT_SSH_COMMAND, same key
  and known_hosts), same sshd; $N_SYNC no-op runs, $N_FETCH after-push runs per side.
- recording the move: bench/intent_cost.c, linked with the helper's src/sync/intent.c,
  times writing, flushing (fsync of the file and of .git) and removing the record a
  sync that moves the work tree makes first, $N_INTENT times in our checkout, against
  the median sync after a push. A sync with nothing new records nothing.
- clone: $BIG_COUNT commits, $((BIG_PACK_KIB / 1024)) MiB packed (random blobs, bench/build/big.git),
  'sentry-source --sync' into an empty CLONE_PATH against 'git clone', $N_CLONE per side,
  after 'sync' so earlier writes are not charged to the next run.
- publishing: a bare copy of the clone's repository; $N_PUBLISH pushes of one commit
  changing one file, each synced by an in-place config and by a PUBLISH=releases one
  (KEEP_RELEASES=5), alternating which goes first. A release is a checkout of all
  $PUB_FILES files, flushed, then a link switch, then the oldest release removed; in
  place moves one file. Disk: du -sk of the live release (no .git), of repo.git, of
  the whole releases directory ($RELEASES_N releases and repo.git) and of the in-place
  checkout (work tree and .git).
- CPU: user+sys from getrusage(RUSAGE_CHILDREN) in measure, all processes of the
  command (git's ssh and helpers included); sshd's server side (sshd, the login
  shell, git-upload-pack) is excluded for both. 'ssh ... true alone' is git's ssh
  command running true on the same sshd: what a sync over OpenSSH costs at least.
- peak RSS: measure -t traces every process (ptrace, following forks) and sums each
  process's peak (VmHWM at exit, and before each execve, as ru_maxrss counts it).
  Sync: the front exec's into the helper; $SYNC_PROCS process(es) in all. Front: the
  sentry-source answering a non-matching request under the launcher ($FRONT_PROCS process(es));
  ru_maxrss of the same runs: $FRONT_RUMAX KiB. git's sum adds processes that do not
  run at the same time, so it is an upper bound on git's footprint at any moment.
  last traced sync: $SYNC_LIST
  last traced git:  $GIT_LIST
$(curve_notes)

EOF
echo "nomatch_vs_floor: $R_NOMATCH"
echo "signed_nomatch_vs_floor: $R_SIGNED"
echo "token_nomatch_vs_floor: $R_TOKEN"
echo "match_answer_vs_floor: $R_MATCH"
echo "noop_sync_vs_git: $R_NOOP"
echo "fetch_sync_vs_git: $R_FETCH"
echo "clone_vs_git: $R_CLONE"
echo "publish_release_vs_in_place: $R_PUBLISH"
echo "release_disk_kib: $RELEASE_KIB"
echo "record_move_ns: $INTENT_NS"
echo "record_move_share_of_fetch_sync: $R_INTENT"
echo "sync_cpu_vs_git: $R_CPU"
echo "front_peak_rss_kib: $FRONT_RSS"
echo "sync_peak_rss_kib: $SYNC_RSS"
echo "git_peak_rss_kib: $GIT_RSS"
curve_lines
