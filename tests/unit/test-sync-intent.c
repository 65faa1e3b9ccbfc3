/*
 * The record of a move (src/sync/intent.c, the format in its opening
 * comment): "<from> <to> <branch-was> <branch>\n", zeros for none,
 * written whole under .git; cleared once the move is done; and what
 * intent_finish makes of a record it finds: none, an unreadable one, one
 * whose HEAD or branch moved since (each dropped, EXIT_OK), one whose
 * target is HEAD already (only the forgetting left). A repository made
 * by libgit2 in TMPDIR; no network, no checkout of files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "exitcode.h"
#include "file.h"
#include "intent.h"
#include "log.h"
#include "tap.h"

#define A	"1111111111111111111111111111111111111111"
#define B	"2222222222222222222222222222222222222222"
#define ZERO	"0000000000000000000000000000000000000000"

static char dir[256], record[512];

static char *
read_record(void)
{
	size_t len;

	return file_read(record, 4096, &len);
}

static void
write_record(const char *text)
{
	FILE *f = fopen(record, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* A commit with an empty tree on refs/heads/develop, HEAD on it. */
static int
make_commit(git_repository *repo, git_oid *id)
{
	git_signature *sig = NULL;
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_oid tree_id;
	int rc = -1;

	if (git_signature_new(&sig, "Test", "test@example.invalid", 1700000000, 0) < 0 ||
	    git_treebuilder_new(&tb, repo, NULL) < 0 || git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) < 0 ||
	    git_commit_create(id, repo, "refs/heads/develop", sig, sig, NULL, "first", tree, 0,
	    NULL) < 0 || git_repository_set_head(repo, "refs/heads/develop") < 0)
		goto out;
	rc = 0;
out:
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_signature_free(sig);
	return rc;
}

static void
record_test(git_repository *repo)
{
	git_oid a, b;
	char *got, want[256];

	git_oid_fromstr(&a, A);
	git_oid_fromstr(&b, B);
	tap_ok(intent_record(repo, "develop", &a, &b) == 0, "intent_record: 0");
	got = read_record();
	snprintf(want, sizeof(want), A " " B " " ZERO " develop\n");
	tap_ok(got != NULL && strcmp(got, want) == 0,
	    "the record: from, to, the branch's commit (zeros: no branch yet), the branch");
	free(got);
	tap_ok(access(strcat(strcpy(want, record), ".tmp"), F_OK) == -1,
	    "no temporary file left beside it");
	tap_ok(intent_record(repo, "develop", NULL, &b) == 0 &&
	    (got = read_record()) != NULL && strncmp(got, ZERO " " B " ", 82) == 0,
	    "an unborn HEAD is recorded as zeros");
	free(got);
	intent_clear(repo);
	tap_ok(access(record, F_OK) == -1, "intent_clear removes the record");
	intent_clear(repo);
	tap_ok(access(record, F_OK) == -1, "intent_clear without a record: nothing to do");
}

static void
finish_test(git_repository *repo)
{
	git_oid head;
	char text[256];

	tap_ok(intent_finish(repo, dir) == EXIT_OK, "intent_finish without a record: EXIT_OK");

	write_record("not a record\n");
	tap_ok(intent_finish(repo, dir) == EXIT_OK && access(record, F_OK) == -1,
	    "an unreadable record: dropped, EXIT_OK");
	write_record(A " " B " " ZERO " develop");
	tap_ok(intent_finish(repo, dir) == EXIT_OK && access(record, F_OK) == -1,
	    "a record without its newline (cut short): dropped");
	write_record(A " " ZERO " " ZERO " develop\n");
	tap_ok(intent_finish(repo, dir) == EXIT_OK && access(record, F_OK) == -1,
	    "a record going nowhere (zeros): dropped");
	write_record(A " " B " " ZERO " ../../etc\n");
	tap_ok(intent_finish(repo, dir) == EXIT_OK && access(record, F_OK) == -1,
	    "a record naming an invalid branch: dropped");

	if (make_commit(repo, &head) < 0) {
		tap_ok(0, "a commit for HEAD: %s", git_error_last() ? git_error_last()->message : "");
		return;
	}
	/* HEAD is not A, so the record no longer fits: someone moved it. */
	write_record(A " " B " " A " develop\n");
	tap_ok(intent_finish(repo, dir) == EXIT_OK && access(record, F_OK) == -1,
	    "HEAD moved since the record: dropped, EXIT_OK");
	/* The target is HEAD already: the dead sync was done but forgetting. */
	snprintf(text, sizeof(text), A " %s %s develop\n", git_oid_tostr_s(&head),
	    git_oid_tostr_s(&head));
	write_record(text);
	tap_ok(intent_finish(repo, dir) == EXIT_OK && access(record, F_OK) == -1,
	    "the target is HEAD already: the record forgotten, EXIT_OK");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	git_repository *repo = NULL;
	char cmd[600];

	log_init("test-sync-intent");
	git_libgit2_init();
	snprintf(dir, sizeof(dir), "%s/test-sync-intent.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL || git_repository_init(&repo, dir, 0) < 0) {
		printf("Bail out! a repository in %s: %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(record, sizeof(record), "%s" INTENT_NAME, git_repository_path(repo));
	record_test(repo);
	finish_test(repo);
	git_repository_free(repo);
	git_libgit2_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
