#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bounds.h"
#include "config.h"
#include "edit_distance.h"
#include "file.h"
#include "http_url.h"
#include "peer_limits.h"

#define STR(x)	#x
#define XSTR(x)	STR(x)

typedef const char *(*config_check)(const char *value);

/* How a value's words are read, for has_comment: a command is split as
 * sh splits (quotes, backslash: run_split.c); a list of globs takes a
 * backslash (pathglob.h); anything else is taken as it is. */
enum value_syntax { VALUE_PLAIN, VALUE_GLOBS, VALUE_COMMAND };

static const char *check_name(const char *);
static const char *check_url(const char *);
static const char *check_abspath(const char *);
static const char *check_credpath(const char *);
static const char *check_branch(const char *);
static const char *check_yes_no(const char *);
static const char *check_size(const char *);
static const char *check_seconds(const char *);
static const char *check_text(const char *);
static const char *check_publish(const char *);
static const char *check_releases(const char *);
static const char *check_http_url(const char *);
static const char *check_http_user(const char *);
static int	check_transport(const struct config *, char *, size_t);
static const char *check_tag(const char *);
static int	check_ref_rule(const struct config *, char *, size_t);

/* An unknown key is suggested the known one this few edits away, and
 * then only when the edits are at most a third of that key's length:
 * TAG is one typo from TGA, but not two from RUN. */
#define SUGGEST_MAX_EDITS	2
#define SUGGEST_LENGTH_PER_EDIT	3

/* Bounds on the number keys: a typo must not become a 0 s deadline or an
 * 8 GB body. */
#define SIZE_MAX_BYTES	LIMIT_BODY_CEILING
#define SECONDS_MAX	86400ul

static const struct {
	const char	*name;
	int		 required;
	config_check	 check;
	unsigned long	 number;	/* default of a number key */
	enum value_syntax syntax;	/* what may escape a '#' */
} keys[CONFIG_NKEYS] = {
	/* Not for a hook deployment (main.c says where it is needed). */
	[CONFIG_SOURCE] =		{ "SOURCE", 0, check_name, 0 },
	[CONFIG_CLONE_URL] =		{ "CLONE_URL", 1, check_url, 0 },
	[CONFIG_CLONE_PATH] =		{ "CLONE_PATH", 1, check_abspath, 0 },
	[CONFIG_BRANCH] =		{ "BRANCH", 0, check_branch, 0 },
	/* SSH_KEYPATH and KNOWN_HOSTS: required for an ssh CLONE_URL
	 * (check_transport). */
	[CONFIG_SSH_KEYPATH] =		{ "SSH_KEYPATH", 0, check_credpath, 0 },
	[CONFIG_SSH_PASSPHRASE_FILE] =	{ "SSH_PASSPHRASE_FILE", 0, check_credpath, 0 },
	[CONFIG_KNOWN_HOSTS] =		{ "KNOWN_HOSTS", 0, check_credpath, 0 },
	[CONFIG_HTTP_USER] =		{ "HTTP_USER", 0, check_http_user, 0 },
	[CONFIG_HTTP_TOKEN_FILE] =	{ "HTTP_TOKEN_FILE", 0, check_credpath, 0 },
	[CONFIG_CA_FILE] =		{ "CA_FILE", 0, check_credpath, 0 },
	[CONFIG_SECRET_FILE] =		{ "SECRET_FILE", 0, check_credpath, 0 },
	[CONFIG_ALLOW_UNSIGNED] =	{ "ALLOW_UNSIGNED", 0, check_yes_no, 0 },
	[CONFIG_MAX_BODY] =		{ "MAX_BODY", 0, check_size, LIMIT_BODY_BYTES },
	[CONFIG_REQUEST_TIMEOUT] =	{ "REQUEST_TIMEOUT", 0, check_seconds,
					  LIMIT_REQUEST_SECONDS },
	[CONFIG_SYNC_TIMEOUT] =		{ "SYNC_TIMEOUT", 0, check_seconds, LIMIT_SYNC_SECONDS },
	[CONFIG_RUN] =			{ "RUN", 0, check_text, 0, VALUE_COMMAND },
	[CONFIG_RUN_TIMEOUT] =		{ "RUN_TIMEOUT", 0, check_seconds, LIMIT_RUN_SECONDS },
	[CONFIG_INCLUDE_FILES] =	{ "INCLUDE_FILES", 0, check_text, 0, VALUE_GLOBS },
	[CONFIG_EXCLUDE_FILES] =	{ "EXCLUDE_FILES", 0, check_text, 0, VALUE_GLOBS },
	[CONFIG_METRICS_FILE] =		{ "METRICS_FILE", 0, check_abspath, 0 },
	[CONFIG_ON_FAILURE] =		{ "ON_FAILURE", 0, check_text, 0, VALUE_COMMAND },
	[CONFIG_PUBLISH] =		{ "PUBLISH", 0, check_publish, 0 },
	[CONFIG_BUILD] =		{ "BUILD", 0, check_text, 0, VALUE_COMMAND },
	[CONFIG_KEEP_RELEASES] =	{ "KEEP_RELEASES", 0, check_releases, LIMIT_KEEP_RELEASES },
	[CONFIG_SHARED_DIRS] =		{ "SHARED_DIRS", 0, check_text, 0 },
	[CONFIG_SHARED_FILES] =		{ "SHARED_FILES", 0, check_text, 0 },
	/* Instead of BRANCH (check_ref_rule). */
	[CONFIG_TAG] =			{ "TAG", 0, check_tag, 0 },
	/* SUBDIR's path is checked as a shared path's (shared_config.c). */
	[CONFIG_SUBMODULES] =		{ "SUBMODULES", 0, check_yes_no, 0 },
	[CONFIG_SUBDIR] =		{ "SUBDIR", 0, check_text, 0 },
};

static int	has_space_or_control(const char *);

const char *
config_get(const struct config *c, enum config_key k)
{
	return c->v[k].value;
}

const char *
config_key_name(enum config_key k)
{
	return keys[k].name;
}

static const char *
check_name(const char *v)
{
	const char *p;

	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return "must be a kebab-case source name (see --list-sources)";
	return NULL;
}

/*
 * ssh://user@host[:port]/path or scp-like user@host:path. The user must be
 * named: we never ask anyone for one.
 */
static const char *
check_url(const char *v)
{
	const char *at, *rest, *slash, *colon;

	if (has_space_or_control(v))
		return "must not contain spaces or control characters";
	if (strncmp(v, "ssh://", 6) == 0) {
		rest = v + 6;
		at = strchr(rest, '@');
		slash = strchr(rest, '/');
		if (at == NULL || at == rest || (slash != NULL && slash < at))
			return "must name the user: ssh://user@host[:port]/path";
		if ((slash = strchr(at, '/')) == NULL || slash[1] == '\0')
			return "must name a repository path after the host";
		return NULL;
	}
	if (strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0)
		return check_http_url(v);
	if (strstr(v, "://") != NULL)
		return "must be an ssh:// or https:// URL, or user@host:path";
	at = strchr(v, '@');
	slash = strchr(v, '/');
	colon = at != NULL ? strchr(at, ':') : NULL;
	if (at == NULL || at == v || colon == NULL || colon[1] == '\0' ||
	    (slash != NULL && slash < at))
		return "must be ssh://user@host[:port]/path or user@host:path";
	return NULL;
}

static const char *
check_abspath(const char *v)
{
	if (v[0] != '/')
		return "must be an absolute path";
	if (v[1] == '\0')
		return "must not be /";
	if (v[strlen(v) - 1] == '/')
		return "must not end in /";
	if (has_space_or_control(v))
		return "must not contain spaces or control characters";
	return NULL;
}

/*
 * A secret's file: an absolute path, or, when systemd passes credentials
 * (LoadCredential=, $CREDENTIALS_DIRECTORY), a credential's name. Its
 * directory differs for every unit, so the file can only name it so.
 */
static const char no_credentials_directory[] = "must be an absolute path (a "
    "credential's name only when $CREDENTIALS_DIRECTORY is set: LoadCredential= "
    "in the unit)";

static const char *
check_credpath(const char *v)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");

	if (v[0] == '/')
		return check_abspath(v);
	if (strchr(v, '/') != NULL || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 ||
	    has_space_or_control(v))
		return "must be an absolute path or a credential's name (no /)";
	if (dir == NULL || dir[0] != '/')
		return no_credentials_directory;
	return NULL;
}

/* A credential's name as the path of its file; a path as itself, and a
 * name kept unresolved (keep_credential_names) too. */
static char *
credpath(const char *v)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char *path;

	if (v[0] == '/' || dir == NULL || dir[0] != '/')
		return strdup(v);
	if (asprintf(&path, "%s/%s", dir, v) == -1)
		return NULL;
	return path;
}

static const char *
check_branch(const char *v)
{
	if (has_space_or_control(v) || strncmp(v, "refs/", 5) == 0 || v[0] == '-')
		return "must be a branch name or glob, such as develop or release/*";
	return NULL;
}

static const char *
check_yes_no(const char *v)
{
	if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
		return "must be yes or no";
	return NULL;
}

/* Decimal digits, then for sizes an optional K, M or G (powers of 1024). */
static int
parse_number(const char *v, int sized, unsigned long max, unsigned long *out)
{
	unsigned long n = 0, unit = 1;
	const char *p;

	for (p = v; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned long)(*p - '0');
		if (n > max)
			return -1;
	}
	if (p == v)
		return -1;
	if (sized && *p != '\0' && p[1] == '\0') {
		switch (*p++) {
		case 'K': unit = 1024; break;
		case 'M': unit = 1024 * 1024; break;
		case 'G': unit = 1024 * 1024 * 1024; break;
		default: return -1;
		}
	}
	if (*p != '\0' || n == 0 || n > max / unit)
		return -1;
	*out = n * unit;
	return 0;
}

static const char *
check_size(const char *v)
{
	unsigned long n;

	if (parse_number(v, 1, SIZE_MAX_BYTES, &n) == -1)
		return "must be a size from 1 to 1G bytes, such as 25M";
	return NULL;
}

static const char *
check_seconds(const char *v)
{
	unsigned long n;

	if (parse_number(v, 0, SECONDS_MAX, &n) == -1)
		return "must be a number of seconds from 1 to 86400";
	return NULL;
}

/* Free text (a command line, a list of globs): one line, no controls. */
static const char *
check_text(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < ' ' || *v == 0x7f)
			return "must not contain control characters";
	return NULL;
}

static const char *
check_publish(const char *v)
{
	if (strcmp(v, "in-place") != 0 && strcmp(v, "releases") != 0)
		return "must be in-place or releases";
	return NULL;
}

/* The live release and the one before it are always kept: 2 at least. */
static const char *
check_releases(const char *v)
{
	unsigned long n;

	if (parse_number(v, 0, LIMIT_KEEP_RELEASES_MAX, &n) == -1 || n < 2)
		return "must be a number of releases from 2 to " LIMIT_KEEP_RELEASES_MAX_TEXT;
	return NULL;
}

int
config_releases(const struct config *c)
{
	return c->v[CONFIG_PUBLISH].value != NULL &&
	    strcmp(c->v[CONFIG_PUBLISH].value, "releases") == 0;
}

unsigned long
config_number(const struct config *c, enum config_key k)
{
	unsigned long n;

	if (c->v[k].value == NULL ||
	    parse_number(c->v[k].value, keys[k].check == check_size,
	    keys[k].check == check_size ? SIZE_MAX_BYTES :
	    keys[k].check == check_releases ? LIMIT_KEEP_RELEASES_MAX : SECONDS_MAX, &n) == -1)
		return keys[k].number;
	return n;
}

int
config_yes(const struct config *c, enum config_key k)
{
	return c->v[k].value != NULL && strcmp(c->v[k].value, "yes") == 0;
}

static int
has_space_or_control(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return 1;
	return 0;
}

static char *
trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A '#' after a blank reads as a comment, and there are none after a
 * value: RUN=/bin/true # note would run /bin/true with two words more,
 * BRANCH=main # note would be refused for its blanks. Said plainly
 * instead. A '#' inside a word stays (a URL's fragment, a glob, a
 * branch named issue#12), and so does one that a backslash escapes in
 * a command or a glob list ("\#*#" for Emacs' files), or that quotes
 * hold in a command, as sh would have it.
 */
static int
has_comment(const char *v, enum value_syntax syntax)
{
	char quote = '\0';
	int blank_before = 1;

	for (; *v != '\0'; v++) {
		if (quote != '\0') {
			if (*v == quote)
				quote = '\0';
			else if (quote == '"' && *v == '\\' && v[1] != '\0')
				v++;
			continue;
		}
		if (*v == '#' && blank_before)
			return 1;
		if (syntax == VALUE_COMMAND && (*v == '\'' || *v == '"'))
			quote = *v;
		else if (syntax != VALUE_PLAIN && *v == '\\' && v[1] != '\0')
			v++;
		blank_before = *v == ' ' || *v == '\t';
	}
	return 0;
}

/* The known key closest to an unknown one, or NULL when none is close. */
static const char *
nearest_key(const char *key)
{
	const char *best = NULL;
	size_t d, best_d = SUGGEST_MAX_EDITS + 1;
	int k;

	for (k = 0; k < CONFIG_NKEYS; k++) {
		d = edit_distance(key, keys[k].name, SUGGEST_MAX_EDITS);
		if (d < best_d && d * SUGGEST_LENGTH_PER_EDIT <= strlen(keys[k].name)) {
			best = keys[k].name;
			best_d = d;
		}
	}
	return best;
}

static int
unknown_key(const struct config *c, unsigned lineno, const char *key, char *err,
    size_t errlen)
{
	const char *near = nearest_key(key);

	if (near == NULL)
		return fail(err, errlen, "%s:%u: unknown key %s", c->path, lineno, key);
	if (strcasecmp(near, key) == 0)
		return fail(err, errlen, "%s:%u: unknown key %s; keys are upper case: %s",
		    c->path, lineno, key, near);
	return fail(err, errlen, "%s:%u: unknown key %s; did you mean %s?", c->path,
	    lineno, key, near);
}

static int
parse_line(struct config *c, char *line, unsigned lineno, char *err, size_t errlen)
{
	char *eq, *key, *value;
	const char *why;
	int k;

	line = trim(line, line + strlen(line));
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL)
		return fail(err, errlen, "%s:%u: expected KEY=value", c->path, lineno);
	key = trim(line, eq);
	for (k = 0; k < CONFIG_NKEYS; k++)
		if (strcmp(key, keys[k].name) == 0)
			break;
	if (k == CONFIG_NKEYS)
		return unknown_key(c, lineno, key, err, errlen);
	/* Before the trim: KEY= #note is a comment too. */
	if (has_comment(eq + 1, keys[k].syntax))
		return fail(err, errlen, "%s:%u: %s: values cannot hold comments; put the "
		    "comment on its own line", c->path, lineno, key);
	value = trim(eq + 1, eq + 1 + strlen(eq + 1));
	if (c->v[k].value != NULL)
		return fail(err, errlen, "%s:%u: %s already set on line %u",
		    c->path, lineno, key, c->v[k].line);
	if (value[0] == '\0')
		return fail(err, errlen, "%s:%u: %s is empty", c->path, lineno, key);
	/* The read-only modes take a credential's name as it is. */
	if ((why = keys[k].check(value)) != NULL &&
	    !(why == no_credentials_directory && c->keep_credential_names))
		return fail(err, errlen, "%s:%u: %s %s", c->path, lineno, key, why);
	if ((c->v[k].value = keys[k].check == check_credpath ? credpath(value) :
	    strdup(value)) == NULL)
		return fail(err, errlen, "%s: out of memory", c->path);
	c->v[k].line = lineno;
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	return config_load_at(c, AT_FDCWD, path, 0, path, err, errlen);
}

/* Who may write a file or directory with this owner and mode, besides
 * root and us: NULL when nobody. */
static const char *
other_writers(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "its owner";
	if ((st->st_mode & 022) == 022)
		return "group and others";
	if (st->st_mode & 020)
		return "its group";
	if (st->st_mode & 002)
		return "others";
	return NULL;
}

/* A sticky directory of root's or ours: others may add to it, but not
 * rename or remove what is not theirs. */
static int
sticky_ours(const struct stat *st)
{
	return (st->st_mode & S_ISVTX) && (st->st_uid == 0 || st->st_uid == geteuid());
}

/* The fix for what other_writers found, as a command. */
static void
fix(const struct stat *st, const char *path, char *buf, size_t len)
{
	int chown_too = st->st_uid != 0 && st->st_uid != geteuid();

	snprintf(buf, len, "%s%s%s%s%s", chown_too ? "chown root " : "",
	    chown_too ? path : "", chown_too && (st->st_mode & 022) ? " && " : "",
	    (st->st_mode & 022) ? "chmod go-w " : "", (st->st_mode & 022) ? path : "");
}

/*
 * The config says what RUN= runs, so it is trusted only as OpenSSH
 * trusts its files (StrictModes, safe_path): the file and every
 * directory above it owned by root or by this user, and writable by no
 * one else. A sticky directory (/tmp) is the exception for its mode: no
 * one else can rename or remove what we own in it. When the file is
 * reached through a link, the link's directory too: whoever can write
 * it can point the link elsewhere.
 */
static int
trusted(const char *path, const struct stat *st, char *err, size_t errlen)
{
	char real[PATH_MAX], dir[PATH_MAX], cmd[2 * PATH_MAX + 64], *slash;
	const char *who;
	struct stat ds, ls;

	if ((who = other_writers(st)) != NULL) {
		fix(st, path, cmd, sizeof(cmd));
		return fail(err, errlen, "%s: owned by uid %u, mode %04o: %s may write it, "
		    "and so choose what RUN= runs; only root or uid %u may (as ssh "
		    "insists for its files): %s", path, (unsigned)st->st_uid,
		    (unsigned)(st->st_mode & 07777), who, (unsigned)geteuid(), cmd);
	}
	if (realpath(path, real) == NULL)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	/* The link's own directory, then the file's, up to /. XXX a link
	 * to a link: the directories of those between are not checked. */
	if (lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode) &&
	    (size_t)snprintf(dir, sizeof(dir), "%s", path) < sizeof(dir) &&
	    (slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if (stat(dir, &ds) == 0 && !sticky_ours(&ds) &&
		    (who = other_writers(&ds)) != NULL) {
			fix(&ds, dir, cmd, sizeof(cmd));
			return fail(err, errlen, "%s: a link in %s, which %s may write "
			    "(owner uid %u, mode %04o), and so point elsewhere: %s", path,
			    dir, who, (unsigned)ds.st_uid, (unsigned)(ds.st_mode & 07777), cmd);
		}
	}
	memcpy(dir, real, sizeof(dir));
	while ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if (stat(dir, &ds) == -1)
			return fail(err, errlen, "%s: %s: %s", path, dir, strerror(errno));
		if (!sticky_ours(&ds) && (who = other_writers(&ds)) != NULL) {
			fix(&ds, dir, cmd, sizeof(cmd));
			return fail(err, errlen, "%s: its directory %s (owner uid %u, mode "
			    "%04o) lets %s replace it, and so choose what RUN= runs: %s",
			    path, dir, (unsigned)ds.st_uid, (unsigned)(ds.st_mode & 07777),
			    who, cmd);
		}
		if (slash == dir)
			break;
	}
	return 0;
}

int
config_load_at(struct config *c, int dirfd, const char *name, int flags,
    const char *path, char *err, size_t errlen)
{
	char *buf = NULL, *line, *next;
	unsigned lineno = 0;
	struct stat st;
	size_t len;
	int k, fd, rc = -1;

	c->path = path;
	if ((fd = file_open_at(dirfd, name, flags, &st)) == -1)
		return fail(err, errlen, "%s: %s", path, file_strerror(errno));
	if (trusted(path, &st, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	buf = file_read_fd(fd, LIMIT_CONFIG_BYTES, &len);
	close(fd);
	if (buf == NULL)
		return fail(err, errlen, "%s: %s", path, errno == EFBIG ?
		    "larger than " XSTR(LIMIT_CONFIG_BYTES) " bytes" : strerror(errno));
	if (memchr(buf, '\0', len) != NULL) {
		fail(err, errlen, "%s: contains a NUL byte", path);
		goto out;
	}
	for (line = buf; line < buf + len; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = buf + len;
		if (strlen(line) > LIMIT_CONFIG_LINE) {
			fail(err, errlen, "%s:%u: line longer than %d bytes",
			    path, lineno, LIMIT_CONFIG_LINE);
			goto out;
		}
		if (parse_line(c, line, lineno, err, errlen) == -1)
			goto out;
	}
	for (k = 0; k < CONFIG_NKEYS; k++)
		if (keys[k].required && c->v[k].value == NULL) {
			fail(err, errlen, "%s: missing required key %s",
			    path, keys[k].name);
			goto out;
		}
	if (check_transport(c, err, errlen) == -1 ||
	    check_ref_rule(c, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	free(buf);
	return rc;
}

void
config_free(struct config *c)
{
	int k;

	for (k = 0; k < CONFIG_NKEYS; k++) {
		free(c->v[k].value);
		c->v[k].value = NULL;
	}
}

/*
 * HTTPS clones: the URL's shape (http_url.c), the user, and which keys a
 * transport needs. A key of the other transport is allowed and checked as
 * usual (key_files.c), but the clone does not use it.
 */
static const char *
check_http_url(const char *v)
{
	struct http_url u;

	if (has_space_or_control(v))
		return "must not contain spaces or control characters";
	return http_url_parse(v, &u);
}

/* Sent in the Authorization header, before a ':'. */
static const char *
check_http_user(const char *v)
{
	if (has_space_or_control(v) || strchr(v, ':') != NULL)
		return "must be a user name without spaces, controls or ':'";
	return NULL;
}

int
config_http(const struct config *c)
{
	const char *url = c->v[CONFIG_CLONE_URL].value;

	return url != NULL && http_url_is(url);
}

static int
check_transport(const struct config *c, char *err, size_t errlen)
{
	int user = c->v[CONFIG_HTTP_USER].value != NULL;
	int token = c->v[CONFIG_HTTP_TOKEN_FILE].value != NULL;

	if (user != token)
		return fail(err, errlen, "%s:%u: %s is set but %s is not: the server "
		    "is sent both, or neither", c->path,
		    c->v[user ? CONFIG_HTTP_USER : CONFIG_HTTP_TOKEN_FILE].line,
		    user ? "HTTP_USER" : "HTTP_TOKEN_FILE",
		    user ? "HTTP_TOKEN_FILE" : "HTTP_USER");
	if (config_http(c))
		return 0;
	if (c->v[CONFIG_SSH_KEYPATH].value == NULL)
		return fail(err, errlen, "%s: missing required key SSH_KEYPATH "
		    "(CLONE_URL is an ssh URL)", c->path);
	if (c->v[CONFIG_KNOWN_HOSTS].value == NULL)
		return fail(err, errlen, "%s: missing required key KNOWN_HOSTS "
		    "(CLONE_URL is an ssh URL)", c->path);
	return 0;
}

/*
 * TAG=: deploy tags whose name the glob takes, instead of a branch.
 * A deployment follows one kind of ref: with both keys, a push of
 * either could replace what the other published.
 */
static const char *
check_tag(const char *v)
{
	if (has_space_or_control(v) || strncmp(v, "refs/", 5) == 0 || v[0] == '-')
		return "must be a tag name or glob, such as v* or release-[0-9]*";
	return NULL;
}

static int
check_ref_rule(const struct config *c, char *err, size_t errlen)
{
	if (c->v[CONFIG_TAG].value != NULL && c->v[CONFIG_BRANCH].value != NULL)
		return fail(err, errlen, "%s:%u: TAG and BRANCH (line %u) are both set: a "
		    "deployment follows tags or a branch, not both; drop one", c->path,
		    c->v[CONFIG_TAG].line, c->v[CONFIG_BRANCH].line);
	return 0;
}
