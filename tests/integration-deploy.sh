#!/bin/bash
# tests/integration-deploy.sh: the ways sentry-source is deployed, each
# through its real interface: the post-receive hook under a real git push,
# --sync, --check, make install into a DESTDIR, and the systemd units.
# Prints TAP. Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60

tap_fixture bin
CP=$FX_CLONE_PATH
CONF="$FX_DIR/sentry-source.conf"
write_config "$CONF"

# The shim finds sentry-source on PATH, as an installed one would.
ln -s "$PWD/sentry-source" "$FX_DIR/bin/sentry-source"
export PATH="$FX_DIR/bin:$PATH"

# --- the post-receive hook ---------------------------------------------

# push_and_say BRANCH: commit on BRANCH and push it over the local path (so
# the hook runs here, with our PATH). Sets OUT (what the pusher saw), RC
# (git push's status) and TIP (the pushed commit).
push_and_say() {
	local s="$FX_DIR/git/scratch" b=$1
	next_run
	git -C "$s" fetch -q origin &&
		git -C "$s" checkout -q -B "$b" "origin/$b" 2>/dev/null ||
		git -C "$s" checkout -q -B "$b" origin/main || return 1
	fx_git_commit "$s" "$b: pushed with the hook" || return 1
	git -C "$s" push origin "$b" >"$OUT" 2>&1
	RC=$?
	TIP=$(git -C "$s" rev-parse HEAD)
}

test_hook() {
	local tip hold
	install -m 755 hooks/post-receive "$FX_REPO/hooks/post-receive"
	git --git-dir="$FX_REPO" config sentry-source.config "$CONF"
	# lib.sh turns hooks off globally; this repository runs its own.
	git --git-dir="$FX_REPO" config core.hooksPath "$FX_REPO/hooks"

	# Ordering, not timing: while we hold the checkout's lock the sync
	# cannot finish, so a push that returns shows it did not wait for it.
	exec {hold}>"$CP.lock"
	flock "$hold"
	push_and_say develop
	tip=$TIP
	check_eq "hook: git push exits 0" 0 "$RC"
	check "hook: the pusher sees 'develop -> ${tip:0:7}, syncing'" \
		grep -q "remote: sentry-source: develop -> ${tip:0:7}, syncing" "$OUT"
	check "hook: push returned while the sync still waits (no checkout yet)" \
		test ! -e "$CP"
	exec {hold}>&-
	check "hook: after the lock is released the checkout reaches the pushed tip" \
		wait_head "$CP" "$tip" 30

	push_and_say main
	check_eq "hook: a push of main exits 0" 0 "$RC"
	check "hook: the pusher sees 'main ignored'" \
		grep -q "remote: sentry-source: main ignored: refs/heads/main is not a watched branch (develop)" "$OUT"
	sleep 1
	check_eq "hook: a push of main leaves the checkout at develop's tip" \
		"$tip" "$(head_of "$CP")"

	# A push that deletes a branch, and one with a tag.
	next_run
	git -C "$FX_DIR/git/scratch" tag -f hook-tag >/dev/null
	git -C "$FX_DIR/git/scratch" push origin hook-tag >"$OUT" 2>&1
	check "hook: a tag push is ignored, and says so" \
		grep -q "sentry-source: hook-tag ignored: refs/tags/hook-tag is a tag, not a branch" "$OUT"

	# Two branches in one push, develop second.
	tip=$(push_two main develop)
	check "hook: develop as the second ref of one push still syncs" \
		wait_head "$CP" "$tip" 30

	# No config at the named path: the shim's sentry-source says so and
	# the push still succeeds (post-receive cannot undo a push).
	git --git-dir="$FX_REPO" config sentry-source.config "$FX_DIR/none.conf"
	push_and_say develop
	check_eq "hook: a missing config does not fail the push" 0 "$RC"
	check "hook: ...and the pusher is told the config is missing" \
		grep -q "none.conf" "$OUT"
	git --git-dir="$FX_REPO" config sentry-source.config "$CONF"
	git --git-dir="$FX_REPO" config --unset core.hooksPath
	rm -f "$FX_REPO/hooks/post-receive"
}

# A hook deployment names no SOURCE: BRANCH is what it follows, and no
# webhook key (SECRET_FILE and the like) belongs in it.
test_hook_no_source() {
	local conf="$FX_DIR/hook-only.conf" cp="$FX_DIR/srv/hook-only" tip
	write_config "$conf" -SOURCE BRANCH=develop "CLONE_PATH=$cp"
	install -m 755 hooks/post-receive "$FX_REPO/hooks/post-receive"
	git --git-dir="$FX_REPO" config sentry-source.config "$conf"
	git --git-dir="$FX_REPO" config core.hooksPath "$FX_REPO/hooks"

	check "hook, no SOURCE: the config has none" not grep -q '^SOURCE=' "$conf"
	push_and_say develop
	tip=$TIP
	check_eq "hook, no SOURCE: git push exits 0" 0 "$RC"
	check "hook, no SOURCE: the pusher sees 'develop -> ${tip:0:7}, syncing'" \
		grep -q "remote: sentry-source: develop -> ${tip:0:7}, syncing" "$OUT"
	check "hook, no SOURCE: the checkout reaches the pushed tip" wait_head "$cp" "$tip" 30
	push_and_say main
	check "hook, no SOURCE: a push of main is ignored, and says so" \
		grep -q "remote: sentry-source: main ignored: refs/heads/main is not a watched branch (develop)" "$OUT"

	cli -c "$conf" --check
	check_eq "--check, no SOURCE: exits 0" 0 "$RC"
	check "--check, no SOURCE: says pushes come from the hook only" \
		grep -q "^ok: $conf: no SOURCE: pushes come from --post-receive only, BRANCH develop" "$OUT"
	cli -c "$conf" --sync
	check_eq "--sync, no SOURCE: exits 0" 0 "$RC"

	# Socket mode needs a source: a 500, and the log says why.
	make_request POST /webhook application/json "$conf" >"$FX_DIR/hook-only.http"
	front "$conf" "$FX_DIR/hook-only.http"
	check "socket mode, no SOURCE: answered 500" answer_is 500
	check_eq "socket mode, no SOURCE: exits 78" 78 "$RC"
	check "socket mode, no SOURCE: the log says webhooks need one" \
		grep -q "missing SOURCE: webhooks need one" "$ERR"

	write_config "$conf" -SOURCE BRANCH=develop "CLONE_PATH=$cp" "SECRET_FILE=$FX_KEY"
	push_and_say develop
	check_eq "hook, no SOURCE, a SECRET_FILE: the push still exits 0" 0 "$RC"
	check "hook, no SOURCE, a SECRET_FILE: the pusher is told nothing would read it" \
		grep -q "a webhook's key, and this deployment has no SOURCE" "$OUT"
	write_config "$conf" -SOURCE "CLONE_PATH=$cp"
	cli -c "$conf" --check
	check_eq "no SOURCE and no BRANCH: exits 78" 78 "$RC"
	check "no SOURCE and no BRANCH: says BRANCH names what the hook follows" \
		grep -q "missing required key BRANCH (or TAG): without SOURCE" "$ERR"

	git --git-dir="$FX_REPO" config sentry-source.config "$CONF"
	git --git-dir="$FX_REPO" config --unset core.hooksPath
	rm -f "$FX_REPO/hooks/post-receive"
}

# hooks/README.md's recipe: root names the config as the repository's
# owner (runuser), since git refuses root in another user's repository.
test_hook_readme_recipe() {
	local r="$FX_DIR/shared/project.git"
	chmod 755 "$FX_DIR"
	mkdir -p "$FX_DIR/shared" && chmod 755 "$FX_DIR/shared"
	git init -q --bare "$r" && chown -R nobody:nogroup "$r"
	next_run
	git -C "$r" config sentry-source.config /etc/sentry-source/project.conf >"$OUT" 2>"$ERR"
	RC=$?
	check "hooks/README: as root, git config in nobody's repository is refused" \
		test "$RC" -ne 0 -a -z "$(git --git-dir="$r" config --file "$r/config" sentry-source.config)"
	check "hooks/README: ...with the message the README quotes" \
		grep -q "fatal: not in a git directory" "$ERR"
	next_run
	HOME=/nonexistent runuser -u nobody -- git -C "$r" config sentry-source.config \
		/etc/sentry-source/project.conf >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "hooks/README: runuser -u OWNER -- git config: exits 0" 0 "$RC"
	check_eq "hooks/README: the repository names the config" /etc/sentry-source/project.conf \
		"$(git config --file "$r/config" sentry-source.config)"
	check_eq "hooks/README: its config file is still the owner's" nobody "$(stat -c %U "$r/config")"
	check "hooks/README: says runuser -u, not a bare git config" \
		grep -q "runuser -u git -- git -C /srv/git/project.git config" hooks/README.md
	check "sentry-source(8) EXAMPLES: the same runuser -u line" \
		grep -q "^# runuser -u git -- git -C /srv/git/project.git config" man/sentry-source.8
}

# The same ordering with nothing held: a repository of 30 MB of random
# data takes the sync a second or more to clone over ssh, and git push
# returns before that clone is done.
test_hook_big_repo() {
	local big="$FX_DIR/big.git" s="$FX_DIR/big-scratch" conf="$FX_DIR/big.conf"
	local cp="$FX_DIR/big/checkout" tip i
	mkdir -p "$FX_DIR/big"
	git init -q --bare "$big"
	git --git-dir="$big" config core.hooksPath "$big/hooks"
	git --git-dir="$big" config sentry-source.config "$conf"
	install -m 755 hooks/post-receive "$big/hooks/post-receive"
	write_config "$conf" "CLONE_URL=ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$big" \
		"CLONE_PATH=$cp"
	git init -q -b develop "$s"
	for i in 1 2 3; do head -c 10000000 /dev/urandom >"$s/blob$i"; done
	git -C "$s" add . && git -C "$s" commit -q -m big
	tip=$(git -C "$s" rev-parse HEAD)
	next_run
	git -C "$s" push "$big" develop >"$OUT" 2>&1
	RC=$?
	check_eq "hook, 30 MB repository: when git push returns, the checkout is not there yet" \
		"0 absent" "$RC $( [ -e "$cp" ] && echo present || echo absent)"
	check "hook, 30 MB repository: the pusher was told it is syncing" \
		grep -q "develop -> ${tip:0:7}, syncing" "$OUT"
	check "hook, 30 MB repository: the detached sync then clones it" wait_head "$cp" "$tip" 60
}

# push_two B1 B2: one push updating both branches; prints B2's new tip.
push_two() {
	local s="$FX_DIR/git/scratch"
	git -C "$s" fetch -q origin
	git -C "$s" checkout -q -B "$1" "origin/$1" && fx_git_commit "$s" "$1: two" &&
		git -C "$s" checkout -q -B "$2" "origin/$2" && fx_git_commit "$s" "$2: two" &&
		git -C "$s" push -q origin "$1" "$2" >/dev/null 2>&1 &&
		git -C "$s" rev-parse HEAD
}

# --- --sync -------------------------------------------------------------

test_sync_glob() {
	local conf="$FX_DIR/glob.conf" cp="$FX_DIR/glob/checkout" tip
	mkdir -p "$FX_DIR/glob"
	write_config "$conf" SOURCE=stash "CLONE_PATH=$cp" "BRANCH=dev*"
	cli -c "$conf" --sync
	check_eq "--sync, glob BRANCH, no checkout yet: exits 78" 78 "$RC"
	check "--sync, glob BRANCH, no checkout yet: says to name one branch" \
		grep -q -- "--branch" "$ERR"
	check "--sync, glob BRANCH, no checkout yet: nothing created" test ! -e "$cp"

	cli -c "$conf" --sync --branch main
	check_eq "--sync --branch main, BRANCH=dev*: exits 64" 64 "$RC"

	tip=$(repo_tip develop)
	cli -c "$conf" --sync --branch develop
	check_eq "--sync --branch develop: exits 0" 0 "$RC"
	check_eq "--sync --branch develop: HEAD at develop's tip" "$tip" "$(head_of "$cp")"

	tip=$(push_commit develop)
	cli -c "$conf" --sync
	check_eq "--sync, glob BRANCH, with a checkout: exits 0" 0 "$RC"
	check_eq "--sync, glob BRANCH: follows the branch checked out" "$tip" "$(head_of "$cp")"

	cli -c "$CONF" --sync --branch develop
	check_eq "--sync --branch with stash-develop (develop built in): exits 0" 0 "$RC"

	# BRANCH=*: the checkout follows the branch of each matching push.
	write_config "$conf" SOURCE=stash "CLONE_PATH=$cp" "BRANCH=*"
	tip=$(push_commit main)
	stash_payload "$FX_DIR/main.json" refs/heads/main "$FX_ZERO" "$tip" UPDATE
	make_request POST /webhook application/json "$FX_DIR/main.json" >"$FX_DIR/main.http"
	front "$conf" "$FX_DIR/main.http"
	check_eq "BRANCH=*, a push of main while develop is checked out: exits 0" 0 "$RC"
	check_eq "BRANCH=*: the checkout switched to main's tip" "$tip" "$(head_of "$cp")"
	check_eq "BRANCH=*: HEAD is on main" main "$(branch_of "$cp")"
	check_eq "BRANCH=*: main tracks origin/main" origin/main \
		"$(git -C "$cp" rev-parse --abbrev-ref 'main@{upstream}' 2>&1)"
	tip=$(repo_tip develop)
	cli -c "$conf" --sync --branch develop
	check_eq "BRANCH=*, --sync --branch develop: back on develop's tip" "0 $tip" \
		"$RC $(head_of "$cp")"
}

# Local changes are found from the index's stat data, and libgit2 reads
# only the files whose data differs: each kind of change is still refused
# (5, named, HEAD kept), and a file only touched is no change.
test_sync_local_changes() {
	local conf="$FX_DIR/local.conf" cp="$FX_DIR/local/checkout" f tip head
	mkdir -p "$FX_DIR/local"
	write_config "$conf" "CLONE_PATH=$cp"
	# A file the pushes below leave alone: only the status pass sees it.
	f=untouched.txt
	push_file develop "$f" "as committed" >/dev/null
	cli -c "$conf" --sync
	check_eq "local changes: the first sync clones" 0 "$RC"
	refused() { # WHAT PATH: the sync refuses, names PATH, leaves HEAD
		head=$(head_of "$cp")
		push_commit develop >/dev/null
		cli -c "$conf" --sync
		check_eq "local changes: $1: exits 5" 5 "$RC"
		check "local changes: $1: names $2" grep -qF "$2" "$ERR"
		check_eq "local changes: $1: HEAD kept" "$head" "$(head_of "$cp")"
	}
	# The same size and modification time: only the change time differs.
	cp -p "$cp/$f" "$FX_DIR/local/keep"
	sed -i '1s/^./X/' "$cp/$f"
	touch -r "$FX_DIR/local/keep" "$cp/$f"
	refused "an edit of the same size and mtime" "$f"
	cp -p "$FX_DIR/local/keep" "$cp/$f"
	chmod +x "$cp/$f"
	refused "an executable bit" "$f"
	chmod -x "$cp/$f"
	rm "$cp/$f"
	refused "a file removed" "$f"
	git -C "$cp" checkout -q -- "$f"
	printf 'staged\n' >>"$cp/$f" && git -C "$cp" add "$f" && cp -p "$FX_DIR/local/keep" "$cp/$f"
	refused "a change staged, the file as committed" "$f"
	git -C "$cp" reset -q -- "$f" && git -C "$cp" checkout -q -- "$f"
	touch "$cp/$f"
	tip=$(push_commit develop)
	cli -c "$conf" --sync
	check_eq "local changes: a file only touched is none: exits 0 at the tip" "0 $tip" \
		"$RC $(head_of "$cp")"
	check_eq "local changes: the work tree is clean after" "" "$(git -C "$cp" status --porcelain)"
}

# --- --check ------------------------------------------------------------

test_check() {
	local conf="$FX_DIR/check.conf" key="$FX_DIR/loose_key"
	write_config "$conf" "CLONE_PATH=$FX_DIR/check/checkout"
	mkdir -p "$FX_DIR/check"
	cli -c "$conf" --check
	check_eq "--check, good deployment: exits 0" 0 "$RC"
	check "--check: lists the remote's branches" grep -q "2 branches: develop, main" "$OUT"
	check "--check: says the source cannot sign" grep -q "cannot sign" "$OUT"
	check "--check: no FAIL line" not grep -q FAIL "$OUT"

	write_config "$conf" "CLONE_PATH=$FX_DIR/check/checkout" "SSH_KEYPATH=$FX_KEY_RSA"
	cli -c "$conf" --check
	check_eq "--check, RSA key: exits 4" 4 "$RC"
	check "--check, RSA key: advises ed25519" grep -q "FAIL.*RSA.*ed25519" "$OUT"

	cp "$FX_KEY" "$key"
	chmod 644 "$key"
	write_config "$conf" "CLONE_PATH=$FX_DIR/check/checkout" "SSH_KEYPATH=$key"
	cli -c "$conf" --check
	check_eq "--check, key mode 0644: exits 78" 78 "$RC"
	check "--check, key mode 0644: says chmod 600" grep -q "FAIL.*chmod 600" "$OUT"

	write_config "$conf" "CLONE_PATH=$FX_DIR/check/checkout" \
		"KNOWN_HOSTS=$FX_KNOWN_HOSTS_OTHER"
	cli -c "$conf" --check
	check_eq "--check, known_hosts with other keys for the host: exits 3" 3 "$RC"
	check "--check, known_hosts with other keys for the host: says CHANGED" \
		grep -q "FAIL.*CHANGED" "$OUT"

	sed 's/^\[127\.0\.0\.1\]:[0-9]*/[192.0.2.1]:22/' "$FX_KNOWN_HOSTS" >"$FX_DIR/kh.elsewhere"
	write_config "$conf" "CLONE_PATH=$FX_DIR/check/checkout" \
		"KNOWN_HOSTS=$FX_DIR/kh.elsewhere"
	cli -c "$conf" --check
	check_eq "--check, known_hosts without the host: exits 3" 3 "$RC"
	check "--check, known_hosts without the host: names it and ssh-keyscan" \
		grep -q "FAIL.*no entry names \[127.0.0.1\]:$FX_SSH_PORT.*ssh-keyscan" "$OUT"

	write_config "$conf" "CLONE_PATH=$FX_DIR/check/checkout" \
		"SSH_KEYPATH=$FX_KEY_UNAUTHORIZED"
	cli -c "$conf" --check
	check_eq "--check, unauthorized key: exits 4" 4 "$RC"
	check "--check, unauthorized key: says the server refused it" \
		grep -q "FAIL.*refused the key" "$OUT"

	mkdir -p "$FX_DIR/check/foreign"
	write_config "$conf" "CLONE_PATH=$FX_DIR/check/foreign"
	cli -c "$conf" --check
	check_eq "--check, CLONE_PATH a foreign directory: exits 5" 5 "$RC"

	write_config "$conf" SOURCE=github BRANCH=develop
	cli -c "$conf" --check
	check_eq "--check, github without SECRET_FILE: exits 78" 78 "$RC"
	check "--check, github without SECRET_FILE: says ALLOW_UNSIGNED or SECRET_FILE" \
		grep -q "SECRET_FILE.*ALLOW_UNSIGNED=yes" "$ERR"
}

# --- make install -------------------------------------------------------

# README's install line for building: it names the package of every
# library the Makefile asks pkg-config for, and pkg-config and a compiler.
test_readme_build_line() {
	local line m pc pkg
	line=$(grep -m 1 '^sudo apt-get install build-essential ' README.md)
	check "README: an apt-get line for building" test -n "$line"
	for pkg in build-essential pkg-config; do
		check "README's build line names $pkg" grep -qw -- "$pkg" <<<"$line"
	done
	for m in $(sed -n 's/^\(FRONT\|SYNC\)_PKGS = //p' Makefile | tr ' ' '\n' | sort -u); do
		pc="$(pkg-config --variable=pcfiledir "$m")/$m.pc"
		pkg=$(dpkg -S "$pc" 2>/dev/null | cut -d: -f1)
		check "README's build line names $pkg (for pkg-config's $m)" \
			grep -qw -- "${pkg:-no-package-found}" <<<"$line"
	done
	# Without the packages, make says which, as the README does.
	next_run
	make -s PKG_CONFIG=/nonexistent/pkg-config all >"$OUT" 2>"$ERR"
	RC=$?
	check "make without pkg-config's libraries: fails" test "$RC" -ne 0
	check "make without them: prints the README's apt-get line" \
		grep -qF "apt-get install ${line#sudo apt-get install }" "$ERR"
}

test_install() {
	local d="$FX_DIR/destdir" got want tree="$FX_DIR/tree"
	# In a copy of the tree, objects and all: PREFIX=/usr rebuilds the
	# front, which other scripts may be running side by side.
	mkdir -p "$tree"
	tar -C "$PWD" --exclude=./.git --exclude=./tests/fuzz/build --exclude=./bench/build \
		-cf - . | tar -C "$tree" -xf -
	make -s -C "$tree" install DESTDIR="$d" PREFIX=/usr >"$FX_DIR/install.log" 2>&1
	check_eq "make install DESTDIR=...: exits 0" 0 "$?"
	want=$(printf '%s\n' \
		/usr/bin/sentry-source \
		/usr/lib/systemd/system/sentry-source-sync.service \
		/usr/lib/systemd/system/sentry-source-sync.timer \
		/usr/lib/systemd/system/sentry-source.socket \
		/usr/lib/systemd/system/sentry-source@.service \
		/usr/lib/systemd/system/sentry-source-dir.socket \
		/usr/lib/systemd/system/sentry-source-dir@.service \
		/usr/lib/systemd/system/sentry-source-sync@.service \
		/usr/lib/systemd/system/sentry-source-sync@.timer \
		/usr/lib/sysusers.d/sentry-source.conf \
		/usr/libexec/sentry-source/sentry-source-sync \
		/usr/share/sentry-source/examples/sentry-source.conf \
		/usr/share/sentry-source/examples/web-served.conf \
		/usr/share/sentry-source/examples/nginx-sentry-source.conf \
		/usr/share/sentry-source/examples/sentry-source-reload.path \
		/usr/share/sentry-source/examples/sentry-source-reload.service \
		/usr/share/man/man5/sentry-source.conf.5 \
		/usr/share/man/man7/sentry-source-sources.7 \
		/usr/share/man/man8/sentry-source.8 \
		/usr/share/man/man8/sentry-source-sync.8 \
		/usr/share/sentry-source/hooks/post-receive | sort)
	got=$(cd "$d" && find . -type f | sed 's|^\.||' | sort)
	check_eq "make install: the expected files, no others" "$want" "$got"
	check "make install: sentry-source is executable" test -x "$d/usr/bin/sentry-source"
	check "make install: the hook is executable" \
		test -x "$d/usr/share/sentry-source/hooks/post-receive"
	check "make install: the installed front finds its helper under PREFIX" \
		grep -q "/usr/libexec/sentry-source" "$d/usr/bin/sentry-source"
	check "make install: the examples name the installed DATADIR, not /usr/local/share" \
		sh -c "grep -q '/usr/share/sentry-source/examples/web-served.conf' '$d/usr/share/sentry-source/examples/web-served.conf' &&
			! grep -rq /usr/local/share '$d/usr/share/sentry-source/examples'"
	check "make install: an example's own /usr/local/bin (a user's RUN=) is left as written" \
		grep -q '^#RUN=/usr/local/bin/' "$d/usr/share/sentry-source/examples/sentry-source.conf"
	check "make install: the units run the installed binary" \
		grep -q "^ExecStart=/usr/bin/sentry-source " "$d/usr/lib/systemd/system/sentry-source@.service"
	mkdir -p "$FX_DIR/sysroot/etc"
	systemd-sysusers --root="$FX_DIR/sysroot" "$d/usr/lib/sysusers.d/sentry-source.conf" \
		>"$FX_DIR/sysusers.log" 2>&1
	check "make install: systemd-sysusers makes the units' user from the sysusers.d entry" \
		grep -q '^sentry-source:x:[0-9]*:[0-9]*:.*:/var/lib/sentry-source:' "$FX_DIR/sysroot/etc/passwd"
	check "the sysusers.d user is the units' User=" \
		grep -q '^User=sentry-source$' "$d/usr/lib/systemd/system/sentry-source@.service"
	make -s -C "$tree" uninstall DESTDIR="$d" PREFIX=/usr >>"$FX_DIR/install.log" 2>&1
	check_eq "make uninstall: no files left" "" "$(cd "$d" && find . -type f)"
}

# ONLY=NAME runs part test_NAME alone (tests/tap.sh); a part may need an earlier one.
run_parts \
	test_hook \
	test_hook_no_source \
	test_hook_readme_recipe \
	test_hook_big_repo \
	test_sync_glob \
	test_sync_local_changes \
	test_check \
	test_readme_build_line \
	test_install
printf '1..%d\n' "$n"
