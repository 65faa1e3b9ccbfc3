#!/bin/bash
# tests/integration-links.sh: pushes a contributor crafts (with git mktree,
# where porcelain refuses) against the real programs, over the real sshd of
# tests/lib.sh, in both publishing modes: a committed link that a later
# tree writes through, a link to a directory replaced by a directory, a
# checkout that fails (a full disk, a name too long) followed by a fix, a
# fetch that fails on a full disk. For each: nothing outside the work tree
# (or the release) changed, .git unchanged, the exit status and message,
# and the next good push deploys. Prints TAP. Needs `make` first.
# ONLY="name ..." runs some parts: links replace local clone names cut
# fail fetch.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=120

tap_fixture srv/in-place srv/releases canary
CANARY="$FX_DIR/canary"
S="$FX_DIR/git/scratch"
printf 'canary\n' >"$CANARY/keep"
# git mktree and fast-import accept what porcelain refuses; the host
# checks nothing (receive.fsckObjects is off by default).
git --git-dir="$FX_REPO" config receive.fsckObjects false

# --- the two publishing modes ----------------------------------------------

# mode_use MODE: CP, CONF and WT (where the live tree is) for MODE.
mode_use() {
	MODE=$1
	CP="$FX_DIR/srv/$MODE/checkout"
	CONF="$FX_DIR/$MODE.conf"
	if [ "$MODE" = releases ]; then
		write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases
		GITDIR="$CP.releases/repo.git"
	else
		write_config "$CONF" "CLONE_PATH=$CP"
		GITDIR="$CP/.git"
	fi
}

sync_now() { cli -c "$CONF" --sync; }
# live: the commit readers see.
live() {
	if [ "$MODE" = releases ]; then
		basename "$(readlink "$CP")" | sed 's/^[0-9TZ.]*-//'
	else
		head_of "$CP"
	fi
}

# --- crafting trees ----------------------------------------------------------

blob() { printf '%s' "$1" | git -C "$S" hash-object -w --stdin; }
# tree LINE...: a tree of "MODE TYPE OID<TAB>NAME" lines, as git mktree
# takes them (it sorts them, and keeps duplicates).
tree() { printf '%s\n' "$@" | git -C "$S" mktree; }
# base_entries: the entries of develop's tip, to build on.
base_entries() { git -C "$S" ls-tree "origin/develop"; }
# push_tree TREE MESSAGE: a commit of TREE on develop, pushed; prints it.
push_tree() {
	local c
	git -C "$S" fetch -q origin >&2 || return 1
	c=$(printf '%s\n' "$2" | git -C "$S" commit-tree "$1" -p origin/develop) &&
		git -C "$S" push -q origin "$c:refs/heads/develop" >&2 && printf '%s\n' "$c"
}
# push_with LINE...: develop's tree plus the entries given, which replace
# those of the same name; prints the commit.
push_with() {
	local t
	git -C "$S" fetch -q origin >&2 || return 1
	t=$({ base_entries | awk -F '\t' -v drop="$(printf '%s\n' "$@" | cut -f2)" \
		'BEGIN { split(drop, d, "\n"); for (i in d) skip[d[i]] = 1 } !($2 in skip)'
		printf '%s\n' "$@"; } | git -C "$S" mktree) || return 1
	push_tree "$t" "crafted"
}
# push_also LINE...: develop's tree plus the entries given, beside those of
# the same name (a duplicate entry); prints the commit.
push_also() {
	local t
	git -C "$S" fetch -q origin >&2 || return 1
	t=$({ base_entries; printf '%s\n' "$@"; } | git -C "$S" mktree) || return 1
	push_tree "$t" "crafted"
}
# push_good: develop's tree without what the cases add, and a new file;
# prints the commit.
push_good() {
	local t
	git -C "$S" fetch -q origin >&2 || return 1
	t=$(base_entries | grep -vP '\t(h|big|x{200,}|\.git|\.GIT|\.Git|git~1|\.\.|\.)$' |
		{ cat; printf '100644 blob %s\tgood-%s\n' "$(blob "good $RANDOM")" "$RANDOM"; } |
		git -C "$S" mktree) || return 1
	push_tree "$t" "good"
}

# --- what must not change ----------------------------------------------------

# outside: everything a push must not touch: the checkout's parent
# (without the checkout, its releases and the sync's own files), HOME, the
# canary, and .git's hooks, config and HEAD.
outside() {
	(cd "$FX_DIR/srv/$MODE" && find . -path ./checkout -prune -o \
		-path ./checkout.releases -prune -o -name 'checkout.*' -prune -o -print | sort)
	find "$CANARY" "$HOME" -printf '%p %y %s %m\n' | sort
	find "$GITDIR/hooks" -printf '%p %y %s\n' 2>/dev/null | sort
	cat "$GITDIR/config" "$GITDIR/HEAD" 2>/dev/null
	find "$CP.releases" -maxdepth 1 -name 'pwned*' 2>/dev/null
	find "$FX_DIR" -name 'pwned*' ! -path "$CP/*" ! -path "$CP.releases/2*" \
		! -path "$CP.releases/.new-*" ! -path "$CP.releases/.failed-*" 2>/dev/null
}

# the_same BEFORE DESC: outside() is what it was.
the_same() {
	local now
	now=$(outside)
	if [ "$now" = "$1" ]; then
		tap 0 "$2"
	else
		tap 1 "$2" || true
		diff <(printf '%s\n' "$1") <(printf '%s\n' "$now") | head -20 | sed 's/^/#   /'
	fi
}

# good_push_deploys DESC: a good push afterwards is live.
good_push_deploys() {
	local c
	c=$(push_good)
	sync_now
	check_eq "$MODE: $1: the next good push deploys" "0 $c" "$RC $(live)"
}

# --- cases ---------------------------------------------------------------------

# through TARGET: push 1 a link h -> TARGET; push 2 a tree with both h and
# h/pwned (a duplicate entry).
case_through() {
	local target=$1 before link sub
	before=$(outside)
	link=$(blob "$target")
	push_with "120000 blob $link	h" >/dev/null
	sync_now
	sub=$(tree "100755 blob $(blob '#!/bin/sh
touch /tmp/pwned')	pwned")
	push_also "040000 tree $sub	h" >/dev/null
	sync_now
	# The tree check refuses a duplicate entry before the checkout's own
	# check of the directories above each path can see it.
	check_eq "$MODE: h -> $target, then h/pwned beside h: refused (8)" 8 "$RC"
	check "$MODE: ... the message names h as a duplicate entry" \
		grep -q '"h": contains duplicate file entries; nothing written' "$ERR"
	[ "$MODE" = in-place ] && check "$MODE: ... no record of a move left" \
		test ! -e "$CP/.git/sentry-source-move"
	the_same "$before" "$MODE: h -> $target, then h/pwned: nothing written outside, .git unchanged"
	good_push_deploys "h -> $target"
}

# replace TARGET: push 1 a link h -> TARGET; push 2 replaces it with a
# directory h/ (plain git can push this).
case_replace() {
	local target=$1 before link sub c
	before=$(outside)
	link=$(blob "$target")
	push_with "120000 blob $link	h" >/dev/null
	sync_now
	check_eq "$MODE: a link h -> $target deploys" 0 "$RC"
	sub=$(tree "100644 blob $(blob 'file in h')	pwned" "100644 blob $(blob 'keep')	keep")
	c=$(push_with "040000 tree $sub	h")
	sync_now
	check_eq "$MODE: the link h -> $target replaced by a directory h/: deployed" "0 $c" \
		"$RC $(live)"
	if [ "$MODE" = in-place ]; then
		check "$MODE: ... h is a directory, not a link" test -d "$CP/h" -a ! -L "$CP/h"
		check "$MODE: ... the work tree is clean" clean_tree "$CP"
	fi
	check "$MODE: ... the log lists nothing under the link's target" not grep -q "keep" "$ERR"
	the_same "$before" "$MODE: h -> $target replaced by h/: nothing written outside"
	good_push_deploys "h -> $target replaced"
}

# lists_nothing_behind DESC: no file under the canary is named in the log
# or the status record.
lists_nothing_behind() {
	check "$MODE: $1: the log and the status record name nothing behind the link" \
		not grep -qE "dir-of-the-machine|keep" "$ERR" "$CP.status"
}

# untracked_link: a link nobody committed where the push puts h/.
case_untracked_link() {
	local before sub c
	before=$(outside)
	ln -s "$CANARY" "$CP/h"
	sub=$(tree "100644 blob $(blob 'file in h')	pwned" "100644 blob $(blob 'keep')	keep")
	c=$(push_with "040000 tree $sub	h")
	sync_now
	check_eq "$MODE: an untracked link h where the push puts h/: refused" 5 "$RC"
	check "$MODE: ... named" grep -q "refusing to overwrite or remove h, which no commit" "$ERR"
	lists_nothing_behind "an untracked link"
	rm "$CP/h"
	the_same "$before" "$MODE: an untracked link: nothing written outside"
	sync_now
	check_eq "$MODE: ... the link removed by hand, the push deploys" "0 $c" "$RC $(live)"
	good_push_deploys "an untracked link"
}

# modified_link: a committed link changed here to point at the canary.
case_modified_link() {
	local before sub c
	before=$(outside)
	push_with "120000 blob $(blob somewhere)	h" >/dev/null
	sync_now
	ln -sfn "$CANARY" "$CP/h"
	sub=$(tree "100644 blob $(blob 'file in h')	pwned" "100644 blob $(blob 'keep')	keep")
	c=$(push_with "040000 tree $sub	h")
	sync_now
	check_eq "$MODE: a committed link changed here, then h/ pushed: refused" 5 "$RC"
	check "$MODE: ... named as a local modification" grep -q "local modifications.*: h$" "$ERR"
	lists_nothing_behind "a changed link"
	git -C "$CP" checkout -q -- h
	the_same "$before" "$MODE: a changed link: nothing written outside"
	sync_now
	check_eq "$MODE: ... the link put back, the push deploys" "0 $c" "$RC $(live)"
	good_push_deploys "a changed link"
}

# first_clone: the first sync of a tree with h -> .. and h/pwned.
case_first_clone() {
	local conf="$FX_DIR/fresh-$MODE.conf" fresh="$FX_DIR/srv/$MODE/fresh" sub c
	sub=$(tree "100755 blob $(blob 'x')	pwned")
	push_also "120000 blob $(blob ..)	h" "040000 tree $sub	h" >/dev/null
	if [ "$MODE" = releases ]; then
		write_config "$conf" "CLONE_PATH=$fresh" PUBLISH=releases
	else
		write_config "$conf" "CLONE_PATH=$fresh"
	fi
	cli -c "$conf" --sync
	check_eq "$MODE: a first clone of h -> .. beside h/pwned: refused (8)" 8 "$RC"
	check "$MODE: ... the message names h" grep -q '"h": contains duplicate file entries' "$ERR"
	check "$MODE: ... nothing written anywhere" \
		test -z "$(find "$FX_DIR/srv" -name 'pwned*' ! -path "$CP/*" ! -path "$CP.releases/*")"
	check "$MODE: ... nothing at CLONE_PATH" test ! -e "$fresh"
	c=$(push_good)
	cli -c "$conf" --sync
	check_eq "$MODE: ... the next good push is cloned" "0 $c" "$RC $(head_of "$fresh" ||
		basename "$(readlink "$fresh")" | sed 's/^[0-9TZ.]*-//')"
	sync_now
}

# a_record_of_a_bad_move: what a kill during a move to a tree that cannot
# be checked out leaves; the next sync moves back and deploys the fix.
case_bad_record() {
	local was bad c
	was=$(live)
	bad=$(push_with "100644 blob $(blob long)	$(printf 'x%.0s' $(seq 1 300))")
	sync_now
	printf '%s %s %s develop\n' "$was" "$bad" "$was" >"$CP/.git/sentry-source-move"
	c=$(push_good)
	sync_now
	check_eq "$MODE: a record of a move to a tree that cannot be checked out: the fix deploys" \
		"0 $c" "$RC $(live)"
	check "$MODE: ... the log says it gave the move up" grep -q "back where it was" "$ERR"
	check "$MODE: ... no record left" test ! -e "$CP/.git/sentry-source-move"
}

# refused_names: names libgit2 will not write (git's own, in the
# spellings it refuses, and ..), each in a push of its own; the next good
# push deploys each time.
case_refused_names() {
	local before name sub was c
	before=$(outside)
	sub=$(tree "100755 blob $(blob '#!/bin/sh
touch /tmp/pwned')	post-checkout")
	for name in .git .GIT git~1 .. . .Git; do
		was=$(live)
		c=$(push_also "040000 tree $sub	$name") || { tap 1 "$MODE: a tree $name/ pushed"; continue; }
		sync_now
		check_eq "$MODE: a directory named $name: refused (8), nothing live changed" "8 $was" \
			"$RC $(live)"
		[ "$MODE" = in-place ] && check "$MODE: ... $name: no record of a move left" \
			test ! -e "$CP/.git/sentry-source-move"
		good_push_deploys "a directory named $name"
	done
	check "$MODE: ... no hook written" test ! -e "$GITDIR/hooks/post-checkout"
	the_same "$before" "$MODE: names git refuses: nothing written outside, .git unchanged"
}

# --- a checkout that fails, a fetch that fails -------------------------------

# tiny_use MODE SIZE: MODE with CLONE_PATH on a tmpfs of SIZE of its own.
TINY=()
tiny_use() {
	local dir="$FX_DIR/srv/tiny-$1"
	mkdir -p "$dir"
	mountpoint -q "$dir" || mount -t tmpfs -o "size=$2,mode=755" tiny "$dir" || return 1
	TINY+=("$dir")
	mode_use "$1"
	CP="$dir/checkout"
	if [ "$MODE" = releases ]; then
		write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases
		GITDIR="$CP.releases/repo.git"
	else
		write_config "$CONF" "CLONE_PATH=$CP"
		GITDIR="$CP/.git"
	fi
}
tiny_done() {
	local d
	for d in "${TINY[@]}"; do
		umount "$d" 2>/dev/null
	done
	TINY=()
}
trap 'tiny_done; fixture_cleanup' EXIT

# moved_back OID DESC [STATUS [WORD]]: the sync failed with exit STATUS
# (1: the checkout failed and moved back; 8: the tree check refused it),
# and left the live tree at OID, whole, with no record of a move for the
# next sync to retry; --status says WORD (fail).
moved_back() {
	check_eq "$MODE: $2: exit ${3:-1}" "${3:-1}" "$RC"
	check_eq "$MODE: $2: still live: the commit before" "$1" "$(live)"
	if [ "$MODE" = in-place ]; then
		check "$MODE: $2: the work tree is clean" clean_tree "$CP"
		check "$MODE: $2: no record of a move left" test ! -e "$CP/.git/sentry-source-move"
		check "$MODE: $2: the log says it moved back, or wrote nothing" \
			grep -qE "back where it was|; nothing written" "$ERR"
	else
		check "$MODE: $2: no unfinished release left" \
			not compgen -G "$CP.releases/.new-*"
	fi
	cli -c "$CONF" --status
	check "$MODE: $2: --status reports the failure" grep -qi "${4:-fail}" "$OUT"
}

# failing_checkout: a file larger than the disk (zeros: a small pack),
# then a name longer than NAME_MAX (which the tree check refuses before
# anything is written); each followed by a fix that deploys.
case_failing_checkout() {
	local before was big
	before=$(outside)
	was=$(live)
	big=$(head -c 48M /dev/zero | git -C "$S" hash-object -w --stdin)
	push_with "100644 blob $big	big" >/dev/null
	sync_now
	moved_back "$was" "a file larger than the disk"
	check "$MODE: ... the disk is not left full" test "$(df --output=avail "$CP/" | tail -1)" -gt 8000
	good_push_deploys "after a full disk"
	the_same "$before" "$MODE: a full disk: nothing written outside"
	was=$(live)
	push_with "100644 blob $(blob long)	$(printf 'x%.0s' $(seq 1 256))" >/dev/null
	sync_now
	moved_back "$was" "a name of 256 bytes" 8 refused
	good_push_deploys "after a name of 256 bytes"
	was=$(live)
	push_with "040000 tree $(tree "100644 blob $(blob in)	in")	$(printf 'x%.0s' $(seq 1 256))" \
		>/dev/null
	sync_now
	moved_back "$was" "a directory name of 256 bytes" 8 refused
	good_push_deploys "after a directory name of 256 bytes"
}

# failing_fetch: a pack larger than the disk (random bytes); nothing of
# it left; the fix is a force push that drops it.
case_failing_fetch() {
	local was base t c
	was=$(live)
	git -C "$S" fetch -q origin
	base=$(git -C "$S" rev-parse origin/develop)
	head -c 48M /dev/urandom >"$FX_DIR/random"
	push_with "100644 blob $(git -C "$S" hash-object -w "$FX_DIR/random")	big" >/dev/null
	sync_now
	check_eq "$MODE: a pack larger than the disk: exit 1" 1 "$RC"
	check "$MODE: ... the log says the fetch failed" grep -q "fetch from .* failed" "$ERR"
	check_eq "$MODE: ... still live: the commit before" "$was" "$(live)"
	check_eq "$MODE: ... no partial pack, temporary or lock file left" "" "$(no_leftovers)"
	cli -c "$CONF" --status
	check "$MODE: ... --status reports the failure" grep -qi "fail" "$OUT"
	t=$(git -C "$S" rev-parse "$base^{tree}")
	c=$(printf 'fix\n' | git -C "$S" commit-tree "$t" -p "$base")
	git -C "$S" push -q -f origin "$c:refs/heads/develop"
	sync_now
	check_eq "$MODE: ... a force push that drops it deploys" "0 $c" "$RC $(live)"
}

# no_leftovers: no partial pack, temporary or lock file in the repository.
no_leftovers() {
	find "$GITDIR" \( -name 'pack_git2_*' -o -name '*.lock' -o -name 'tmp*' \) -print 2>/dev/null
	for p in "$GITDIR"/objects/pack/*.pack; do
		[ -e "${p%.pack}.idx" ] || echo "$p"
	done
}

# cut_fetch KEY HOW LABEL: the fetch through a key whose forced command
# passes on the first 300000 bytes of upload-pack's answer, then does HOW
# (exit: the connection is cut; sleep: the server stalls, and
# SYNC_TIMEOUT kills the sync in the middle of the pack).
case_cut_fetch() {
	local key="$FX_DIR/keys/id_$1" was c
	[ -e "$key" ] || { gen_key ed25519 "$key" "$1" &&
		printf 'command="eval \\"$SSH_ORIGINAL_COMMAND\\" | { dd bs=1 count=300000 2>/dev/null; %s; }" %s\n' \
			"$2" "$(cat "$key.pub")" >>"$FX_AUTHORIZED_KEYS"; }
	was=$(live)
	head -c 4M /dev/urandom >"$FX_DIR/random"
	c=$(push_with "100644 blob $(git -C "$S" hash-object -w "$FX_DIR/random")	big")
	sed "s|^SSH_KEYPATH=.*|SSH_KEYPATH=$key|" "$CONF" >"$CONF.cut"
	printf 'SYNC_TIMEOUT=6\n' >>"$CONF.cut"
	cli -c "$CONF.cut" --sync
	check_eq "$MODE: $3 in the middle of the pack: exit 1" 1 "$RC"
	check "$MODE: ... the log says the fetch failed" \
		grep -qE "fetch from .* failed|during the fetch" "$ERR"
	check_eq "$MODE: ... still live: the commit before" "$was" "$(live)"
	check_eq "$MODE: ... no partial pack, temporary or lock file left" "" "$(no_leftovers)"
	cli -c "$CONF.cut" --status
	check "$MODE: ... --status reports the failure" grep -qi "fail\|stopped" "$OUT"
	sync_now
	check_eq "$MODE: ... the next sync over a whole connection deploys" "0 $c" "$RC $(live)"
	good_push_deploys "$3"
}

if part fail || part fetch; then
	for m in in-place releases; do
		tiny_use "$m" 40M || bail "cannot mount a tmpfs"
		sync_now
		check_eq "$MODE on a small disk: first sync" 0 "$RC"
		part fail && case_failing_checkout
		part fetch && case_failing_fetch
	done
	tiny_done
fi

for m in in-place releases; do
	part links || part replace || part local || part clone || part names || part cut ||
		break
	mode_use "$m"
	sync_now
	check_eq "$MODE: first sync" 0 "$RC"
	touch "$CANARY/dir-of-the-machine"
	if part links; then
		case_through ..
		case_through .git/hooks
		case_through "$CANARY"
	fi
	if part replace; then
		case_replace "$CANARY"
		case_replace ..
		case_replace .git/hooks
	fi
	if part local && [ "$MODE" = in-place ]; then
		case_untracked_link
		case_modified_link
		case_bad_record
	fi
	part clone && case_first_clone
	part names && case_refused_names
	if part cut; then
		case_cut_fetch cut true "the connection cut"
		case_cut_fetch stall "sleep 20" "SYNC_TIMEOUT"
	fi
done

printf '1..%d\n' "$n"
