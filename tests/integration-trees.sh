#!/bin/bash
# tests/integration-trees.sh: trees that git's porcelain never writes,
# made with git mktree, git fast-import and git hash-object --literally,
# pushed over the real sshd of tests/lib.sh to a repository that checks
# nothing (receive.fsckObjects off, git's default), then synced by the
# real helper (--sync) in place and as releases. Prints TAP. Needs
# `make` first. ONLY="inplace clone" runs some parts (names below).
#
# Each refused tree: exit 8; a message naming the commit and the path;
# nothing changed outside the work tree or the release (no file of the
# push anywhere under the fixture or $HOME); .git as it was (HEAD, local
# refs, config, index, hooks, no move record); the checkout at the old
# commit and clean, or the live release the same; the status record,
# the metrics and ON_FAILURE say 8; and the next good push deploys.
# The twins: a tree of the good names git takes deploys.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60
tap_fixture rel notes
S="$FX_DIR/git/scratch"
CP="$FX_CLONE_PATH"
RCP="$FX_DIR/rel/site"
NOTIFY="$FX_DIR/notes/notify.sh"
printf '#!/bin/sh\nprintf "%%s %%s\\n" "$SENTRY_STATUS" "$SENTRY_MESSAGE" >>"$1"\n' >"$NOTIFY"
chmod 755 "$NOTIFY"
CONF="$FX_DIR/inplace.conf"
RCONF="$FX_DIR/releases.conf"
write_config "$CONF" "CLONE_PATH=$CP" "METRICS_FILE=$FX_DIR/notes/inplace.prom" \
	"ON_FAILURE=$NOTIFY $FX_DIR/notes/inplace.failed"
write_config "$RCONF" "CLONE_PATH=$RCP" PUBLISH=releases \
	"METRICS_FILE=$FX_DIR/notes/releases.prom" "ON_FAILURE=$NOTIFY $FX_DIR/notes/releases.failed"
PUSH_SSH=$(ssh_command "$FX_KEY" "$FX_KNOWN_HOSTS")
# The host checks nothing, as git's receive-pack does by default.
git --git-dir="$FX_REPO" config receive.fsckObjects false


# --- making trees ---------------------------------------------------------

# raw_tree MODE NAME OID...: a tree object of exactly these entries, in
# this order, written unchecked; prints its oid.
raw_tree() {
	{
		while [ $# -ge 3 ]; do
			printf '%s %s\0' "$1" "$2"
			printf '%b' "$(printf '%s' "$3" | sed 's/../\\x&/g')"
			shift 3
		done
	} | git -C "$S" hash-object -t tree -w --literally --stdin
}

blob() { printf '%s\n' "$1" | git -C "$S" hash-object -w --stdin; }

# develop_tip: develop in the repository, as the scratch clone fetches it.
develop_tip() { git -C "$S" fetch -q origin && git -C "$S" rev-parse origin/develop; }

# commit_push TREE MESSAGE: a commit of TREE on develop's tip, pushed over
# ssh; prints its oid.
commit_push() {
	local parent c
	parent=$(develop_tip) || return 1
	c=$(GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000" \
		git -C "$S" commit-tree "$1" -p "$parent" -m "$2") || return 1
	GIT_SSH_COMMAND=$PUSH_SSH git -C "$S" push -q "$FX_CLONE_URL" "$c:refs/heads/develop" \
		>&2 || return 1
	printf '%s\n' "$c"
}

HIST=$(git -C "$S" rev-parse origin/develop:history.txt)
PWN=$(blob "written by the push")
link=$(blob "..")
# A directory holding the file PWNED: what a bad entry would carry.
PWN_DIR=$(raw_tree 100644 PWNED "$PWN")

# good_push: a fix on top, with an ordinary tree; prints its oid.
GOOD_N=0
good_push() {
	GOOD_N=$((GOOD_N + 1))
	commit_push "$(raw_tree 100644 fix.txt "$(blob "fix $GOOD_N")" \
		100644 history.txt "$HIST")" "a fix ($GOOD_N)"
}

# --- what must not change ---------------------------------------------------

# outside: everything beside the checkout and the releases, and the
# files a push could name, under the fixture and $HOME.
outside() {
	find "$FX_DIR/srv" "$FX_DIR/rel" -path "$CP" -prune -o -path "$RCP.releases" -prune \
		-o ! -name '*.status' ! -name '*.lock' ! -name '*.wait' -printf '%p %y %s\n' |
		LC_ALL=C sort
	find "$FX_DIR" "$HOME" -maxdepth 6 -name 'PWNED*' -print 2>/dev/null
}

# dotgit: what of .git a refused sync must leave: HEAD, the local refs,
# config, index and hooks, and no move record.
dotgit() {
	(cd "$CP/.git" && sha1sum HEAD config index && find hooks refs/heads -printf '%p %s\n' |
		LC_ALL=C sort && ls sentry-source-move 2>&1)
}

# live_state: the releases' side: the link and every release.
live_state() {
	readlink "$RCP"
	find "$RCP.releases" -mindepth 1 -maxdepth 1 ! -name repo.git -printf '%f\n' | LC_ALL=C sort
}

status_is() { grep -qx "status=$1" "$2.status"; }

# refused NAME TREE PATH: push TREE, sync in place and as releases; each
# refuses with 8, naming the commit and PATH (as logged), and changes
# nothing; then a good push deploys in both.
refused() {
	local name=$1 tree=$2 path=$3 c old before git_before live_before fix
	old=$(head_of "$CP")
	before=$(outside)
	git_before=$(dotgit)
	live_before=$(live_state)
	c=$(commit_push "$tree" "crafted: $name") || { tap 1 "$name: pushed"; return; }

	cli -c "$CONF" --sync
	check_eq "$name, in place: exit 8" 8 "$RC"
	check "$name, in place: the log names commit ${c:0:12} and \"$path\"" \
		grep -qF "refusing commit ${c:0:12}: \"$path\"" "$ERR"
	check_eq "$name, in place: the checkout is at the old commit" "$old" "$(head_of "$CP")"
	check "$name, in place: the checkout is clean" clean_tree "$CP"
	check_eq "$name, in place: .git unchanged" "$git_before" "$(dotgit)"
	check "$name, in place: the status record says 8" status_is 8 "$CP"
	check "$name, in place: ON_FAILURE told 8" grep -q "^8 .*${c:0:12}" \
		"$FX_DIR/notes/inplace.failed"

	cli -c "$RCONF" --sync
	check_eq "$name, releases: exit 8" 8 "$RC"
	check "$name, releases: the log names commit ${c:0:12} and \"$path\"" \
		grep -qF "refusing commit ${c:0:12}: \"$path\"" "$ERR"
	check_eq "$name, releases: the live release and the releases unchanged" \
		"$live_before" "$(live_state)"
	check "$name, releases: the status record says 8" status_is 8 "$RCP"
	check_eq "$name: nothing changed outside the work tree and the releases" \
		"$before" "$(outside)"

	fix=$(good_push)
	cli -c "$CONF" --sync
	check_eq "$name: the next good push deploys in place (exit $RC)" "$fix" "$(head_of "$CP")"
	cli -c "$RCONF" --sync
	check_eq "$name: ... and as a release (exit $RC)" "$fix" \
		"$(readlink "$RCP" | sed 's/.*-//')"
}

# --- the parts ----------------------------------------------------------------

cli -c "$CONF" --sync
[ "$RC" = 0 ] || bail "first in-place sync: exit $RC"
cli -c "$RCONF" --sync
[ "$RC" = 0 ] || bail "first releases sync: exit $RC"

LONG=$(printf 'n%.0s' $(seq 1 256))
if part inplace; then
	# The attack of issue 20: a link h to .., then h twice, link and directory.
	c=$(commit_push "$(raw_tree 120000 h "$link" 100644 history.txt "$HIST")" "a link h")
	cli -c "$CONF" --sync
	check_eq "a link h -> .. deploys in place" "$c" "$(head_of "$CP")"
	cli -c "$RCONF" --sync
	refused "link h and directory h" \
		"$(raw_tree 120000 h "$link" 40000 h "$PWN_DIR" 100644 history.txt "$HIST")" h
	refused "file h twice" \
		"$(raw_tree 100644 h "$PWN" 100644 h "$PWN" 100644 history.txt "$HIST")" h
	refused "file h and directory h, h.c between" \
		"$(raw_tree 100644 h "$PWN" 100644 h.c "$PWN" 40000 h "$PWN_DIR" \
			100644 history.txt "$HIST")" h
	refused "a 256-byte name" "$(raw_tree 100644 history.txt "$HIST" 100644 "$LONG" "$PWN")" \
		"$LONG"
	refused ".git/x" "$(raw_tree 40000 .git "$PWN_DIR" 100644 history.txt "$HIST")" .git
	# fast-import takes .GIT and git~1 as paths.
	printf 'commit refs/crafted/fi\ncommitter T <t@example.org> 1700000000 +0000\ndata 2\nm\n%s%s%s' \
		"M 100644 $PWN .GIT/PWNED"$'\n' "M 100644 $PWN git~1/PWNED"$'\n' \
		"M 100644 $HIST history.txt"$'\n' | git -C "$S" fast-import --quiet
	fi_tree=$(git -C "$S" rev-parse 'refs/crafted/fi^{tree}')
	refused ".GIT/x and git~1/x (fast-import)" "$fi_tree" .GIT
	refused "git~1/x" "$(raw_tree 40000 git~1 "$PWN_DIR" 100644 history.txt "$HIST")" 'git~1'
	refused ".git. (NTFS)" "$(raw_tree 40000 .git. "$PWN_DIR" 100644 history.txt "$HIST")" .git.
	refused ".git::\$INDEX_ALLOCATION (NTFS)" \
		"$(raw_tree 40000 '.git::$INDEX_ALLOCATION' "$PWN_DIR" 100644 history.txt "$HIST")" \
		'.git::$INDEX_ALLOCATION'
	refused ".g<U+200C>it (HFS+)" \
		"$(raw_tree 40000 $'.g\xe2\x80\x8cit' "$PWN_DIR" 100644 history.txt "$HIST")" \
		'.g\xe2\x80\x8cit'
	refused ".." "$(raw_tree 40000 .. "$PWN_DIR" 100644 history.txt "$HIST")" ..
	refused "." "$(raw_tree 40000 . "$PWN_DIR" 100644 history.txt "$HIST")" .
	refused "a nested sub/.git" "$(raw_tree 100644 history.txt "$HIST" \
		40000 sub "$(raw_tree 40000 .git "$PWN_DIR")")" sub/.git
	# mktree takes a link named .gitmodules.
	gm=$(printf '120000 blob %s\t.gitmodules\n100644 blob %s\thistory.txt\n' "$link" "$HIST" |
		git -C "$S" mktree)
	refused ".gitmodules a link (mktree)" "$gm" .gitmodules
	refused "mode 100664" "$(raw_tree 100664 history.txt "$HIST")" history.txt
	refused "a control byte in a refused name, escaped" \
		"$(raw_tree 40000 $'\x1b[31m' "$PWN_DIR" 40000 $'\x1b[31m' "$PWN_DIR" \
			100644 history.txt "$HIST")" '\x1b[31m'
fi

if part twins; then
	c=$(commit_push "$(raw_tree 40000 .gitfoo "$PWN_DIR" 40000 .github "$PWN_DIR" \
		100644 .gitmodules "$PWN" 40000 git~2 "$PWN_DIR" 100644 history.txt "$HIST" \
		100644 link "$link")" "good twins")
	cli -c "$CONF" --sync
	check_eq "the good twins (.gitfoo, .github, a file .gitmodules, git~2) deploy in place" \
		"0 $c" "$RC $(head_of "$CP")"
	check "... and git~2/PWNED is there" test -f "$CP/git~2/PWNED"
	cli -c "$RCONF" --sync
	check_eq "... and as a release" "0 $c" "$RC $(readlink "$RCP" | sed 's/.*-//')"
fi

if part clone; then
	ccp="$FX_DIR/srv/fresh"
	cconf="$FX_DIR/fresh.conf"
	write_config "$cconf" "CLONE_PATH=$ccp"
	c=$(commit_push "$(raw_tree 40000 .GIT "$PWN_DIR" 100644 history.txt "$HIST")" "clone .GIT")
	cli -c "$cconf" --sync
	check_eq "a first clone of a refused tree: exit 8" 8 "$RC"
	check "... naming the commit and .GIT" grep -qF "refusing commit ${c:0:12}: \".GIT\"" "$ERR"
	check "... leaves no CLONE_PATH" test ! -e "$ccp"
	check "... and no temporary clone" no_tmp_sibling "$ccp"
	fix=$(good_push)
	cli -c "$cconf" --sync
	check_eq "the next good push clones" "0 $fix" "$RC $(head_of "$ccp")"
fi

# What the man page's Trust section promises a push cannot make the helper
# run: the checkout's own hooks, or a filter driver that .gitattributes
# names (configured both in the checkout's .git/config and in $HOME's
# .gitconfig); git's built-in ident filter is the one that applies.
if part trust; then
	marks="$FX_DIR/notes/ran"
	for h in post-checkout post-merge post-rewrite reference-transaction; do
		printf '#!/bin/sh\necho %s >>%s\n' "$h" "$marks" >"$CP/.git/hooks/$h"
		chmod 755 "$CP/.git/hooks/$h"
	done
	git -C "$CP" config filter.evil.smudge "touch $marks.filter"
	git -C "$CP" config filter.evil.process "touch $marks.process"
	git config --file "$HOME/.gitconfig" filter.evil.smudge "touch $marks.home"
	c=$(commit_push "$(raw_tree 100644 .gitattributes "$(blob '* filter=evil
id.txt ident')" 100644 history.txt "$HIST" 100644 id.txt "$(blob 'x $Id$')")" "filters")
	cli -c "$CONF" --sync
	check_eq "a tree whose .gitattributes names a filter driver deploys" "0 $c" \
		"$RC $(head_of "$CP")"
	check "... and no hook of the checkout's .git ran" test ! -e "$marks"
	check "... nor the filter driver, however configured" \
		not compgen -G "$marks.*"
	check "... git's built-in ident filter applied" grep -q '^x \$Id: [0-9a-f]\{40\} \$$' "$CP/id.txt"
	rm -f "$CP"/.git/hooks/post-* "$CP/.git/hooks/reference-transaction"
	git config --file "$HOME/.gitconfig" --remove-section filter.evil
	git -C "$CP" config --remove-section filter.evil
	good_push >/dev/null
	cli -c "$CONF" --sync
fi

if part metrics; then
	commit_push "$(raw_tree 40000 .git "$PWN_DIR" 100644 history.txt "$HIST")" metrics >/dev/null
	cli -c "$CONF" --sync
	check "syncs_total{result=refused_tree} counts the refusals in place" \
		grep -qE 'sentry_source_syncs_total\{.*result="refused_tree"\} [1-9]' \
		"$FX_DIR/notes/inplace.prom"
	cli -c "$CONF" --status
	check_eq "--status after a refused tree: exit 8" 8 "$RC"
	check "... saying so" grep -q "status: *8 (the pushed tree was refused" "$OUT"
	good_push >/dev/null
	cli -c "$CONF" --sync
	cli -c "$CONF" --status
	check_eq "--status after the next good push: exit 0" 0 "$RC"
fi

printf '1..%d\n' "$n"
