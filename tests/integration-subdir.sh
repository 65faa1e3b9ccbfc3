#!/bin/bash
# tests/integration-subdir.sh: SUBDIR= with PUBLISH=releases, through the
# real programs against the real sshd and repository of tests/lib.sh: a
# release holds that directory alone, BUILD runs in it, RUN='s changed
# files and INCLUDE_FILES are relative to it; a commit where it is
# absent, a file or a link is refused (exit 8), nothing published, and
# the next good push deploys; in place, and a bad path, refused with 78.
# Prints TAP. Needs `make` first.
#
# Parts (ONLY=NAME): publish, refuse, config, switch.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60

tap_fixture srv probe
CP="$FX_DIR/srv/app"
CONF="$FX_DIR/subdir.conf"
PROBE="$FX_DIR/probe"
S="$FX_DIR/git/scratch"

cat >"$PROBE/build.sh" <<'SH'
#!/bin/sh
pwd >"$1/build.pwd"
cp "$SENTRY_CHANGED_FILES" "$1/build.changed"
echo built >built.txt
SH
cat >"$PROBE/run.sh" <<'SH'
#!/bin/sh
cp "$SENTRY_CHANGED_FILES" "$1/run.changed"
SH
chmod +x "$PROBE/build.sh" "$PROBE/run.sh"
write_config "$CONF" "CLONE_PATH=$CP" PUBLISH=releases SUBDIR=site/public \
	"BUILD=$PROBE/build.sh $PROBE" "RUN=$PROBE/run.sh $PROBE" 'INCLUDE_FILES=**/*.html'

sync_now() { cli -c "$CONF" --sync; }
live_commit() { basename "$(readlink "$CP")" | sed 's/^[0-9TZ.]*-//'; }
leftovers() { find "$CP.releases" -mindepth 1 -maxdepth 1 -name '.new-*' | wc -l; }

# scratch_push MESSAGE: commit what the scratch clone holds, push develop,
# print the new tip.
scratch_prepare() {
	git -C "$S" fetch -q origin && git -C "$S" checkout -q -B develop origin/develop
}
scratch_push() {
	git -C "$S" add -A . && fx_git_commit "$S" "$1" >&2 &&
		git -C "$S" push -q origin develop >&2 && git -C "$S" rev-parse HEAD
}

test_publish() {
	scratch_prepare
	mkdir -p "$S/site/public/css" "$S/site/src"
	echo index >"$S/site/public/index.html"
	echo style >"$S/site/public/css/a.css"
	echo source >"$S/site/src/main.js"
	tip=$(scratch_push "a site")
	cli -c "$CONF" --check
	check "--check says what SUBDIR does" grep -q "ok: SUBDIR site/public: each release" "$OUT"
	sync_now
	check_eq "a first publish with SUBDIR: exit 0" 0 "$RC"
	check_eq "... the tip is live" "$tip" "$(live_commit)"
	check_eq "the release holds the directory's files at its top" index \
		"$(cat "$CP/index.html" 2>/dev/null)"
	check "... and its subdirectories" test -f "$CP/css/a.css"
	check "... nothing else of the tree" not test -e "$CP/history.txt" -o -e "$CP/site" \
		-o -e "$CP/public"
	check_eq "BUILD ran in the release's top" "$(basename "$(readlink "$CP")")" \
		"$(basename "$(cat "$PROBE/build.pwd" 2>/dev/null)" | sed 's/^\.new-//')"
	check "... and what it wrote is published" test -f "$CP/built.txt"
	check_eq "BUILD's changed files are relative to SUBDIR, INCLUDE_FILES too" \
		index.html "$(cat "$PROBE/build.changed" 2>/dev/null)"
	echo changed >"$S/site/public/index.html"
	echo other >"$S/site/src/main.js"
	echo page >"$S/site/public/css/page.html"
	tip=$(scratch_push "a change in and out of SUBDIR")
	sync_now
	check_eq "a second publish: exit 0" 0 "$RC"
	check_eq "RUN's changed files: those of SUBDIR, relative to it" \
		"$(printf 'css/page.html\nindex.html')" "$(sort "$PROBE/run.changed" 2>/dev/null)"
}

# refuse_case WHAT: the scratch tree is prepared; push it and expect 8.
refuse_case() {
	local live tip
	live=$(live_commit)
	tip=$(scratch_push "SUBDIR $1")
	sync_now
	check_eq "a commit where SUBDIR is $1: exit 8" 8 "$RC"
	check "... the log says why" grep -q "SUBDIR: .*site/public.*nothing published" "$ERR"
	check_eq "... the live release is kept" "$live" "$(live_commit)"
	check_eq "... no release left half-made" 0 "$(leftovers)"
}

test_refuse() {
	[ -L "$CP" ] || { scratch_prepare; mkdir -p "$S/site/public"; echo a >"$S/site/public/index.html"
		scratch_push "a site" >/dev/null; sync_now; }
	scratch_prepare
	git -C "$S" rm -rq site/public
	mkdir -p "$S/site"
	echo file >"$S/site/public"
	refuse_case "a file"
	git -C "$S" rm -q site/public
	ln -s ../site "$S/site/public"
	refuse_case "a link"
	git -C "$S" rm -q site/public
	echo x >"$S/site/other"
	refuse_case "absent"
	mkdir -p "$S/site/public"
	echo back >"$S/site/public/index.html"
	tip=$(scratch_push "SUBDIR back")
	sync_now
	check_eq "the next good push deploys: exit 0" 0 "$RC"
	check_eq "... it is live" "$tip" "$(live_commit)"
	check_eq "... with its files" back "$(cat "$CP/index.html" 2>/dev/null)"
}

test_config() {
	local c="$FX_DIR/subdir-bad.conf" v
	write_config "$c" "CLONE_PATH=$FX_DIR/srv/inplace" SUBDIR=site
	cli -c "$c" --check
	check_eq "SUBDIR in place: --check exits 78" 78 "$RC"
	check "... and says why" grep -q "SUBDIR .*needs PUBLISH=releases" "$OUT" "$ERR"
	cli -c "$c" --sync
	check_eq "... a sync too, nothing cloned" "78 no" \
		"$RC $( [ -e "$FX_DIR/srv/inplace" ] && echo yes || echo no)"
	for v in ../up /abs site//x .git/hooks site/. ; do
		write_config "$c" "CLONE_PATH=$FX_DIR/srv/r" PUBLISH=releases "SUBDIR=$v"
		cli -c "$c" --check
		check_eq "SUBDIR=$v refused: 78" 78 "$RC"
	done
	check "... naming the reason" grep -q "SUBDIR site/.: a . component" "$OUT" "$ERR"
}

# A release links an unchanged file from the live release only if that
# holds the same directory of the tree. Two directories hold a page of
# the same size and mode at the same path, with other bytes: SUBDIR
# changed from one to the other, or unset, publishes the right bytes,
# whether the live release says which directory it holds (the mark
# every release gets) or not (one an older version made).
test_switch() {
	local c="$FX_DIR/switch.conf" cp="$FX_DIR/srv/switch"
	scratch_prepare
	mkdir -p "$S/one" "$S/two"
	echo 'same size, one' >"$S/one/page.txt"
	echo 'same size, two' >"$S/two/page.txt"
	scratch_push "two directories, a page each of the same size" >/dev/null
	write_config "$c" "CLONE_PATH=$cp" PUBLISH=releases SUBDIR=one
	cli -c "$c" --sync
	check_eq "SUBDIR=one: exit 0, one's page" "0 same size, one" \
		"$RC $(cat "$cp/page.txt" 2>/dev/null)"
	if command -v python3 >/dev/null; then
		python3 -c 'import os, sys; os.removexattr(sys.argv[1], sys.argv[2])' \
			"$(readlink -f "$cp")" user.sentry-source.subdir
		write_config "$c" "CLONE_PATH=$cp" PUBLISH=releases SUBDIR=two
		push_commit develop >/dev/null
		cli -c "$c" --sync
		check_eq "SUBDIR changed to two, the live release unmarked: two's page" \
			"0 same size, two" "$RC $(cat "$cp/page.txt" 2>/dev/null)"
		check "... the log says a file was not as the commit says" \
			grep -qE "1 unchanged files? (are|is) not as its commit says" "$ERR"
	else
		skip "an unmarked live release (no python3 to remove the mark)"
		skip "... the log"
	fi
	write_config "$c" "CLONE_PATH=$cp" PUBLISH=releases SUBDIR=one
	push_commit develop >/dev/null
	cli -c "$c" --sync
	check_eq "SUBDIR changed back to one: one's page" "0 same size, one" \
		"$RC $(cat "$cp/page.txt" 2>/dev/null)"
	check "... the log says every file is written" \
		grep -q "the live release holds another SUBDIR; every file is written" "$ERR"
	scratch_prepare
	echo 'same size, top' >"$S/page.txt"
	scratch_push "a page at the top too" >/dev/null
	write_config "$c" "CLONE_PATH=$cp" PUBLISH=releases
	cli -c "$c" --sync
	check_eq "SUBDIR unset: the top's page, and the directories' pages" \
		"0 same size, top same size, one same size, two" \
		"$RC $(cat "$cp/page.txt" "$cp/one/page.txt" "$cp/two/page.txt" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
	push_commit develop >/dev/null
	cli -c "$c" --sync
	check "the next release, SUBDIR unchanged, links from the live one" \
		grep -qE "[1-9][0-9]* files linked from the live release" "$ERR"
}

run_parts test_publish test_refuse test_config test_switch
echo "1..$n"
