# shellcheck shell=bash
# tests/tap.sh: TAP output and program runners shared by the integration
# test files. Source it after tests/lib.sh, from the repository root.
# A file sets RUN_TIMEOUT (seconds per invocation) before running anything.

RUN_TIMEOUT=${RUN_TIMEOUT:-60}

# tap_fixture DIR...: the real sshd and repository of tests/lib.sh, a
# directory for each run's output and the extra DIRs under FX_DIR; the
# programs run are this build tree's, helper included.
tap_fixture() {
	local d
	export SENTRY_SOURCE_EXEC_PATH="$PWD"
	fixture_setup || bail "fixture setup failed"
	mkdir -p "$FX_DIR/run" || bail "no run directory"
	for d in "$@"; do
		mkdir -p "$FX_DIR/$d" || bail "no $d directory"
	done
}
n=0
RUN=0
OUT=/dev/null
ERR=/dev/null
RC=0

# --- TAP ---------------------------------------------------------------

# tap STATUS DESC: one result line; STATUS 0 is a pass.
tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$n" "$2"
	else
		printf 'not ok %d - %s\n' "$n" "$2"
		diag_last
	fi
	return "$1"
}

# skip DESC REASON: a check that cannot apply here; counts as passed.
skip() {
	n=$((n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$n" "$1" "$2"
}

# check DESC CMD...: pass if CMD succeeds.
check() {
	local desc=$1
	shift
	"$@" >/dev/null 2>&1
	tap $? "$desc"
}

# check_eq DESC WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		tap 0 "$1"
	else
		tap 1 "$1" || true
		printf '#   want: %s\n#   got:  %s\n' "$2" "$3"
		return 1
	fi
}

# diag_last: show what the last program run said, to debug a failure.
diag_last() {
	if [ -s "$OUT" ]; then
		printf '#   stdout of run %d:\n' "$RUN"
		head -c 2000 "$OUT" | tr -d '\r' | sed 's/^/#     /'
		echo
	fi
	if [ -s "$ERR" ]; then
		printf '#   stderr of run %d (last lines):\n' "$RUN"
		tail -n 15 "$ERR" | sed 's/^/#     /'
	fi
	printf '#   exit status of run %d: %s\n' "$RUN" "$RC"
}

bail() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

# --- parts --------------------------------------------------------------

# part NAME: is part NAME of the script to run? ONLY holds the names to
# run, blank-separated shell patterns (ONLY='kill* packs'); unset or empty,
# every part runs. A script asks before each part:
#   part kill && test_kill        or, in a function: part kill || return
part() {
	local p pats
	[ -n "${ONLY:-}" ] || return 0
	# read, not a bare $ONLY: a pattern is not to match file names here.
	read -r -a pats <<<"$ONLY"
	for p in "${pats[@]}"; do
		# shellcheck disable=SC2053 # a pattern on purpose
		[[ $1 == $p ]] && return 0
	done
	return 1
}

# run_parts FUNCTION...: call each test_NAME FUNCTION in turn whose NAME
# part selects.
run_parts() {
	local f
	for f in "$@"; do
		part "${f#test_}" || continue
		"$f"
	done
}

# --- running the programs ----------------------------------------------

# next_run: fresh files for one invocation's output.
next_run() {
	RUN=$((RUN + 1))
	OUT="$FX_DIR/run/$RUN.out"
	ERR="$FX_DIR/run/$RUN.err"
}

# front CONF REQUEST_FILE [ARG...]: socket mode with the request on stdin.
# In socket mode the front execs the helper, so RC is the sync's status.
front() {
	local conf=$1 req=$2
	shift 2
	next_run
	timeout -k 5 "$RUN_TIMEOUT" ./sentry-source -c "$conf" "$@" <"$req" >"$OUT" 2>"$ERR" &
	fx_wait $!
	RC=$?
}

# cli ARG...: any other invocation, no stdin.
cli() {
	next_run
	timeout -k 5 "$RUN_TIMEOUT" ./sentry-source "$@" </dev/null >"$OUT" 2>"$ERR" &
	fx_wait $!
	RC=$?
}

# status_line: the answer's status line without its CR.
status_line() { head -n 1 "$OUT" | tr -d '\r'; }

# answer_is CODE: the last answer has status CODE.
answer_is() { status_line | grep -qE "^HTTP/1\.1 $1( |\$)"; }

# header_has REGEX: a header line of the last answer matches (any case).
header_has() { sed '/^\r\{0,1\}$/q' "$OUT" | tr -d '\r' | grep -qiE "$1"; }

# body_has STRING: the body of the last answer contains STRING.
body_has() { sed '1,/^\r\{0,1\}$/d' "$OUT" | grep -qF -- "$1"; }

# post FILE [PATH]: a JSON POST request for FILE, written to FILE.http.
post() {
	make_request POST "${2:-/webhook}" application/json "$1" >"$1.http"
	printf '%s\n' "$1.http"
}

# --- checkout state ----------------------------------------------------

# state DIR: everything a sync could change: HEAD, the branch, all refs
# (a fetch alone moves origin/develop), the work tree.
state() {
	if [ ! -e "$1" ]; then
		echo absent
		return
	fi
	git -C "$1" rev-parse HEAD 2>&1
	git -C "$1" symbolic-ref -q HEAD 2>&1
	git -C "$1" for-each-ref --format='%(refname) %(objectname)' 2>&1
	git -C "$1" status --porcelain 2>&1
}

head_of() { git -C "$1" rev-parse -q --verify HEAD 2>/dev/null; }
branch_of() { git -C "$1" symbolic-ref -q --short HEAD 2>/dev/null; }

# no_tmp_sibling DIR: no ".<basename>.tmp-*" left beside DIR by a clone.
no_tmp_sibling() {
	! compgen -G "$(dirname "$1")/.$(basename "$1").tmp-*" >/dev/null
}

# is_our_checkout DIR: a non-bare work tree rooted at DIR, origin = CLONE_URL.
is_our_checkout() {
	[ "$(git -C "$1" rev-parse --show-toplevel 2>/dev/null)" = "$1" ] &&
		[ "$(git -C "$1" config remote.origin.url)" = "$FX_CLONE_URL" ]
}

clean_tree() { [ -z "$(git -C "$1" status --porcelain 2>&1)" ]; }

# not CMD...: succeed when CMD fails.
not() { ! "$@"; }
