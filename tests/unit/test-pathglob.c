/*
 * The INCLUDE_FILES / EXCLUDE_FILES matcher: each kind of token on paths
 * that should match and twins that should not, the list syntax, and the
 * globs refused up front. .git is excluded by changes.c, not here.
 */
#include <string.h>
#include <time.h>

#include "pathglob.h"
#include "pathglob_match.h"
#include "tap.h"

static void
yes(const char *glob, const char *path)
{
	tap_ok(pathglob_match(glob, strlen(glob), path) == 1, "%s matches %s", glob, path);
}

static void
no(const char *glob, const char *path)
{
	tap_ok(pathglob_match(glob, strlen(glob), path) == 0, "%s does not match %s",
	    glob, path);
}

static void
refused(const char *list, const char *want)
{
	char err[300] = "";

	tap_ok(pathglob_check_list(list, err, sizeof(err)) == -1 && strstr(err, want) != NULL,
	    "list \"%s\" refused: %s", list, err);
}

static void
accepted(const char *list)
{
	char err[300] = "";

	tap_ok(pathglob_check_list(list, err, sizeof(err)) == 0, "list \"%s\" accepted %s",
	    list, err);
}

int
main(void)
{
	char glob[200], path[5000];
	clock_t start;
	size_t i;

	/* Literals: the whole path, nothing more. */
	yes("README.md", "README.md");
	no("README.md", "docs/README.md");
	no("README", "README.md");
	no("README.md", "README");
	yes("", "");
	no("", "a");

	/* * stays within a directory. */
	yes("*.c", "main.c");
	yes("*.c", ".c");
	no("*.c", "src/main.c");
	yes("src/*.c", "src/main.c");
	no("src/*.c", "src/deep/main.c");
	yes("src/*", "src/x");
	no("src/*", "src/x/y");
	yes("*/*.h", "src/a.h");
	yes("a*b*c", "aXXbYYc");
	no("a*b*c", "aXXbYY/c");

	/* ? is one byte, never '/'. */
	yes("?.c", "a.c");
	no("?.c", "ab.c");
	no("a?b", "a/b");
	no("?", "");

	/* [...] sets. */
	yes("[abc].c", "b.c");
	no("[abc].c", "d.c");
	yes("[a-c]x", "cx");
	no("[a-c]x", "dx");
	yes("[!a-c]x", "dx");
	no("[!a-c]x", "ax");
	yes("[^a]x", "bx");
	yes("[]]", "]");
	yes("[!]]", "a");
	no("[!]]", "]");
	yes("[a-]", "-");
	yes("[-a]", "-");
	yes("[\\]]", "]");
	no("a[/]b", "a/b");
	no("a[!x]b", "a/b");

	/* ** crosses directories. */
	yes("**", "a");
	yes("**", "a/b/c");
	yes("**/*.c", "main.c");
	yes("**/*.c", "src/main.c");
	yes("**/*.c", "src/deep/er/main.c");
	no("**/*.c", "src/main.h");
	no("**/*.c", "src/main.c/x");
	yes("src/**", "src/a");
	yes("src/**", "src/a/b/c.txt");
	no("src/**", "src");
	no("src/**", "srcx/a");
	no("src/**", "other/src/a");
	yes("src/**/test.c", "src/test.c");
	yes("src/**/test.c", "src/a/test.c");
	yes("src/**/test.c", "src/a/b/test.c");
	no("src/**/test.c", "src/a/btest.c");
	no("src/**/test.c", "srctest.c");
	yes("**/vendor/**", "vendor/x.c");
	yes("**/vendor/**", "a/b/vendor/c/d.c");
	no("**/vendor/**", "a/myvendor/d.c");
	yes("src/**.c", "src/a/b.c");
	yes("**.c", "a/b/c.c");
	yes("**x", "a/x");
	no("a**/b", "ab");
	yes("a**/b", "a/b");
	yes("a**/b", "ax/y/b");

	/* \ takes the next byte literally. */
	yes("\\*.c", "*.c");
	no("\\*.c", "a.c");
	yes("a\\ b", "a b");
	yes("\\?", "?");
	no("\\?", "x");

	/* Lists: any glob; blanks separate, \ keeps one. */
	tap_ok(pathglob_list_match("*.md  src/**\t**/*.h", "src/a/b.c") == 1,
	    "list: the second glob matches");
	tap_ok(pathglob_list_match("*.md src/** **/*.h", "lib/x.h") == 1,
	    "list: the third glob matches");
	tap_ok(pathglob_list_match("*.md src/** **/*.h", "lib/x.c") == 0,
	    "list: no glob matches");
	tap_ok(pathglob_list_match("my\\ file.txt", "my file.txt") == 1,
	    "list: a blank after \\ belongs to the glob");
	tap_ok(pathglob_list_match("my\\ file.txt", "my") == 0,
	    "list: ... and does not split it");
	tap_ok(pathglob_list_match("   ", "a") == 0, "list: only blanks matches nothing");

	accepted("**/*.c docs/** [a-z]?.txt \\[x\\]");
	refused("src/[abc", "no ] closes");
	refused("ok.c /etc/*", "starts with /");
	refused("docs/", "ends in /");
	refused("a\\", "ends in a backslash");
	refused("[[:alpha:]]*", "class name");
	refused("[![:digit:]]", "class name");
	for (i = 0; i < sizeof(path) - 1; i++)
		path[i] = 'x';
	path[i] = '\0';
	refused(path, "too long");

	/* No exponential backtracking: many stars against a long near-miss. */
	for (i = 0; i < 40; i++)
		memcpy(glob + 2 * i, "*a", 2);
	strcpy(glob + 80, "*b");
	for (i = 0; i < 4000; i++)
		path[i] = i % 50 == 49 ? '/' : 'a';
	path[4000] = '\0';
	start = clock();
	tap_ok(pathglob_match(glob, strlen(glob), path) == 0 &&
	    (clock() - start) / (CLOCKS_PER_SEC / 1000) < 2000,
	    "*a*a...*b against 4000 bytes: no match, in well under 2 s");
	strcpy(glob, "**a**a**a**a**a**a**a**a**a**a**b");
	start = clock();
	tap_ok(pathglob_match(glob, strlen(glob), path) == 0 &&
	    (clock() - start) / (CLOCKS_PER_SEC / 1000) < 2000,
	    "**a**a...**b against 4000 bytes: no match, in well under 2 s");
	return tap_done();
}
