#!/bin/bash
# tests/integration-releases.sh: PUBLISH=releases through the real
# programs (--sync, a request on stdin, the post-receive hook) against the
# real sshd and repository of tests/lib.sh. Prints TAP. Needs `make` first.
#
# Every promise has a twin that could fail: readers never see a mix with
# releases, and the same reader does see one in place; a failed BUILD
# publishes nothing; a kill -9 at several moments leaves CLONE_PATH at a
# complete release; an in-place checkout is refused, and the reverse.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=120
# Files in the tree of the reader test, each holding the generation.
NFILES=${RELEASES_NFILES:-600}
PUBLISHES=12

tap_fixture srv/torn probe
CP="$FX_DIR/srv/checkout"
HOME_DIR="$CP.releases"
CONF="$FX_DIR/releases.conf"
PROBE="$FX_DIR/probe"
write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases

# --- helpers ---------------------------------------------------------------

sync_now() { cli -c "$CONF" --sync; }
link_of() { readlink "$CP"; }
# live: the live release's name; live_commit: its commit.
live() { basename "$(readlink "$CP")"; }
live_commit() { live | sed 's/^[0-9TZ.]*-//'; }
releases() { find "$HOME_DIR" -mindepth 1 -maxdepth 1 -name '2*' -printf '%f\n' | sort; }
count_releases() { releases | wc -l; }
leftovers() { find "$HOME_DIR" -mindepth 1 -maxdepth 1 -name '.new-*' -o -mindepth 1 \
	-maxdepth 1 -name '.next-link' | wc -l; }
# same_tree DIR OID: DIR holds exactly the files of OID, with their contents.
same_tree() {
	[ "$(cd "$1" && find . -type f ! -path './.git/*' | sed 's|^\./||' | LC_ALL=C sort |
		xargs -d '\n' sha1sum 2>/dev/null)" = "$(tree_sums "$2")" ]
}
tree_sums() {
	local f
	git --git-dir="$FX_REPO" ls-tree -r --name-only "$1" | LC_ALL=C sort |
		while IFS= read -r f; do
			printf '%s  %s\n' "$(git --git-dir="$FX_REPO" cat-file blob "$1:$f" |
				sha1sum | cut -d' ' -f1)" "$f"
		done
}

# push_gen GEN: a commit on develop where every file of d/ holds GEN.
push_gen() {
	local s="$FX_DIR/git/scratch" i
	git -C "$s" fetch -q origin >&2 &&
		git -C "$s" checkout -q -B develop origin/develop >&2 || return 1
	mkdir -p "$s/d"
	for i in $(seq 1 "$NFILES"); do
		printf 'generation %s\n' "$1" >"$s/d/$i"
	done
	git -C "$s" add -A d &&
		fx_git_commit "$s" "develop: generation $1" >&2 &&
		git -C "$s" push -q origin develop >&2 &&
		git -C "$s" rev-parse HEAD
}

# reader DIR OUT: until OUT.stop exists, read every file of DIR/d in one
# snapshot (cd, then cat); count the reads that saw two generations.
reader() {
	local dir=$1 out=$2 reads=0 mixed=0 kinds
	while [ ! -e "$out.stop" ]; do
		kinds=$( (cd "$dir" 2>/dev/null && cat d/* 2>/dev/null) | sort -u | wc -l)
		reads=$((reads + 1))
		[ "$kinds" -gt 1 ] && mixed=$((mixed + 1))
	done
	printf '%s %s\n' "$reads" "$mixed" >"$out"
}

# --- a first publish, and what it made -------------------------------------
# The first publish: every other part starts from it, so it always runs.
test_first() {

	sync_now
	tip=$(repo_tip develop)
	check_eq "first --sync publishes: exit 0" 0 "$RC"
	check "CLONE_PATH is a symbolic link" test -L "$CP"
	check "its target is relative, into checkout.releases/" \
		grep -qE '^checkout\.releases/[0-9]{8}T[0-9]{6}\.[0-9]{6}Z-[0-9a-f]{40}$' <<<"$(link_of)"
	check_eq "the live release is the pushed tip" "$tip" "$(live_commit)"
	check "the release holds every file of the tip, nothing else" same_tree "$CP/" "$tip"
	check "a release holds no .git" test ! -e "$CP/.git"
	check "the repository lives once, bare, beside the releases" \
		test "$(git --git-dir="$HOME_DIR/repo.git" rev-parse --is-bare-repository)" = true
	check_eq "--status names the live commit" "$tip" \
		"$(./sentry-source -c "$CONF" --status --json | sed -n 's/.*"new": *"\([0-9a-f]*\)".*/\1/p')"
	cli -c "$CONF" --check
	check "--check reports the publishing mode and the live release" \
		grep -q "ok: PUBLISH=releases: CLONE_PATH $CP: live release $HOME_DIR/$(live), commit $tip" "$OUT"

	sync_now
	check_eq "a sync with nothing new makes no release" 1 "$(count_releases)"
}

# --- BUILD before the switch, RUN after it ---------------------------------
test_build() {

	cat >"$PROBE/build.sh" <<'EOF'
#!/bin/sh
out=$1
pwd -P >"$out/build.pwd"
printf '%s\n' "$SENTRY_RELEASE_PATH" >"$out/build.release"
readlink "$SENTRY_REPO_PATH" >"$out/build.live"
[ -e history.txt ] && echo yes >"$out/build.tree"
exit "${BUILD_EXIT:-0}"
EOF
	cat >"$PROBE/run.sh" <<'EOF'
#!/bin/sh
pwd -P >"$1/run.pwd"
printf '%s\n' "$SENTRY_RELEASE_PATH" >"$1/run.release"
EOF
	chmod +x "$PROBE/build.sh" "$PROBE/run.sh"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases \
		"BUILD=$PROBE/build.sh $PROBE" "RUN=$PROBE/run.sh $PROBE"
	before=$(link_of)
	new=$(push_commit develop)
	sync_now
	check_eq "with BUILD and RUN: exit 0" 0 "$RC"
	check_eq "BUILD ran while the old release was live" "$before" "$(cat "$PROBE/build.live")"
	check "BUILD ran in the new release, with its files" test "$(cat "$PROBE/build.tree")" = yes
	check_eq "BUILD was told the release's path (SENTRY_RELEASE_PATH)" \
		"$(cat "$PROBE/build.pwd")" "$(cat "$PROBE/build.release")"
	check_eq "RUN ran in the published release" "$(readlink -f "$CP")" "$(cat "$PROBE/run.pwd")"
	check_eq "RUN was told the published release's path" \
		"$(readlink -f "$CP")" "$(cat "$PROBE/run.release")"
	check_eq "the new commit is live" "$new" "$(live_commit)"

	rm -f "$PROBE"/*.pwd "$PROBE/run.release"
	before=$(link_of)
	new=$(push_commit develop)
	BUILD_EXIT=3 sync_now
	check_eq "a failed BUILD: exit 7" 7 "$RC"
	check_eq "a failed BUILD publishes nothing" "$before" "$(link_of)"
	check "a failed BUILD: RUN does not run" test ! -e "$PROBE/run.pwd"
	check "the failed release is kept for inspection" \
		test -d "$HOME_DIR/.failed-$(basename "$(cat "$PROBE/build.release")" | sed 's/^\.new-//')"
	check "the log says nothing was published" grep -q "BUILD failed; nothing published" "$ERR"
	sync_now
	check_eq "the next sync publishes the same push: exit 0" 0 "$RC"
	check_eq "... and its commit is live" "$new" "$(live_commit)"
	check "... and the failed release is gone" \
		not compgen -G "$HOME_DIR/.failed-*"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases
}

# --- rollback ---------------------------------------------------------------
test_rollback() {
	# Run alone (ONLY=rollback), it makes the releases the earlier parts leave.
	while [ "$(count_releases)" -lt 3 ]; do
		push_commit develop >/dev/null
		sync_now
	done

	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases "RUN=$PROBE/run.sh $PROBE"
	rm -f "$PROBE/run.pwd"

	prev=$(releases | grep -B1 -x "$(live)" | head -n 1)
	was=$(live)
	cli -c "$CONF" --rollback
	check_eq "--rollback: exit 0" 0 "$RC"
	check_eq "--rollback switches to the release before" "$prev" "$(live)"
	check "--rollback prints what is live now" grep -q "^live: checkout.releases/$prev" "$OUT"
	check "--rollback is logged" grep -q "rolled back from $was to $prev" "$ERR"
	check "--rollback runs neither BUILD nor RUN" test ! -e "$PROBE/run.pwd"
	./sentry-source -c "$CONF" --status --json >"$FX_DIR/run/status.json"
	check_eq "--status after a rollback names the live commit" "${prev#*-}" \
		"$(sed -n 's/.*"new": *"\([0-9a-f]*\)".*/\1/p' "$FX_DIR/run/status.json")"
	check "... with the mode rollback and what moved" \
		grep -q '"mode": *"rollback".*"message": *"rolled back from '"$(printf %.12s "${was#*-}")" "$FX_DIR/run/status.json"
	check_eq "after a rollback the repository's branch is the live commit" "${prev#*-}" \
		"$(git --git-dir="$HOME_DIR/repo.git" rev-parse refs/heads/develop)"
	cli -c "$CONF" --releases
	# In the history's order: the release rolled back to is the newest.
	check "--releases lists every release" \
		test "$(awk '{print $3}' "$OUT" | sed 's|.*/||' | sort)" = "$(releases)"
	check "... in the history's order: the one rolled back to last" \
		test "$(tail -n 1 "$OUT" | awk '{print $3}')" = "checkout.releases/$prev"
	check "... the one rolled away from marked" \
		grep -qE " checkout.releases/$was rolled-away\$" "$OUT"
	check "--releases marks the live one" grep -qE " checkout.releases/$prev live\$" "$OUT"
	check_eq "--releases gives each one's commit first" "${prev#*-}" \
		"$(grep ' live$' "$OUT" | cut -d' ' -f1)"
	sync_now
	check_eq "a sync with no new push keeps the rollback" "$prev" "$(live)"
	new=$(push_commit develop)
	sync_now
	check_eq "the next push publishes normally" "$new" "$(live_commit)"
	for i in 1 2 3 4 5 6; do
		cli -c "$CONF" --rollback
	done
	check_eq "rolling back past the oldest release fails" 1 "$RC"
	check "... and says so" grep -q "nothing to roll back to" "$ERR"
	check "... leaving a complete release live" same_tree "$CP/" "$(live_commit)"
	new=$(push_commit develop)
	sync_now
}

# --- KEEP_RELEASES ------------------------------------------------------------
test_keep() {

	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases KEEP_RELEASES=3
	for i in 1 2 3 4; do
		push_commit develop >/dev/null
		sync_now
	done
	check_eq "KEEP_RELEASES=3 keeps three releases" 3 "$(count_releases)"
	check "... the newest three" test "$(releases | tail -n 1)" = "$(live)"
	cli -c "$CONF" --rollback
	cli -c "$CONF" --rollback
	push_commit develop >/dev/null
	sync_now
	check "after two rollbacks and a publish, the release before the live one is kept" \
		grep -q " previous\$" <<<"$(./sentry-source -c "$CONF" --releases)"
	check_eq "... and still no more than three" 3 "$(count_releases)"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases KEEP_RELEASES=1
	sync_now
	check_eq "KEEP_RELEASES=1 is refused (the live one and the one before stay)" 78 "$RC"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases
}

# Deep trees are pruned whole: a pushed tree 300 directories deep, and
# 5,000 levels that BUILD or RUN could leave in a release (deeper than a
# path can name, so made by relative steps).
test_deep() {
	local s="$FX_DIR/git/scratch" deep deep_rel planted pruned_ok i
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases KEEP_RELEASES=3
	deep=$(printf 'a/%.0s' $(seq 1 300))f
	git -C "$s" fetch -q origin && git -C "$s" checkout -q -B develop origin/develop &&
		mkdir -p "$s/${deep%/f}"
	push_file develop "$deep" deep >/dev/null
	sync_now
	check_eq "a tree 300 directories deep: published" 0 "$RC"
	check "... with its file" test -f "$CP/$deep"
	deep_rel=$(live)
	planted=$(releases | head -n 1)
	(cd "$HOME_DIR/$planted" && perl -e 'for (1..5000) { mkdir "d" or die; chdir "d" or die }
		open(my $f, ">", "f") or die')
	check "5,000 levels planted in the oldest release" \
		perl -e 'chdir $ARGV[0] or die; for (1..5000) { chdir "d" or die } exit !-f "f"' \
		"$HOME_DIR/$planted"
	git -C "$s" rm -q -r a && fx_git_commit "$s" "develop: drop the deep tree" >/dev/null &&
		git -C "$s" push -q origin develop
	pruned_ok=0
	for i in 1 2 3 4; do
		[ "$i" = 1 ] || push_commit develop >/dev/null
		sync_now
		[ "$RC" = 0 ] && ! grep -q "cannot remove" "$ERR" || pruned_ok=1
	done
	check_eq "four publishes after: each exits 0, no 'cannot remove' warning" 0 "$pruned_ok"
	check "the release 300 deep is pruned whole" test ! -e "$HOME_DIR/$deep_rel"
	check "the release with 5,000 levels is pruned whole" test ! -e "$HOME_DIR/$planted"
	check_eq "... and three releases are kept" 3 "$(count_releases)"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases
}

# --- socket mode and the hook --------------------------------------------------
test_entry() {

	old=$(live_commit)
	new=$(push_commit develop)
	stash_payload_develop "$FX_DIR/run/push.json" "$old" "$new"
	front "$CONF" "$(post "$FX_DIR/run/push.json")"
	check "socket mode: answered 200" answer_is 200
	check_eq "socket mode: the push is published" "$new" "$(live_commit)"
	mkdir -p "$FX_DIR/bin"
	ln -sf "$PWD/sentry-source" "$FX_DIR/bin/sentry-source"
	install -m 755 hooks/post-receive "$FX_REPO/hooks/post-receive"
	git --git-dir="$FX_REPO" config sentry-source.config "$CONF"
	git --git-dir="$FX_REPO" config core.hooksPath "$FX_REPO/hooks"
	new=$(PATH="$FX_DIR/bin:$PATH" push_commit develop)
	for i in $(seq 1 100); do
		[ "$(live_commit)" = "$new" ] && break
		sleep 0.2
	done
	check_eq "hook mode: the push is published" "$new" "$(live_commit)"
	rm -f "$FX_REPO/hooks/post-receive"
	sleep 1
}

# --- readers during publishes --------------------------------------------------
test_readers() {

	# releases: zero mixed snapshots.
	push_gen 0 >/dev/null
	sync_now
	rm -f "$FX_DIR/run/reader"*
	reader "$CP" "$FX_DIR/run/reader.rel" &
	rpid=$!
	ok=0
	for g in $(seq 1 "$PUBLISHES"); do
		push_gen "$g" >/dev/null
		sync_now
		[ "$RC" = 0 ] && ok=$((ok + 1))
	done
	touch "$FX_DIR/run/reader.rel.stop"
	wait "$rpid"
	read -r reads mixed <"$FX_DIR/run/reader.rel"
	check_eq "releases: $PUBLISHES publishes of $NFILES changed files succeed" "$PUBLISHES" "$ok"
	note "releases: $reads reads during $PUBLISHES publishes, $mixed mixed"
	check "releases: the reader read during the publishes" test "$reads" -gt "$PUBLISHES"
	check_eq "releases: no read saw two generations at once" 0 "$mixed"

	# in place: the same reader sees the mixing, so the test above can fail.
	TORN="$FX_DIR/srv/torn/checkout"
	write_config "$FX_DIR/torn.conf" "CLONE_PATH=$TORN"
	cli -c "$FX_DIR/torn.conf" --sync
	cli -c "$FX_DIR/torn.conf" --check
	check "in place: --check reports the publishing mode" \
		grep -q "^ok: CLONE_PATH $TORN: a clone of CLONE_URL, updated in place (PUBLISH=in-place)" "$OUT"
	reader "$TORN" "$FX_DIR/run/reader.torn" &
	rpid=$!
	for g in $(seq 101 $((100 + PUBLISHES))); do
		push_gen "$g" >/dev/null
		cli -c "$FX_DIR/torn.conf" --sync
	done
	touch "$FX_DIR/run/reader.torn.stop"
	wait "$rpid"
	read -r reads mixed <"$FX_DIR/run/reader.torn"
	note "in place: $reads reads during $PUBLISHES syncs, $mixed mixed"
	if [ "$mixed" -gt 0 ]; then
		tap 0 "in place: the same reader saw two generations at once ($mixed of $reads reads)"
	else
		n=$((n + 1))
		printf 'ok %d - in place: mixing seen # SKIP no mixed read in %s reads on this machine\n' \
			"$n" "$reads"
	fi
}

# --- kill -9 at several moments of a publish ----------------------------------
test_kills() {

	cat >"$PROBE/slow.sh" <<'EOF'
#!/bin/sh
sleep 1
EOF
	chmod +x "$PROBE/slow.sh"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases "BUILD=$PROBE/slow.sh"
	g=200
	for delay in 0.05 0.2 0.4 0.7 1.0 1.5; do
		g=$((g + 1))
		push_gen "$g" >/dev/null
		./sentry-source -c "$CONF" --sync </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		sleep 0.2	# the sync's child dies with it (PR_SET_PDEATHSIG)
		check "kill -9 after ${delay}s: CLONE_PATH is a complete release" \
			same_tree "$CP/" "$(live_commit)"
	done
	sync_now
	check_eq "after the kills the next sync publishes: exit 0" 0 "$RC"
	check_eq "... the newest push" "$(repo_tip develop)" "$(live_commit)"
	check_eq "... and removed every half-made release" 0 "$(leftovers)"
	# Geometric repacking (src/sync/pack.c) keeps far fewer than 21 packs.
	check "the shared repository's packs stay bounded, as in place" \
		test "$(find "$HOME_DIR/repo.git/objects/pack" -name '*.pack' | wc -l)" -le 21
	check "... and its history is whole" git --git-dir="$HOME_DIR/repo.git" fsck --no-progress --connectivity-only
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases
}

# --- no silent conversion ------------------------------------------------------
test_convert() {

	INPLACE="$FX_DIR/srv/inplace"
	write_config "$FX_DIR/inplace.conf" "CLONE_PATH=$INPLACE"
	cli -c "$FX_DIR/inplace.conf" --sync
	before=$(state "$INPLACE")
	write_config "$FX_DIR/inplace.conf" "CLONE_PATH=$INPLACE" PUBLISH=releases
	push_commit develop >/dev/null
	cli -c "$FX_DIR/inplace.conf" --sync
	check_eq "PUBLISH=releases over an in-place checkout: exit 5" 5 "$RC"
	check "... says why and what to do" grep -q "PUBLISH=releases does not convert it" "$ERR"
	check_eq "... and leaves it untouched" "$before" "$(state "$INPLACE")"
	check "... makes no releases directory" test ! -e "$INPLACE.releases"
	cli -c "$FX_DIR/inplace.conf" --check
	check "... --check says so" grep -q "FAIL: PUBLISH=releases: CLONE_PATH $INPLACE: a directory" "$OUT"

	write_config "$FX_DIR/back.conf" "CLONE_PATH=$CP"
	before=$(link_of)
	cli -c "$FX_DIR/back.conf" --sync
	check_eq "PUBLISH=in-place over releases: exit 5" 5 "$RC"
	check "... says why" grep -q "is published as releases" "$ERR"
	check_eq "... and leaves the link as it was" "$before" "$(link_of)"
	cli -c "$FX_DIR/back.conf" --rollback
	check_eq "--rollback without PUBLISH=releases: exit 64" 64 "$RC"
	cli -c "$FX_DIR/back.conf" --releases
	check_eq "--releases without PUBLISH=releases: exit 64" 64 "$RC"
	write_config "$FX_DIR/back.conf" "CLONE_PATH=$CP" "BUILD=$PROBE/build.sh"
	cli -c "$FX_DIR/back.conf" --sync
	check_eq "BUILD without PUBLISH=releases: exit 78" 78 "$RC"
	check "... names the key" grep -q "BUILD runs in a release before it is published" "$ERR"
}

# --- a glob BRANCH: a timer's sync publishes the branch that is live --------
test_glob() {

	GLOB="$FX_DIR/srv/glob/checkout"
	mkdir -p "$FX_DIR/srv/glob"
	write_config "$FX_DIR/glob.conf" SOURCE=stash "BRANCH=dev*" "CLONE_PATH=$GLOB" PUBLISH=releases
	cli -c "$FX_DIR/glob.conf" --sync --branch develop
	check_eq "glob BRANCH: --sync --branch develop publishes" "$(repo_tip develop)" \
		"$(basename "$(readlink "$GLOB")" | sed 's/^[0-9TZ.]*-//')"
	new=$(push_commit develop)
	cli -c "$FX_DIR/glob.conf" --sync
	check_eq "glob BRANCH: --sync with no branch publishes the live release's branch" "$new" \
		"$(basename "$(readlink "$GLOB")" | sed 's/^[0-9TZ.]*-//')"

	# A live release removed by hand: the next sync publishes the tip anew.
	rm -rf "${HOME_DIR:?}/$(live)"
	sync_now
	check_eq "a live release removed by hand is published anew: exit 0" 0 "$RC"
	check "... complete" same_tree "$CP/" "$(live_commit)"
}

# --- what a release holds: links, modes ------------------------------------------
test_contents() {

	s="$FX_DIR/git/scratch"
	git -C "$s" fetch -q origin && git -C "$s" checkout -q -B develop origin/develop
	ln -sfn history.txt "$s/link"
	printf '#!/bin/sh\necho tool\n' >"$s/tool.sh"
	chmod 755 "$s/tool.sh"
	git -C "$s" add link tool.sh && fx_git_commit "$s" "develop: a link and a tool" &&
		git -C "$s" push -q origin develop
	sync_now
	check "a symbolic link in the tree is one in the release" \
		test "$(readlink "$CP/link")" = history.txt
	check "an executable file stays executable" test -x "$CP/tool.sh"
	check "a regular file is not made executable" test ! -x "$CP/history.txt"
}

# --- history: order by record, not by the names' clock ------------------------
# Each part below has a deployment of its own (CLONE_PATH srv/NAME), so
# that it runs alone as well as after the others.
hconf() { printf '%s\n' "$FX_DIR/$1.conf"; }
hlive() { basename "$(readlink "$FX_DIR/srv/$1")"; }
hhave() { test -d "$FX_DIR/srv/$1.releases/$2"; }
hcount() { find "$FX_DIR/srv/$1.releases" -mindepth 1 -maxdepth 1 -name '2*' | wc -l; }
hhistory() { cat "$FX_DIR/srv/$1.releases/history"; }
# hpublish NAME: a new commit on develop, synced; prints the live release.
hpublish() {
	push_commit develop >/dev/null
	cli -c "$(hconf "$1")" --sync
	hlive "$1"
}
hsetup() {
	write_config "$(hconf "$1")" "CLONE_PATH=$FX_DIR/srv/$1" PUBLISH=releases \
		KEEP_RELEASES=3
}
# A history line: time, event, commit, release, reason.
HLINE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z (publish|rollback|found) [0-9a-f]{40} [0-9]{8}T[0-9]{6}\.[0-9]{6}Z-[0-9a-f]{40}( .*)?$'

test_history() {
	local a b c d e
	hsetup hist
	a=$(hpublish hist) b=$(hpublish hist) c=$(hpublish hist)
	check_eq "three publishes: three lines in the history" 3 \
		"$(hhistory hist | grep -c ' publish ')"
	check "a publish's line: time, publish, commit, release, what was live" \
		grep -qE "Z publish ${c#*-} $c was ${b#*-}\$" <<<"$(hhistory hist | tail -n 1)"
	cli -c "$(hconf hist)" --rollback
	check_eq "--rollback goes to the one live before" "$b" "$(hlive hist)"
	check "... and is a line in the history" \
		grep -qE "Z rollback ${b#*-} $b from $c\$" <<<"$(hhistory hist | tail -n 1)"
	d=$(hpublish hist)
	check_eq "a push after a rollback is published" "$d" "$(hlive hist)"
	check "KEEP_RELEASES=3 after a rollback and a push: the one rolled back to is kept" \
		hhave hist "$b"
	check "... the oldest goes" test ! -e "$FX_DIR/srv/hist.releases/$a"
	check "... the one rolled away from is kept while three fit" hhave hist "$c"
	check_eq "... three releases" 3 "$(hcount hist)"
	cli -c "$(hconf hist)" --rollback
	check_eq "--rollback then goes to the known good one, not to the one rolled away from" \
		"$b" "$(hlive hist)"
	cli -c "$(hconf hist)" --rollback
	check_eq "a second rollback: nothing before that was not rolled away from: exit 1" 1 "$RC"
	check "... says so" grep -q "nothing to roll back to" "$ERR"
	check_eq "... and leaves the live release" "$b" "$(hlive hist)"
	e=$(hpublish hist)
	check_eq "the next push is published" "$e" "$(hlive hist)"
	check "the next publish keeps the one live before it" hhave hist "$b"
	check "... and prunes the oldest the history knows, rolled away from" \
		test ! -e "$FX_DIR/srv/hist.releases/$c"
	check_eq "... three releases" 3 "$(hcount hist)"
	check "every line of the history is whole" \
		test "$(hhistory hist | grep -cvE "$HLINE")" = 0
	cli -c "$(hconf hist)" --releases
	check "--releases: the live one last, the one before marked previous" \
		test "$(awk '{print $4}' "$OUT" | tr '\n' ' ')" = "rolled-away previous live "
}

# A clock stepped back a day (NTP, a restored VM): the new release's
# name sorts first, and the history still knows it is the newest.
test_clock() {
	local x y z w
	# XXX Seen: the sanitized sync under libfaketime's LD_PRELOAD hangs until
	# the timeout (a plain --version does not); not yet explained.
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		skip "a publish under faketime -f -1d" "libfaketime hangs the sync in the sanitized copy (ASan)"
		return
	fi
	hsetup clock
	x=$(hpublish clock) y=$(hpublish clock) z=$(hpublish clock)
	push_commit develop >/dev/null
	next_run
	timeout -k 5 "$RUN_TIMEOUT" faketime -f -1d ./sentry-source -c "$(hconf clock)" --sync \
		</dev/null >"$OUT" 2>"$ERR" &
	fx_wait $!
	RC=$?
	w=$(hlive clock)
	check_eq "a publish under faketime -f -1d: exit 0" 0 "$RC"
	check "... its release's name is a day older than the others" \
		test "$(printf '%s\n' "$x" "$w" | sort | head -n 1)" = "$w"
	check "... the release live just before it is kept" hhave clock "$z"
	check "... the oldest by the history goes" test ! -e "$FX_DIR/srv/clock.releases/$x"
	check_eq "... three releases" 3 "$(hcount clock)"
	cli -c "$(hconf clock)" --rollback
	check_eq "--rollback after it: exit 0" 0 "$RC"
	check_eq "... to the release live before it" "$z" "$(hlive clock)"
	check "... y kept" hhave clock "$y"
}

# --rollback RELEASE | COMMIT: by name, by a prefix, in full; refused.
test_named() {
	local p1 p2 p3 short
	hsetup named
	p1=$(hpublish named) p2=$(hpublish named) p3=$(hpublish named)
	cli -c "$(hconf named)" --rollback "$p1"
	check_eq "--rollback RELEASE: exit 0" 0 "$RC"
	check_eq "... that release is live" "$p1" "$(hlive named)"
	short=$(printf %.7s "${p3#*-}")
	cli -c "$(hconf named)" --rollback "$short"
	check_eq "--rollback with seven digits of a commit: exit 0" 0 "$RC"
	check_eq "... its release is live" "$p3" "$(hlive named)"
	cli -c "$(hconf named)" --rollback="${p2#*-}"
	check_eq "--rollback=COMMIT in full: exit 0" 0 "$RC"
	check_eq "... its release is live" "$p2" "$(hlive named)"
	cli -c "$(hconf named)" --rollback "$(git --git-dir="$FX_REPO" rev-list --max-parents=0 develop | head -n 1 |
		cut -c1-12)"
	check_eq "a commit no kept release holds: exit 1" 1 "$RC"
	check "... says so" grep -q "no kept release of that name or commit" "$ERR"
	check_eq "... the live release stays" "$p2" "$(hlive named)"
	cli -c "$(hconf named)" --rollback "$p2"
	check_eq "the live release itself: exit 1" 1 "$RC"
	check "... says so" grep -q "is the live release already" "$ERR"
	# The third column of --releases, pasted: NAME.releases/RELEASE.
	cli -c "$(hconf named)" --releases
	check "--releases prints NAME.releases/RELEASE" grep -qF " named.releases/$p3" "$OUT"
	cli -c "$(hconf named)" --rollback "named.releases/$p3"
	check_eq "--rollback NAME.releases/RELEASE, as --releases prints it: exit 0" 0 "$RC"
	check_eq "... that release is live" "$p3" "$(hlive named)"
	cli -c "$(hconf named)" --rollback "$FX_DIR/srv/named.releases/$p2"
	check_eq "--rollback with the releases directory's whole path: exit 0" 0 "$RC"
	check_eq "... that release is live" "$p2" "$(hlive named)"
	cli -c "$(hconf named)" --rollback "other.releases/$p1"
	check_eq "a release of another directory: exit 1" 1 "$RC"
	check "... says so" grep -qF "other.releases/$p1: not a release of $FX_DIR/srv/named.releases" "$ERR"
	check_eq "... the live release stays" "$p2" "$(hlive named)"
	cli -c "$(hconf named)" --rollback abc
	check_eq "fewer than seven digits: exit 64" 64 "$RC"
	check "... says what a target is, not the helper's synopsis" \
		sh -c "grep -q 'abc: neither a release.s name (as --releases prints it) nor 7 to 40' '$ERR' && ! grep -q 'usage: sentry-source-sync' '$ERR'"
	cli -c "$(hconf named)" --rollback ../x
	check_eq "not a name nor a commit: exit 64" 64 "$RC"
	cli -c "$(hconf named)" --rollback "named.releases/${p1%-*}-${short}"
	check_eq "a release's name cut short: exit 64" 64 "$RC"
	check_eq "... the live release stays" "$p2" "$(hlive named)"
	cli -c "$(hconf named)" --rollback "$p1" extra
	check_eq "two words after --rollback: exit 64" 64 "$RC"
	cli -c "$(hconf named)" --rollback "$(head -c 4096 /dev/zero | tr '\0' a)"
	check_eq "a target of 4096 bytes: exit 64" 64 "$RC"
	check "... says it is too long" grep -q -- "--rollback: a target of more than 4095 bytes" "$ERR"
}

# kill -9 during rollbacks: the history is the old file or the new, whole.
test_history_kills() {
	local p1 p2 i pid
	hsetup hkill
	p1=$(hpublish hkill) p2=$(hpublish hkill)
	for i in $(seq 1 20); do
		./sentry-source -c "$(hconf hkill)" --rollback "$([ $((i % 2)) = 0 ] &&
			echo "$p1" || echo "$p2")" >/dev/null 2>&1 </dev/null &
		pid=$!
		sleep "0.0$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	check "after 20 rollbacks killed -9 at random, every line of the history is whole" \
		test "$(hhistory hkill | grep -cvE "$HLINE")" = 0
	check "... and it ends with a newline" test "$(tail -c 1 "$FX_DIR/srv/hkill.releases/history" |
		od -An -c | tr -d ' ')" = '\n'
	cli -c "$(hconf hkill)" --rollback "$p1"
	cli -c "$(hconf hkill)" --rollback "$p2"
	check_eq "rollbacks after them: exit 0" 0 "$RC"
	check "... the history agrees with the link" \
		grep -q " $(hlive hkill) " <<<"$(hhistory hkill | tail -n 1)"
	check "... no temporary left" test ! -e "$FX_DIR/srv/hkill.releases/.history.new"
}

# A rollback moves the live commit in the record and the metrics, and
# leaves the last sync's outcome: a failed BUILD stays exit 7.
test_rollback_status() {
	local r1 r2 conf metrics before
	conf=$(hconf rstat) metrics="$FX_DIR/rstat.prom"
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/rstat" PUBLISH=releases \
		"METRICS_FILE=$metrics"
	r1=$(hpublish rstat) r2=$(hpublish rstat)
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/rstat" PUBLISH=releases \
		"METRICS_FILE=$metrics" BUILD=/bin/false
	push_commit develop >/dev/null
	cli -c "$conf" --sync
	check_eq "a failed BUILD: exit 7" 7 "$RC"
	before=$(grep '^sentry_source_syncs_total' "$metrics")
	cli -c "$conf" --rollback
	check_eq "--rollback after it: exit 0" 0 "$RC"
	check_eq "... to the release before" "$r1" "$(hlive rstat)"
	cli -c "$conf" --status
	check_eq "--status after the rollback still exits 7 (the branch does not build)" 7 "$RC"
	check "... says the rollback and the last sync" \
		grep -q "rolled back from $(printf %.12s "${r2#*-}") to $(printf %.12s "${r1#*-}"); the last sync: " "$OUT"
	./sentry-source -c "$conf" --status --json >"$FX_DIR/rstat.json"
	check "... --status --json names the live commit" \
		grep -qE '"new": *"'"${r1#*-}"'"' "$FX_DIR/rstat.json"
	check "the metrics name the live commit" \
		grep -q "^sentry_source_live_commit_info{.*commit=\"${r1#*-}\"} 1\$" "$metrics"
	check "... still say the last sync exited 7" \
		grep -qE '^sentry_source_last_sync_exit_status\{[^}]*\} 7$' "$metrics"
	check_eq "... and count no sync for the rollback" "$before" \
		"$(grep '^sentry_source_syncs_total' "$metrics")"
	check "... and are well formed" awk -f tests/promcheck.awk "$metrics"
	cp "$FX_DIR/srv/rstat.status" "$FX_DIR/rstat.before"
	cp "$metrics" "$FX_DIR/rstat.prom.before"
	cli -c "$conf" --rollback "$(git --git-dir="$FX_REPO" rev-list --max-parents=0 develop | head -n 1 | cut -c1-12)"
	check_eq "a refused rollback: exit 1" 1 "$RC"
	check "... leaves the record as it was" cmp -s "$FX_DIR/srv/rstat.status" "$FX_DIR/rstat.before"
	check "... and the metrics" cmp -s "$metrics" "$FX_DIR/rstat.prom.before"
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/rstat" PUBLISH=releases \
		"METRICS_FILE=$metrics"
	cli -c "$conf" --sync
	cli -c "$conf" --status
	check_eq "a sync that succeeds then: --status exits 0" 0 "$RC"
	rm -f "$FX_DIR/rstat.before" "$FX_DIR/rstat.prom.before" "$FX_DIR/rstat.json"
}

# After a rollback the live release is pinned: a sync fetches and says
# so; --resume, or a push of a new commit, publishes the tip.
test_pin() {
	local p1 p2 p3 conf metrics probe
	conf=$(hconf pin) metrics="$FX_DIR/pin.prom" probe="$FX_DIR/pin.build"
	printf '#!/bin/sh\necho built >>"%s"\n' "$probe" >"$FX_DIR/pin-build.sh"
	chmod +x "$FX_DIR/pin-build.sh"
	write_config "$conf" "CLONE_PATH=$FX_DIR/srv/pin" PUBLISH=releases KEEP_RELEASES=3 \
		"METRICS_FILE=$metrics" "BUILD=$FX_DIR/pin-build.sh" "RUN=$FX_DIR/pin-build.sh"
	p1=$(hpublish pin) p2=$(hpublish pin)
	cli -c "$conf" --rollback
	check_eq "a rollback pins: the metrics say sentry_source_pinned 1" 1 \
		"$(sed -n 's/^sentry_source_pinned{[^}]*} //p' "$metrics")"
	cli -c "$conf" --status
	check "... --status before a sync: the remote at an unknown commit, though a sync fetched it" \
		grep -qx "pinned:    yes, by a rollback; the remote is at an unknown commit" "$OUT"
	cli -c "$conf" --sync
	check_eq "a sync while pinned: exit 0" 0 "$RC"
	check_eq "... publishes nothing" "$p1" "$(hlive pin)"
	check "... and says why and what to do" grep -q "pinned at $(printf %.12s "${p1#*-}") by a rollback; the remote is at $(printf %.12s "${p2#*-}"); sentry-source --resume publishes it" "$ERR"
	cli -c "$conf" --status
	check "... --status says so" grep -q "pinned at $(printf %.12s "${p1#*-}") by a rollback" "$OUT"
	check "... and shows it pinned, with the remote's tip" \
		grep -qx "pinned:    yes, by a rollback; the remote is at ${p2#*-}" "$OUT"
	cli -c "$conf" --status --json
	check "... --status --json: pinned true, the remote's tip" \
		grep -q "\"pinned\":true,\"remote\":\"${p2#*-}\",\"ref\":" "$OUT"
	check_eq "... the metrics still say pinned" 1 \
		"$(sed -n 's/^sentry_source_pinned{[^}]*} //p' "$metrics")"
	check "... and are well formed" awk -f tests/promcheck.awk "$metrics"
	rm -f "$probe"
	cli -c "$conf" --resume
	check_eq "--resume: exit 0" 0 "$RC"
	check_eq "... publishes the remote's tip" "${p2#*-}" "$(hlive pin | sed 's/^[0-9TZ.]*-//')"
	check "... as a new release" test "$(hlive pin)" != "$p2"
	check_eq "... BUILD ran in it, and RUN after" "built built" "$(tr '\n' ' ' <"$probe" | sed 's/ $//')"
	check "... a resume line in the history" \
		grep -qE "Z resume ${p2#*-} $(hlive pin) was ${p1#*-}\$" <<<"$(hhistory pin | tail -n 1)"
	check_eq "... the pin is over" 0 "$(sed -n 's/^sentry_source_pinned{[^}]*} //p' "$metrics")"
	cli -c "$conf" --status --json
	check "... and --status --json says pinned false, no remote" \
		grep -q '"pinned":false,"remote":null,"ref":' "$OUT"
	cli -c "$conf" --rollback
	p3=$(hpublish pin)
	check_eq "pinned again, a push of a new commit is published" "$p3" "$(hlive pin)"
	check_eq "... and ends the pin" 0 "$(sed -n 's/^sentry_source_pinned{[^}]*} //p' "$metrics")"
	cli -c "$conf" --resume --branch develop
	check_eq "--resume takes no --branch: exit 64" 64 "$RC"
	rm -f "$probe"
}

# --- a release made from the live one: links for what did not change ----------
# rstate DIR: every path of DIR with its type, the exec bit, the bytes' sum
# or the link's target; the same for a release and for `git archive`.
rstate() {
	(cd "$1" && find . -mindepth 1 -printf '%y %P -> %l\n' | LC_ALL=C sort &&
		find . -type f -perm -u+x -printf 'x %P\n' | LC_ALL=C sort &&
		find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r sha1sum)
}
# same_state DIR OID: DIR is OID's tree, links and modes included.
same_state() {
	local want="$FX_DIR/hl.want"
	rm -rf "$want" && mkdir -p "$want" &&
		git --git-dir="$FX_REPO" archive "$2" | tar -x -C "$want" &&
		[ "$(rstate "$1")" = "$(rstate "$want")" ]
}
hl_push() {
	git -C "$1" add -A . && fx_git_commit "$1" "develop: $2" >/dev/null &&
		git -C "$1" push -q origin develop >/dev/null
}
hl_dir() { printf '%s\n' "$FX_DIR/srv/hl.releases/$1"; }
ino() { stat -c %i "$1"; }

test_hardlinks() {
	local s="$FX_DIR/git/scratch" r1 r2 r3 r4 r5 c1 c2 c3 c4 s3 i
	write_config "$(hconf hl)" "CLONE_PATH=$FX_DIR/srv/hl" PUBLISH=releases KEEP_RELEASES=20
	git -C "$s" fetch -q origin && git -C "$s" checkout -q -B develop origin/develop
	mkdir -p "$s/a" "$s/x"
	for i in 1 2 3 4 5; do printf 'a %s\n' "$i" >"$s/a/$i"; done
	printf 'echo m\n' >"$s/m.sh" && chmod 644 "$s/m.sh"
	printf 'gone\n' >"$s/del.txt"
	printf 'renamed\n' >"$s/from.txt"
	printf 'y\n' >"$s/x/y"
	ln -sfn a/1 "$s/l"
	hl_push "$s" "a tree to link from"
	c1=$(repo_tip develop)
	cli -c "$(hconf hl)" --sync
	r1=$(hlive hl)
	check_eq "the first release: exit 0" 0 "$RC"
	check "... is its commit's tree, links and modes included" same_state "$(hl_dir "$r1")" "$c1"
	check "... its files are read-only" test -z "$(find "$(hl_dir "$r1")" -type f -perm /222)"

	git -C "$s" mv from.txt to.txt
	rm -r "$s/x" "$s/del.txt"
	printf 'x is a file now\n' >"$s/x"
	chmod 755 "$s/m.sh"
	ln -sfn a/2 "$s/l"
	mkdir -p "$s/big"
	for i in $(seq 1 2000); do printf '%s\n' "$i" >"$s/big/$i"; done
	hl_push "$s" "renames, a directory made a file, a mode, a link, 2,000 files"
	c2=$(repo_tip develop)
	cli -c "$(hconf hl)" --sync
	r2=$(hlive hl)
	check_eq "a release of renames, a directory made a file, 644 to 755, a deletion: exit 0" \
		0 "$RC"
	check "... is its commit's tree" same_state "$(hl_dir "$r2")" "$c2"
	check "... an unchanged file is the live release's, linked" \
		test "$(ino "$(hl_dir "$r1")/a/1")" = "$(ino "$(hl_dir "$r2")/a/1")"
	check "... the file made executable is written anew" \
		test "$(ino "$(hl_dir "$r1")/m.sh")" != "$(ino "$(hl_dir "$r2")/m.sh")"
	check "... executable" test -x "$(hl_dir "$r2")/m.sh"
	check "... the log counts what was linked and written" \
		grep -qE "[0-9]+ files linked from the live release, 2005 written" "$ERR"
	check "the release before is still its commit's tree" same_state "$(hl_dir "$r1")" "$c1"

	rm "$s/x" && mkdir "$s/x" && printf 'z\n' >"$s/x/z"
	for i in $(seq 1 2000); do printf '%s changed\n' "$i" >"$s/big/$i"; done
	hl_push "$s" "the file made a directory again, 2,000 files changed"
	c3=$(repo_tip develop)
	cli -c "$(hconf hl)" --sync
	r3=$(hlive hl)
	check_eq "a release of a file made a directory, 2,000 files changed: exit 0" 0 "$RC"
	check "... is its commit's tree" same_state "$(hl_dir "$r3")" "$c3"
	check "... the link unchanged since is linked" \
		test "$(ino "$(hl_dir "$r2")/l")" = "$(ino "$(hl_dir "$r3")/l")"
	check "the releases before are still their commits' trees" \
		eval 'same_state "$(hl_dir "$r1")" "$c1" && same_state "$(hl_dir "$r2")" "$c2"'

	# What the app did to the live release is not carried over: a file made
	# writable, a file replaced by a link to the machine's files.
	chmod u+w "$(hl_dir "$r3")/a/3"
	rm "$(hl_dir "$r3")/a/4" && ln -s /etc/passwd "$(hl_dir "$r3")/a/4"
	s3=$(rstate "$(hl_dir "$r3")")
	push_commit develop >/dev/null
	c4=$(repo_tip develop)
	cli -c "$(hconf hl)" --sync
	r4=$(hlive hl)
	check_eq "a live release written to: the next release: exit 0" 0 "$RC"
	check "... is its commit's tree, not the live one's changes" \
		same_state "$(hl_dir "$r4")" "$c4"
	check "... the file made writable is written anew" \
		test "$(ino "$(hl_dir "$r3")/a/3")" != "$(ino "$(hl_dir "$r4")/a/3")"
	check "... and the log says so" grep -q "2 unchanged files are not as its commit says" "$ERR"

	# BUILD may write into the release: nothing of it is shared.
	printf '#!/bin/sh\necho built >>a/5\necho built >>to.txt\n' >"$FX_DIR/hl-build.sh"
	chmod +x "$FX_DIR/hl-build.sh"
	write_config "$(hconf hl)" "CLONE_PATH=$FX_DIR/srv/hl" PUBLISH=releases KEEP_RELEASES=20 \
		"BUILD=$FX_DIR/hl-build.sh"
	push_commit develop >/dev/null
	cli -c "$(hconf hl)" --sync
	r5=$(hlive hl)
	check_eq "a BUILD that appends to tracked files: exit 0" 0 "$RC"
	check "... it wrote into the new release" grep -q built "$(hl_dir "$r5")/a/5"
	i=no
	same_state "$(hl_dir "$r1")" "$c1" && same_state "$(hl_dir "$r2")" "$c2" &&
		same_state "$(hl_dir "$r4")" "$c4" && [ "$(rstate "$(hl_dir "$r3")")" = "$s3" ] &&
		i=yes
	check_eq "... every older release is as it was" yes "$i"
	write_config "$(hconf hl)" "CLONE_PATH=$FX_DIR/srv/hl" PUBLISH=releases KEEP_RELEASES=20
	push_commit develop >/dev/null
	cli -c "$(hconf hl)" --sync
	check_eq "BUILD unset again: exit 0" 0 "$RC"
	check "... the built files are not linked: the release is its commit's tree" \
		same_state "$(hl_dir "$(hlive hl)")" "$(repo_tip develop)"
	check "... and the built release is as BUILD left it" grep -q built "$(hl_dir "$r5")/a/5"
	rm -rf "$FX_DIR/hl.want"
}

test_first
# ONLY=NAME runs part test_NAME alone (tests/tap.sh), after the first publish.
run_parts \
	test_build \
	test_rollback \
	test_keep \
	test_deep \
	test_entry \
	test_readers \
	test_kills \
	test_convert \
	test_glob \
	test_contents \
	test_history \
	test_clock \
	test_named \
	test_history_kills \
	test_rollback_status \
	test_pin \
	test_hardlinks

echo "1..$n"
