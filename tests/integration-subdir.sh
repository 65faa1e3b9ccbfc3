#!/bin/bash
# tests/integration-subdir.sh: SUBDIR= with PUBLISH=releases, through the
# real programs against the real sshd and repository of tests/lib.sh: a
# release holds that directory alone, BUILD runs in it, RUN='s changed
# files and INCLUDE_FILES are relative to it; a commit where it is
# absent, a file or a link is refused (exit 8), nothing published, and
# the next good push deploys; in place, and a bad path, refused with 78.
# Prints TAP. Needs `make` first.
#
# Parts (ONLY=NAME): publish, refuse, config.
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

run_parts test_publish test_refuse test_config
echo "1..$n"
