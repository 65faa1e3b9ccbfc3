/*
 * Log lines (src/common/log.c): what a message quotes from a peer or a
 * push reaches the journal, a terminal and the status record. No
 * control character gets through, C0, DEL or C1 (U+0080 to U+009F, in
 * UTF-8 or as a lone 8-bit byte); a byte that is not UTF-8 is written
 * \xNN; UTF-8 text is kept as it is, and nothing is cut in half.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static void
escapes(const char *in, const char *want, const char *why)
{
	char out[256];

	log_escape(in, out, sizeof(out));
	tap_ok(strcmp(out, want) == 0, "%s", why);
	if (strcmp(out, want) != 0)
		fprintf(stderr, "# got [%s]\n", out);
}

/* log_err's line, with stderr on a file for the call. */
static char *
logged(const char *msg)
{
	FILE *f;
	char *text;
	int saved;

	fflush(stderr);
	saved = dup(2);
	if ((f = tmpfile()) == NULL || saved == -1 || dup2(fileno(f), 2) == -1)
		return NULL;
	log_err("%s", msg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	text = calloc(1, 4096);
	(void)fread(text, 1, 4095, f);
	fclose(f);
	return text;
}

/* --config-dir's [NAME]: a plain name only, from the call or $ENV. */
static void
deployment_names(void)
{
	char long_name[66], *text;

	memset(long_name, 'x', 65);
	long_name[65] = '\0';
	tap_ok(log_deployment("") == -1, "an empty deployment name is refused");
	tap_ok(log_deployment("a b") == -1, "a name with a space is refused");
	tap_ok(log_deployment("a]") == -1, "a name with ] is refused");
	tap_ok(log_deployment("../x") == -1, "a name with / or . is refused");
	tap_ok(log_deployment(long_name) == -1, "a 65-character name is refused");
	text = logged("before");
	tap_ok(text != NULL && strcmp(text, "test-log: before\n") == 0,
	    "a refused name changes nothing");
	free(text);
	long_name[64] = '\0';
	tap_ok(log_deployment(long_name) == 0, "a 64-character name is taken");
	tap_ok(log_deployment("www_2-x") == 0, "letters, digits, _ and - are taken");
	text = logged("synced");
	tap_ok(text != NULL && strcmp(text, "test-log: [www_2-x] synced\n") == 0,
	    "the name follows the program's prefix");
	free(text);
	setenv(LOG_DEPLOYMENT_ENV, "api", 1);
	log_deployment_from_env();
	tap_ok(getenv(LOG_DEPLOYMENT_ENV) == NULL, "the helper removes the variable");
	text = logged("x");
	tap_ok(text != NULL && strcmp(text, "test-log: [api] x\n") == 0,
	    "the helper takes the name from the variable");
	free(text);
	setenv(LOG_DEPLOYMENT_ENV, "a\nb", 1);
	text = NULL;
	log_deployment_from_env();
	tap_ok(getenv(LOG_DEPLOYMENT_ENV) == NULL, "a bad value is removed too");
	text = logged("y");
	tap_ok(text != NULL && strcmp(text, "test-log: [api] y\n") == 0,
	    "a bad value is not taken");
	free(text);
}

int
main(void)
{
	char out[8], *text;
	FILE *f;
	int saved;

	escapes("plain text", "plain text", "plain ASCII is kept");
	escapes("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "UTF-8 of 2, 3 and 4 bytes is kept");
	escapes("a\nb\rc\td\x1b[2Je\x7f", "a?b?c?d?[2Je?", "C0 controls and DEL become ?");
	escapes("x\xc2\x9b" "31mred", "x?31mred", "C1 CSI (U+009B) in UTF-8 becomes ?");
	escapes("\xc2\x80\xc2\x85\xc2\x9f", "???", "U+0080, U+0085 (NEL), U+009F become ?");
	escapes("nbsp\xc2\xa0.", "nbsp\xc2\xa0.", "U+00A0, the first after C1, is kept");
	escapes("x\x9b" "31m", "x\\x9b31m", "a lone 0x9b (8-bit CSI) becomes \\x9b");
	escapes("\xc0\xaf \xed\xa0\x80 \xc3", "\\xc0\\xaf \\xed\\xa0\\x80 \\xc3",
	    "overlong, surrogate and cut-short sequences are escaped byte by byte");
	escapes("\xff\xfe", "\\xff\\xfe", "bytes never in UTF-8 are escaped");

	log_escape("abcdef\xc3\xa9", out, sizeof(out));
	tap_ok(strcmp(out, "abcdef") == 0, "a character that does not fit is cut whole");
	log_escape("abcd\x9b", out, sizeof(out));
	tap_ok(strcmp(out, "abcd") == 0, "an escape that does not fit is cut whole");

	/* The same through log_err, as the journal would read it. */
	fflush(stderr);
	saved = dup(2);
	if ((f = tmpfile()) == NULL || saved == -1 || dup2(fileno(f), 2) == -1) {
		tap_ok(0, "log_err to a file");
		return tap_done();
	}
	log_init("test-log");
	log_err("pushed path %s", "dir/\xc2\x9b" "2J\x1b[0m\x9b" "H\n/x");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	text = calloc(1, 4096);
	(void)fread(text, 1, 4095, f);
	fclose(f);
	tap_ok(strcmp(text, "test-log: pushed path dir/?2J?[0m\\x9bH?/x\n") == 0,
	    "log_err writes one clean line");
	free(text);
	deployment_names();
	return tap_done();
}
