#!/bin/bash
# tests/fuzz/run.sh: build the libFuzzer targets with clang and run each for
# a bounded time; what `make fuzz` runs.  See tests/fuzz/README.md.
#
# Targets: http (fuzz-http.c), form (fuzz-form.c), status (fuzz-status.c),
# tree-check (fuzz-tree-check.c, the helper's check of pushed trees),
# and source-NAME for every sources/NAME.c but the template (fuzz-source.c,
# built once each).
#
# Environment:
#   FUZZ_SECONDS=60          run time of each target (-max_total_time)
#   FUZZ_TARGETS="http ..."  the targets to run; default: all of them
#   FUZZ_UPDATE_CORPUS=1     also merge what the run found into the
#                            committed corpus, tests/fuzz/corpus/TARGET/
#   FUZZ_ARGS="..."          more libFuzzer flags (-use_value_profile=1, ...)
#   FUZZ_CC=clang            the compiler: clang with libclang-rt-*-dev
#
# All it makes is under tests/fuzz/build/: objects (never the main build's),
# binaries, the working corpus (corpus/TARGET: the committed seeds and all
# runs' findings, merged to a minimal set), logs, and the reproducers of
# crashes, leaks and timeouts (crashes/TARGET/). Any of those fails the run.
set -u

cd "$(dirname "$0")/../.." || exit 70

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_UPDATE_CORPUS=${FUZZ_UPDATE_CORPUS:-0}
FUZZ_ARGS=${FUZZ_ARGS:-}
FUZZ_CC=${FUZZ_CC:-clang}
B=tests/fuzz/build
SEEDS=tests/fuzz/corpus

case "$FUZZ_SECONDS" in '' | *[!0-9]* | 0)
	echo "fuzz: FUZZ_SECONDS must be a positive number of seconds" >&2
	exit 64 ;;
esac

# -max_len per target: the head buffer and a little body; a form body;
# the largest captured delivery with its header lines.
max_len() {
	case "$1" in
	http) echo 20000 ;;
	form) echo 16384 ;;
	status) echo 12288 ;;
	tree-check) echo 4096 ;;
	*) echo 65536 ;;
	esac
}

dict() {
	case "$1" in
	http) echo tests/fuzz/http.dict ;;
	tree-check) echo tests/fuzz/tree.dict ;;
	source-*) echo tests/fuzz/source.dict ;;
	esac
}

command -v "$FUZZ_CC" >/dev/null ||
	{ echo "fuzz: $FUZZ_CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 70; }
# The symbolizer names functions and lines in reports; clang's own if need be.
if ! command -v llvm-symbolizer >/dev/null; then
	for s in /usr/lib/llvm-*/bin/llvm-symbolizer; do
		[ -x "$s" ] && export ASAN_SYMBOLIZER_PATH=$s
	done
fi

echo "fuzz: building with $FUZZ_CC into $B/"
make -s -f tests/fuzz/fuzz.mk -j"$(nproc)" FUZZ_CC="$FUZZ_CC" fuzz-build ||
	{ echo "fuzz: build failed" >&2; exit 1; }

if [ -n "${FUZZ_TARGETS:-}" ]; then
	read -r -a targets <<<"$FUZZ_TARGETS"
else
	targets=(http form status tree-check)
	for s in $(make -s -f tests/fuzz/fuzz.mk fuzz-list-sources); do
		targets+=("source-$s")
	done
fi

failed=0
summary=()

# run_target NAME: seed, fuzz, merge, report.
run_target() {
	local t=$1 bin="$B/fuzz-$1" seeds="$SEEDS/$1" work="$B/corpus/$1"
	local crashes="$B/crashes/$1" log="$B/logs/$1.log" len stamp rc
	local execs cov ft news size found args=()
	if [ ! -x "$bin" ]; then
		summary+=("$(printf '%-28s no such target (%s)' "$t" "$bin")")
		failed=$((failed + 1))
		return
	fi
	# A target without a committed corpus (a new source) is seeded now;
	# commit what appears in tests/fuzz/corpus/.
	if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
		bash tests/fuzz/seed.sh "$t" || echo "fuzz: $t: no seeds; starting from nothing" >&2
	fi
	mkdir -p "$seeds" "$work" "$crashes" "$B/logs"
	len=$(max_len "$t")
	[ -z "$(dict "$t")" ] || args+=("-dict=$(dict "$t")")
	stamp="$B/logs/$t.start"
	: >"$stamp"
	echo "fuzz: $t: ${FUZZ_SECONDS}s, -max_len=$len, log in $log"
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$len" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" \
		"${args[@]}" $FUZZ_ARGS "$work" "$seeds" </dev/null >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	news=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
	cov=$(grep -oE ' cov: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
	ft=$(grep -oE ' ft: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
	found=$(find "$crashes" -type f -newer "$stamp" | sort)

	# Keep the working corpus minimal: seeds and findings, merged afresh.
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		rm -rf "$work.merge"
		mkdir -p "$work.merge"
		if "$bin" -merge=1 -max_len="$len" "$work.merge" "$seeds" "$work" \
			</dev/null >"$B/logs/$t.merge.log" 2>&1; then
			rm -rf "$work" && mv "$work.merge" "$work"
		else
			rm -rf "$work.merge"
		fi
		if [ "$FUZZ_UPDATE_CORPUS" = 1 ]; then
			"$bin" -merge=1 -max_len="$len" "$seeds" "$work" </dev/null \
				>"$B/logs/$t.update.log" 2>&1 ||
				echo "fuzz: $t: could not merge into $seeds" >&2
		fi
	fi
	size=$(find "$work" -type f | wc -l)
	summary+=("$(printf '%-28s %10s execs  cov %5s  ft %6s  new %5s  corpus %5s  crashes %s' \
		"$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${news:-?}" "$size" \
		"$(printf '%s\n' "$found" | grep -c .)")")
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		failed=$((failed + 1))
		echo "fuzz: $t: FAILED (exit $rc); the end of $log:" >&2
		grep -E 'ERROR|SUMMARY|invariant|runtime error|^    #[0-9]' "$log" | head -n 40 | sed 's/^/    /' >&2
		for f in $found; do
			echo "fuzz: $t: reproduce with: $bin $f" >&2
		done
	fi
}

for t in "${targets[@]}"; do
	run_target "$t"
done

echo "fuzz: results (${FUZZ_SECONDS}s each):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
	echo "fuzz: $failed of ${#targets[@]} targets failed; reproducers under $B/crashes/" >&2
	exit 1
fi
echo "fuzz: ${#targets[@]} targets, no crash"
