/*
 * Socket mode: one HTTP request on stdin/stdout, one answer, then the sync.
 * Every path that read a request writes a well-formed answer, and the
 * answer goes out before any sync starts: hosts give a webhook ~10 s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "form.h"
#include "front.h"
#include "log.h"
#include "status_record.h"

#define SENTRY_MOUNT	"/plugins/sources/"

/* POST /webhook, or Sentry's per-source mount for hosts pointed at Sentry;
 * under --config-dir, the path that chose the deployment. */
static int
route(const struct http_request *req, const struct deployment *d)
{
	const struct source *src = d->source;
	size_t n = strlen(SENTRY_MOUNT), m = strlen(src->name);
	const char *p = req->path, *type = http_header(req, "Content-Type");
	int known;

	known = d->path_chosen || strcmp(p, "/webhook") == 0 ||
	    (strncmp(p, SENTRY_MOUNT, n) == 0 && strncmp(p + n, src->name, m) == 0 &&
	    strcmp(p + n + m, "/webhook") == 0);
	if (!known)
		return 404;
	if (strcmp(req->method, "POST") != 0)
		return 405;
	if (!http_media_type_is(type, "application/json") &&
	    !http_media_type_is(type, "application/x-www-form-urlencoded"))
		return 415;
	if (!req->has_length)
		return 411;
	if (req->content_length > d->max_body)
		return 413;
	return 0;
}

static char *
answer_body(int status, const struct source_result *res, const char *error)
{
	cJSON *o;
	char *s = NULL;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (status == 200) {
		if (cJSON_AddTrueToObject(o, "success") == NULL ||
		    (res->verdict == SOURCE_IGNORED &&
		    cJSON_AddStringToObject(o, "ignored", res->why) == NULL))
			goto out;
	} else if (cJSON_AddStringToObject(o, "error", error) == NULL)
		goto out;
	s = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return s;
}

static const char *
error_text(int status)
{
	switch (status) {
	case 400: return "malformed request";
	case 401: return "signature does not match";
	case 404: return "no such endpoint: POST /webhook";
	case 405: return "method not allowed: use POST";
	case 408: return "request not complete in time";
	case 411: return "Content-Length required";
	case 413: return "body too large";
	case 414: return "request line too long";
	case 415: return "Content-Type must be application/json or "
	    "application/x-www-form-urlencoded";
	case 431: return "header fields too large";
	case 505: return "HTTP/1.1 or HTTP/1.0 only";
	default: return "internal error";
	}
}

/*
 * An upper bound on the values cJSON would allocate: each value but the
 * first follows a ',' or ':' or opens with '[' or '{'. Bytes inside
 * strings count too, which only makes the bound safer.
 */
static int
too_many_values(const char *body, size_t len)
{
	size_t i, n = 1;

	for (i = 0; i < len; i++)
		if (body[i] == ',' || body[i] == ':' || body[i] == '[' || body[i] == '{')
			if (++n > LIMIT_JSON_VALUES)
				return 1;
	return 0;
}

static int
parse_json(const char *text, size_t len, cJSON **json, struct source_result *res)
{
	const char *end = NULL;

	if (too_many_values(text, len)) {
		source_bad(res, "more than %u JSON values", LIMIT_JSON_VALUES);
		return 413;
	}
	*json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (*json != NULL && end != NULL)	/* only blanks may follow the value */
		end += strspn(end, " \t\r\n");
	if (*json == NULL || end != text + len) {
		cJSON_Delete(*json);
		*json = NULL;
		source_bad(res, "body is not valid JSON");
		return 400;
	}
	return 0;
}

/*
 * The signature covers the bytes as received, so it is checked before
 * anything is decoded; a form body's payload field is the JSON.
 */
static int
judge_body(const struct deployment *d, const struct http_request *req,
    struct source_result *res)
{
	const char *type = http_header(req, "Content-Type");
	cJSON *json = NULL;
	char *payload;
	size_t len;
	int status;

	if ((status = signature_verify(&d->source->signature, &d->secret, req,
	    res->why, sizeof(res->why))) != 0) {
		res->verdict = SOURCE_BAD;
		return status;
	}
	if (!http_media_type_is(type, "application/x-www-form-urlencoded"))
		status = parse_json(req->body, req->body_len, &json, res);
	else if ((payload = form_field(req->body, req->body_len, "payload", &len)) == NULL) {
		if (errno == ENOMEM)
			return 500;
		source_bad(res, "form body without one payload= field");
		return 400;
	} else {
		status = parse_json(payload, len, &json, res);
		free(payload);
	}
	if (status != 0)
		return status;
	d->source->match(req, json, &d->rule, res);
	cJSON_Delete(json);
	return res->verdict == SOURCE_BAD ? 400 : 200;
}

static void
answer(struct http_conn *conn, int status, const struct source_result *res)
{
	const char *error = res->verdict == SOURCE_BAD ? res->why : error_text(status);
	char *body = answer_body(status, res, error);

	if (http_respond(conn, status, body ? body : "{\"error\":\"out of memory\"}") == -1)
		log_warning("answer not delivered: %m");
	cJSON_free(body);
}

/*
 * The head first: in --config-dir mode its path chooses the deployment.
 * 0 to go on, with s->status 0 or the status the head earned; otherwise
 * the exit status, the connection answered (or silent) and closed.
 */
int
serve_begin(struct serve_conn *s, int seconds)
{
	http_conn_start(&s->conn, 0, 1, seconds);
	if ((s->req = calloc(1, sizeof(*s->req))) == NULL) {
		http_respond(&s->conn, 500, "{\"error\":\"out of memory\"}");
		http_close(&s->conn);
		return EXIT_INTERNAL;
	}
	s->status = http_read_head(&s->conn, s->req);
	/*
	 * Closed before its first byte: a port probe, a load balancer's
	 * health check, a readiness test. Nothing was asked, so nothing is
	 * logged; the exit status is a refusal's, as for any request not
	 * served.
	 */
	if (s->status == -1) {
		http_close(&s->conn);
		free(s->req);
		return EXIT_REFUSED;
	}
	/* Only a head we accepted may name the client. */
	http_peer_name(0, s->status == 0 ? s->req : NULL, s->peer, sizeof(s->peer));
	return 0;
}

/* The rest of the request, the answer, then the sync. d may be NULL only
 * when status is already an error. */
static int
serve_rest(struct serve_conn *s, const struct deployment *d, int status,
    struct source_result *res)
{
	struct http_request *req = s->req;
	struct sync_call call = { .push = NULL };
	int rc = EXIT_OK;

	if (status == 0)
		status = route(req, d);
	if (status == 0)
		status = http_continue(&s->conn, req);
	if (status == 0)
		status = http_read_body(&s->conn, req);
	if (status == 0)
		status = judge_body(d, req, res);
	answer(&s->conn, status, res);
	http_close(&s->conn);

	/* A refusal is the peer's mistake; a 5xx is ours. */
	if (status != 200)
		(status >= 500 ? log_err : log_warning)("%s: %s %s: %d %s", s->peer,
		    req->method ? req->method : "-", req->path ? req->path : "-", status,
		    res->verdict == SOURCE_BAD ? res->why : error_text(status));
	else if (res->verdict == SOURCE_IGNORED)
		log_info("%s: ignored: %s", s->peer, res->why);
	else
		log_info("%s: %s %.12s..%.12s: syncing", s->peer, res->push.ref,
		    res->push.old_oid, res->push.new_oid);
	if (status == 200 && res->verdict == SOURCE_MATCH) {
		call.push = &res->push;
		call.mode = STATUS_MODE_SOCKET;
		call.body = req->body;
		call.body_len = req->body_len;
		rc = exec_sync(d, &call);
	} else if (status != 200)
		rc = status == 500 ? EXIT_INTERNAL : EXIT_REFUSED;
	http_request_free(req);
	free(req);
	return rc;
}

int
serve_finish(struct serve_conn *s, const struct deployment *d)
{
	struct source_result res = { .verdict = SOURCE_IGNORED };

	return serve_rest(s, d, s->status, &res);
}

/* Answer status with why as the error, after serve_begin. */
int
serve_refuse(struct serve_conn *s, int status, const char *why)
{
	struct source_result res = { .verdict = SOURCE_BAD };

	snprintf(res.why, sizeof(res.why), "%s", why);
	return serve_rest(s, NULL, status, &res);
}

int
serve_connection(const struct deployment *d)
{
	struct serve_conn s;
	int rc;

	if ((rc = serve_begin(&s, d->request_seconds)) != 0)
		return rc;
	return serve_finish(&s, d);
}

/* The host should see a failure, not a connection closed without a word. */
void
serve_misconfigured(void)
{
	struct http_conn conn;

	http_conn_start(&conn, 0, 1, LIMIT_REQUEST_SECONDS);
	http_respond(&conn, 500, "{\"error\":\"server misconfigured; see its log\"}");
	http_close(&conn);
}
