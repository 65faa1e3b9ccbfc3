#!/bin/bash
# examples/demo.sh (make demo): sentry-source end to end on this machine.
# A private sshd and repository on 127.0.0.1 stand in for the Stash server;
# sentry-source runs under systemd-socket-activate as it would under a
# systemd socket unit; curl plays the Stash webhook.  Everything is removed
# on exit.  Needs `make` first (make demo does it); no stdin needed.
set -u

cd "$(dirname "$0")/.." || exit 70

step() { printf '\n== %s\n' "$*"; }
show() { sed 's/^/   /'; }
fail() {
	printf '\ndemo failed: %s\n' "$*" >&2
	exit 1
}

step "Dependencies"
bash .ci/install-deps </dev/null || fail "missing packages"
[ -x ./sentry-source ] && [ -x ./sentry-source-sync ] ||
	fail "./sentry-source or ./sentry-source-sync not built: run make"

. tests/lib.sh
export SENTRY_SOURCE_EXEC_PATH="$PWD"

step "A Stash stand-in: sshd on 127.0.0.1 with a repository (main, develop)"
fixture_setup || fail "fixture setup"
echo "   sshd:       127.0.0.1:$FX_SSH_PORT, pid $FX_SSHD_PID"
echo "   repository: $FX_CLONE_URL"
git --git-dir="$FX_REPO" log --oneline --graph --all | show

step "Deployment config"
CONF="$FX_DIR/sentry-source.conf"
write_config "$CONF"
show <"$CONF"

step "sentry-source behind systemd-socket-activate (one process per connection)"
start_front "$CONF" || fail "could not start systemd-socket-activate"
URL="http://127.0.0.1:$FX_HTTP_PORT/webhook"
echo "   listening on $URL"

# webhook FILE: POST FILE as Stash does, print the whole answer.
webhook() {
	echo "   \$ curl -X POST -H 'Content-Type: application/json' --data-binary @$(basename "$1") $URL"
	curl -sS -i --noproxy '*' --max-time 20 -X POST \
		-H 'Content-Type: application/json' --data-binary @"$1" "$URL" </dev/null |
		tr -d '\r' | show
	echo
}

# stash_webhook OUT REF FROM TO: the body Atlassian Stash's Post-Receive
# WebHooks plugin sends for one pushed ref: the repository, then
# refChanges (what sentry-source reads), as in tests/payloads/stash/.
stash_webhook() {
	printf '{"repository":{"slug":"demo","id":1,"name":"demo","scmId":"git",' >"$1"
	printf '"project":{"key":"DEMO","id":1,"name":"Demo"}},' >>"$1"
	printf '"refChanges":[{"refId":"%s","fromHash":"%s","toHash":"%s","type":"UPDATE"}]}\n' \
		"$2" "$3" "$4" >>"$1"
}

# wait_checkout OID: the sync runs after the answer; give it a moment.
wait_checkout() {
	wait_head "$FX_CLONE_PATH" "$1" 20 && return 0
	sed 's/^/   log: /' "$FX_DIR/front.log" | tail -n 20
	fail "the checkout did not reach $1"
}

step "First webhook: no checkout yet, so sentry-source clones develop"
tip=$(repo_tip develop)
stash_webhook "$FX_DIR/first.json" refs/heads/develop "$(git --git-dir="$FX_REPO" rev-parse develop^)" "$tip"
webhook "$FX_DIR/first.json"
wait_checkout "$tip"
echo "   checkout $FX_CLONE_PATH:"
git -C "$FX_CLONE_PATH" log --oneline -1 | show

step "Someone pushes to develop"
new=$(push_commit develop "develop: the change we want deployed") || fail "push"
git --git-dir="$FX_REPO" log --oneline -1 develop | show
echo "   checkout still at:"
git -C "$FX_CLONE_PATH" log --oneline -1 | show

step "Stash sends its Post-Receive webhook"
stash_webhook "$FX_DIR/update.json" refs/heads/develop "$tip" "$new"
webhook "$FX_DIR/update.json"
wait_checkout "$new"
echo "   checkout now at:"
git -C "$FX_CLONE_PATH" log --oneline -1 | show

step "A push to another branch is answered and ignored"
main=$(repo_tip main)
stash_webhook "$FX_DIR/other.json" refs/heads/main "$main" "$main"
webhook "$FX_DIR/other.json"

step "What sentry-source logged"
grep -E '^sentry-source(-sync)?: ' "$FX_DIR/front.log" | show

step "Cleaning up"
echo "   stopping sshd and systemd-socket-activate, removing $FX_DIR"
