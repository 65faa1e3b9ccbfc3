#!/bin/bash
# tests/shellcheck.sh: every shell script of the tree under
# "shellcheck -x -S warning", one TAP result per script, its warnings
# shown under a failure. The scripts are the *.sh files and the files
# whose first line names sh or bash, in tests/, examples/, hooks/, bench/
# and .ci/. Run from anywhere; checks the tree it lives in.
set -u

cd "$(dirname "$0")/.." || exit 70

n=0
command -v shellcheck >/dev/null ||
	{ echo "Bail out! shellcheck is not installed (apt-get install shellcheck)"; exit 1; }

# scripts: the tree's shell scripts, one a line, sorted.
scripts() {
	local f
	find tests examples hooks bench .ci -type f ! -path '*/build/*' ! -path '*/corpus/*' \
		! -path 'tests/payloads/*' | LC_ALL=C sort |
		while IFS= read -r f; do
			case $f in
			*.sh) printf '%s\n' "$f" ;;
			*.c | *.h | *.md | *.json | *.tsv | *.awk | *.js | *.dict | *.mk | *.conf | \
				*.service | *.socket | *.timer | *.sysusers | README) ;;
			*) head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b' && printf '%s\n' "$f" ;;
			esac
		done
}

while IFS= read -r f; do
	n=$((n + 1))
	# -x: follow ". tests/lib.sh" and the like, from the top of the tree.
	if out=$(shellcheck -x -S warning -f gcc "$f" 2>&1); then
		printf 'ok %d - shellcheck -S warning: %s\n' "$n" "$f"
	else
		printf 'not ok %d - shellcheck -S warning: %s\n' "$n" "$f"
		printf '%s\n' "$out" | head -n 30 | sed 's/^/#   /'
	fi
done < <(scripts)
[ "$n" -gt 0 ] || { echo "Bail out! no shell scripts found"; exit 1; }
printf '1..%d\n' "$n"
