#!/bin/bash
# tests/integration-structure.sh: the shape of the tree, checked rather
# than remembered. No include cycle among src/*/*.c (an #include "x.h"
# stands for x.c, in the file's own folder or src/common); no function of
# src/ over 100 lines (a function's braces stand at column 0, as the
# project's style puts them); every src/*/*.c and sources/*.c named in
# README.md's file map; every test script and unit test named in
# tests/README. Reads files only. Prints TAP; ONLY=cycles, functions,
# map or tests runs one part.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

MAX_FUNCTION_LINES=100

# include_edges: "a.c b.c" for each a.c that includes b.h, b.c existing.
include_edges() {
	local f h dir
	for f in src/*/*.c; do
		for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"/]*\)\.h".*/\1/p' "$f"); do
			for dir in "${f%/*}" src/common; do
				if [ -f "$dir/$h.c" ]; then
					[ "$dir/$h.c" != "$f" ] && echo "$f $dir/$h.c"
					break
				fi
			done
		done
	done
}

# include_cycles: the files of each cycle, as tsort(1) reports them.
include_cycles() {
	include_edges | tsort 2>&1 >/dev/null | sed -n 's/^tsort: //p' | grep -v 'input contains a loop'
}

# long_functions FILE...: "file: function (N lines)" for each over the bound.
long_functions() {
	awk -v max="$MAX_FUNCTION_LINES" '
		FNR == 1 { start = 0 }
		/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name) }
		/^\{/ { start = FNR }
		/^\}/ && start {
			if (FNR - start + 1 > max)
				printf "%s: %s (%d lines)\n", FILENAME, name, FNR - start + 1
			start = 0
		}' "$@"
}

# unnamed WHERE FORM FILE...: the FILEs that WHERE does not name, as a
# whole word; FORM says how a name is spelled there (path: the path;
# name: the file name; stem: the file name without its extension).
unnamed() {
	local where=$1 form=$2 f name
	shift 2
	for f in "$@"; do
		case $form in
		path) name=$f ;;
		name) name=${f##*/} ;;
		stem) name=${f##*/} name=${name%.*} ;;
		esac
		grep -qE -- "(^|[^A-Za-z0-9_./-])${name//./\\.}([^A-Za-z0-9_-]|\$)" "$where" ||
			echo "$f"
	done
}

test_cycles() {
	check "the include graph of src/ has edges (the walk reads the files)" \
		test -n "$(include_edges)"
	check_eq "no include cycle among src/*/*.c" "" "$(include_cycles)"
}

test_functions() {
	check "the function walk finds main()" grep -q '^main(' src/sync/sync_main.c
	check_eq "no function of src/ is over $MAX_FUNCTION_LINES lines" "" \
		"$(long_functions src/*/*.c)"
}

test_map() {
	check_eq "README.md's file map names every src/*/*.c and sources/*.c" "" \
		"$(unnamed README.md path src/*/*.c sources/*.c)"
}

test_tests() {
	check_eq "tests/README names every integration script" "" \
		"$(unnamed tests/README name tests/integration*.sh)"
	check_eq "tests/README names every unit test" "" \
		"$(unnamed tests/README stem tests/unit/test-*.c)"
}

run_parts test_cycles test_functions test_map test_tests
printf '1..%d\n' "$n"
