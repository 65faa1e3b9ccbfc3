# shellcheck shell=bash
# tests/lib-realistic.sh: a repository shaped like real ones, for the sync
# tests. Source it after tests/lib.sh (it uses FX_DIR and the fixture's git
# environment). Made by script with git fast-import, in a few seconds:
#   - develop: REAL_FILES files in nested directories (tree/dNNN/sN/fNN.txt),
#     an executable script, a symlink, non-ASCII names, a submodule entry
#     (a gitlink and .gitmodules), a Git LFS pointer file with its
#     .gitattributes, a directory (turn/) that a later commit turns into a
#     file and a file (grow) that it turns into a directory;
#   - annotated and lightweight tags of a commit, a tree and a blob, and a
#     tag of a tag;
#   - branches main, gone (to delete) and release/1, release/2.
# real_generation rewrites every file (a push that changes them all),
# real_shapes swaps the directory and the file, real_force_push and
# real_delete_branch are what the names say, on the server's side.

REAL_FILES=20000

# real_stream_files GEN: fast-import "M" lines rewriting all REAL_FILES
# files with content of generation GEN. awk, so 20000 files take a moment.
real_stream_files() {
	awk -v gen="$1" -v n="$REAL_FILES" 'BEGIN {
		for (i = 0; i < n; i++) {
			c = sprintf("generation %d of file %d\n", gen, i)
			printf "M 100644 inline tree/d%03d/s%d/f%02d.txt\ndata %d\n%s\n",
			    int(i / 200), int((i % 200) / 20), i % 20, length(c), c
		}
	}'
}

# real_inline MODE PATH CONTENT: one inline file (CONTENT has no trailing
# newline added).
real_inline() {
	printf 'M %s inline %s\ndata %d\n%s\n' "$1" "$2" "$(printf '%s' "$3" | wc -c)" "$3"
}

# real_commit_head REF MESSAGE [FROM]: the head of a fast-import commit.
real_commit_head() {
	local n
	n=$(($(cat "$FX_DIR/real-counter" 2>/dev/null || echo 0) + 1))
	printf '%s\n' "$n" >"$FX_DIR/real-counter"
	printf 'commit %s\ncommitter Fixture <fixture@example.invalid> %d +0000\n' \
		"$1" "$((1700000000 + n * 60))"
	printf 'data %d\n%s\n' "${#2}" "$2"
	[ -z "${3:-}" ] || printf 'from %s\n' "$3"
}

# make_real_repo BARE: the bare repository described above.
make_real_repo() {
	local bare=$1 lfs
	lfs=$'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n'
	git init -q --bare "$bare" || return 1
	{
		real_commit_head refs/heads/develop "realistic: first"
		real_stream_files 0
		real_inline 100644 README $'A realistic fixture.\n'
		real_inline 100755 bin/run.sh $'#!/bin/sh\necho run\n'
		real_inline 120000 link-to-readme README
		real_inline 100644 "données/café.txt" $'non-ASCII\n'
		real_inline 100644 "日本語/ファイル.txt" $'non-ASCII\n'
		real_inline 100644 .gitmodules $'[submodule "vendor/lib"]\n\tpath = vendor/lib\n\turl = https://example.invalid/lib.git\n'
		printf 'M 160000 %s vendor/lib\n' 1111111111111111111111111111111111111111
		real_inline 100644 .gitattributes $'*.bin filter=lfs diff=lfs merge=lfs -text\n'
		real_inline 100644 assets/model.bin "$lfs"
		real_inline 100644 turn/a.txt $'a file in a directory that becomes a file\n'
		real_inline 100644 turn/b.txt $'another\n'
		real_inline 100644 grow $'a file that becomes a directory\n'
		printf '\n'
	} | git -C "$bare" fast-import --quiet || return 1
	if ! git -C "$bare" branch main develop ||
		! git -C "$bare" branch gone develop ||
		! git -C "$bare" branch release/1 develop ||
		! git -C "$bare" branch release/2 develop ||
		! git -C "$bare" tag -a -m "release 1.0" v1.0 develop ||
		! git -C "$bare" tag light develop ||
		! git -C "$bare" tag -a -m "a tree" v-tree 'develop^{tree}' ||
		! git -C "$bare" tag light-tree 'develop:tree' ||
		! git -C "$bare" tag -a -m "a blob" v-blob develop:README ||
		! git -C "$bare" tag light-blob develop:grow ||
		! git -C "$bare" -c advice.nestedTag=false tag -a -m "a tag of a tag" v-nested v1.0; then
		fx_fail "could not tag $bare"
		return 1
	fi
}

# real_generation BARE GEN [BRANCH]: a commit rewriting every file; prints
# its oid.
real_generation() {
	local b=${3:-develop}
	{
		real_commit_head "refs/heads/$b" "realistic: generation $2" "refs/heads/$b^0"
		real_stream_files "$2"
		printf '\n'
	} | git -C "$1" fast-import --quiet --force &&
		git -C "$1" rev-parse "refs/heads/$b"
}

# real_small BARE TEXT [BRANCH]: a commit changing README only; prints its oid.
real_small() {
	local b=${3:-develop}
	{
		real_commit_head "refs/heads/$b" "realistic: $2" "refs/heads/$b^0"
		real_inline 100644 README "$2"$'\n'
		printf '\n'
	} | git -C "$1" fast-import --quiet --force &&
		git -C "$1" rev-parse "refs/heads/$b"
}

# real_shapes BARE: turn/ becomes a file and grow a directory, and README
# changes in the same commit; or back again when that was done. Prints
# the new oid.
real_shapes() {
	{
		real_commit_head refs/heads/develop "realistic: shapes" "refs/heads/develop^0"
		if git -C "$1" cat-file -e develop:turn/a.txt 2>/dev/null; then
			printf 'D turn\n'
			real_inline 100644 turn $'now a file\n'
			printf 'D grow\n'
			real_inline 100644 grow/inner.txt $'now a directory\n'
			real_inline 100644 README $'shapes swapped\n'
		else
			printf 'D turn\n'
			real_inline 100644 turn/a.txt $'a directory again\n'
			printf 'D grow\n'
			real_inline 100644 grow $'a file again\n'
			real_inline 100644 README $'shapes back\n'
		fi
		printf '\n'
	} | git -C "$1" fast-import --quiet --force &&
		git -C "$1" rev-parse refs/heads/develop
}

# real_force_push BARE BRANCH REV: the branch rewound or moved to REV, as
# git push --force leaves it; prints the new oid.
real_force_push() {
	git -C "$1" update-ref "refs/heads/$2" "$(git -C "$1" rev-parse "$3")" &&
		git -C "$1" rev-parse "refs/heads/$2"
}

# real_delete_branch BARE BRANCH: as git push --delete leaves it.
real_delete_branch() {
	git -C "$1" update-ref -d "refs/heads/$2"
}
