#!/bin/bash
# tests/integration-tags.sh: TAG=glob, a deployment that follows tags
# instead of a branch, through the real programs, the real sshd and a real
# bare repository: lightweight and annotated tags pushed with git push,
# a moved tag (git push -f), a deleted tag, tags the glob does not take,
# --sync choosing the highest tag in version order, the tag push payloads
# of GitHub, GitLab, Bitbucket Server and Cloud and Stash's plugin, the
# post-receive hook, RUN, ON_FAILURE, --check, --status and the metrics,
# in both publishing modes. Prints TAP (ONLY=config, push, hosts, sync,
# releases or hook). Needs `make` first.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

RUN_TIMEOUT=60

tap_fixture p bin
P="$FX_DIR/p"
S="$FX_DIR/git/scratch"
PROBE="$FX_DIR/bin/probe"

# RUN='s probe: the variables a tag deployment is told.
cat >"$PROBE" <<EOF
#!/bin/sh
printf 'ref=%s tag=%s new=%s\n' "\${SENTRY_REF-unset}" "\${SENTRY_TAG-unset}" "\$SENTRY_NEW" \\
	>>'$FX_DIR/probe'
EOF
chmod 755 "$PROBE"

# tag_at NAME [COMMIT] [-a]: make (or move, with -f) the tag NAME in the
# scratch clone and push it over the local path; prints the commit.
# -a makes an annotated tag.
tag_at() {
	local name=$1 at=${2:-HEAD} annotated=${3:-}
	if [ "$annotated" = -a ]; then
		git -C "$S" tag -f -a -m "release $name" "$name" "$at" >/dev/null
	else
		git -C "$S" tag -f "$name" "$at" >/dev/null
	fi &&
		git -C "$S" push -q -f origin "refs/tags/$name" >&2 &&
		git -C "$S" rev-parse "$name^{commit}"
}

# commit_on_main: one more commit on main, pushed; prints it.
commit_on_main() { push_commit main; }

# deploy_conf FILE CLONE_PATH TAG [LINE...]: a github deployment,
# unsigned, that follows TAG.
deploy_conf() {
	local f=$1 cp=$2 tag=$3
	shift 3
	write_config "$f" SOURCE=github ALLOW_UNSIGNED=yes "CLONE_PATH=$cp" "TAG=$tag" \
		"RUN=$PROBE" "$@"
}

# github_tag OUT REF BEFORE AFTER: GitHub's real tag push payload
# (github/push-tag-create.json) with its ref and object names replaced.
github_tag() {
	python3 - "$FX_PAYLOADS/github/push-tag-create.json" "$@" <<'EOF'
import json, sys
src, out, ref, before, after = sys.argv[1:]
d = json.load(open(src))
zero = "0" * 40
d.update(ref=ref, before=before, after=after, created=before == zero,
         deleted=after == zero)
open(out, "w").write(json.dumps(d))
EOF
}

# webhook CONF BODY HEADER...: the front in socket mode, as a host calls it.
webhook() {
	local conf=$1 body=$2
	shift 2
	make_request POST /webhook application/json "$body" "$@" >"$body.http"
	front "$conf" "$body.http"
}

test_config() {
	local conf="$FX_DIR/both.conf"
	write_config "$conf" SOURCE=github ALLOW_UNSIGNED=yes BRANCH=main TAG='v*'
	cli -c "$conf" --check
	check_eq "TAG and BRANCH both: --check exits 78" 78 "$RC"
	check "TAG and BRANCH both: --check says a deployment follows one" \
		grep -q "TAG and BRANCH (line [0-9]*) are both set" "$ERR"
	cli -c "$conf" --sync
	check_eq "TAG and BRANCH both: --sync exits 78" 78 "$RC"
	write_config "$conf" TAG='v*'
	cli -c "$conf" --check
	check_eq "TAG with stash-develop, whose branch is built in: exits 78" 78 "$RC"
	check "...and says why" grep -q "TAG cannot be set: stash-develop follows" "$ERR"
	write_config "$conf" SOURCE=github ALLOW_UNSIGNED=yes 'TAG=refs/tags/v*'
	cli -c "$conf" --check
	check_eq "TAG=refs/tags/...: refused, exits 78" 78 "$RC"
}

# Lightweight, annotated, moved and deleted tags by webhook, in place.
test_push() {
	local conf="$FX_DIR/push.conf" cp="$FX_DIR/push/checkout" c1 c2 c3 obj
	mkdir -p "$FX_DIR/push"
	deploy_conf "$conf" "$cp" 'v1.*' "METRICS_FILE=$FX_DIR/push.prom"
	c1=$(commit_on_main) && tag_at v1.0 "$c1" >/dev/null
	github_tag "$P/t1.json" refs/tags/v1.0 "$FX_ZERO" "$c1"
	webhook "$conf" "$P/t1.json" "X-GitHub-Event: push"
	check "lightweight tag v1.0 pushed: answered 200" answer_is 200
	check_eq "lightweight tag: the sync exits 0" 0 "$RC"
	check_eq "lightweight tag: the checkout is at its commit" "$c1" "$(head_of "$cp")"
	# (git's short name for it is heads/v1.0, told from the tag v1.0.)
	check_eq "lightweight tag: on a branch named like the tag" refs/heads/v1.0 \
		"$(git -C "$cp" symbolic-ref -q HEAD)"
	check "lightweight tag: the metrics name the tag" grep -qx \
		"sentry_source_live_commit_info{checkout=\"$cp\",branch=\"v1.0\",tag=\"v1.0\",commit=\"$c1\"} 1" \
		"$FX_DIR/push.prom"
	check "lightweight tag: RUN is told SENTRY_REF and SENTRY_TAG" \
		grep -qx "ref=refs/tags/v1.0 tag=v1.0 new=$c1" "$FX_DIR/probe"

	# An annotated tag: GitHub's after is the tag object; the commit
	# it points at is deployed.
	c2=$(commit_on_main) && tag_at v1.1 "$c2" -a >/dev/null
	obj=$(git --git-dir="$FX_REPO" rev-parse refs/tags/v1.1)
	check "annotated tag: the pushed object is a tag, not the commit" \
		test "$(git --git-dir="$FX_REPO" cat-file -t "$obj")" = tag
	github_tag "$P/t2.json" refs/tags/v1.1 "$FX_ZERO" "$obj"
	webhook "$conf" "$P/t2.json" "X-GitHub-Event: push"
	check_eq "annotated tag v1.1: the sync exits 0" 0 "$RC"
	check_eq "annotated tag: the checkout is at the commit it points at (peeled)" \
		"$c2" "$(head_of "$cp")"
	check_eq "annotated tag: the working tree is clean" "" "$(git -C "$cp" status --porcelain)"

	# --status speaks of the tag.
	cli -c "$conf" --status
	check "--status: names the tag" grep -qx "tag:       v1.1" "$OUT"
	check "--status: the message names the tag" grep -q "^message:   tag v1.1 moved from" "$OUT"
	cli -c "$conf" --status --json
	check "--status --json: ref and tag" \
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["ref"] == "refs/tags/v1.1" and d["tag"] == "v1.1" and d["branch"] is None))' "$OUT"

	# A tag the glob does not take, a branch, a deleted tag: nothing.
	c3=$(commit_on_main) && tag_at v2.0 "$c3" >/dev/null
	github_tag "$P/t3.json" refs/tags/v2.0 "$FX_ZERO" "$c3"
	webhook "$conf" "$P/t3.json" "X-GitHub-Event: push"
	check "v2.0, not taken by v1.*: answered 200" answer_is 200
	check "v2.0: the answer says it is not a watched tag" body_has "refs/tags/v2.0 is not a watched tag (v1.*)"
	check_eq "v2.0: the checkout stays at v1.1" "$c2" "$(head_of "$cp")"
	github_tag "$P/t4.json" refs/heads/main "$c2" "$c3"
	webhook "$conf" "$P/t4.json" "X-GitHub-Event: push"
	check "a branch push: the answer says it is a branch, not a tag" \
		body_has "refs/heads/main is a branch, not a tag"
	git -C "$S" push -q origin :refs/tags/v1.0 2>/dev/null
	github_tag "$P/t5.json" refs/tags/v1.0 "$c1" "$FX_ZERO"
	webhook "$conf" "$P/t5.json" "X-GitHub-Event: push"
	check "a deleted tag: answered 200, was deleted" body_has "refs/tags/v1.0 was deleted"
	check_eq "a deleted tag: the checkout stays" "$c2" "$(head_of "$cp")"

	# The tag moved: git push -f of v1.1 to another commit.
	tag_at v1.1 "$c1" >/dev/null
	github_tag "$P/t6.json" refs/tags/v1.1 "$obj" "$c1"
	webhook "$conf" "$P/t6.json" "X-GitHub-Event: push"
	check_eq "moved tag: the sync exits 0" 0 "$RC"
	check_eq "moved tag: the checkout follows it back to $c1" "$c1" "$(head_of "$cp")"
	check "moved tag: the log says a forced update" \
		grep -q "tag v1.1 moved from ${c2:0:12} to ${c1:0:12}: a forced update" "$ERR"
}

# The payloads of other hosts for a tag push, end to end.
test_hosts() {
	local conf="$FX_DIR/hosts.conf" cp="$FX_DIR/hosts/checkout" c obj src body
	mkdir -p "$FX_DIR/hosts"
	c=$(commit_on_main) && tag_at v1.5 "$c" -a >/dev/null
	obj=$(git --git-dir="$FX_REPO" rev-parse refs/tags/v1.5)
	# GitLab: Tag Push Hook, object_kind tag_push; after is the tag object.
	python3 - "$FX_PAYLOADS/gitlab/tag-push-hook-real-gitlab-18.json" "$P/gitlab.json" \
		"$obj" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d.update(ref="refs/tags/v1.5", before="0" * 40, after=sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(d))
EOF
	# Bitbucket Server: changes[] with ref.type TAG, toHash the tag object.
	python3 - "$FX_PAYLOADS/bitbucket-server/repo-refs_changed-annotated-tag-create.json" \
		"$P/bitbucket-server.json" "$obj" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ch = d["changes"][0]
ch["ref"].update(id="refs/tags/v1.5", displayId="v1.5")
ch.update(refId="refs/tags/v1.5", fromHash="0" * 40, toHash=sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(d))
EOF
	# Bitbucket Cloud names the tag by its short name and type; target
	# is the commit.
	python3 - "$FX_PAYLOADS/bitbucket-cloud/repo-push-annotated-tag-create.json" \
		"$P/bitbucket-cloud.json" "$c" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
new = d["push"]["changes"][0]["new"]
new["name"] = "v1.5"
new["target"]["hash"] = sys.argv[3]
open(sys.argv[2], "w").write(json.dumps(d))
EOF
	# Stash's plugin: refChanges with the tag's refId.
	stash_payload "$P/stash.json" refs/tags/v1.5 "$FX_ZERO" "$obj" ADD
	for src in gitlab bitbucket-server bitbucket-cloud stash; do
		rm -rf "$cp"
		if [ "$src" = stash ]; then
			write_config "$conf" "SOURCE=$src" "CLONE_PATH=$cp" TAG='v1.*'
		else
			write_config "$conf" "SOURCE=$src" "CLONE_PATH=$cp" TAG='v1.*' \
				"SECRET_FILE=$FX_DIR/secret"
		fi
		printf 'a-secret\n' >"$FX_DIR/secret"
		chmod 600 "$FX_DIR/secret"
		body="$P/$src.json"
		case $src in
		gitlab) webhook "$conf" "$body" "X-Gitlab-Event: Tag Push Hook" \
			"X-Gitlab-Token: a-secret" ;;
		bitbucket-server) webhook "$conf" "$body" "X-Event-Key: repo:refs_changed" \
			"X-Hub-Signature: sha256=$(openssl dgst -sha256 -hmac a-secret -r "$body" | cut -d' ' -f1)" ;;
		bitbucket-cloud) webhook "$conf" "$body" "X-Event-Key: repo:push" \
			"X-Hub-Signature: sha256=$(openssl dgst -sha256 -hmac a-secret -r "$body" | cut -d' ' -f1)" ;;
		stash) webhook "$conf" "$body" ;;
		esac
		check_eq "$src: an annotated tag push syncs (exit 0)" 0 "$RC"
		check_eq "$src: the checkout is at the tag's commit" "$c" "$(head_of "$cp")"
	done
}

# --sync asks the remote: the highest tag the glob takes, by strverscmp.
test_sync() {
	local conf="$FX_DIR/sync.conf" cp="$FX_DIR/sync/checkout" a b r
	mkdir -p "$FX_DIR/sync"
	a=$(commit_on_main) && tag_at v1.9 "$a" >/dev/null
	b=$(commit_on_main) && tag_at v1.10 "$b" -a >/dev/null
	r=$(commit_on_main) && tag_at v2.0-rc1 "$r" >/dev/null
	deploy_conf "$conf" "$cp" 'v1.*'
	cli -c "$conf" --check
	check_eq "--check, TAG=v1.*: exits 0" 0 "$RC"
	check "--check: counts the tags and names the highest" \
		grep -qE "^ok: TAG v1\.\*: [0-9]+ tags match; the highest is v1\.10$" "$OUT"
	check "--check: says TAG, not BRANCH" grep -q "SOURCE github (GitHub (push)), TAG v1\.\*" "$OUT"
	cli -c "$conf" --sync
	check_eq "--sync, TAG=v1.*: exits 0" 0 "$RC"
	check_eq "--sync: v1.10, not v1.9 (version order), nor v2.0-rc1 (not taken)" \
		"$b" "$(head_of "$cp")"
	cli -c "$conf" --sync --branch main
	check_eq "--sync --branch with TAG: a usage error" 64 "$RC"
	# The helper as the front would call it for a push of a tag HEAD.
	deploy_conf "$P/star.conf" "$cp" '*'
	next_run
	./sentry-source-sync -c "$P/star.conf" --ref refs/tags/HEAD >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "a tag named HEAD: refused, exit 64" 64 "$RC"
	check "...saying it cannot name the checkout's branch" grep -q "a tag named HEAD" "$ERR"

	deploy_conf "$conf" "$cp" 'v*'
	cli -c "$conf" --sync
	check_eq "--sync, TAG=v*: v2.0-rc1, after v1.10 and v2.0 in strverscmp's order" \
		"$r" "$(head_of "$cp")"

	# ON_FAILURE is told the tag too: RUN fails after v1.10 is checked out.
	write_config "$conf" SOURCE=github ALLOW_UNSIGNED=yes "CLONE_PATH=$cp" 'TAG=v1.*' \
		RUN=/bin/false "ON_FAILURE=$PROBE"
	cli -c "$conf" --sync
	check_eq "RUN failing after a tag's sync: exits 6" 6 "$RC"
	check "ON_FAILURE is told SENTRY_REF and SENTRY_TAG" \
		grep -qx "ref=refs/tags/v1.10 tag=v1.10 new=$b" "$FX_DIR/probe"

	deploy_conf "$conf" "$cp" 'release-*'
	cli -c "$conf" --check
	check "--check, no tag taken: says --sync has nothing to deploy" \
		grep -q "TAG release-\*: no tag of the remote matches yet" "$OUT"
	cli -c "$conf" --sync
	check_eq "--sync, no tag taken: exits 1" 1 "$RC"
	check "--sync, no tag taken: says nothing to deploy" \
		grep -q "the remote has no tag that TAG release-\* takes: nothing to deploy" "$ERR"
	check_eq "--sync, no tag taken: the checkout stays" "$b" "$(head_of "$cp")"
}

# PUBLISH=releases: a release per tag.
test_releases() {
	local conf="$FX_DIR/rel.conf" cp="$FX_DIR/rel/site" c obj
	mkdir -p "$FX_DIR/rel"
	c=$(commit_on_main) && tag_at v1.20 "$c" -a >/dev/null
	obj=$(git --git-dir="$FX_REPO" rev-parse refs/tags/v1.20)
	deploy_conf "$conf" "$cp" 'v1.*' PUBLISH=releases
	github_tag "$P/r1.json" refs/tags/v1.20 "$FX_ZERO" "$obj"
	webhook "$conf" "$P/r1.json" "X-GitHub-Event: push"
	check_eq "releases: an annotated tag push exits 0" 0 "$RC"
	check "releases: CLONE_PATH is a link to a release of the tag's commit" \
		test -L "$cp" -a "$(readlink "$cp" | grep -c -- "-$c\$")" = 1
	check_eq "releases: the release holds the tag's tree" \
		"$(git --git-dir="$FX_REPO" show "$c:history.txt")" "$(cat "$cp/history.txt")"
	cli -c "$conf" --sync
	check_eq "releases: --sync of the same highest tag exits 0" 0 "$RC"
}

# The post-receive hook: a push of a matching tag deploys.
test_hook() {
	local conf="$FX_DIR/hook.conf" cp="$FX_DIR/hook/checkout" c
	mkdir -p "$FX_DIR/hook"
	c=$(commit_on_main)
	write_config "$conf" -SOURCE TAG='v3.*' "CLONE_PATH=$cp"
	ln -sf "$PWD/sentry-source" "$FX_DIR/bin/sentry-source"
	install -m 755 hooks/post-receive "$FX_REPO/hooks/post-receive"
	git --git-dir="$FX_REPO" config sentry-source.config "$conf"
	git --git-dir="$FX_REPO" config core.hooksPath "$FX_REPO/hooks"
	next_run
	git -C "$S" tag -a -m v3.0 v3.0 "$c"
	PATH="$FX_DIR/bin:$PATH" git -C "$S" push origin v3.0 >"$OUT" 2>&1
	check "hook: the pusher sees 'v3.0 -> ..., syncing'" \
		grep -q "remote: sentry-source: v3.0 -> [0-9a-f]\{7\}, syncing" "$OUT"
	check "hook: the checkout reaches the tag's commit" wait_head "$cp" "$c" 30
	next_run
	git -C "$S" tag other-tag "$c"
	PATH="$FX_DIR/bin:$PATH" git -C "$S" push origin other-tag >"$OUT" 2>&1
	check "hook: a tag TAG does not take is ignored, and says so" \
		grep -q "remote: sentry-source: other-tag ignored: refs/tags/other-tag is not a watched tag (v3.\*)" "$OUT"
	git --git-dir="$FX_REPO" config --unset core.hooksPath
	rm -f "$FX_REPO/hooks/post-receive"
}

run_parts test_config test_push test_hosts test_sync test_releases test_hook
printf '1..%d\n' "$n"
