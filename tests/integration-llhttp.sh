#!/bin/bash
# tests/integration-llhttp.sh: the front's request reader against llhttp,
# the HTTP/1.1 parser of Node.js, on 400 generated requests: the verdicts
# (accept or refuse, and the body read) agree, or differ only where
# tests/llhttp-crosscheck.js explains why. Prints TAP; skips when no
# Node.js with its HTTPParser is installed. Needs `make check`'s build of
# tests/unit/http-verdict first.
set -u

cd "$(dirname "$0")/.." || exit 70

if ! command -v node >/dev/null ||
	! node -e 'if (typeof require("_http_common").HTTPParser !== "function") process.exit(1)' 2>/dev/null; then
	echo "1..1"
	echo "ok 1 # skip no Node.js with an llhttp HTTPParser to compare against"
	exit 0
fi
if [ ! -x tests/unit/http-verdict ]; then
	echo "1..1"
	echo "not ok 1 - tests/unit/http-verdict is not built (make tests/unit/http-verdict)"
	exit 1
fi
exec node tests/llhttp-crosscheck.js tests/unit/http-verdict 400
