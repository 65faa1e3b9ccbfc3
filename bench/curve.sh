# bench/curve.sh: what a clone, the sync of a one-file push and the
# release of it cost as the tree grows, against git and against the
# in-place sync. Sourced by bench/run.sh, whose fixture (sshd, keys),
# tools (measure, genrepo) and early helpers (die, say, kv, median, ratio,
# ms, cpu_ms, verdict, settle) it uses, so that BENCH_ONLY=curve can run
# it before the rest; see "The curve" in bench/README.md.
# shellcheck shell=bash

# Sizes of the tree, in files; BENCH_LARGE=1 adds 100,000, which takes
# minutes more (each side of a clone alone is 10 to 20 s here).
CURVE_SIZES=${BENCH_CURVE_SIZES:-1000 10000}
[ "${BENCH_LARGE:-0}" != 1 ] || CURVE_SIZES="$CURVE_SIZES 100000"
# Commits the generated tree is written in: its history is not what the
# curve is about (the clone benchmark above has a long one).
CURVE_COMMITS=20
# Counts per size: clones per side, and pushes, each synced by git, in
# place and as a release. Trees of 100,000 files and more get their own.
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_CURVE_CLONES:=2}" "${BENCH_CURVE_PUSHES:=3}" \
		"${BENCH_LARGE_CLONES:=2}" "${BENCH_LARGE_PUSHES:=3}"
fi
N_CURVE_CLONES=${BENCH_CURVE_CLONES:-5}
N_CURVE_PUSHES=${BENCH_CURVE_PUSHES:-7}
N_LARGE_CLONES=${BENCH_LARGE_CLONES:-3}
N_LARGE_PUSHES=${BENCH_LARGE_PUSHES:-5}
for n in $CURVE_SIZES "$N_CURVE_CLONES" "$N_CURVE_PUSHES" "$N_LARGE_CLONES" "$N_LARGE_PUSHES"; do
	case $n in '' | 0 | *[!0-9]*)
		echo "bench: BENCH_CURVE_*, BENCH_LARGE_* counts and sizes must be positive integers, not '$n'" >&2
		exit 64
		;;
	esac
done

# Results, by label (1k, 10k, ...), in the order measured.
CURVE_LABELS=()
declare -A C_CLONE_OURS C_CLONE_GIT C_SYNC_OURS C_SYNC_GIT C_CPU_OURS C_CPU_GIT \
	C_REL C_INPLACE C_DISK C_TREE C_ROUNDS

# curve_label N: 1000 -> 1k.
curve_label() {
	if [ $(($1 % 1000)) = 0 ]; then
		printf '%sk\n' $(($1 / 1000))
	else
		printf '%s\n' "$1"
	fi
}

# curve_repo N: the generated tree of N files, cached in bench/build like
# the clone benchmark's repository (rebuilt when the generator changes).
curve_repo() {
	local repo="$BUILD/tree-$1.git" stamp
	stamp="genrepo -t $1 $CURVE_COMMITS $(cksum <"$ROOT/bench/genrepo.c")"
	if [ "$(cat "$repo.stamp" 2>/dev/null || true)" != "$stamp" ]; then
		say "generating $repo ($1 files in $CURVE_COMMITS commits)"
		rm -rf "$repo" "$repo.stamp"
		git init -q --bare "$repo" || die "cannot create $repo"
		"$BUILD/genrepo" -t "$1" "$CURVE_COMMITS" | git -C "$repo" fast-import --quiet ||
			die "cannot generate $repo"
		git -C "$repo" symbolic-ref HEAD refs/heads/develop
		git -C "$repo" repack -adq || die "cannot repack $repo"
		printf '%s\n' "$stamp" >"$repo.stamp"
	fi
	printf '%s\n' "$repo"
}

# curve_one SIDE KIND: one run of SIDE, its line appended to $F/m/KIND.SIDE,
# once the last connection's sshd processes are gone (as run.sh's one) and
# the dirty pages of the last run written: a release writes and removes a
# whole tree, which the side after it must not pay for.
curve_one() {
	local line
	settle "$FX_SSHD_PID"
	sync
	line=$("$1")
	printf '%s\n' "$line" >>"$F/m/$2.$1"
}

# curve_col KIND SIDE KEY: the median of KEY over that side's runs.
curve_col() { while read -r l; do kv "$3" "$l"; done <"$F/m/$1.$2" | median; }

# curve_sync CONF: one measured sync.
curve_sync() {
	"$BUILD/measure" ./sentry-source -c "$1" --sync 2>>"$F/log/sync.log" ||
		die "sentry-source -c $1 --sync failed (see $F/log/sync.log)"
}

# The sides. CD is the size's work directory, CURL its server's URL, CTIP
# the commit every side must reach. measure's line goes to stdout.
c_clone_ours() {
	rm -rf "$CD/clone-ours"
	mkdir "$CD/clone-ours"
	sync # the last run's dirty pages are not this run's to write
	"$BUILD/measure" ./sentry-source -c "$CD/clone.conf" --sync 2>>"$F/log/sync.log" ||
		die "sentry-source clone of $CURL failed (see $F/log/sync.log)"
	[ "$(git -C "$CD/clone-ours/checkout" rev-parse HEAD)" = "$CTIP" ] || die "our clone is not at the tip"
}
c_clone_git() {
	rm -rf "$CD/clone-git"
	sync
	"$BUILD/measure" git clone -q -b develop "$CURL" "$CD/clone-git" 2>>"$F/log/git.log" ||
		die "git clone of $CURL failed"
	[ "$(git -C "$CD/clone-git" rev-parse HEAD)" = "$CTIP" ] || die "git's clone is not at the tip"
}
c_inplace() { curve_sync "$CD/inplace.conf"; }
c_release() { curve_sync "$CD/releases.conf"; }
c_git() {
	"$BUILD/measure" git -C "$CD/git" fetch -q ::: \
		git -C "$CD/git" reset -q --hard origin/develop 2>>"$F/log/git.log" ||
		die "git fetch + reset --hard in $CD/git failed"
}

# curve_tips: every side's checkout is at CTIP, or the set-up is broken.
curve_tips() {
	[ "$(git -C "$CD/inplace/checkout" rev-parse HEAD)" = "$CTIP" ] ||
		die "in place ($(curve_label "$CN") files): not at the tip"
	[ "$(git -C "$CD/git" rev-parse HEAD)" = "$CTIP" ] ||
		die "git ($(curve_label "$CN") files): not at the tip"
	case $(readlink "$CD/releases/checkout") in
	*-"$CTIP") ;;
	*) die "releases ($(curve_label "$CN") files): the live release is not the tip" ;;
	esac
}

# curve_push I: a commit that appends a line to one file of the tree,
# written into the server's repository with fast-import (no work tree of
# CN files to refresh); sets CTIP.
curve_push() {
	local path size
	path=$(sed -n "$(($1 * 7919 % CFILES + 1))p" "$CD/files")
	{ git --git-dir="$CD/server.git" cat-file blob "develop:$path" && printf 'push %s\n' "$1"; } \
		>"$CD/blob" || die "cannot read $path"
	size=$(wc -c <"$CD/blob")
	{
		printf 'commit refs/heads/develop\ncommitter Bench <bench@example.invalid> %s +0000\n' \
			$((1800000000 + $1 * 60))
		printf 'data <<EOM\nbench: push %s\nEOM\nfrom refs/heads/develop^0\n' "$1"
		printf 'M 100644 inline %s\ndata %s\n' "$path" "$size"
		cat "$CD/blob"
		printf '\n'
	} | git --git-dir="$CD/server.git" fast-import --quiet || die "push $1 failed"
	CTIP=$(git --git-dir="$CD/server.git" rev-parse refs/heads/develop)
}

# curve_measure N: every figure of the curve for a tree of N files.
curve_measure() {
	local n=$1 k clones pushes i s cached old new both_kb old_kb
	local -a sides rel
	k=$(curve_label "$n")
	clones=$N_CURVE_CLONES pushes=$N_CURVE_PUSHES
	if [ "$n" -ge 100000 ]; then
		clones=$N_LARGE_CLONES pushes=$N_LARGE_PUSHES
	fi
	cached=$(curve_repo "$n")
	CN=$n CD="$F/curve/$k"
	rm -rf "$CD"
	mkdir -p "$CD/inplace" "$CD/releases"
	# A copy, so that the pushes leave the cached tree as generated (a
	# local clone: the objects are hard links).
	git clone -q --bare "$cached" "$CD/server.git" || die "cannot copy $cached"
	CURL="ssh://$FX_USER@127.0.0.1:$FX_SSH_PORT$CD/server.git"
	CTIP=$(git --git-dir="$CD/server.git" rev-parse refs/heads/develop)
	git --git-dir="$CD/server.git" ls-tree -r --name-only develop >"$CD/files"
	CFILES=$(wc -l <"$CD/files")
	write_config "$CD/clone.conf" "CLONE_URL=$CURL" "CLONE_PATH=$CD/clone-ours/checkout"
	write_config "$CD/inplace.conf" "CLONE_URL=$CURL" "CLONE_PATH=$CD/inplace/checkout"
	# KEEP_RELEASES=2, the least: from the second publish on, every one
	# removes the oldest release, as every publish of a deployment that has
	# reached KEEP_RELEASES does; and two releases are left for the du.
	write_config "$CD/releases.conf" "CLONE_URL=$CURL" "CLONE_PATH=$CD/releases/checkout" \
		PUBLISH=releases KEEP_RELEASES=2

	# The checkouts the pushes are synced into, which also bring the
	# server's pack into the page cache before the clones are timed.
	say "$k files: first syncs (in place, releases) and git clone"
	curve_sync "$CD/inplace.conf" >/dev/null
	curve_sync "$CD/releases.conf" >/dev/null
	git clone -q -b develop "$CURL" "$CD/git" 2>>"$F/log/git.log" || die "git clone of $CURL failed"

	say "$k files: $clones clones each, ours and git's alternating"
	for i in $(seq 1 "$clones"); do
		if [ $((i % 2)) = 1 ]; then
			curve_one c_clone_ours "curve-$k-clone"
			curve_one c_clone_git "curve-$k-clone"
		else
			curve_one c_clone_git "curve-$k-clone"
			curve_one c_clone_ours "curve-$k-clone"
		fi
	done
	rm -rf "$CD/clone-ours" "$CD/clone-git"

	say "$k files: 1 + $pushes one-file pushes, each synced in place, as a release and by git, in turn"
	for i in $(seq 0 "$pushes"); do
		curve_push "$i"
		sides=(c_inplace c_release c_git)
		sides=("${sides[@]:i%3}" "${sides[@]:0:i%3}")
		for s in "${sides[@]}"; do
			if [ "$i" = 0 ]; then
				"$s" >/dev/null # a round of warm-up, not counted
			else
				curve_one "$s" "curve-$k-push"
			fi
		done
		curve_tips
	done

	# Disk per release: du counts an inode once per invocation, so du of
	# the last two releases together, less the older alone, is what the
	# newer adds: the whole tree for a full checkout, the change and the
	# directories for one that shares the unchanged files.
	mapfile -t rel < <(find "$CD/releases/checkout.releases" -mindepth 1 -maxdepth 1 -name '2*' | sort)
	[ "${#rel[@]}" -ge 2 ] || die "$k files: ${#rel[@]} release(s) left, want 2"
	old=${rel[${#rel[@]} - 2]} new=${rel[${#rel[@]} - 1]}
	[ "$(readlink -f "$CD/releases/checkout")" = "$(readlink -f "$new")" ] ||
		die "$k files: the newest release is not the live one"
	old_kb=$(du -sk "$old" | cut -f1)
	both_kb=$(du -sck "$old" "$new" | tail -n 1 | cut -f1)

	CURVE_LABELS+=("$k")
	C_ROUNDS[$k]="$clones/$pushes"
	C_CLONE_OURS[$k]=$(curve_col "curve-$k-clone" c_clone_ours wall_ns)
	C_CLONE_GIT[$k]=$(curve_col "curve-$k-clone" c_clone_git wall_ns)
	C_SYNC_OURS[$k]=$(curve_col "curve-$k-push" c_inplace wall_ns)
	C_SYNC_GIT[$k]=$(curve_col "curve-$k-push" c_git wall_ns)
	C_CPU_OURS[$k]=$(curve_col "curve-$k-push" c_inplace cpu_us)
	C_CPU_GIT[$k]=$(curve_col "curve-$k-push" c_git cpu_us)
	C_REL[$k]=$(curve_col "curve-$k-push" c_release wall_ns)
	C_INPLACE[$k]=${C_SYNC_OURS[$k]}
	C_DISK[$k]=$((both_kb - old_kb))
	C_TREE[$k]=$(du -sk "$new" | cut -f1)
	rm -rf "$CD"
}

curve_run() {
	local n
	for n in $CURVE_SIZES; do
		curve_measure "$n"
	done
}

# curve_rows: the curve's rows of the table, in run.sh's columns.
curve_rows() {
	local k
	for k in "${CURVE_LABELS[@]}"; do
		curve_row "tree of $k files (${C_ROUNDS[$k]} runs)" "" "" "" "" ""
		curve_row "  clone (wall)" "$(ms "${C_CLONE_OURS[$k]}")" "$(ms "${C_CLONE_GIT[$k]}")" \
			"$(ratio "${C_CLONE_OURS[$k]}" "${C_CLONE_GIT[$k]}")" "<= 1.0" \
			"$(verdict "$(ratio "${C_CLONE_OURS[$k]}" "${C_CLONE_GIT[$k]}")" 1.0)"
		curve_row "  sync of a 1-file push (wall)" "$(ms "${C_SYNC_OURS[$k]}")" "$(ms "${C_SYNC_GIT[$k]}")" \
			"$(ratio "${C_SYNC_OURS[$k]}" "${C_SYNC_GIT[$k]}")" "<= 0.8" \
			"$(verdict "$(ratio "${C_SYNC_OURS[$k]}" "${C_SYNC_GIT[$k]}")" 0.8)"
		curve_row "  the same, CPU" "$(cpu_ms "${C_CPU_OURS[$k]}")" "$(cpu_ms "${C_CPU_GIT[$k]}")" \
			"$(ratio "${C_CPU_OURS[$k]}" "${C_CPU_GIT[$k]}")" "<= 1.0" \
			"$(verdict "$(ratio "${C_CPU_OURS[$k]}" "${C_CPU_GIT[$k]}")" 1.0)"
		curve_row "  release of it vs in place" "$(ms "${C_REL[$k]}")" "$(ms "${C_INPLACE[$k]}")" \
			"$(ratio "${C_REL[$k]}" "${C_INPLACE[$k]}")" "<= 2.0" \
			"$(verdict "$(ratio "${C_REL[$k]}" "${C_INPLACE[$k]}")" 2.0)"
		curve_row "  disk: new release vs whole tree" "${C_DISK[$k]} KiB" "${C_TREE[$k]} KiB" \
			"$(ratio "${C_DISK[$k]}" "${C_TREE[$k]}")" "(info)" ""
	done
}
curve_row() { printf '%-34s %14s %14s %7s %8s  %s\n' "$@" | sed 's/ *$//'; }

# curve_notes: how the curve's numbers were obtained, for the report.
curve_notes() {
	cat <<EOF
- the curve: trees of $CURVE_SIZES files (bench/genrepo.c -t: text files of 64 to
  4095 bytes, 100 to a directory, in $CURVE_COMMITS commits; cached in bench/build/tree-N.git),
  served by a copy over the same sshd. Clone: 'sentry-source --sync' into an empty
  CLONE_PATH against 'git clone -b develop', alternating. Then 1 + N pushes of one
  commit appending a line to one file; each is synced by our in-place checkout, by
  a PUBLISH=releases one (KEEP_RELEASES=2) and by 'git fetch -q' +
  'git reset -q --hard origin/develop' in a git clone, the three in turn (ABC, BCA,
  CAB ...), the first push not counted. Every timed run starts after 'sync'
  (runs shown as clones/pushes per size). CPU: user+sys of every
  process of the command (ssh included). Disk: du -sk of the two newest releases
  together less the older alone (an inode is counted once), against the newest alone.
EOF
}

# curve_lines: the name: value lines.
curve_lines() {
	local k
	for k in "${CURVE_LABELS[@]}"; do
		echo "clone_vs_git_$k: $(ratio "${C_CLONE_OURS[$k]}" "${C_CLONE_GIT[$k]}")"
		echo "sync1_vs_git_$k: $(ratio "${C_SYNC_OURS[$k]}" "${C_SYNC_GIT[$k]}")"
		echo "sync1_cpu_vs_git_$k: $(ratio "${C_CPU_OURS[$k]}" "${C_CPU_GIT[$k]}")"
		echo "release1_vs_inplace_$k: $(ratio "${C_REL[$k]}" "${C_INPLACE[$k]}")"
		echo "release_disk_kb_$k: ${C_DISK[$k]}"
	done
}
