/*
 * --config-dir: which request paths name a deployment, and that nothing
 * that could leave the directory (.., /, an escape of either) ever does.
 */
#include <stdio.h>
#include <string.h>

#include "config_dir.h"
#include "tap.h"

static void
picks(const char *path, const char *want)
{
	char name[LIMIT_DEPLOYMENT_NAME + 1] = "";
	int status = config_dir_name(path, name, sizeof(name));

	tap_ok(status == 0 && strcmp(name, want) == 0, "%s picks %s (status %d, %s)",
	    path, want, status, name);
}

static void
refused(const char *path, int want)
{
	char name[LIMIT_DEPLOYMENT_NAME + 1] = "";
	int status = config_dir_name(path, name, sizeof(name));

	tap_ok(status == want && name[0] == '\0', "%s: %d (got %d)", path, want, status);
}

int
main(void)
{
	char longest[LIMIT_DEPLOYMENT_NAME + 2], path[LIMIT_DEPLOYMENT_NAME + 16];

	picks("/shop", "shop");
	picks("/shop/webhook", "shop");
	picks("/Shop_2-b", "Shop_2-b");
	picks("/webhook", "webhook");	/* a deployment may be called webhook */
	memset(longest, 'a', LIMIT_DEPLOYMENT_NAME);
	longest[LIMIT_DEPLOYMENT_NAME] = '\0';
	snprintf(path, sizeof(path), "/%s/webhook", longest);
	picks(path, longest);

	longest[LIMIT_DEPLOYMENT_NAME] = 'a';
	longest[LIMIT_DEPLOYMENT_NAME + 1] = '\0';
	snprintf(path, sizeof(path), "/%s", longest);
	refused(path, 404);
	refused("/", 404);
	refused("", 404);
	refused("shop", 404);
	refused("//shop", 404);
	refused("/shop/", 404);
	refused("/shop/webhook/", 404);
	refused("/shop/other", 404);
	refused("/..", 404);
	refused("/../etc/passwd", 404);
	refused("/shop/../other", 404);
	refused("/.shop", 404);
	refused("/shop.conf", 404);
	refused("/shop\\..", 404);
	refused("/plugins/sources/stash/webhook", 404);
	refused("/%2e%2e", 400);
	refused("/shop%2Fwebhook", 400);
	refused("/shop%2fwebhook", 400);
	refused("/%2E%2E%2Fetc%2Fpasswd", 400);
	refused("/shop%00", 400);
	refused("/sh%6Fp", 400);
	return tap_done();
}
