#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "bounds.h"
#include "exitcode.h"
#include "file.h"
#include "gitname.h"
#include "log.h"
#include "status_print.h"
#include "utf8.h"

/* The next line of the record, without its newline; NULL at the end or
 * for a last line without one. */
static const char *
next_line(const char **p, const char *end, size_t *len)
{
	const char *line = *p, *nl;

	if (line >= end || (nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
		return NULL;
	*len = (size_t)(nl - line);
	*p = nl + 1;
	return line;
}

/* "key=" and the value after it, or NULL. */
static const char *
field(const char **p, const char *end, const char *key, size_t *len)
{
	const char *line;
	size_t n = strlen(key), l;

	if ((line = next_line(p, end, &l)) == NULL || l <= n || strncmp(line, key, n) != 0 ||
	    line[n] != '=')
		return NULL;
	*len = l - n - 1;
	return line + n + 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Escaped text, decoded: only the writer's own escapes are taken. */
static int
text(const char *v, size_t n, char *out, size_t *outlen)
{
	size_t i, o = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)v[i];
		if (c < 0x20 || c > 0x7e)
			return -1;
		if (c == '\\') {
			if (n - i < 4 || v[i + 1] != 'x' || (hi = hexval(v[i + 2])) == -1 ||
			    (lo = hexval(v[i + 3])) == -1)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			/* An escape the writer would not have made. */
			if (c >= 0x20 && c <= 0x7e && c != '\\')
				return -1;
			i += 3;
		}
		if (o + 1 >= STATUS_TEXT_MAX)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

static int
number(const char *v, size_t n, long long max, long long *out)
{
	long long x = 0;
	size_t i;

	if (n == 0 || n > 19 || (n > 1 && v[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		/* max - digit may be negative (a max under 9), and / truncates
		 * towards zero: test it first. */
		if (v[i] < '0' || v[i] > '9' || max - (v[i] - '0') < 0 ||
		    x > (max - (v[i] - '0')) / 10)
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return 0;
}

static int
oid(const char *v, size_t n, char *out)
{
	size_t i;

	if (n != 0 && n != STATUS_OID_LEN)
		return -1;
	for (i = 0; i < n; i++)
		if (hexval(v[i]) == -1)
			return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

int
status_parse(const char *buf, size_t len, struct status_record *r, char *err, size_t errlen)
{
	static const char *const modes[] = {
		STATUS_MODE_SOCKET, STATUS_MODE_HOOK, STATUS_MODE_SYNC, STATUS_MODE_ROLLBACK
	};
	const char *p = buf, *end = buf + len, *v, *bad = NULL;
	long long x, pinned = 0;
	size_t n, i;
	int v1 = 0, v2 = 0;

	memset(r, 0, sizeof(*r));
	if ((v = next_line(&p, end, &n)) == NULL || !((n == strlen(STATUS_MAGIC) &&
	    memcmp(v, STATUS_MAGIC, n) == 0) || (v1 = n == strlen(STATUS_MAGIC_V1) &&
	    memcmp(v, STATUS_MAGIC_V1, n) == 0) || (v2 = n == strlen(STATUS_MAGIC_V2) &&
	    memcmp(v, STATUS_MAGIC_V2, n) == 0)))
		bad = "first line";
	else if ((v = field(&p, end, "time", &n)) == NULL ||
	    number(v, n, 1LL << 40, &r->time) == -1)
		bad = "time";
	else if ((v = field(&p, end, "duration_ms", &n)) == NULL ||
	    number(v, n, 1LL << 40, &r->duration_ms) == -1)
		bad = "duration_ms";
	else if ((v = field(&p, end, "mode", &n)) == NULL)
		bad = "mode";
	else {
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (n == strlen(modes[i]) && memcmp(v, modes[i], n) == 0)
				r->mode = modes[i];
		if (r->mode == NULL)
			bad = "mode";
	}
	/* branch is empty after a failure before it was known. */
	if (bad == NULL && ((v = field(&p, end, "branch", &n)) == NULL ||
	    text(v, n, r->branch, &r->branch_len) == -1))
		bad = "branch";
	else if (bad == NULL && ((v = field(&p, end, "pushed", &n)) == NULL ||
	    oid(v, n, r->pushed) == -1))
		bad = "pushed";
	else if (bad == NULL && ((v = field(&p, end, "old", &n)) == NULL ||
	    oid(v, n, r->old) == -1))
		bad = "old";
	else if (bad == NULL && ((v = field(&p, end, "new", &n)) == NULL ||
	    oid(v, n, r->new) == -1))
		bad = "new";
	else if (bad == NULL && ((v = field(&p, end, "status", &n)) == NULL ||
	    number(v, n, 255, &x) == -1))
		bad = "status";
	else if (bad == NULL && ((v = field(&p, end, "message", &n)) == NULL ||
	    text(v, n, r->message, &r->message_len) == -1))
		bad = "message";
	else if (bad == NULL && !v1 && ((v = field(&p, end, "pinned", &n)) == NULL ||
	    number(v, n, 1, &pinned) == -1))
		bad = "pinned";
	else if (bad == NULL && !v1 && ((v = field(&p, end, "remote", &n)) == NULL ||
	    oid(v, n, r->remote) == -1 || (pinned == 0 && n != 0)))
		bad = "remote";	/* the writer names it only when pinned */
	else if (bad == NULL && !v1 && !v2 && ((v = field(&p, end, "ref", &n)) == NULL ||
	    text(v, n, r->ref, &r->ref_len) == -1))
		bad = "ref";
	else if (bad == NULL && p != end)
		bad = v1 ? "what follows message" : v2 ? "what follows remote" :
		    "what follows ref";
	else if (bad == NULL) {
		r->status = (int)x;
		r->pinned = !v1 && pinned == 1;
	}
	if (bad != NULL)
		snprintf(err, errlen, "%s is not what sentry-source-sync writes", bad);
	return bad != NULL ? -1 : 0;
}

/* For a terminal: UTF-8 as it is, anything else (controls included) as
 * \xNN, as the record holds it. */
static void
put_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (n > 0) {
		k = utf8_len(p, n);
		if (k == 1 && *p >= 0x20 && *p <= 0x7e && *p != '\\')
			putchar(*p);
		else if (k > 1 && !(p[0] == 0xc2 && p[1] < 0xa0))	/* C1 controls */
			fwrite(p, 1, k, stdout);
		else {
			printf("\\x%02x", *p);
			k = 1;
		}
		p += k;
		n -= k;
	}
}

static void
print_text(const char *s, size_t n)
{
	put_text(s, n);
	putchar('\n');
}

static const char *
status_name(int status)
{
	switch (status) {
	case EXIT_OK: return "success";
	case EXIT_SYNC_FAILED: return "the sync failed";
	case EXIT_HOSTKEY: return "unknown or changed host key";
	case EXIT_AUTH: return "the server refused the key";
	case EXIT_NOT_OURS: return "the checkout was refused";
	case EXIT_RUN_FAILED: return "synced, but RUN failed";
	case EXIT_BUILD_FAILED: return "BUILD failed; nothing published";
	case EXIT_TREE_REFUSED: return "the pushed tree was refused; nothing written";
	case EXIT_USAGE: return "usage error";
	case EXIT_NO_STATUS: return STATUS_NONE;
	case EXIT_INTERNAL: return "internal error";
	case EXIT_CONFIG: return "configuration error";
	default: return "unknown status";
	}
}

/* Does the record name a tag (refs/tags/NAME) rather than a branch? */
static int
record_is_tag(const struct status_record *r)
{
	return r->ref_len > REFS_TAGS_LEN && strncmp(r->ref, REFS_TAGS, REFS_TAGS_LEN) == 0;
}

/* When the sync started, in UTC; the seconds as written if out of range. */
static void
record_when(const struct status_record *r, char *when, size_t len)
{
	time_t t = (time_t)r->time;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(when, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, len, "%lld", r->time);
}

static void
print_people(const struct status_record *r)
{
	char when[64];

	record_when(r, when, sizeof(when));
	printf("last sync: %s, started by %s, took %lld.%03lld s\n", when, r->mode,
	    r->duration_ms / 1000, r->duration_ms % 1000);
	printf("status:    %d (%s)\n", r->status, status_name(r->status));
	if (record_is_tag(r)) {
		printf("tag:       ");
		print_text(r->ref + REFS_TAGS_LEN, r->ref_len - REFS_TAGS_LEN);
	} else {
		printf("branch:    ");
		print_text(r->branch_len ? r->branch : "-", r->branch_len ? r->branch_len : 1);
	}
	printf("pushed:    %s\n", r->pushed[0] ? r->pushed : "-");
	printf("before:    %s\n", r->old[0] ? r->old : "-");
	printf("after:     %s\n", r->new[0] ? r->new : "-");
	printf("message:   ");
	print_text(r->message, r->message_len);
	if (r->pinned)
		printf("pinned:    yes, by a rollback; the remote is at %s\n",
		    r->remote[0] ? r->remote : "an unknown commit");
	else
		printf("pinned:    no\n");
}

/* UTF-8 without C1 controls: cJSON escapes C0 only, and a terminal
 * showing the JSON would take U+009B as CSI. */
static int
valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	for (; n > 0; p += k, n -= k)
		if ((k = utf8_len(p, n)) == 0 || (k == 2 && p[0] == 0xc2 && p[1] < 0xa0))
			return 0;
	return 1;
}

/* A text field: the bytes when they are UTF-8 free of C1 controls, else
 * the record's escapes. */
static cJSON *
json_text(const char *s, size_t n)
{
	char esc[4 * STATUS_TEXT_MAX + 1];
	size_t i, o = 0;

	if (memchr(s, '\0', n) == NULL && valid_utf8(s, n))
		return cJSON_CreateString(s);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || c == '\\')
			o += (size_t)snprintf(esc + o, sizeof(esc) - o, "\\x%02x", c);
		else
			esc[o++] = (char)c;
	}
	esc[o] = '\0';
	return cJSON_CreateString(esc);
}

static cJSON *
json_oid(const char *s)
{
	return s[0] != '\0' ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The deployment's name (NULL in single-config mode) and CLONE_PATH
 * (NULL when the config could not be read): first in every object. */
static cJSON *
json_begin(const char *deployment, const char *clone_path)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (!cJSON_AddItemToObject(o, "deployment", deployment != NULL ?
	    json_text(deployment, strlen(deployment)) : cJSON_CreateNull()) ||
	    !cJSON_AddItemToObject(o, "clone_path", clone_path != NULL ?
	    json_text(clone_path, strlen(clone_path)) : cJSON_CreateNull())) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* One line; o is freed. */
static int
json_end(cJSON *o)
{
	char *s;

	if ((s = cJSON_PrintUnformatted(o)) == NULL) {
		cJSON_Delete(o);
		return -1;
	}
	printf("%s\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
	return 0;
}

static int
print_json(const struct status_record *r, const char *deployment, const char *clone_path)
{
	int is_tag = record_is_tag(r);
	cJSON *o;

	if ((o = json_begin(deployment, clone_path)) == NULL)
		return -1;
	if (cJSON_AddNumberToObject(o, "time", (double)r->time) == NULL ||
	    cJSON_AddNumberToObject(o, "duration_ms", (double)r->duration_ms) == NULL ||
	    cJSON_AddStringToObject(o, "mode", r->mode) == NULL ||
	    !cJSON_AddItemToObject(o, "branch", r->branch_len ?
	    json_text(r->branch, r->branch_len) : cJSON_CreateNull()) ||
	    !cJSON_AddItemToObject(o, "pushed", json_oid(r->pushed)) ||
	    !cJSON_AddItemToObject(o, "old", json_oid(r->old)) ||
	    !cJSON_AddItemToObject(o, "new", json_oid(r->new)) ||
	    cJSON_AddNumberToObject(o, "status", r->status) == NULL ||
	    !cJSON_AddItemToObject(o, "message", json_text(r->message, r->message_len)) ||
	    cJSON_AddBoolToObject(o, "pinned", r->pinned) == NULL ||
	    !cJSON_AddItemToObject(o, "remote", json_oid(r->remote)) ||
	    !cJSON_AddItemToObject(o, "ref", r->ref_len ? json_text(r->ref, r->ref_len) :
	    cJSON_CreateNull()) ||
	    !cJSON_AddItemToObject(o, "tag", is_tag ? json_text(r->ref + REFS_TAGS_LEN,
	    r->ref_len - REFS_TAGS_LEN) : cJSON_CreateNull())) {
		cJSON_Delete(o);
		return -1;
	}
	return json_end(o);
}

/* No record to print: none yet (status null), or an error (its status). */
static int
print_json_none(const char *deployment, const char *clone_path, int status,
    const char *message)
{
	cJSON *o;

	if ((o = json_begin(deployment, clone_path)) == NULL)
		return -1;
	if (!cJSON_AddItemToObject(o, "status", status == EXIT_NO_STATUS ?
	    cJSON_CreateNull() : cJSON_CreateNumber(status)) ||
	    !cJSON_AddItemToObject(o, "message", json_text(message, strlen(message)))) {
		cJSON_Delete(o);
		return -1;
	}
	return json_end(o);
}

int
status_read(const struct config *c, struct status_record *r, char *err, size_t errlen)
{
	char path[4096], why[128], *buf;
	size_t len;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s" STATUS_SUFFIX,
	    config_get(c, CONFIG_CLONE_PATH)) >= sizeof(path)) {
		snprintf(err, errlen, "CLONE_PATH too long");
		return EXIT_INTERNAL;
	}
	/* The helper replaces the record by rename: a link or a FIFO there
	 * is someone else's doing, and must not hold --status. */
	if ((buf = file_read_at(AT_FDCWD, path, O_NOFOLLOW, LIMIT_STATUS_BYTES,
	    &len)) == NULL) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", path, file_strerror(errno));
			return EXIT_INTERNAL;
		}
		snprintf(err, errlen, "%s: %s does not exist", STATUS_NONE, path);
		return EXIT_NO_STATUS;
	}
	rc = status_parse(buf, len, r, why, sizeof(why));
	free(buf);
	if (rc == -1) {
		snprintf(err, errlen, "%s: %s", path, why);
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

int
status_print(const struct config *c, const char *deployment, int json)
{
	const char *clone_path = config_get(c, CONFIG_CLONE_PATH);
	struct status_record r;
	char err[STATUS_ERR_MAX];
	int rc;

	if ((rc = status_read(c, &r, err, sizeof(err))) == EXIT_INTERNAL) {
		log_err("%s", err);
		return rc;
	}
	if (rc == EXIT_NO_STATUS) {
		if (json ? print_json_none(deployment, clone_path, rc, STATUS_NONE) == -1 :
		    printf("%s\n", err) < 0)
			return EXIT_INTERNAL;
		return fflush(stdout) == EOF ? EXIT_INTERNAL : rc;
	}
	if (json ? print_json(&r, deployment, clone_path) == -1 : (print_people(&r), 0)) {
		log_err("out of memory");
		return EXIT_INTERNAL;
	}
	return fflush(stdout) == EOF ? EXIT_INTERNAL : r.status;
}

/* name, its status, and when, what and where: one line. */
static void
print_brief(const char *name, const struct status_record *r)
{
	char when[64];
	int is_tag = record_is_tag(r);

	record_when(r, when, sizeof(when));
	printf("%s: %d (%s), %s, %s", name, r->status, status_name(r->status), when,
	    r->pinned ? "pinned, " : "");
	if (is_tag) {
		printf("tag ");
		put_text(r->ref + REFS_TAGS_LEN, r->ref_len - REFS_TAGS_LEN);
	} else
		put_text(r->branch_len ? r->branch : "-", r->branch_len ? r->branch_len : 1);
	printf(" at %.12s: ", r->new[0] != '\0' ? r->new : "-");
	print_text(r->message, r->message_len);
}

int
status_print_named(const struct config *c, const char *name, int status,
    const char *why, int json)
{
	const char *clone_path = c != NULL ? config_get(c, CONFIG_CLONE_PATH) : NULL;
	struct status_record r;
	char err[STATUS_ERR_MAX];
	int rc = status;

	if (c != NULL && (rc = status_read(c, &r, err, sizeof(err))) != EXIT_OK)
		why = rc == EXIT_NO_STATUS ? STATUS_NONE : err;
	if (rc != EXIT_OK && json)
		return print_json_none(name, clone_path, rc, why) == -1 ? EXIT_INTERNAL : rc;
	if (rc != EXIT_OK) {
		printf("%s: %d (%s)%s", name, rc, rc == EXIT_NO_STATUS ? STATUS_NONE :
		    status_name(rc), rc == EXIT_NO_STATUS ? "\n" : ": ");
		if (rc != EXIT_NO_STATUS)
			print_text(why, strlen(why));
		return rc;
	}
	if (json)
		return print_json(&r, name, clone_path) == -1 ? EXIT_INTERNAL : r.status;
	print_brief(name, &r);
	return r.status;
}
