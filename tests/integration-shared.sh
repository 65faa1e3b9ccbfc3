#!/bin/bash
# tests/integration-shared.sh: PUBLISH=releases with SHARED_DIRS= and
# SHARED_FILES=, and a commit with a submodule published as a release,
# through the real programs against the real sshd and repository of
# tests/lib.sh. Prints TAP. Needs `make` first.
#
# Parts (ONLY=NAME): first (always run: the first publish with shared
# paths), build, survive, replace, refuse, kills, submodule, movein.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=120

tap_fixture srv probe
CP="$FX_DIR/srv/app"
HOME_DIR="$CP.releases"
SHARED="$HOME_DIR/shared"
CONF="$FX_DIR/shared.conf"
PROBE="$FX_DIR/probe"
DIRS="uploads var/cache"
FILES=".env config/local.php"
write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases "SHARED_DIRS=$DIRS" \
	"SHARED_FILES=$FILES"

sync_now() { cli -c "$CONF" --sync; }
live() { basename "$(readlink "$CP")"; }
live_commit() { live | sed 's/^[0-9TZ.]*-//'; }
leftovers() { find "$HOME_DIR" -mindepth 1 -maxdepth 1 -name '.new-*' | wc -l; }

# commit_files FILE... : a commit on develop that adds each FILE (a path of
# the tree) with its name as its content; prints its oid.
commit_files() {
	local s="$FX_DIR/git/scratch" f
	git -C "$s" fetch -q origin >&2 &&
		git -C "$s" checkout -q -B develop origin/develop >&2 || return 1
	for f in "$@"; do
		mkdir -p "$s/$(dirname "$f")" && printf '%s\n' "$f" >"$s/$f"
	done
	git -C "$s" add -- "$@" && fx_git_commit "$s" "develop: add $*" >&2 &&
		git -C "$s" push -q origin develop >&2 && git -C "$s" rev-parse HEAD
}

# --- the first publish: shared/ made, every path linked ---------------------
test_first() {

	cli -c "$CONF" --check
	check "--check before the first sync: shared/ is made by it" \
		grep -q "ok: SHARED_DIRS, SHARED_FILES: made in $SHARED by the first sync" "$OUT"
	sync_now
	check_eq "the first --sync with shared paths: exit 0" 0 "$RC"
	check "a shared directory is made in shared/" test -d "$SHARED/uploads"
	check "... with its parents" test -d "$SHARED/var/cache"
	check "a missing shared file is made empty" test -f "$SHARED/.env" -a ! -s "$SHARED/.env"
	check_eq "... mode 0600" 600 "$(stat -c %a "$SHARED/.env")"
	check_eq "... under a directory made for it" 600 "$(stat -c %a "$SHARED/config/local.php")"
	check_eq "the release's uploads is a relative link into shared/" "../shared/uploads" \
		"$(readlink "$CP/uploads")"
	check_eq "a nested path's link climbs out of its directories" \
		"../../shared/config/local.php" "$(readlink "$CP/config/local.php")"
	check "the commit's other files are there" test -f "$CP/history.txt"
	check "the release's var/ is a directory of its own, not a link" \
		test -d "$CP/var" -a ! -L "$CP/var"
	echo secret=1 >"$CP/.env"
	check_eq "a write through the release's link lands in shared/" "secret=1" \
		"$(cat "$SHARED/.env")"
	cli -c "$CONF" --check
	check "--check says where the shared paths are kept" \
		grep -q "ok: SHARED_DIRS, SHARED_FILES: kept in $SHARED" "$OUT"
}

# --- BUILD sees the shared paths; the next release sees what it wrote -------
test_build() {

	cat >"$PROBE/build.sh" <<'EOF'
#!/bin/sh
# What BUILD saw, then a file written into the shared directory.
[ -L uploads ] && echo link >"$1/build.uploads"
cat .env >"$1/build.env"
n=$(ls uploads | wc -l)
echo "built $n" >"uploads/build-$n"
EOF
	chmod +x "$PROBE/build.sh"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases "SHARED_DIRS=$DIRS" \
		"SHARED_FILES=$FILES" "BUILD=$PROBE/build.sh $PROBE"
	echo key=build >"$SHARED/.env"
	push_commit develop >/dev/null
	sync_now
	check_eq "with BUILD and shared paths: exit 0" 0 "$RC"
	check_eq "BUILD ran with the shared directory linked in" link \
		"$(cat "$PROBE/build.uploads" 2>/dev/null)"
	check_eq "BUILD read the shared file" key=build "$(cat "$PROBE/build.env" 2>/dev/null)"
	first=$(find "$SHARED/uploads" -name 'build-*' | wc -l)
	push_commit develop >/dev/null
	sync_now
	check_eq "a second publish: exit 0" 0 "$RC"
	check_eq "the next release's BUILD saw what the last one wrote" \
		$((first + 1)) "$(find "$CP/uploads/" -name 'build-*' | wc -l)"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases "SHARED_DIRS=$DIRS" \
		"SHARED_FILES=$FILES"
}

# --- shared content survives publishes and rollbacks ----------------------------
test_survive() {

	echo avatar >"$CP/uploads/user.jpg"
	echo key=kept >"$CP/.env"
	before=$(live)
	new=$(push_commit develop)
	sync_now
	check_eq "a publish: exit 0" 0 "$RC"
	check_eq "... the new commit is live" "$new" "$(live_commit)"
	check "... a new release" test "$(live)" != "$before"
	check_eq "an upload survives a publish" avatar "$(cat "$CP/uploads/user.jpg")"
	check_eq "a shared file survives a publish" key=kept "$(cat "$CP/.env")"
	cli -c "$CONF" --rollback
	check_eq "--rollback: exit 0" 0 "$RC"
	check_eq "... the release before is live" "$before" "$(live)"
	check_eq "an upload survives a rollback" avatar "$(cat "$CP/uploads/user.jpg")"
	check_eq "a shared file survives a rollback" key=kept "$(cat "$CP/.env")"
	check "the shared directory sits beside the releases, not in one" \
		test -d "$SHARED" -a ! -L "$SHARED"
}

# --- a path the commit holds is replaced by the link ----------------------------
test_replace() {

	echo key=kept >"$SHARED/.env"
	new=$(commit_files uploads/from-git.txt .env var/cache/x)
	sync_now
	check_eq "a commit holding shared paths: exit 0" 0 "$RC"
	check_eq "... is live" "$new" "$(live_commit)"
	check "the commit's uploads/ is replaced by the link" test -L "$CP/uploads"
	check "... and its files are not in shared/" test ! -e "$SHARED/uploads/from-git.txt"
	check "the commit's .env is replaced by the link" test -L "$CP/.env"
	check_eq "... and shared/.env keeps its content" key=kept "$(cat "$SHARED/.env")"
	check "the log says the commit's uploads was replaced" \
		grep -q "the commit holds uploads; replaced by a link to its shared directory" "$ERR"
	check "... and .env" grep -q "the commit holds .env; replaced by a link to its shared file" \
		"$ERR"
	check "the repository still has the commit's file" \
		git --git-dir="$HOME_DIR/repo.git" cat-file -e "$new:uploads/from-git.txt"

	# The hostile twin: a link where a shared path's directory goes.
	s="$FX_DIR/git/scratch"
	mkdir -p "$FX_DIR/outside"
	git -C "$s" rm -rq config 2>/dev/null
	ln -sfn "$FX_DIR/outside" "$s/config"
	git -C "$s" add config && fx_git_commit "$s" "develop: config a link out" &&
		git -C "$s" push -q origin develop
	before=$(live)
	sync_now
	check_eq "a link in the commit above a shared path: exit 8" 8 "$RC"
	check "... says so" grep -q "holds a link or a file above the shared path config/local.php" \
		"$ERR"
	check_eq "... publishes nothing" "$before" "$(live)"
	check "... writes nothing through the link" test -z "$(ls -A "$FX_DIR/outside")"
	check_eq "... leaves no release behind" 0 "$(leftovers)"
	git -C "$s" rm -q config && fx_git_commit "$s" "develop: no config link" &&
		git -C "$s" push -q origin develop
	sync_now
	check_eq "the next push deploys: exit 0" 0 "$RC"
	check_eq "... the tip" "$(repo_tip develop)" "$(live_commit)"
}

# refused_check DESC CONFIG-ARGS...: --check and --sync exit 78, naming why.
refused_check() {
	local desc=$1 why=$2 before
	shift 2
	write_config "$FX_DIR/bad.conf" "CLONE_PATH=$CP" PUBLISH=releases "$@"
	cli -c "$FX_DIR/bad.conf" --check
	check_eq "$desc: --check exits 78" 78 "$RC"
	check "... and says why" grep -qF -- "$why" "$ERR" "$OUT"
	before=$(live)
	cli -c "$FX_DIR/bad.conf" --sync
	check_eq "$desc: --sync exits 78" 78 "$RC"
	check_eq "... and publishes nothing" "$before" "$(live)"
	check_eq "... and writes no release" 0 "$(leftovers)"
}

# --- refusals, with the repository ahead ---------------------------------------
test_refuse() {

	push_commit develop >/dev/null
	refused_check "SHARED_DIRS=../up" "a .. component" "SHARED_DIRS=../up"
	refused_check "SHARED_DIRS=a/../../up" "a .. component" "SHARED_DIRS=a/../../up"
	refused_check "SHARED_FILES=/etc/passwd" "an absolute path" "SHARED_FILES=/etc/passwd"
	refused_check "SHARED_DIRS=a//b" "an empty component" "SHARED_DIRS=a//b"
	refused_check "SHARED_DIRS=.git/hooks" "a .git component" "SHARED_DIRS=.git/hooks"
	refused_check "SHARED_DIRS=uploads uploads/x" "a shared path is named once" \
		"SHARED_DIRS=uploads uploads/x"
	# In socket mode the front checks the shape before it answers.
	write_config "$FX_DIR/bad.conf" "CLONE_PATH=$CP" PUBLISH=releases "SHARED_DIRS=../up"
	stash_payload_develop "$PROBE/push.json" "$(live_commit)" "$(repo_tip develop)"
	before=$(live)
	front "$FX_DIR/bad.conf" "$(post "$PROBE/push.json")"
	check_eq "socket mode, SHARED_DIRS=../up: exits 78" 78 "$RC"
	check "... the host is answered 500, not 200" grep -q '^HTTP/1.1 500' "$OUT"
	check "... the message names the file and line" grep -q "bad.conf:[0-9]*: SHARED_DIRS ../up" \
		"$ERR"
	check_eq "... and nothing is published" "$before" "$(live)"
	ln -s /etc "$SHARED/out"
	refused_check "a link out of shared/ (shared/out -> /etc)" "shared/out is a link" \
		"SHARED_DIRS=out"
	refused_check "a link above a shared path (shared/out/x)" "shared/out is a link or a file" \
		"SHARED_FILES=out/x"
	check "nothing was written through the link" test ! -e /etc/x
	rm "$SHARED/out"
	write_config "$FX_DIR/bad.conf" "CLONE_PATH=$FX_DIR/srv/inplace" "SHARED_DIRS=uploads"
	cli -c "$FX_DIR/bad.conf" --check
	check_eq "SHARED_DIRS in place: --check exits 78" 78 "$RC"
	check "... says it needs PUBLISH=releases" grep -q "needs PUBLISH=releases" "$ERR"
	cli -c "$FX_DIR/bad.conf" --sync
	check_eq "SHARED_DIRS in place: --sync exits 78" 78 "$RC"
	check "... and writes nothing" test ! -e "$FX_DIR/srv/inplace"
	sync_now
	check_eq "the good config publishes again: exit 0" 0 "$RC"
	check_eq "... the tip" "$(repo_tip develop)" "$(live_commit)"
}

# --- kill -9 during a publish with shared paths -----------------------------------
test_kills() {

	cat >"$PROBE/slow.sh" <<'EOF'
#!/bin/sh
echo built >>uploads/builds
sleep 1
EOF
	chmod +x "$PROBE/slow.sh"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases "SHARED_DIRS=$DIRS" \
		"SHARED_FILES=$FILES" "BUILD=$PROBE/slow.sh"
	echo avatar >"$SHARED/uploads/user.jpg"
	echo key=kill >"$SHARED/.env"
	for delay in 0.05 0.3 0.7 1.2; do
		push_commit develop >/dev/null
		./sentry-source -c "$CONF" --sync </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		sleep 0.2
		check "kill -9 after ${delay}s: CLONE_PATH's uploads is the shared link" \
			test "$(readlink "$CP/uploads")" = ../shared/uploads
	done
	sync_now
	check_eq "after the kills the next sync publishes: exit 0" 0 "$RC"
	check_eq "... the newest push" "$(repo_tip develop)" "$(live_commit)"
	check_eq "... no half-made release left" 0 "$(leftovers)"
	check_eq "... the shared upload is intact" avatar "$(cat "$CP/uploads/user.jpg")"
	check_eq "... the shared file is intact" key=kill "$(cat "$CP/.env")"
	write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases "SHARED_DIRS=$DIRS" \
		"SHARED_FILES=$FILES"
}

# --- a submodule: an empty directory, as in place --------------------------------
test_submodule() {

	s="$FX_DIR/git/scratch"
	git -C "$s" fetch -q origin && git -C "$s" checkout -q -B develop origin/develop
	printf '[submodule "vendor/lib"]\n\tpath = vendor/lib\n\turl = https://example.invalid/lib.git\n' \
		>"$s/.gitmodules"
	git -C "$s" add .gitmodules &&
		git -C "$s" update-index --add --cacheinfo \
			"160000,$(git -C "$s" rev-parse HEAD),vendor/lib" &&
		fx_git_commit "$s" "develop: a submodule" && git -C "$s" push -q origin develop
	new=$(repo_tip develop)
	sync_now
	check_eq "a commit with a submodule is published as a release: exit 0" 0 "$RC"
	check_eq "... it is live" "$new" "$(live_commit)"
	check "the submodule is an empty directory" \
		test -d "$CP/vendor/lib" -a -z "$(ls -A "$CP/vendor/lib" 2>/dev/null)"
	check "... beside .gitmodules" test -f "$CP/.gitmodules"
	check "the log names the submodules" grep -q "the tree has submodules" "$ERR"
	check "the shared paths are linked as well" test -L "$CP/uploads"
}

# --- moving an existing app's uploads in, as sentry-source(8) says -------------
test_movein() {

	cp2="$FX_DIR/srv/old"
	write_config "$FX_DIR/old.conf" "CLONE_PATH=$cp2" PUBLISH=releases
	cli -c "$FX_DIR/old.conf" --sync
	check_eq "an app published without shared paths: exit 0" 0 "$RC"
	mkdir -p "$cp2/uploads" && echo old-avatar >"$cp2/uploads/u.jpg"
	# The steps of Releases in sentry-source(8), word for word but the paths.
	(cd "$FX_DIR/srv" && flock old.lock sh -ec '
		cd old.releases
		mkdir -p shared
		live=$(basename "$(readlink ../old)")
		mv "$live/uploads" shared/uploads
		ln -s ../shared/uploads "$live/uploads"')
	check_eq "the live release still serves the uploads, from shared/" old-avatar \
		"$(cat "$cp2/uploads/u.jpg")"
	write_config "$FX_DIR/old.conf" "CLONE_PATH=$cp2" PUBLISH=releases SHARED_DIRS=uploads
	cli -c "$FX_DIR/old.conf" --check
	check_eq "--check with them moved in: exit 0" 0 "$RC"
	push_commit develop >/dev/null
	cli -c "$FX_DIR/old.conf" --sync
	check_eq "the next publish: exit 0" 0 "$RC"
	check_eq "... links the moved uploads into the new release" ../shared/uploads \
		"$(readlink "$cp2/uploads")"
	check_eq "... which serves them" old-avatar "$(cat "$cp2/uploads/u.jpg")"
}

test_first
# ONLY=NAME runs part test_NAME alone (tests/tap.sh), after the first publish.
run_parts \
	test_build \
	test_survive \
	test_replace \
	test_refuse \
	test_kills \
	test_submodule \
	test_movein

echo "1..$n"
