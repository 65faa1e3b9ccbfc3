/*
 * libgit2 over libssh2 runs no ssh program, so "-oProxyCommand=..." is
 * not the danger it is for git; it is refused all the same, with every
 * transport but ssh and https: file:// and local paths would read the
 * machine's repositories, ext:: would run a command.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "submodule_url.h"

static int
has_blank_or_control(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return 1;
	return 0;
}

/* An absolute URL we connect to; why not, or NULL. */
static const char *
absolute_refused(const char *url)
{
	const char *at, *slash, *colon, *rest;

	if (strncmp(url, "ssh://", 6) == 0) {
		rest = url + 6;
		at = strchr(rest, '@');
		slash = strchr(rest, '/');
		if (at == NULL || at == rest || (slash != NULL && slash < at))
			return "an ssh:// URL must name the user: ssh://user@host/path";
		if (at[1] == '-' || at[1] == '/' || at[1] == '\0')
			return "no host in the URL";
		if ((slash = strchr(at, '/')) == NULL || slash[1] == '\0')
			return "no repository path after the host";
		return NULL;
	}
	if (strncmp(url, "https://", 8) == 0) {
		rest = url + 8;
		if (*rest == '\0' || *rest == '/' || *rest == '-')
			return "no host in the URL";
		return NULL;
	}
	if (strstr(url, "://") != NULL || strstr(url, "::") != NULL)
		return "not ssh:// or https:// (file://, git://, http://, ext:: and the "
		    "like are refused)";
	/* scp-like user@host:path, as CLONE_URL takes it. */
	at = strchr(url, '@');
	slash = strchr(url, '/');
	colon = at != NULL ? strchr(at, ':') : NULL;
	if (at == NULL || at == url || colon == NULL || colon == at + 1 ||
	    colon[1] == '\0' || (slash != NULL && slash < colon) || at[1] == '-')
		return "neither relative (./, ../) nor ssh://user@host/path, user@host:path "
		    "or https://host/path (a local path is refused)";
	return NULL;
}

/* Where the path of an absolute URL starts: after the authority, or
 * after the colon of user@host:path. */
static size_t
path_start(const char *url)
{
	const char *p;

	if ((p = strstr(url, "://")) != NULL) {
		p += 3;
		return (size_t)(p - url) + strcspn(p, "/");
	}
	return (size_t)(strchr(strchr(url, '@'), ':') - url) + 1;
}

const char *
submodule_url_resolve(const char *base, const char *url, char *out, size_t len)
{
	const char *why, *rel = url;
	size_t start, end;

	if (url[0] == '-')
		return "it begins with -";
	if (has_blank_or_control(url))
		return "it holds a blank or a control character";
	if (strncmp(url, "./", 2) != 0 && strncmp(url, "../", 3) != 0) {
		if ((why = absolute_refused(url)) != NULL)
			return why;
		if ((size_t)snprintf(out, len, "%s", url) >= len)
			return "too long";
		return NULL;
	}
	if ((why = absolute_refused(base)) != NULL)
		return why;
	start = path_start(base);
	end = strlen(base);
	while (end > start && base[end - 1] == '/')
		end--;
	for (;;) {
		if (strncmp(rel, "./", 2) == 0) {
			rel += 2;
			continue;
		}
		if (strncmp(rel, "../", 3) != 0 && strcmp(rel, "..") != 0)
			break;
		rel += rel[2] == '/' ? 3 : 2;
		/* One component of the base's path off; none left: refused. */
		if (end == start)
			return "its ../ climbs above the top of the superproject's URL";
		while (end > start && base[end - 1] != '/')
			end--;
		while (end > start && base[end - 1] == '/')
			end--;
	}
	if (*rel == '\0')
		return "it names no repository";
	if ((size_t)snprintf(out, len, "%.*s%s%s", (int)end, base,
	    end > start || base[start - 1] != ':' ? "/" : "", rel) >= len)
		return "too long";
	return absolute_refused(out);
}

enum submodule_transport
submodule_url_transport(const char *url)
{
	return strncmp(url, "https://", 8) == 0 ? SUBMODULE_HTTPS : SUBMODULE_SSH;
}

const char *
submodule_name_refused(const char *name)
{
	const char *p = name;
	size_t n;

	if (*name == '\0')
		return "an empty name";
	if (strlen(name) > SUBMODULE_NAME_MAX)
		return "a name longer than 80 bytes";
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return "a control character in the name";
	/* git's check_submodule_name: no ".." between / or \. */
	for (p = name;;) {
		n = strcspn(p, "/\\");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "a .. component in the name";
		if (n == 4 && strncasecmp(p, ".git", 4) == 0)
			return "a .git component in the name";
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

void
submodule_name_dir(const char *name, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char ch;

	for (; *name != '\0' && o + 4 < len; name++) {
		ch = (unsigned char)*name;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-') {
			out[o++] = (char)ch;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	out[o] = '\0';
}
