/*
 * What a pushed .gitmodules may say (src/sync/submodule_url.c): relative
 * URLs resolved as git resolves them against the superproject's URL,
 * every transport but ssh and https refused, names as git's
 * check_submodule_name refuses them, and a name as one directory.
 */
#include <stdio.h>
#include <string.h>

#include "submodule_url.h"
#include "tap.h"

#define BASE	"ssh://git@host:2222/srv/git/app.git"

static void
resolve_test(void)
{
	static const struct { const char *base, *url, *want; } good[] = {
		{ BASE, "../lib.git", "ssh://git@host:2222/srv/git/lib.git" },
		{ BASE, "./x", "ssh://git@host:2222/srv/git/app.git/x" },
		{ BASE "/", "../lib.git", "ssh://git@host:2222/srv/git/lib.git" },
		{ BASE, "../../other/lib.git", "ssh://git@host:2222/srv/other/lib.git" },
		{ BASE, "./../lib.git", "ssh://git@host:2222/srv/git/lib.git" },
		{ "git@github.com:org/app.git", "../lib.git", "git@github.com:org/lib.git" },
		{ "git@github.com:org/app.git", "../../other/lib.git",
		  "git@github.com:other/lib.git" },
		{ BASE, "../../../x.git", "ssh://git@host:2222/x.git" },
		{ BASE, "ssh://u@elsewhere/x.git", "ssh://u@elsewhere/x.git" },
		{ BASE, "git@elsewhere:x.git", "git@elsewhere:x.git" },
		{ BASE, "https://example.org/x.git", "https://example.org/x.git" },
	};
	static const struct { const char *url, *why; } bad[] = {
		{ "-oProxyCommand=touch /tmp/x", "a leading -" },
		{ "-u", "a leading - alone" },
		{ "file:///srv/git/lib.git", "file://" },
		{ "/srv/git/lib.git", "a local path" },
		{ "lib.git", "a bare relative name" },
		{ "ext::sh -c touch% /tmp/x", "ext::" },
		{ "ext::sh", "ext:: without a blank" },
		{ "git://host/x.git", "git://" },
		{ "http://host/x.git", "http://" },
		{ "host:x.git", "host:path without a user" },
		{ "ssh://host/x.git", "ssh:// without a user" },
		{ "ssh://u@-oProxyCommand=x/y", "a host beginning with -" },
		{ "u@-o:x", "an scp-like host beginning with -" },
		{ "../a b.git", "a blank" },
		{ "../a\nb.git", "a newline" },
		{ "../../../../x.git", "../ above the top" },
		{ "../", "no repository after ../" },
	};
	char out[512];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why = submodule_url_resolve(good[i].base, good[i].url, out, sizeof(out));
		tap_ok(why == NULL && strcmp(out, good[i].want) == 0, "%s against %s: %s (%s)",
		    good[i].url, good[i].base, why == NULL ? out : why, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(submodule_url_resolve(BASE, bad[i].url, out, sizeof(out)) != NULL,
		    "refused: %s", bad[i].why);
	tap_ok(submodule_url_resolve(BASE, "../lib.git", out, 20) != NULL,
	    "a resolved URL too long for the buffer is refused");
	tap_ok(submodule_url_transport("https://h/x") == SUBMODULE_HTTPS &&
	    submodule_url_transport("ssh://u@h/x") == SUBMODULE_SSH &&
	    submodule_url_transport("u@h:x") == SUBMODULE_SSH, "the transport of a URL");
}

static void
name_test(void)
{
	static const char *good[] = { "lib", "vendor/tool", "a..b", "..a", ".gitx", "x/.github" };
	static const struct { const char *name, *why; } bad[] = {
		{ "", "empty" },
		{ "..", ".." },
		{ "../x", "../ first" },
		{ "x/..", "/.. last" },
		{ "x/../y", "/../ inside" },
		{ "x\\..\\y", "\\..\\ inside, as git refuses it" },
		{ ".git", ".git" },
		{ "x/.GIT", ".GIT in any case" },
		{ "a\tb", "a control character" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "81 bytes" },
	};
	char dir[256];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		tap_ok(submodule_name_refused(good[i]) == NULL, "name taken: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(submodule_name_refused(bad[i].name) != NULL, "name refused: %s", bad[i].why);
	submodule_name_dir("vendor/tool", dir, sizeof(dir));
	tap_ok(strcmp(dir, "vendor%2ftool") == 0, "a / is escaped in the directory: %s", dir);
	submodule_name_dir("..a.git", dir, sizeof(dir));
	tap_ok(strcmp(dir, "%2e%2ea%2egit") == 0, "no dot is left: %s", dir);
}

int
main(void)
{
	resolve_test();
	name_test();
	return tap_done();
}
