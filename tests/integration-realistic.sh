#!/bin/bash
# tests/integration-realistic.sh: the sync against a repository shaped
# like real ones (tests/lib-realistic.sh): 20000 files, tags of commits,
# trees and blobs, symlinks, a submodule, an LFS pointer, directories that
# become files. A first clone and the umask, 100 syncs and git fsck, kill -9
# at 8 moments of a checkout of 20000 files and SYNC_TIMEOUT during one,
# untracked and ignored files in the way, an unpushed commit, a deleted
# branch, a force push, and a glob BRANCH with pushes to two branches.
# Prints TAP. Needs `make` first. KILL_REPORT=file gets the kill matrix.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/lib-realistic.sh
. tests/tap.sh

RUN_TIMEOUT=300

tap_fixture real
REAL="$FX_DIR/real.git"
CP="$FX_DIR/real/checkout"
CONF="$FX_DIR/real.conf"
URL="ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$REAL"
RECORD="$CP/.git/sentry-source-move"
make_real_repo "$REAL" || bail "could not make the realistic repository"
# RUN= writes what it was told here.
RUN_OUT="$FX_DIR/run-out"
cat >"$FX_DIR/probe" <<EOF
#!/bin/sh
printf '%s %s %s\n' "\$SENTRY_OLD" "\$SENTRY_NEW" "\$SENTRY_FORCED" >>"$RUN_OUT"
EOF
chmod 755 "$FX_DIR/probe"
write_config "$CONF" "CLONE_URL=$URL" "CLONE_PATH=$CP" "RUN=$FX_DIR/probe"

sync_now() { cli -c "${1:-$CONF}" --sync; }
tip() { git -C "$REAL" rev-parse "refs/heads/$1"; }
tracked_files() { git -C "$CP" ls-files | wc -l; }

# --- the first clone --------------------------------------------------------

test_clone() {
	local mode mask
	mask=$(umask)
	umask 027
	sync_now
	umask "$mask"
	check_eq "first clone of 20000 files: exits 0" 0 "$RC"
	check_eq "first clone: HEAD at the tip" "$(tip develop)" "$(head_of "$CP")"
	check "first clone: clean work tree" clean_tree "$CP"
	check "first clone: all $REAL_FILES files and more" test "$(tracked_files)" -gt "$REAL_FILES"
	mode=$(stat -c %a "$CP")
	check_eq "first clone under umask 027: CLONE_PATH is 750, not mkdtemp's 700" 750 "$mode"
	check "first clone: the script is executable" test -x "$CP/bin/run.sh"
	check_eq "first clone: the symlink is a symlink" README "$(readlink "$CP/link-to-readme")"
	check "first clone: non-ASCII names" test -f "$CP/données/café.txt" -a -f "$CP/日本語/ファイル.txt"
	check "first clone: the log names the submodules and the LFS files" \
		grep -q "the tree has submodules and Git LFS files" "$ERR"
	check "first clone: the LFS file is its pointer" grep -q "^version https://git-lfs" "$CP/assets/model.bin"
	check "first clone: the submodule is an empty directory" \
		test -d "$CP/vendor/lib" -a -z "$(ls -A "$CP/vendor/lib")"
	# The same under umask 022, on the small repository of tests/lib.sh.
	write_config "$FX_DIR/small.conf" "CLONE_PATH=$FX_DIR/real/small"
	umask 022
	cli -c "$FX_DIR/small.conf" --sync
	umask "$mask"
	check_eq "first clone under umask 022: CLONE_PATH is 755" "0 755" \
		"$RC $(stat -c %a "$FX_DIR/real/small")"
}

# --- 100 syncs, tags and the repack -------------------------------------------

test_hundred_syncs() {
	local i fails=0 packs max=0 t
	for i in $(seq 1 100); do
		real_small "$REAL" "sync $i" >/dev/null
		# New tags along the way, of each kind, as a release process adds them.
		case $((i % 10)) in
		3) git -C "$REAL" tag -a -m "tag $i" "v1.$i" develop ;;
		5) git -C "$REAL" tag -a -m "blob $i" "v-blob-$i" develop:README ;;
		7) git -C "$REAL" tag "light-tree-$i" develop:tree/d001 ;;
		9) git -C "$REAL" tag "light-$i" develop ;;
		esac
		./sentry-source -c "$CONF" --sync </dev/null >/dev/null 2>>"$FX_DIR/hundred.log" ||
			fails=$((fails + 1))
		packs=$(find "$CP/.git/objects/pack" -name '*.pack' | wc -l)
		[ "$packs" -le "$max" ] || max=$packs
	done
	check_eq "100 syncs with tags of commits, trees and blobs: all exit 0" 0 "$fails"
	check "100 syncs: repacked (the log says so)" grep -q "repacked" "$FX_DIR/hundred.log"
	# Geometric repacking (src/sync/pack.c): at most 2 + log2(objects).
	local bound
	bound=$(git -C "$CP" count-objects -v |
		awk '$1 == "in-pack:" { print 2 + int(log($2) / log(2)) }')
	check "100 syncs: at most 2 + log2(objects) = $bound packs at any time (most: $max)" \
		test "$max" -le "$bound"
	check "100 syncs: git fsck --strict is clean" git -C "$CP" fsck --no-progress --strict
	for t in v1.0 v-tree v-blob v-nested light-blob light-tree v1.93 v-blob-95 light-tree-97; do
		git -C "$CP" cat-file -e "refs/tags/$t" 2>/dev/null || break
		t=""
	done
	check_eq "100 syncs: every kind of tag still resolves" "" "$t"
	note "pack counts: at most $max during 100 syncs, $(find "$CP/.git/objects/pack" -name '*.pack' | wc -l) at the end"
	sync_now
	check_eq "100 syncs: one more sync still fetches" 0 "$RC"
}

# --- kill -9 during the checkout ----------------------------------------------

# kill_in_checkout DELAY: a sync of a push that rewrites all the files,
# killed DELAY seconds after it recorded where the work tree goes; prints
# "mid" when the kill came before the move was done.
kill_in_checkout() {
	local pid i
	./sentry-source -c "$CONF" --sync </dev/null >/dev/null 2>>"$FX_DIR/kill.log" &
	pid=$!
	for i in $(seq 1 3000); do
		[ ! -e "$RECORD" ] || break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	sleep "$1"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# The sync's child dies with it (PR_SET_PDEATHSIG).
	for i in $(seq 1 50); do
		pgrep -f "sentry-source-sync -c $CONF" >/dev/null || break
		sleep 0.1
	done
	if [ -e "$RECORD" ]; then echo mid; else echo "done"; fi
}

test_kill_matrix() {
	local d gen=1 want where bad="" mid=0 said="" report="${KILL_REPORT:-$FX_DIR/kill-report}"
	: >"$report"
	# Where each kill lands depends on the machine's speed: what is checked
	# is the outcome for wherever it landed, and where is only reported.
	for d in 0 0.02 0.05 0.1 0.2 0.4 0.7 1.0; do
		gen=$((gen + 1))
		want=$(real_generation "$REAL" "$gen")
		where=$(kill_in_checkout "$d")
		[ "$where" = "done" ] || mid=$((mid + 1))
		sync_now
		printf 'kill -9 %ss after the record: %s; next sync exit %s, %s, %s\n' "$d" \
			"$(if [ "$where" = mid ]; then echo "during the checkout"; else echo "after the move"; fi)" \
			"$RC" "$([ "$(head_of "$CP")" = "$want" ] && echo "at the tip" || echo "NOT at the tip")" \
			"$(clean_tree "$CP" && echo "clean tree" || echo "NOT clean")" >>"$report"
		if [ "$RC" != 0 ] || [ "$(head_of "$CP")" != "$want" ] || ! clean_tree "$CP" ||
			[ -e "$RECORD" ]; then
			bad="$bad $d"
			cat "$ERR" >&2
		fi
		# A kill during the checkout left a move that the next sync finished.
		if [ "$where" = mid ] && ! grep -q "finishing an interrupted sync" "$ERR"; then
			said="$said $d"
		fi
	done
	sed 's/^/# /' "$report"
	printf '# kill -9: %d of 8 kills came during the checkout, %d after the move\n' \
		"$mid" $((8 - mid))
	check_eq "kill -9 at 8 moments of a checkout of 20000 files: the next sync reaches the tip, clean" \
		"" "$bad"
	check_eq "kill -9 during the checkout ($mid of 8): the next sync said it finished the interrupted sync" \
		"" "$said"
	check "after the kills: git fsck --strict is clean" git -C "$CP" fsck --no-progress --strict
}

# kill_mid GEN: push generation GEN and kill its sync during the checkout,
# trying shorter delays while the kill lands after the move (a fast
# machine); prints the generation's oid, then "mid" or "done" for where
# the last kill landed.
kill_mid() {
	local d want where="done"
	for d in 0.1 0.05 0.02 0; do
		want=$(real_generation "$REAL" "$1.$d")
		where=$(kill_in_checkout "$d")
		[ "$where" = mid ] && break
		sync_now
	done
	printf '%s %s\n' "$want" "$where"
}

# Killed during the checkout, then someone edits a file: that is a local
# modification, not the dead sync's work.
test_kill_then_edit() {
	local want where f=tree/d000/s0/f00.txt why="no kill landed during the checkout on this machine"
	read -r want where < <(kill_mid 50)
	printf 'a local edit\n' >"$CP/$f"
	sync_now
	if [ "$where" = mid ]; then
		check_eq "killed during the checkout, then a file edited: exits 5" 5 "$RC"
		check "... the log names the edited file" grep -q "local modifications.*$f" "$ERR"
		check_eq "... the edit kept" "a local edit" "$(cat "$CP/$f")"
	else
		skip "killed during the checkout, then a file edited: exits 5" "$why"
		skip "... the log names the edited file" "$why"
		skip "... the edit kept" "$why"
	fi
	git -C "$REAL" show "$want:$f" >"$CP/$f"
	sync_now
	check_eq "the edit undone (the file as the target has it): exits 0" 0 "$RC"
	check_eq "... at the tip" "$want" "$(head_of "$CP")"
	check "... clean work tree" clean_tree "$CP"
	# A file the killed checkout was writing holds the start of its
	# content: that is the dead sync's work, not an edit.
	read -r want where < <(kill_mid 51)
	head -c 5 "$CP/$f" >"$FX_DIR/cut" && cat "$FX_DIR/cut" >"$CP/$f"
	sync_now
	if [ "$where" = mid ]; then
		check_eq "killed during the checkout, a file cut short: the next sync exits 0" 0 "$RC"
	else
		# After the move, the cut is an edit like any other.
		skip "killed during the checkout, a file cut short: the next sync exits 0" "$why"
		git -C "$REAL" show "$want:$f" >"$CP/$f"
		sync_now
	fi
	check_eq "... at the tip" "$want" "$(head_of "$CP")"
	check "... clean work tree" clean_tree "$CP"
}

test_sync_timeout() {
	local conf="$FX_DIR/timeout.conf" gen=100 want i hit=0
	write_config "$conf" "CLONE_URL=$URL" "CLONE_PATH=$CP" SYNC_TIMEOUT=1
	# The clock decides where 1 s ends: try a few pushes until one ends
	# in the checkout. Its objects are fetched beforehand (plain git, from
	# the local path, into no ref), so that the second goes to the checkout.
	for i in 1 2 3 4 5 6; do
		gen=$((gen + 1))
		want=$(real_generation "$REAL" "$gen")
		git -C "$CP" fetch -q "$REAL" develop 2>/dev/null
		sync_now "$conf"
		if grep -q "SYNC_TIMEOUT=1s during the checkout" "$ERR"; then
			hit=1
			break
		fi
		[ "$RC" = 0 ] || grep -q "SYNC_TIMEOUT=1s during the \(connect\|fetch\)" "$ERR" ||
			break
	done
	check "SYNC_TIMEOUT=1 stopped a checkout of 20000 files, and the log says the checkout" \
		test "$hit" = 1
	check_eq "SYNC_TIMEOUT in the checkout: exits 1" 1 "$RC"
	sync_now
	check_eq "the next sync after SYNC_TIMEOUT in the checkout: exits 0" 0 "$RC"
	check_eq "the next sync after SYNC_TIMEOUT: HEAD at the tip" "$want" "$(head_of "$CP")"
	check "the next sync after SYNC_TIMEOUT: clean work tree" clean_tree "$CP"
}

# --- what nobody committed is in the way ----------------------------------------

test_refuse_before_writing() {
	local was want readme
	was=$(head_of "$CP")
	readme=$(cat "$CP/README")
	printf 'mine\n' >"$CP/turn/untracked.txt"
	want=$(real_shapes "$REAL")
	sync_now
	check_eq "turn/ becomes a file while it holds an untracked file: exits 5" 5 "$RC"
	check "... the log names the untracked file" grep -q "turn/untracked.txt" "$ERR"
	check_eq "... HEAD kept" "$was" "$(head_of "$CP")"
	check_eq "... nothing written: README as it was" "$readme" "$(cat "$CP/README")"
	check "... nothing written: grow is still a file" test -f "$CP/grow"
	check "... the untracked file kept" test -f "$CP/turn/untracked.txt"
	check "... no record of a move left" test ! -e "$RECORD"
	sync_now
	check_eq "... and again: still 5, not stuck on something else" 5 "$RC"
	rm "$CP/turn/untracked.txt"
	printf 'turn/*.log\n' >>"$CP/.git/info/exclude"
	printf 'build output\n' >"$CP/turn/build.log"
	sync_now
	check_eq "an ignored file in turn/ instead: exits 5" 5 "$RC"
	check "... the log names the ignored file" grep -q "turn/build.log" "$ERR"
	rm "$CP/turn/build.log"
	sync_now
	check_eq "once the files are gone: exits 0" 0 "$RC"
	check_eq "... HEAD at the tip" "$want" "$(head_of "$CP")"
	check "... turn is a file, grow a directory" test -f "$CP/turn" -a -f "$CP/grow/inner.txt"
	check "... clean work tree" clean_tree "$CP"
	printf 'mine\n' >"$CP/grow-not-tracked"
	mkdir -p "$CP/newdir" && printf 'x\n' >"$CP/newdir/mine"
	want=$(real_shapes "$REAL")
	sync_now
	check_eq "back again (untracked files elsewhere): exits 0" 0 "$RC"
	check "... the untracked files kept" test -f "$CP/grow-not-tracked" -a -f "$CP/newdir/mine"
	rm -rf "$CP/grow-not-tracked" "$CP/newdir"
}

# --- an unpushed commit whose work tree equals origin's ----------------------

test_unpushed() {
	local mine
	printf 'a local fix\n' >"$CP/README"
	git -C "$CP" commit -q -am "a local fix" && mine=$(head_of "$CP")
	git -C "$CP" revert --no-commit HEAD
	real_small "$REAL" "upstream moves on" >/dev/null
	sync_now
	check_eq "an unpushed commit, its revert staged: exits 5" 5 "$RC"
	check_eq "... the local commit stays on the branch" "$mine" "$(git -C "$CP" rev-parse develop)"
	git -C "$CP" reset -q --hard "origin/develop"
	sync_now
	check_eq "without it: exits 0" 0 "$RC"
}

# --- deleted branches and force pushes ---------------------------------------

test_deleted_branch() {
	local was
	real_delete_branch "$REAL" gone
	sync_now
	check_eq "another branch deleted on the remote: exits 0" 0 "$RC"
	check "... its remote-tracking ref pruned" \
		not git -C "$CP" rev-parse -q --verify refs/remotes/origin/gone
	was=$(head_of "$CP")
	: >"$RUN_OUT"
	git -C "$REAL" branch saved develop
	real_delete_branch "$REAL" develop
	sync_now
	check_eq "the watched branch deleted on the remote: exits 1" 1 "$RC"
	check "... the log says the remote has no branch develop" \
		grep -q "the remote has no branch develop" "$ERR"
	check "... RUN did not run" test ! -s "$RUN_OUT"
	check_eq "... the checkout kept as it is" "$was" "$(head_of "$CP")"
	check "... clean work tree" clean_tree "$CP"
	real_force_push "$REAL" develop saved >/dev/null
	git -C "$REAL" branch -D saved >/dev/null
	sync_now
	check_eq "the branch back: exits 0" 0 "$RC"
}

test_force_push() {
	local old new
	old=$(head_of "$CP")
	: >"$RUN_OUT"
	new=$(real_force_push "$REAL" develop "develop~3")
	sync_now
	check_eq "a force push (a rewind by 3 commits): exits 0" 0 "$RC"
	check_eq "... followed: HEAD at the new tip" "$new" "$(head_of "$CP")"
	check "... logged as a forced update" grep -q "forced update" "$ERR"
	check_eq "... RUN told SENTRY_FORCED=1" "$old $new 1" "$(cat "$RUN_OUT")"
	: >"$RUN_OUT"
	new=$(real_small "$REAL" "after the rewind")
	sync_now
	check_eq "an ordinary push after it: RUN told SENTRY_FORCED=0" "${new:+$(git -C "$CP" rev-parse HEAD^) $new 0}" \
		"$(cat "$RUN_OUT")"
	check "... not logged as forced" not grep -q "forced" "$ERR"
	check "after the force push: git fsck --strict is clean" git -C "$CP" fsck --no-progress --strict
}

# --- a glob BRANCH: pushes to two branches while a sync waits -----------------

# On the small repository of tests/lib.sh: what counts here is the locks.
test_glob_waiting() {
	local conf="$FX_DIR/glob.conf" cp="$FX_DIR/real/glob" lockfd pid i t1 t2
	write_config "$conf" SOURCE=stash "CLONE_PATH=$cp" "BRANCH=release/*"
	t1=$(push_commit release/1)
	cli -c "$conf" --sync --branch release/1
	check_eq "glob BRANCH: first sync of release/1 exits 0" 0 "$RC"
	# A sync running: here, the test holds its lock.
	exec {lockfd}>"$cp.lock"
	flock -x "$lockfd"
	t1=$(push_commit release/1)
	./sentry-source -c "$conf" --sync --branch release/1 </dev/null >/dev/null \
		2>"$FX_DIR/glob-waiter.log" &
	pid=$!
	# Until the waiter holds the wait lock: up to 2 minutes on a loaded machine.
	for i in $(seq 1 1200); do
		flock_held "$cp.wait" && break
		sleep 0.1
	done
	t2=$(push_commit release/2)
	cli -c "$conf" --sync --branch release/2
	check_eq "a push to release/2 while a release/1 sync waits: exits 0 at once" 0 "$RC"
	check "... it says a sync is waiting and the newest push wins" \
		grep -q "already waiting.*newest push" "$ERR"
	flock -u "$lockfd"
	exec {lockfd}>&-
	wait "$pid"
	check_eq "the waiting sync: exits 0" 0 "$?"
	check "the waiting sync: says it syncs release/2, the newest push" \
		grep -q "the newest push wins: syncing release/2" "$FX_DIR/glob-waiter.log"
	check_eq "the checkout is on release/2" release/2 "$(branch_of "$cp")"
	check_eq "... at its tip" "$t2" "$(head_of "$cp")"
	cli -c "$conf" --sync
	check_eq "a timer's sync afterwards: stays on release/2" "release/2 $t2" \
		"$(branch_of "$cp") $(head_of "$cp")"
	check "only the two lock files and the status record beside the checkout" \
		test "$(cd "$(dirname "$cp")" && printf '%s ' glob*)" = \
		"glob glob.lock glob.status glob.wait "
	[ -n "$t1" ]
}

# ONLY="clone refuse" picks parts (tests/tap.sh); the later ones need the clone.
part glob && test_glob_waiting
part clone && test_clone
part hundred && test_hundred_syncs
part kill && test_kill_matrix
part kill && test_kill_then_edit
part kill && test_sync_timeout
part refuse && test_refuse_before_writing
part unpushed && test_unpushed
part deleted && test_deleted_branch
part force && test_force_push
printf '1..%d\n' "$n"
