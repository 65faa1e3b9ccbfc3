#!/bin/bash
# tests/integration-serve.sh: "Serving the checkout" and "Reloading a
# service" in sentry-source(8), through the real programs against the real
# sshd and repository of tests/lib.sh. The units' settings are applied by
# hand: their UMask=0077 or examples/web-served.conf's 0022, the state
# directory as StateDirectoryMode=0700 makes it, the web root as the
# drop-in's ReadWritePaths= wants it (the sync user's, 755). The web
# server is `nobody`: it must read every published file, in place and
# with PUBLISH=releases, and nothing else (.git, repo.git, modules, the
# status record, the history, the locks, the key); under the units' own
# umask, nothing at all. A umask changed between syncs reaches every file
# of the next release. RUN= touching a file works under no-new-privs,
# where sudo cannot. Prints TAP. Needs `make` first, and root.
#
# Parts (ONLY=NAME), each needing the ones before it: closed, inplace,
# releases, umask, reopen, run.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and a user nobody"
	exit 0
fi
NOBODY=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
as_nobody() { "${NOBODY[@]}" "$@"; }

tap_fixture srv
# nobody may come as far as the web root, as a web server does.
chmod 755 "$FX_DIR" "$FX_DIR/srv"
STATE="$FX_DIR/var-lib/sentry-source"
install -d -m 755 "$FX_DIR/var-lib" "$FX_DIR/srv/www"
install -d -m 700 "$STATE"
WEB="$FX_DIR/srv/www/example.com"
install -d -m 755 "$WEB"
S="$FX_DIR/git/scratch"

# A site with a page, a script and a submodule (whose repository goes to
# the modules directory).
git init -q --bare "$FX_DIR/lib.git" && git init -q -b main "$FX_DIR/git/lib" &&
	printf 'lib\n' >"$FX_DIR/git/lib/lib.css" && git -C "$FX_DIR/git/lib" add -A &&
	git -C "$FX_DIR/git/lib" commit -qm lib &&
	git -C "$FX_DIR/git/lib" push -q "$FX_DIR/lib.git" main || bail "no lib.git"
git -C "$S" fetch -q origin && git -C "$S" checkout -q -B develop origin/develop &&
	printf '<h1>hello</h1>\n' >"$S/index.html" && printf '#!/bin/sh\n' >"$S/deploy.sh" &&
	chmod 755 "$S/deploy.sh" &&
	printf '[submodule "lib"]\n\tpath = lib\n\turl = ../lib.git\n' >"$S/.gitmodules" &&
	git -C "$S" add index.html deploy.sh .gitmodules &&
	git -C "$S" update-index --add --cacheinfo \
		"160000,$(git -C "$FX_DIR/git/lib" rev-parse HEAD),lib" &&
	fx_git_commit "$S" "a site" && git -C "$S" push -q origin develop || bail "no site"

# sync_umask MASK CONF [WRAPPER...]: --sync under the umask a unit's
# UMask= gives, through WRAPPER (setpriv) when given.
sync_umask() {
	local mask=$1 conf=$2
	shift 2
	next_run
	(umask "$mask" && exec timeout -k 5 "$RUN_TIMEOUT" "$@" ./sentry-source -c "$conf" \
		--sync) </dev/null >"$OUT" 2>"$ERR" &
	fx_wait $!
	RC=$?
}
# readable DIR: the files under DIR that nobody may read, sorted; a
# trailing / on DIR follows a link there (CLONE_PATH with releases).
readable() { as_nobody find "$1" -type f -readable 2>/dev/null | LC_ALL=C sort; }
# published DIR: every file under DIR, the repository left out.
published() { find "$1" -name .git -prune -o -type f -print | LC_ALL=C sort; }
mode() { stat -c %a "$1"; }
said() { grep -qF -- "$1" "$ERR"; }

# The units as shipped: UMask=0077, the state directory 0700; and the
# same umask in a web root (ReadWritePaths= alone): nothing for others.
test_closed() {
	write_config "$FX_DIR/state.conf" "CLONE_PATH=$STATE/site" SUBMODULES=yes
	sync_umask 077 "$FX_DIR/state.conf"
	check_eq "units as shipped (umask 0077, state directory 0700): synced" 0 "$RC"
	check "...the page is there" test -s "$STATE/site/index.html"
	check "...nobody cannot read it" not as_nobody cat "$STATE/site/index.html"
	write_config "$FX_DIR/closed.conf" "CLONE_PATH=$WEB/closed" SUBMODULES=yes
	sync_umask 077 "$FX_DIR/closed.conf"
	check_eq "umask 0077 in a 755 web root: synced" 0 "$RC"
	check "...files were written" test -s "$WEB/closed/lib/lib.css"
	check_eq "...nobody can read no file under the web root" "" "$(readable "$WEB")"
	check_eq "...CLONE_PATH is 700" 700 "$(mode "$WEB/closed")"
}

# The drop-in: UMask=0022, in place in the web root.
test_inplace() {
	local cp="$WEB/site" conf="$FX_DIR/site.conf"
	write_config "$conf" "CLONE_PATH=$cp" SUBMODULES=yes
	sync_umask 022 "$conf"
	check_eq "web-served.conf (umask 0022), in place: synced" 0 "$RC"
	check_eq "...nobody reads the page" "<h1>hello</h1>" "$(as_nobody cat "$cp/index.html")"
	check_eq "...nobody reads every published file, the submodule's too" \
		"$(published "$cp")" "$(readable "$cp")"
	check "...the submodule's file among them" grep -q '/lib/lib\.css$' <(readable "$cp")
	check_eq "...files 644, scripts 755, directories 755" "644 755 755 755" \
		"$(mode "$cp/index.html") $(mode "$cp/deploy.sh") $(mode "$cp/lib") $(mode "$cp")"
	check_eq "...CLONE_PATH/.git is 700" 700 "$(mode "$cp/.git")"
	check_eq "...its modules directory is 700" 700 "$(mode "$cp/.git/modules")"
	check "...nobody cannot list .git" not as_nobody ls "$cp/.git"
	check "...nobody cannot read .git/config" not as_nobody cat "$cp/.git/config"
	check_eq "...the status record is 640" 640 "$(mode "$cp.status")"
	check "...nobody cannot read it" not as_nobody cat "$cp.status"
	check_eq "...the locks are 600" "600 600" "$(mode "$cp.lock") $(mode "$cp.wait")"
	check "...nobody cannot read the key" not as_nobody cat "$FX_KEY"
	check_eq "...nothing else under the web root is readable by nobody" \
		"$(published "$cp")" "$(readable "$WEB")"
	cli -c "$conf" --status
	check_eq "...--status, as the owner, reads the record: exit 0" 0 "$RC"
	# Every sync, not only the first: a chmod -R a+rX, or a checkout of
	# an older version, is closed again.
	chmod 755 "$cp/.git" "$cp/.git/modules"
	sync_umask 022 "$conf"
	check_eq ".git opened by hand (755), the next sync: exit 0" 0 "$RC"
	check_eq "...makes .git and its modules 700 again" "700 700" \
		"$(mode "$cp/.git") $(mode "$cp/.git/modules")"
	chmod 644 "$cp.status"
	push_file develop news.html '<p>news</p>' >/dev/null
	sync_umask 022 "$conf"
	check_eq "a status record opened by hand (644), the next sync: 640" "0 640" \
		"$RC $(mode "$cp.status")"
	check_eq "...and the new page is nobody's to read" "<p>news</p>" \
		"$(as_nobody cat "$cp/news.html")"
}

# The drop-in with PUBLISH=releases: the link and the releases are
# served, NAME.releases is traversable, its repository, modules and
# history are not.
test_releases() {
	local cp="$WEB/rel" conf="$FX_DIR/rel.conf"
	write_config "$conf" "CLONE_PATH=$cp" PUBLISH=releases SUBMODULES=yes
	sync_umask 022 "$conf"
	check_eq "web-served.conf, PUBLISH=releases: synced" 0 "$RC"
	check_eq "...nobody reads the page through CLONE_PATH" "<h1>hello</h1>" \
		"$(as_nobody cat "$cp/index.html")"
	check_eq "...nobody reads every file of the release" "$(published "$cp/")" \
		"$(readable "$cp/")"
	check "...the submodule's file among them" grep -q '/lib/lib\.css$' <(readable "$cp/")
	check_eq "...files 444, scripts 555 (read-only releases), directories 755" \
		"444 555 755" \
		"$(mode "$cp/index.html") $(mode "$cp/deploy.sh") $(mode "$cp/lib")"
	check_eq "...repo.git and modules are 700" "700 700" \
		"$(mode "$cp.releases/repo.git") $(mode "$cp.releases/modules")"
	check "...nobody cannot list repo.git" not as_nobody ls "$cp.releases/repo.git"
	check "...nobody cannot list modules" not as_nobody ls "$cp.releases/modules"
	check_eq "...the history and the status record are 640" "640 640" \
		"$(mode "$cp.releases/history") $(mode "$cp.status")"
	check "...nobody cannot read the history" not as_nobody cat "$cp.releases/history"
	check "...nobody cannot read the status record" not as_nobody cat "$cp.status"
	check_eq "...under the web root nobody reads the two sites' files, nothing else" \
		"$( (published "$WEB/site"; published "$cp.releases/$(basename "$(readlink "$cp")")") |
			LC_ALL=C sort)" "$(readable "$WEB")"
	chmod 755 "$cp.releases/repo.git" "$cp.releases/modules"
	push_file develop more.html more >/dev/null
	sync_umask 022 "$conf"
	check_eq "repo.git and modules opened by hand, the next sync: 700 again" "0 700 700" \
		"$RC $(mode "$cp.releases/repo.git") $(mode "$cp.releases/modules")"
	check "...the history was rewritten 640" test "$(mode "$cp.releases/history")" = 640
}

# A release linked from one written under another umask would keep that
# umask's mode: the files are written anew instead, then linked again.
test_umask() {
	local cp="$WEB/moved" conf="$FX_DIR/moved.conf" first second third
	write_config "$conf" "CLONE_PATH=$cp" PUBLISH=releases
	sync_umask 077 "$conf"
	check_eq "releases under umask 0077: synced" 0 "$RC"
	first=$(readlink -f "$cp")
	check_eq "...files 400, scripts 500, the releases' directory 700" "400 500 700" \
		"$(mode "$first/index.html") $(mode "$first/deploy.sh") $(mode "$cp.releases")"
	check_eq "...nobody reads nothing of it" "" "$(readable "$cp.releases")"
	push_file develop a.html a >/dev/null
	sync_umask 022 "$conf"
	check_eq "the next push, under umask 0022: synced" 0 "$RC"
	second=$(readlink -f "$cp")
	check_eq "...its unchanged files are 444 and 555" "444 555" \
		"$(mode "$second/index.html") $(mode "$second/deploy.sh")"
	check "...written anew, not linked to the 400 ones" \
		test "$(stat -c %i "$first/index.html")" != "$(stat -c %i "$second/index.html")"
	check "...and the log says why" said "unchanged files are not as its commit says"
	# NAME.releases keeps the mode it was made with (the man page says
	# to chmod it once).
	check "...nobody cannot read through the 700 releases' directory" \
		not as_nobody cat "$cp/index.html"
	chmod 755 "$cp.releases"
	check_eq "...after chmod 755 of it, nobody reads the page" "<h1>hello</h1>" \
		"$(as_nobody cat "$cp/index.html")"
	push_file develop b.html b >/dev/null
	sync_umask 022 "$conf"
	third=$(readlink -f "$cp")
	check_eq "the next push, same umask: synced" 0 "$RC"
	check "...unchanged files linked from the live release again" \
		test "$(stat -c %i "$second/index.html")" = "$(stat -c %i "$third/index.html")"
	check "...so nothing said of unchanged files" not said "unchanged files are not"
}

# The man page's recipe for an in-place checkout written under 0077:
# opened once, .git left out, and synced under 0022.
test_reopen() {
	local cp="$WEB/closed"
	find "$cp" -name .git -prune -o -exec chmod go+rX {} +
	check_eq "the recipe leaves .git 700" 700 "$(mode "$cp/.git")"
	push_file develop c.html c >/dev/null
	sync_umask 022 "$FX_DIR/closed.conf"
	check_eq "...then a sync under umask 0022: exit 0" 0 "$RC"
	check_eq "...nobody reads every published file" "$(published "$cp")" "$(readable "$cp")"
	check "...the new one among them" grep -q '/c\.html$' <(readable "$cp")
	check "...not .git" not as_nobody ls "$cp/.git"
}

# RUN= that touches a file, under no-new-privs as the units run it (the
# root's .path unit that watches it is verified by integration-units.sh);
# sudo cannot work there.
test_run() {
	local conf="$FX_DIR/run.conf" flag="$STATE/reload" before
	write_config "$conf" "CLONE_PATH=$WEB/site" SUBMODULES=yes "RUN=/usr/bin/touch $flag"
	sync_umask 022 "$conf" setpriv --no-new-privs
	check_eq "RUN=/usr/bin/touch FILE, under no-new-privs: exit 0" 0 "$RC"
	check "...the file is there" test -f "$flag"
	touch -d @1000000000 "$flag"
	before=$(stat -c %Y "$flag")
	sync_umask 022 "$conf" setpriv --no-new-privs
	check "...the next sync touches it again (what PathChanged= sees)" \
		test "$(stat -c %Y "$flag")" -gt "$before"
	write_config "$conf" "CLONE_PATH=$WEB/site" SUBMODULES=yes \
		"RUN=/bin/sh -c 'grep ^NoNewPrivs: /proc/self/status >$FX_DIR/nnp'"
	sync_umask 022 "$conf" setpriv --no-new-privs
	check_eq "...RUN= ran with no-new-privs on, as under the units" "0 1" \
		"$RC $(awk '{ print $2 }' "$FX_DIR/nnp" 2>/dev/null)"
	# The man page's line that touches it only when the commit moved.
	write_config "$conf" "CLONE_PATH=$WEB/site" SUBMODULES=yes \
		"RUN=$(sed -n 's/^RUN=\(\/bin\/sh -c .*reload.\)$/\1/p' man/sentry-source.8 |
			sed "s|/var/lib/sentry-source/reload|$flag|")"
	check "sentry-source(8)'s RUN= for a moved commit only is in the config" \
		grep -q "^RUN=/bin/sh -c 'test " "$conf"
	touch -d @1000000000 "$flag"
	sync_umask 022 "$conf" setpriv --no-new-privs
	check_eq "...nothing new: exit 0, the file not touched" "0 1000000000" \
		"$RC $(stat -c %Y "$flag")"
	push_file develop d.html d >/dev/null
	sync_umask 022 "$conf" setpriv --no-new-privs
	check "...a push: touched" test "$RC" = 0 -a "$(stat -c %Y "$flag")" -gt 1000000000
	# sudo is set-user-ID: under no-new-privs the kernel leaves it the
	# caller's user, and it says so and gives up.
	if command -v sudo >/dev/null; then
		next_run
		as_nobody setpriv --no-new-privs sudo -n /bin/true </dev/null >"$OUT" 2>"$ERR"
		RC=$?
		check "the sudo recipe, under no-new-privs: fails" test "$RC" != 0
		check "...because of no-new-privs" grep -qi "no new privileges\|effective uid" "$ERR"
	else
		skip "the sudo recipe, under no-new-privs: fails" "sudo is not installed"
	fi
}

run_parts test_closed test_inplace test_releases test_umask test_reopen test_run
printf '1..%d\n' "$n"
