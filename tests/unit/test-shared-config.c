/*
 * SHARED_DIRS= and SHARED_FILES=: the shape check both programs run
 * (src/common/shared_config.c) and the list reader. The refusals are
 * sentry-source.conf(5)'s: "..", absolute, empty and "." components,
 * .git, a path inside another, either key without PUBLISH=releases.
 */
#include <limits.h>
#include <string.h>

#include "config.h"
#include "shared_config.h"
#include "tap.h"

static int
verdict(const char *publish, const char *dirs, const char *files, char *err, size_t len)
{
	struct config c = CONFIG_INIT;

	c.path = "t.conf";
	c.v[CONFIG_PUBLISH].value = (char *)publish;
	c.v[CONFIG_SHARED_DIRS].value = (char *)dirs;
	c.v[CONFIG_SHARED_DIRS].line = 3;
	c.v[CONFIG_SHARED_FILES].value = (char *)files;
	c.v[CONFIG_SHARED_FILES].line = 4;
	err[0] = '\0';
	return shared_config_check(&c, err, len);
}

static void
accepted(const char *dirs, const char *files)
{
	char err[512];

	tap_ok(verdict("releases", dirs, files, err, sizeof(err)) == 0,
	    "SHARED_DIRS=%s SHARED_FILES=%s accepted %s", dirs ? dirs : "(unset)",
	    files ? files : "(unset)", err);
}

static void
refused(const char *dirs, const char *files, const char *want)
{
	char err[512];

	tap_ok(verdict("releases", dirs, files, err, sizeof(err)) == -1 &&
	    strstr(err, want) != NULL, "SHARED_DIRS=%s SHARED_FILES=%s refused: %s",
	    dirs ? dirs : "(unset)", files ? files : "(unset)", err);
}

int
main(void)
{
	char err[512], buf[PATH_MAX];
	const char *at;
	int n;

	accepted(NULL, NULL);
	accepted("uploads", ".env");
	accepted("uploads var/cache storage/app/public", ".env config/local.php");
	accepted("  uploads\tvar/cache  ", NULL);
	accepted("..uploads a..b .gitignore .github/x", "git .gitkeep");
	refused("../uploads", NULL, "a .. component");
	refused("a/../../b", NULL, "a .. component");
	refused("a/..", NULL, "a .. component");
	refused(NULL, "/etc/passwd", "an absolute path");
	refused("a//b", NULL, "an empty component");
	refused("a/", NULL, "an empty component");
	refused("./a", NULL, "a . component");
	refused(".git", NULL, "a .git component");
	refused("a/.GIT/hooks", NULL, "a .git component");
	refused("uploads uploads", NULL, "is also shared");
	refused("uploads", "uploads/x", "is also shared");
	refused("var var/cache", NULL, "is also shared");
	refused(NULL, ".env .env", "is also shared");
	refused("ok", "../x", "t.conf:4: SHARED_FILES ../x");
	tap_ok(verdict(NULL, "uploads", NULL, err, sizeof(err)) == -1 &&
	    strstr(err, "t.conf:3: SHARED_DIRS links paths into every release: it needs "
	    "PUBLISH=releases") != NULL, "SHARED_DIRS in place refused: %s", err);
	tap_ok(verdict("in-place", NULL, ".env", err, sizeof(err)) == -1 &&
	    strstr(err, "needs PUBLISH=releases") != NULL, "SHARED_FILES with PUBLISH=in-place "
	    "refused: %s", err);
	/* The reader: words between blanks, nothing else. */
	at = " a\tb/c  d ";
	n = 0;
	while (shared_config_next(&at, buf, sizeof(buf)))
		n++;
	tap_ok(n == 3, "three paths read from \" a\\tb/c  d \" (%d)", n);
	at = "";
	tap_ok(shared_config_next(&at, buf, sizeof(buf)) == 0, "none from an empty list");
	return tap_done();
}
