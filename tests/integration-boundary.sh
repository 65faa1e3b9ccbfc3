#!/bin/bash
# tests/integration-boundary.sh: the two programs stay apart. The front
# (src/front, sentry-source) reads untrusted bytes and never includes or
# links libgit2; the helper (src/sync, sentry-source-sync) holds the key
# and never includes the HTTP, source or cJSON headers nor links libcjson;
# src/common, linked into both, uses neither library. Checked on the
# sources, on the built binaries (ldd, nm), and by compiling a crossing
# with each side's own flags, which must fail. Prints TAP.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

fixture_init || bail "no work directory"
mkdir -p "$FX_DIR/run"

# make_var NAME: a variable of the Makefile, as make expands it.
make_var() {
	# shellcheck disable=SC2016 # make expands it
	printf 'boundary-print:\n\t@echo $(%s)\n' "$1" |
		make -s --no-print-directory -f Makefile -f - boundary-print
}

# includers PATTERN DIR...: the files under DIR that include PATTERN.
includers() {
	local pattern=$1
	shift
	grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)[>\"]" \
		-r --include='*.c' --include='*.h' "$@" 2>/dev/null
}

check_eq "no front, source or common file includes git2.h" "" \
	"$(includers 'git2\.h|git2/.*' src/front src/common sources)"
check_eq "no helper or common file includes cJSON, http.h, source.h or signature.h" "" \
	"$(includers 'cjson/cJSON\.h|cJSON\.h|http\.h|source\.h|signature\.h|form\.h|front\.h' \
		src/sync src/common)"

check "ldd sentry-source: no libgit2" eval '! ldd ./sentry-source | grep -q libgit2'
check "ldd sentry-source: no libssh2" eval '! ldd ./sentry-source | grep -q libssh2'
check "ldd sentry-source-sync: no libcjson" eval '! ldd ./sentry-source-sync | grep -q libcjson'

# Functions the helper's own objects define (not common's), main aside:
# none may be in the front.
build=$(make_var BUILD)
helper_fns=$(nm --defined-only "$build"/sync/*.o 2>/dev/null | awk '$2 == "T" && $3 != "main" { print $3 }' | sort -u)
front_fns=$(nm --defined-only ./sentry-source | awk '$2 == "T" || $2 == "t" { print $3 }' | sort -u)
check "the helper's objects define functions (nm works here)" test -n "$helper_fns"
check_eq "nm sentry-source: none of the helper's functions" "" \
	"$(comm -12 <(printf '%s\n' "$helper_fns") <(printf '%s\n' "$front_fns"))"

# A crossing does not compile: each side sees its folder and common only.
cc=$(make_var CC)
cross() {	# cross FLAGS-VAR HEADER: compile a file that includes HEADER
	printf '#include "%s"\nint crossing;\n' "$2" >"$FX_DIR/cross.c"
	# shellcheck disable=SC2046 # the flags are words
	$cc $(make_var "$1") -fsyntax-only "$FX_DIR/cross.c" >"$FX_DIR/run/cross.out" 2>&1
}
check "the front's flags compile a front header" cross FRONT_CPPFLAGS http.h
check "the front's flags refuse a helper header (publish.h)" eval '! cross FRONT_CPPFLAGS publish.h'
check "the helper's flags compile a helper header" cross SYNC_CPPFLAGS publish.h
check "the helper's flags refuse a front header (http.h)" eval '! cross SYNC_CPPFLAGS http.h'
check "the helper's flags refuse a front header (source.h)" eval '! cross SYNC_CPPFLAGS source.h'
check "common's flags refuse either side's headers" \
	eval '! cross COMMON_CPPFLAGS http.h && ! cross COMMON_CPPFLAGS publish.h'
check "no project header stands in for <limits.h>" \
	eval 'printf "#include <limits.h>\nint x[PATH_MAX > 0 && INT_MAX > 0];\n" >"$FX_DIR/l.c" &&
		$cc $(make_var SYNC_CPPFLAGS) -fsyntax-only "$FX_DIR/l.c"'
check_eq "no file is named like a system header" "" \
	"$(find src sources -name 'limits.h' -o -name 'string.h' -o -name 'time.h' -o -name 'signal.h')"

printf '1..%d\n' "$n"
