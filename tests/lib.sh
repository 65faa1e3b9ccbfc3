# shellcheck shell=bash
# shellcheck disable=SC2034 # FX_* variables are for the scripts sourcing this
# tests/lib.sh: fixture library for the integration tests and the demo.
#
# Source it from bash (set -u friendly), then call fixture_setup.  It builds,
# in a private directory under ${TMPDIR:-/tmp}:
#   - a real OpenSSH sshd on 127.0.0.1:$FX_SSH_PORT with its own host keys,
#   - client keys (authorized ed25519, unauthorized ed25519, authorized RSA),
#   - known_hosts (the real host keys) and known_hosts.other (another host's),
#   - a bare repository with branches main and develop,
# and removes all of it, and stops every process it started, on exit.
# Nothing here talks to anything but 127.0.0.1 and the local filesystem.
#
# Everything a test needs is in FX_* variables (see fixture_setup).
# Diagnostics go to stderr prefixed "# " so they never look like TAP results.

# Repository root: this file lives in tests/.
FX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The hosts' real payloads, with their provenance (tests/payloads/README.md).
FX_PAYLOADS="$FX_ROOT/tests/payloads"

FX_DIR=""             # private work dir, set by fixture_init
FX_OWNER=""           # pid of the shell that owns the cleanup
FX_PIDS=()            # background process groups to stop on exit
FX_FG=""              # the program fx_wait waits for
FX_ZERO=0000000000000000000000000000000000000000

note() { printf '# %s\n' "$*" >&2; }
fx_fail() { printf '# lib.sh: %s\n' "$*" >&2; return 1; }

# fixture_init: make the work dir and install the cleanup trap.
fixture_init() {
	FX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sentry-source-test.XXXXXX") ||
		fx_fail "mktemp failed" || return 1
	FX_OWNER=$BASHPID
	trap fixture_cleanup EXIT
	# Turn signals into a normal exit so the EXIT trap runs once.
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# fixture_cleanup: stop everything we started, then remove the work dir.
# Set FX_KEEP=1 to keep the directory for a post-mortem.
fixture_cleanup() {
	# Subshells do not inherit the trap, but be explicit: only the owner cleans.
	[ "${BASHPID}" = "${FX_OWNER:-}" ] || return 0
	local pid
	# A second signal (a runner's TERM after a Ctrl-C, timeout's to its
	# group) must not cut the cleanup short.
	trap '' INT TERM HUP
	# The program a runner waits for (fx_wait), in a group of its own.
	[ -z "${FX_FG:-}" ] || stop_bg "$FX_FG"
	for pid in "${FX_PIDS[@]}"; do
		stop_bg "$pid"
	done
	FX_PIDS=()
	# The script's own background jobs (readers, a sync to be killed):
	# they ignore SIGINT, being background jobs of a non-interactive shell.
	for pid in $(jobs -p); do
		kill -TERM "$pid" 2>/dev/null
	done
	if [ -n "$FX_DIR" ] && [ -d "$FX_DIR" ]; then
		if [ "${FX_KEEP:-0}" = 1 ]; then
			note "kept $FX_DIR"
		else
			rm -rf -- "$FX_DIR"
		fi
	fi
}

# start_bg LOGFILE CMD...: start CMD in its own process group (setsid) so that
# stop_bg also reaches what it forked (sshd sessions, sentry-source children,
# the sync that outlives the HTTP answer).  Sets FX_BG_PID.
start_bg() {
	local log=$1
	shift
	# A background job of a non-interactive shell is never a group leader,
	# so setsid does not fork and $! is the new group's id.
	setsid "$@" </dev/null >>"$log" 2>&1 &
	FX_BG_PID=$!
	FX_PIDS+=("$FX_BG_PID")
}

# stop_bg PID: TERM the process group PID leads, then KILL it after 3 s.
stop_bg() {
	local pid=$1 i
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 30); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# fx_wait PID: wait for PID, a program started in the background so that a
# signal to the script is acted on at once (bash runs a trap only once the
# foreground program is done), and stopped by the cleanup meanwhile.
# Returns its exit status.
fx_wait() {
	FX_FG=$1
	wait "$1"
	set -- $?
	FX_FG=""
	return "$1"
}

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
# bash's /dev/tcp, because python may be missing on a fresh Debian.
port_open() {
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# free_port: print a port nobody listens on.  Drawn from 20000-31999, below
# Linux's ephemeral range (32768+), so outgoing connections do not take it.
# Racy by nature: the starters retry with another port if the bind fails.
free_port() {
	local i port
	for i in $(seq 1 50); do
		port=$((20000 + RANDOM % 12000))
		if ! port_open "$port"; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	fx_fail "no free port found"
}

# wait_port PORT PID SECONDS: wait until PORT accepts connections; fail early
# if PID died (typically: the port was taken between free_port and bind).
wait_port() {
	local port=$1 pid=$2 secs=$3 i
	for i in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || return 1
		port_open "$port" && return 0
		sleep 0.1
	done
	return 1
}

# fixture_git_env: quiet, deterministic git that ignores the machine's config.
fixture_git_env() {
	export GIT_CONFIG_NOSYSTEM=1
	export HOME="$FX_DIR/home"
	export XDG_CONFIG_HOME="$HOME/.config"
	export GIT_TERMINAL_PROMPT=0
	export GIT_ADVICE=0
	export LC_ALL=C
	unset GIT_DIR GIT_WORK_TREE GIT_SSH GIT_SSH_COMMAND GIT_ASKPASS SSH_ASKPASS
	mkdir -p "$XDG_CONFIG_HOME"
	git config --global user.name "Fixture"
	git config --global user.email "fixture@example.invalid"
	git config --global init.defaultBranch main
	git config --global advice.detachedHead false
	git config --global core.hooksPath /dev/null
}

# gen_key TYPE FILE [COMMENT]: a passphrase-less key pair, no prompts.
gen_key() {
	local bits=()
	[ "$1" = rsa ] && bits=(-b 3072)
	ssh-keygen -q -t "$1" "${bits[@]}" -N '' -C "${3:-fixture}" -f "$2" </dev/null >/dev/null ||
		fx_fail "ssh-keygen -t $1 failed"
}

# fx_cached NAME DEST: copy the key set NAME (keys, sshd, otherhost) of
# FX_KEY_CACHE into DEST, private keys 0600; false when there is no cache.
# tests/run.sh makes the cache once per run (fixture_key_cache) and exports
# it: generating them took 2 to 20 s per script, an RSA key most of it. A
# script run alone makes its own.
fx_cached() {
	[ -n "${FX_KEY_CACHE:-}" ] && [ -f "$FX_KEY_CACHE/$1/.complete" ] || return 1
	mkdir -p "$2" && cp -p "$FX_KEY_CACHE/$1"/* "$2"/ || fx_fail "cannot copy the cached $1 keys" ||
		return 1
	find "$2" -maxdepth 1 -type f ! -name '*.pub' -exec chmod 600 {} +
}

# fixture_key_cache DIR: make every key set a fixture uses, under DIR, for
# FX_KEY_CACHE. The .complete file marks a set whole.
fixture_key_cache() {
	local FX_DIR=$1 set
	for set in keys sshd otherhost; do
		rm -rf -- "${FX_DIR:?}/$set"
	done
	FX_KEY_CACHE="" make_client_keys || return 1
	FX_KEY_CACHE="" make_host_keys "$FX_DIR/sshd" || return 1
	FX_KEY_CACHE="" make_host_keys "$FX_DIR/otherhost" || return 1
	for set in keys sshd otherhost; do
		: >"$FX_DIR/$set/.complete"
	done
}

# make_client_keys: the authorized ed25519 key, an ed25519 key the server
# does not know (wrong-key test), an authorized ECDSA key, an authorized
# ed25519 key under a passphrase (in FX_PASSPHRASE_FILE), and an authorized
# RSA key (libssh2 1.10 only signs with ssh-rsa/SHA-1, which OpenSSH >= 8.8
# refuses, so that one must fail with advice).
make_client_keys() {
	mkdir -p "$FX_DIR/keys"
	FX_KEY="$FX_DIR/keys/id_ed25519"
	FX_KEY_UNAUTHORIZED="$FX_DIR/keys/id_ed25519_unauthorized"
	FX_KEY_ECDSA="$FX_DIR/keys/id_ecdsa"
	FX_KEY_RSA="$FX_DIR/keys/id_rsa"
	FX_KEY_PASS="$FX_DIR/keys/id_ed25519_pass"
	FX_PASSPHRASE_FILE="$FX_DIR/keys/passphrase"
	FX_AUTHORIZED_KEYS="$FX_DIR/authorized_keys"
	if fx_cached keys "$FX_DIR/keys"; then
		cat "$FX_KEY.pub" "$FX_KEY_ECDSA.pub" "$FX_KEY_PASS.pub" "$FX_KEY_RSA.pub" \
			>"$FX_AUTHORIZED_KEYS"
		return
	fi
	gen_key ed25519 "$FX_KEY" fixture-authorized || return 1
	gen_key ed25519 "$FX_KEY_UNAUTHORIZED" fixture-unauthorized || return 1
	gen_key ecdsa "$FX_KEY_ECDSA" fixture-ecdsa || return 1
	gen_key rsa "$FX_KEY_RSA" fixture-rsa || return 1
	printf 'correct horse battery staple\n' >"$FX_PASSPHRASE_FILE"
	chmod 600 "$FX_PASSPHRASE_FILE"
	ssh-keygen -q -t ed25519 -N 'correct horse battery staple' -C fixture-pass \
		-f "$FX_KEY_PASS" </dev/null >/dev/null || fx_fail "ssh-keygen with a passphrase failed" ||
		return 1
	cat "$FX_KEY.pub" "$FX_KEY_ECDSA.pub" "$FX_KEY_PASS.pub" "$FX_KEY_RSA.pub" \
		>"$FX_AUTHORIZED_KEYS"
}

# make_host_keys DIR: ed25519, ecdsa and rsa host keys, as sshd names them;
# the cached set named as DIR's last component when there is one.
make_host_keys() {
	local t
	fx_cached "$(basename "$1")" "$1" && return 0
	mkdir -p "$1"
	for t in ed25519 ecdsa rsa; do
		gen_key "$t" "$1/ssh_host_${t}_key" fixture-host || return 1
	done
}

# write_sshd_config PORT: a private sshd.  StrictModes off because the work
# dir lives under /tmp; PAM off so no system login policy gets involved.
# Paths are quoted in case TMPDIR holds a space.
write_sshd_config() {
	local d="$FX_DIR/sshd"
	cat >"$d/sshd_config" <<-EOF
		Port $1
		ListenAddress 127.0.0.1
		HostKey "$d/ssh_host_ed25519_key"
		HostKey "$d/ssh_host_ecdsa_key"
		HostKey "$d/ssh_host_rsa_key"
		PidFile "$d/sshd.pid"
		AuthorizedKeysFile "$FX_AUTHORIZED_KEYS"
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		PermitRootLogin prohibit-password
		AllowUsers $FX_USER
		X11Forwarding no
		AllowTcpForwarding no
		PrintMotd no
		LogLevel VERBOSE
	EOF
}

# start_sshd: start /usr/sbin/sshd -D -e on a free port and wait for it.
# Sets FX_SSH_PORT and FX_SSHD_PID.  Retries with another port on a lost race.
start_sshd() {
	local d="$FX_DIR/sshd" attempt port
	mkdir -p "$d"
	make_host_keys "$d" || return 1
	# sshd wants its privilege separation directory when run as root.
	if [ "$(id -u)" = 0 ]; then
		mkdir -p /run/sshd && chmod 0755 /run/sshd
	fi
	for attempt in 1 2 3 4 5; do
		port=$(free_port) || return 1
		write_sshd_config "$port"
		if ! /usr/sbin/sshd -t -f "$d/sshd_config" 2>"$d/sshd-t.log"; then
			cat "$d/sshd-t.log" >&2
			fx_fail "sshd rejected its config"
			return 1
		fi
		# sshd re-executes itself, hence the absolute path.
		start_bg "$d/sshd.log" /usr/sbin/sshd -D -e -f "$d/sshd_config"
		if wait_port "$port" "$FX_BG_PID" 10; then
			FX_SSH_PORT=$port
			FX_SSHD_PID=$FX_BG_PID
			return 0
		fi
		stop_bg "$FX_BG_PID"
		note "sshd did not come up on port $port (attempt $attempt)"
	done
	sed 's/^/# sshd: /' "$d/sshd.log" >&2
	fx_fail "could not start sshd"
}

# host_pub_lines DIR NAME: known_hosts lines for the host keys in DIR,
# ssh-rsa first (see make_known_hosts).
host_pub_lines() {
	local t
	for t in rsa ecdsa ed25519; do
		awk -v n="$2" '{ print n, $1, $2 }' "$1/ssh_host_${t}_key.pub"
	done
}

# make_known_hosts: scan the running sshd (this proves it serves our keys)
# into FX_KNOWN_HOSTS, and make FX_KNOWN_HOSTS_OTHER: a different host key
# set under the same [127.0.0.1]:PORT name, for the changed-host-key test.
make_known_hosts() {
	local name="[127.0.0.1]:$FX_SSH_PORT" raw="$FX_DIR/keyscan.raw" i
	FX_KNOWN_HOSTS="$FX_DIR/known_hosts"
	FX_KNOWN_HOSTS_OTHER="$FX_DIR/known_hosts.other"
	for i in 1 2 3; do
		ssh-keyscan -T 5 -t rsa,ecdsa,ed25519 -p "$FX_SSH_PORT" 127.0.0.1 \
			</dev/null 2>/dev/null | grep -v '^#' >"$raw"
		[ "$(wc -l <"$raw")" -eq 3 ] && break
		sleep 0.5
	done
	[ "$(wc -l <"$raw")" -eq 3 ] || fx_fail "ssh-keyscan got $(wc -l <"$raw") keys, want 3" || return 1
	# Each scanned key must be one of ours: nobody else answered on the port.
	if ! diff <(sort "$raw") <(host_pub_lines "$FX_DIR/sshd" "$name" | sort) >&2; then
		fx_fail "ssh-keyscan on $name did not return our host keys"
		return 1
	fi
	# ssh-rsa first, as ssh-keyscan usually writes it; sorted to be sure.
	{ grep ' ssh-rsa ' "$raw"; grep -v ' ssh-rsa ' "$raw"; } >"$FX_KNOWN_HOSTS"
	make_host_keys "$FX_DIR/otherhost" || return 1
	host_pub_lines "$FX_DIR/otherhost" "$name" >"$FX_KNOWN_HOSTS_OTHER"
}

# ssh_command KEY KNOWN_HOSTS: a GIT_SSH_COMMAND that uses only what it is
# given (no ~/.ssh, no agent, no prompt), for checking the fixture with git.
ssh_command() {
	printf 'ssh -F /dev/null -i %q -o IdentitiesOnly=yes -o IdentityAgent=none' "$1"
	printf ' -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=yes'
	# ssh splits this option's value on spaces (it takes a list): quote it.
	printf ' -o %q -o GlobalKnownHostsFile=/dev/null\n' "UserKnownHostsFile=\"$2\""
}

# ssh_clone KEY KNOWN_HOSTS DEST: plain git clone of FX_CLONE_URL over ssh.
ssh_clone() {
	GIT_SSH_COMMAND=$(ssh_command "$1" "$2") timeout 60 \
		git clone -q "$FX_CLONE_URL" "$3" </dev/null
}

# fx_git_commit DIR MESSAGE: commit one new line, with a date taken from a
# counter so that a fixture run always produces the same object ids.
fx_git_commit() {
	local n
	n=$(($(cat "$FX_DIR/git/counter") + 1))
	printf '%s\n' "$n" >"$FX_DIR/git/counter"
	printf '%s %s\n' "$n" "$2" >>"$1/history.txt"
	git -C "$1" add history.txt &&
		GIT_AUTHOR_DATE="@$((1700000000 + n * 60)) +0000" \
			GIT_COMMITTER_DATE="@$((1700000000 + n * 60)) +0000" \
			git -C "$1" commit -q -m "$2"
}

# make_repo: bare FX_REPO with main (2 commits) and develop (main + 2), built
# through a scratch clone on the local filesystem (no ssh involved).
make_repo() {
	local s="$FX_DIR/git/scratch"
	FX_REPO="$FX_DIR/repo.git"
	mkdir -p "$FX_DIR/git"
	printf '0\n' >"$FX_DIR/git/counter"
	git init -q --bare "$FX_REPO" &&
		git clone -q "$FX_REPO" "$s" 2>/dev/null &&
		fx_git_commit "$s" "main: first" &&
		fx_git_commit "$s" "main: second" &&
		git -C "$s" push -q origin main &&
		git -C "$s" checkout -q -b develop &&
		fx_git_commit "$s" "develop: first" &&
		fx_git_commit "$s" "develop: second" &&
		git -C "$s" push -q origin develop ||
		fx_fail "could not build $FX_REPO"
}

# push_file BRANCH PATH CONTENT: push a commit that writes PATH; prints its oid.
push_file() {
	local s="$FX_DIR/git/scratch" b=$1
	git -C "$s" fetch -q origin >&2 &&
		git -C "$s" checkout -q -B "$b" "origin/$b" >&2 &&
		printf '%s\n' "$3" >"$s/$2" &&
		git -C "$s" add -- "$2" &&
		fx_git_commit "$s" "$b: add $2" >&2 &&
		git -C "$s" push -q origin "$b" >&2 &&
		git -C "$s" rev-parse HEAD
}

# push_commit BRANCH [MESSAGE]: add a commit on BRANCH of FX_REPO (local path,
# not ssh) and print its oid.  The branch is created from main if missing.
push_commit() {
	local s="$FX_DIR/git/scratch" b=$1 msg=${2:-}
	[ -n "$msg" ] || msg="$b: commit $(($(cat "$FX_DIR/git/counter") + 1))"
	git -C "$s" fetch -q origin >&2 || return 1
	if git -C "$s" rev-parse -q --verify "refs/remotes/origin/$b" >/dev/null; then
		git -C "$s" checkout -q -B "$b" "origin/$b" >&2
	else
		git -C "$s" checkout -q -B "$b" origin/main >&2
	fi &&
		fx_git_commit "$s" "$msg" >&2 &&
		git -C "$s" push -q origin "$b" >&2 &&
		git -C "$s" rev-parse HEAD
}

# repo_tip BRANCH: the oid of BRANCH in FX_REPO.
repo_tip() {
	git --git-dir="$FX_REPO" rev-parse "refs/heads/$1"
}

# write_config FILE [LINE...]: a valid stash-develop config for the fixture.
# Each extra LINE of the form KEY=value replaces that key's default, "-KEY"
# drops the key, anything else (unknown keys, comments) is appended as is.
write_config() {
	local file=$1 line key i found
	shift
	local -a keys=(SOURCE CLONE_URL CLONE_PATH SSH_KEYPATH KNOWN_HOSTS)
	local -a vals=(stash-develop "$FX_CLONE_URL" "$FX_CLONE_PATH" "$FX_KEY" "$FX_KNOWN_HOSTS")
	local -a tail=()
	for line in "$@"; do
		found=0
		key=${line#-}
		key=${key%%=*}
		for i in "${!keys[@]}"; do
			[ "${keys[$i]}" = "$key" ] || continue
			found=1
			if [ "${line:0:1}" = - ]; then
				vals[i]=$'\x01' # dropped
			else
				vals[i]=${line#*=}
			fi
		done
		[ "$found" = 1 ] || tail+=("$line")
	done
	{
		printf '# sentry-source test config (tests/lib.sh)\n'
		for i in "${!keys[@]}"; do
			[ "${vals[$i]}" = $'\x01' ] || printf '%s=%s\n' "${keys[$i]}" "${vals[$i]}"
		done
		for line in "${tail[@]}"; do
			printf '%s\n' "$line"
		done
	} >"$file"
	# The programs refuse a config others may write (as ssh does): the
	# mode is set, not left to the caller's umask.
	chmod 0644 "$file"
}

# make_request METHOD PATH CONTENT_TYPE BODYFILE [HEADER...] > out.http
# A raw HTTP/1.1 request with CRLF line ends.  An empty CONTENT_TYPE leaves
# the header out; an empty BODYFILE sends no body and no Content-Length.
make_request() {
	local method=$1 path=$2 ctype=$3 body=$4 h
	shift 4
	printf '%s %s HTTP/1.1\r\n' "$method" "$path"
	printf 'Host: 127.0.0.1\r\n'
	printf 'User-Agent: sentry-source-tests\r\n'
	[ -z "$ctype" ] || printf 'Content-Type: %s\r\n' "$ctype"
	[ -z "$body" ] || printf 'Content-Length: %s\r\n' "$(wc -c <"$body" | tr -d ' ')"
	for h in "$@"; do
		printf '%s\r\n' "$h"
	done
	printf '\r\n'
	[ -z "$body" ] || cat -- "$body"
}

# stash_payload OUT REFID FROM TO TYPE: the real Stash Post-Receive body
# (stash/post-receive-branch-update.json) with its one refChanges entry
# rewritten; every other byte stays as captured.
stash_payload() {
	local out=$1 ref=$2 from=$3 to=$4 type=$5
	local src="$FX_PAYLOADS/stash/post-receive-branch-update.json"
	# The values go into a sed replacement: allow only what they can be.
	case "$ref$from$to$type" in *[!A-Za-z0-9/_.-]*) fx_fail "bad stash_payload value"; return 1 ;; esac
	sed -e 's|"refChanges":\[{"refId":"[^"]*","fromHash":"[^"]*","toHash":"[^"]*","type":"[^"]*"}\]|"refChanges":[{"refId":"'"$ref"'","fromHash":"'"$from"'","toHash":"'"$to"'","type":"'"$type"'"}]|' \
		"$src" >"$out" || return 1
	# Fail loudly if the corpus file ever stops matching the pattern.
	grep -qF "\"refId\":\"$ref\",\"fromHash\":\"$from\",\"toHash\":\"$to\",\"type\":\"$type\"" "$out" ||
		fx_fail "stash_payload: substitution did not apply to $src"
}

# stash_payload_develop OUT FROM TO [TYPE]: the same for refs/heads/develop
# (TYPE defaults to UPDATE).
stash_payload_develop() {
	stash_payload "$1" refs/heads/develop "$2" "$3" "${4:-UPDATE}"
}

# start_front CONF: serve ./sentry-source -c CONF on a free port through
# systemd-socket-activate (one process per connection, inetd style), as in
# production.  Sets FX_HTTP_PORT and FX_FRONT_PID; log in $FX_DIR/front.log.
start_front() {
	local conf=$1 attempt port v pass=()
	# A sanitized run's options, so that its reports name the script
	# (tests/lib-sanitize.sh).
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v:-}" ] || pass+=(-E "$v")
	done
	for attempt in 1 2 3 4 5; do
		port=$(free_port) || return 1
		# It does not pass our environment on: name what the child needs.
		export SENTRY_SOURCE_EXEC_PATH="${SENTRY_SOURCE_EXEC_PATH:-$FX_ROOT}"
		# HOME too, so libgit2 sees the fixture's empty git config.
		# env -C: ./sentry-source is relative to the build tree.
		start_bg "$FX_DIR/front.log" env -C "$FX_ROOT" \
			systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
			-E SENTRY_SOURCE_EXEC_PATH -E HOME "${pass[@]}" \
			./sentry-source -c "$conf"
		FX_FRONT_PID=$FX_BG_PID
		if wait_port "$port" "$FX_FRONT_PID" 10; then
			FX_HTTP_PORT=$port
			return 0
		fi
		stop_bg "$FX_FRONT_PID"
		note "systemd-socket-activate did not come up on port $port (attempt $attempt)"
	done
	sed 's/^/# front: /' "$FX_DIR/front.log" >&2
	fx_fail "could not start systemd-socket-activate"
}

# wait_log FILE PATTERN SECONDS: wait until FILE has a line matching the
# grep -E PATTERN. A front logs after it has answered, so the answer can
# reach curl before the log line reaches the file.
wait_log() {
	local i
	for i in $(seq 1 $(($3 * 5))); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# wait_head DIR OID SECONDS: wait until the checkout DIR has HEAD at OID
# (the sync runs after the HTTP answer, so it lands a little later).
wait_head() {
	local i
	for i in $(seq 1 $(($3 * 5))); do
		[ "$(git -C "$1" rev-parse -q --verify HEAD 2>/dev/null)" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# flock_held FILE: some process holds an flock on FILE, read from
# /proc/locks. A probe that takes the lock itself, even for a moment
# (flock -n FILE true), can make a sync that tries it then with LOCK_NB
# believe another sync waits, and step aside.
flock_held() {
	local ino
	ino=$(stat -c %i -- "$1" 2>/dev/null) || return 1
	grep -qE "^[0-9]+: FLOCK +ADVISORY +WRITE +[0-9]+ [0-9a-f]+:[0-9a-f]+:$ino " /proc/locks
}

# fixture_setup: everything above, in order.  Sets, for the tests:
#   FX_DIR FX_USER FX_SSH_PORT FX_KEY FX_KEY_UNAUTHORIZED FX_KEY_RSA
#   FX_KNOWN_HOSTS FX_KNOWN_HOSTS_OTHER FX_REPO FX_CLONE_URL FX_CLONE_PATH
#   FX_PAYLOADS FX_ROOT FX_ZERO
fixture_setup() {
	[ -d "$FX_PAYLOADS/stash" ] || fx_fail "payload corpus not found at $FX_PAYLOADS" || return 1
	fixture_init || return 1
	# The work dir ends up in CLONE_URL, which may not hold blanks.
	case "$FX_DIR" in *[[:space:]]*) fx_fail "TMPDIR must not contain blanks: $FX_DIR" || return 1 ;; esac
	fixture_git_env || return 1
	# What the programs under test leave in TMPDIR (RUN='s directory of a
	# sync killed by a test) goes with the fixture. 1777 as /tmp, for a
	# test that runs them as another user.
	mkdir -p "$FX_DIR/tmp" && chmod 1777 "$FX_DIR/tmp" && export TMPDIR="$FX_DIR/tmp" ||
		fx_fail "no $FX_DIR/tmp" || return 1
	FX_USER=$(id -un)
	make_client_keys || return 1
	start_sshd || return 1
	make_known_hosts || return 1
	make_repo || return 1
	FX_CLONE_URL="ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$FX_REPO"
	FX_CLONE_PATH="$FX_DIR/srv/checkout"
	mkdir -p "$FX_DIR/srv"
}
