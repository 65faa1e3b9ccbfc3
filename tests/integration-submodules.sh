#!/bin/bash
# tests/integration-submodules.sh: SUBMODULES=yes through the real
# programs against the real sshd of tests/lib.sh: a repository with two
# submodules (a relative URL, an absolute ssh:// one), one of them with a
# nested submodule, in both publishing modes; a submodule's commit moved
# by a push; a hostile .gitmodules (a name with "..", a URL beginning
# with -, file://, an include) refused with exit 8 and the next push
# deploying; --check naming the submodules' hosts. Prints TAP.
#
# Parts (ONLY=NAME): releases, inplace, removed, hostile, check, link,
# subdir.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

tap_fixture srv
S="$FX_DIR/git/scratch"
SSH_BASE="ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$FX_DIR"

# bare_with NAME FILE CONTENT: a bare repository NAME.git beside repo.git
# with one commit on main holding FILE; prints the commit.
bare_with() {
	local d="$FX_DIR/git/$1"
	git init -q --bare "$FX_DIR/$1.git" && git init -q -b main "$d" &&
		printf '%s\n' "$3" >"$d/$2" && git -C "$d" add -A &&
		git -C "$d" commit -qm "$1" && git -C "$d" push -q "$FX_DIR/$1.git" main &&
		git -C "$d" rev-parse HEAD
}
# bump NAME FILE CONTENT: one more commit on NAME's main; prints it.
bump() {
	local d="$FX_DIR/git/$1"
	printf '%s\n' "$3" >"$d/$2" && git -C "$d" add -A && git -C "$d" commit -qm "$3" &&
		git -C "$d" push -q "$FX_DIR/$1.git" main && git -C "$d" rev-parse HEAD
}
# gitlink PATH OID: the scratch clone's index records a submodule.
gitlink() { git -C "$S" update-index --add --cacheinfo "160000,$2,$1"; }
push_main() {
	fx_git_commit "$S" "$1" >&2 && git -C "$S" push -q origin develop >&2 &&
		git -C "$S" rev-parse HEAD
}

inner=$(bare_with inner inner.txt inner-1)
# lib holds inner, by a URL relative to lib's own.
lib=$(bare_with lib lib.txt lib-1)
printf '[submodule "inner"]\n\tpath = deps/inner\n\turl = ../inner.git\n' \
	>"$FX_DIR/git/lib/.gitmodules"
L="$FX_DIR/git/lib"
printf 'lib-2\n' >"$L/lib.txt"
git -C "$L" add .gitmodules lib.txt &&
	git -C "$L" update-index --add --cacheinfo "160000,$inner,deps/inner" &&
	git -C "$L" commit -qm lib-2 && git -C "$L" push -q "$FX_DIR/lib.git" main
lib=$(git -C "$L" rev-parse HEAD)
tool=$(bare_with tool tool.txt tool-1)

git -C "$S" fetch -q origin && git -C "$S" checkout -q -B develop origin/develop
cat >"$S/.gitmodules" <<EOF2
[submodule "lib"]
	path = lib
	url = ../lib.git
[submodule "vendor/tool"]
	path = vendor/tool
	url = $SSH_BASE/tool.git
EOF2
git -C "$S" add .gitmodules && gitlink lib "$lib" && gitlink vendor/tool "$tool"
push_main "two submodules" >/dev/null

RCONF="$FX_DIR/releases.conf"
ICONF="$FX_DIR/inplace.conf"
RCP="$FX_DIR/srv/rel"
ICP="$FX_DIR/srv/inp"
write_config "$RCONF" "CLONE_PATH=$RCP" PUBLISH=releases SUBMODULES=yes
write_config "$ICONF" "CLONE_PATH=$ICP" SUBMODULES=yes

both_have() { # DIR DESC TOOL: the three repositories' files
	check_eq "$2: the relative submodule's file" lib-2 "$(cat "$1/lib/lib.txt" 2>/dev/null)"
	check_eq "$2: the absolute ssh:// submodule's file" "$3" \
		"$(cat "$1/vendor/tool/tool.txt" 2>/dev/null)"
	check_eq "$2: the nested submodule's file" inner-1 \
		"$(cat "$1/lib/deps/inner/inner.txt" 2>/dev/null)"
	check "$2: no .git in a submodule's directory" not test -e "$1/lib/.git"
}

test_releases() {
	cli -c "$RCONF" --sync
	check_eq "releases: a first sync with submodules: exit 0" 0 "$RC"
	both_have "$RCP" releases tool-1
	check "releases: their repositories in NAME.releases/modules" \
		test -d "$RCP.releases/modules/lib/objects" -a -d "$RCP.releases/modules/lib/modules/inner"
	tool2=$(bump tool tool.txt tool-2)
	gitlink vendor/tool "$tool2"
	push_main "tool moved" >/dev/null
	cli -c "$RCONF" --sync
	check_eq "releases: a submodule moved by a push: exit 0" 0 "$RC"
	check_eq "... the new release holds its new commit" tool-2 \
		"$(cat "$RCP/vendor/tool/tool.txt" 2>/dev/null)"
}

test_inplace() {
	cli -c "$ICONF" --sync
	check_eq "in place: a first sync with submodules: exit 0" 0 "$RC"
	both_have "$ICP" "in place" "$(git -C "$FX_DIR/git/tool" show HEAD:tool.txt)"
	check "in place: their repositories in .git/modules" test -d "$ICP/.git/modules/lib"
	check "in place: git status of the checkout is clean" clean_tree "$ICP"
	git -C "$FX_DIR/git/tool" rm -q tool.txt
	printf 'x\n' >"$FX_DIR/git/tool/other.txt"
	tool3=$(bump tool other.txt tool-3)
	gitlink vendor/tool "$tool3"
	push_main "tool moved again" >/dev/null
	cli -c "$ICONF" --sync
	check_eq "in place: a submodule moved by a push: exit 0" 0 "$RC"
	check_eq "... its new file is written" tool-3 "$(cat "$ICP/vendor/tool/other.txt" 2>/dev/null)"
	check "... the file its new commit lacks is gone" not test -e "$ICP/vendor/tool/tool.txt"
	check "... git status of the checkout is clean" clean_tree "$ICP"
}

# A push that removes a submodule, in place: its files go with it, and
# the next sync is not refused for files "nobody committed".
test_removed() {
	[ -d "$ICP/.git" ] || cli -c "$ICONF" --sync
	saved=$(cat "$S/.gitmodules")
	printf '[submodule "lib"]\n\tpath = lib\n\turl = ../lib.git\n' >"$S/.gitmodules"
	git -C "$S" add .gitmodules && git -C "$S" rm -q --cached vendor/tool
	push_main "tool removed" >/dev/null
	cli -c "$ICONF" --sync
	check_eq "in place: a push that removes a submodule: exit 0" 0 "$RC"
	check "... its directory is gone" not test -e "$ICP/vendor/tool"
	check "... the other stays" test -f "$ICP/lib/lib.txt"
	check "... git status of the checkout is clean" clean_tree "$ICP"
	printf '%s\n' "$saved" >"$S/.gitmodules"
	git -C "$S" add .gitmodules && gitlink vendor/tool "$(git -C "$FX_DIR/git/tool" rev-parse HEAD)"
	push_main "tool back" >/dev/null
	cli -c "$ICONF" --sync
	check_eq "in place: the submodule added back: exit 0" 0 "$RC"
	check "... its files are there" test -f "$ICP/vendor/tool/other.txt"
}

# hostile DESC GITMODULES: a push of that .gitmodules must be refused.
hostile() {
	printf '%b' "$2" >"$S/.gitmodules"
	git -C "$S" add .gitmodules
	push_main "hostile: $1" >/dev/null
	before=$(readlink "$RCP")
	cli -c "$RCONF" --sync
	check_eq "hostile .gitmodules, $1: exit 8" 8 "$RC"
	check_eq "... nothing published" "$before" "$(readlink "$RCP")"
	check "... nothing made outside" not test -e "$FX_DIR/escaped"
}

test_hostile() {
	saved=$(cat "$S/.gitmodules")
	hostile "a name with .." \
		'[submodule "../../../escaped"]\n\tpath = lib\n\turl = ../lib.git\n'
	hostile "a URL beginning with -" \
		'[submodule "lib"]\n\tpath = lib\n\turl = -oProxyCommand=touch$IFS/tmp/x\n'
	hostile "a file:// URL" "[submodule \"lib\"]\n\tpath = lib\n\turl = file://$FX_DIR/lib.git\n"
	hostile "a local path" "[submodule \"lib\"]\n\tpath = lib\n\turl = $FX_DIR/lib.git\n"
	hostile "an ext:: URL" '[submodule "lib"]\n\tpath = lib\n\turl = ext::sh -c touch% /tmp/x\n'
	hostile "an include" '[include]\n\tpath = /etc/passwd\n[submodule "lib"]\n\tpath = lib\n\turl = ../lib.git\n'
	hostile "a name that is .git" \
		'[submodule ".git"]\n\tpath = lib\n\turl = ../lib.git\n'
	hostile "a gitlink no entry names" \
		'[submodule "lib"]\n\tpath = elsewhere\n\turl = ../lib.git\n'
	printf '%s\n' "$saved" >"$S/.gitmodules"
	git -C "$S" add .gitmodules
	tip=$(push_main "good again")
	cli -c "$RCONF" --sync
	check_eq "the next good push deploys: exit 0" 0 "$RC"
	check "... it is live" grep -q "$tip" <<<"$(readlink "$RCP")"
}

test_check() {
	cli -c "$RCONF" --check
	check "--check lists the relative submodule and its host" \
		grep -q "ok: submodule lib: $SSH_BASE/lib.git, host 127.0.0.1 in KNOWN_HOSTS" "$OUT"
	check "... and the absolute one" grep -q "ok: submodule vendor/tool: " "$OUT"
	printf "[submodule \"far\"]\n\tpath = far\n\turl = ssh://%s@localhost:%s/x.git\n" "$FX_USER" "$FX_SSH_PORT" \
		>"$S/.gitmodules"
	git -C "$S" add .gitmodules && gitlink far "$tool"
	git -C "$S" rm -q --cached lib vendor/tool
	push_main "a submodule on another host" >/dev/null
	cli -c "$RCONF" --sync
	check_eq "a submodule on a host KNOWN_HOSTS lacks: the host key exit, 3" 3 "$RC"
	cli -c "$RCONF" --check
	check "--check says the other host is not in KNOWN_HOSTS" \
		grep -q "FAIL: submodule far: .*KNOWN_HOSTS names no \[localhost\]:$FX_SSH_PORT" "$OUT"
	cli -c "$ICONF" --sync
	check_eq "in place too: exit 3" 3 "$RC"
	sed -i "s|url = .*|url = $SSH_BASE/tool.git|" "$S/.gitmodules"
	git -C "$S" add .gitmodules
	push_main "far is 127.0.0.1 after all" >/dev/null
	cli -c "$ICONF" --sync
	check_eq "the next push, with the host fixed, deploys in place: exit 0" 0 "$RC"
	check "... and writes the submodule" test -f "$ICP/far/other.txt" -o -f "$ICP/far/tool.txt"
}

# A .gitmodules path that names a link of the tree: no gitlink is
# there, so nothing is written through it.
test_link() {
	mkdir -p "$FX_DIR/outside"
	printf '[submodule "lnk"]\n\tpath = lnk\n\turl = ../lib.git\n' >"$S/.gitmodules"
	ln -sfn "$FX_DIR/outside" "$S/lnk"
	git -C "$S" add .gitmodules lnk
	git -C "$S" rm -rq --cached --ignore-unmatch far lib vendor/tool
	push_main "a path that is a link" >/dev/null
	cli -c "$RCONF" --sync
	check_eq "a .gitmodules path naming a link: no submodule, exit 0" 0 "$RC"
	check "... nothing written through the link" test -z "$(ls -A "$FX_DIR/outside")"
	git -C "$S" rm -q lnk
}

# SUBDIR with submodules: those inside it, written under the release's top.
test_subdir() {
	local conf="$FX_DIR/subdir.conf" cp="$FX_DIR/srv/sub"
	write_config "$conf" "CLONE_PATH=$cp" PUBLISH=releases SUBMODULES=yes SUBDIR=site
	printf '[submodule "site-lib"]\n\tpath = site/lib\n\turl = ../lib.git\n' >"$S/.gitmodules"
	printf '[submodule "vendor/tool"]\n\tpath = vendor/tool\n\turl = ../tool.git\n' \
		>>"$S/.gitmodules"
	mkdir -p "$S/site" && echo index >"$S/site/index.html"
	git -C "$S" add .gitmodules site/index.html && gitlink site/lib "$lib" &&
		gitlink vendor/tool "$(git -C "$FX_DIR/git/tool" rev-parse HEAD)"
	push_main "a submodule inside SUBDIR" >/dev/null
	cli -c "$conf" --sync
	check_eq "SUBDIR and SUBMODULES: exit 0" 0 "$RC"
	check_eq "... the submodule inside SUBDIR is written under the release's top" lib-2 \
		"$(cat "$cp/lib/lib.txt" 2>/dev/null)"
	check "... with its nested one" test -f "$cp/lib/deps/inner/inner.txt"
	check "... the one outside SUBDIR is not" not test -e "$cp/vendor"
	check "... nor fetched" not test -e "$cp.releases/modules/vendor%2ftool"
}

run_parts test_releases test_inplace test_removed test_hostile test_check test_link \
	test_subdir
echo "1..$n"
