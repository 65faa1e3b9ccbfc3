/*
 * The config parser on files written here: the good one, and one twin per
 * way a file can be wrong, each naming the file and the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "key_files.h"
#include "tap.h"

static const char good[] =
    "# a deployment\n"
    "SOURCE=stash-develop\n"
    "  CLONE_URL = ssh://git@stash.example.com:7999/prj/repo.git  \n"
    "CLONE_PATH=/var/lib/sentry-source/repo\n"
    "\n"
    "SSH_KEYPATH=/etc/sentry-source/id_ed25519\n"
    "KNOWN_HOSTS=/etc/sentry-source/known_hosts\n";

static char path[] = "/tmp/sentry-source-test-config-XXXXXX";

static int
load(const char *text, struct config *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	return config_load(c, path, err, errlen);
}

static void
expect_error(const char *what, const char *text, const char *want)
{
	struct config c;
	char err[512], where[600];
	int rc = load(text, &c, err, sizeof(err));

	snprintf(where, sizeof(where), "%s%s", path, want);
	tap_ok(rc == -1 && strstr(err, where) != NULL, "%s: \"%s\"", what, err);
	config_free(&c);
}

/* keep_credential_names: the modes that read no secret take a name
 * without $CREDENTIALS_DIRECTORY, and nothing reads it as a path. */
static void
read_only_modes(void)
{
	static const char text[] = "SOURCE=stash-develop\n"
	    "CLONE_URL=ssh://git@stash.example.com:7999/prj/repo.git\n"
	    "CLONE_PATH=/var/lib/sentry-source/repo\n"
	    "SSH_KEYPATH=id_ed25519\nKNOWN_HOSTS=/etc/sentry-source/known_hosts\n"
	    "SECRET_FILE=secret\n";
	struct config c;
	char err[512], line[512];
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	memset(&c, 0, sizeof(c));
	c.keep_credential_names = 1;
	tap_ok(config_load(&c, path, err, sizeof(err)) == 0,
	    "keep_credential_names: names load without $CREDENTIALS_DIRECTORY");
	tap_ok(strcmp(config_get(&c, CONFIG_SSH_KEYPATH), "id_ed25519") == 0,
	    "... kept as written");
	tap_ok(key_files_unresolved(&c, CONFIG_SSH_KEYPATH, line, sizeof(line)) &&
	    strcmp(line, "SSH_KEYPATH names credential 'id_ed25519' and "
	    "$CREDENTIALS_DIRECTORY is unset: not checked here") == 0,
	    "... and said to be unresolved: %s", line);
	tap_ok(key_files_unresolved(&c, CONFIG_SECRET_FILE, NULL, 0) &&
	    !key_files_unresolved(&c, CONFIG_KNOWN_HOSTS, NULL, 0) &&
	    !key_files_unresolved(&c, CONFIG_CA_FILE, NULL, 0),
	    "... SECRET_FILE too; a path or an unset key is not");
	tap_ok(key_files_check(&c, err, sizeof(err)) == -1 &&
	    strstr(err, "SSH_KEYPATH names a credential") != NULL,
	    "key_files_check refuses it, never reads it as a path: %s", err);
	config_free(&c);
	memset(&c, 0, sizeof(c));
	c.keep_credential_names = 1;
	f = fopen(path, "w");
	fputs("SSH_KEYPATH=../id_ed25519\n", f);
	fclose(f);
	tap_ok(config_load(&c, path, err, sizeof(err)) == -1 &&
	    strstr(err, ":1: SSH_KEYPATH must be an absolute path or a credential's name") != NULL,
	    "keep_credential_names: a name with a / is still refused");
	config_free(&c);
}

int
main(void)
{
	struct config c;
	char err[512], text[8192];
	int fd;

	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);

	tap_ok(load(good, &c, err, sizeof(err)) == 0, "good config loads (%s)", err);
	tap_ok(config_get(&c, CONFIG_CLONE_URL) != NULL &&
	    strcmp(config_get(&c, CONFIG_CLONE_URL),
	    "ssh://git@stash.example.com:7999/prj/repo.git") == 0,
	    "blanks around key and value are trimmed");
	tap_ok(config_get(&c, CONFIG_BRANCH) == NULL, "unset optional key is NULL");
	tap_ok(c.v[CONFIG_CLONE_PATH].line == 4, "line numbers kept");
	config_free(&c);

	/* TAG=, instead of BRANCH=. */
	snprintf(text, sizeof(text), "%sTAG=v*\n", good);
	tap_ok(load(text, &c, err, sizeof(err)) == 0 && config_get(&c, CONFIG_TAG) != NULL &&
	    strcmp(config_get(&c, CONFIG_TAG), "v*") == 0, "TAG=v* loads (%s)", err);
	config_free(&c);
	snprintf(text, sizeof(text), "%sBRANCH=main\nTAG=v*\n", good);
	expect_error("TAG and BRANCH", text, ":9: TAG and BRANCH (line 8) are both set");
	snprintf(text, sizeof(text), "%sTAG=refs/tags/v*\n", good);
	expect_error("TAG naming refs/", text, ":8: TAG must be a tag name or glob");
	snprintf(text, sizeof(text), "%sTAG=-v\n", good);
	expect_error("TAG beginning with -", text, ":8: TAG must be a tag name or glob");
	snprintf(text, sizeof(text), "%sTAG=v 1\n", good);
	expect_error("TAG with a blank", text, ":8: TAG must be a tag name or glob");

	snprintf(text, sizeof(text), "%sSSH_KEYPATH=/other\n", good);
	expect_error("duplicate key", text, ":8: SSH_KEYPATH already set on line 6");
	snprintf(text, sizeof(text), "%sSSH_KEYPATHS=/x\n", good);
	expect_error("unknown key", text, ":8: unknown key SSH_KEYPATHS; did you mean SSH_KEYPATH?");
	expect_error("unknown key, one letter more", "BRANCHE=main\n",
	    ":1: unknown key BRANCHE; did you mean BRANCH?");
	expect_error("unknown key, two letters swapped", "BRNACH=main\n",
	    ":1: unknown key BRNACH; did you mean BRANCH?");
	expect_error("unknown key, lower case", "branch=main\n",
	    ":1: unknown key branch; keys are upper case: BRANCH");
	expect_error("unknown key, nothing close", "COLOUR=blue\n", ":1: unknown key COLOUR");
	{
		struct config cc;
		char e[512];

		load("COLOUR=blue\n", &cc, e, sizeof(e));
		tap_ok(strstr(e, "did you mean") == NULL, "no suggestion when none is close: %s", e);
		config_free(&cc);
		load("TGS=v*\n", &cc, e, sizeof(e));
		tap_ok(strstr(e, "did you mean") == NULL, "TGS is two edits from TAG, too many "
		    "for three letters: %s", e);
		config_free(&cc);
		load("FOO=x\n", &cc, e, sizeof(e));
		tap_ok(strstr(e, "did you mean") == NULL, "FOO: not RUN: %s", e);
		config_free(&cc);
	}
	/* A comment after a value is refused, naming comments; a '#' in a
	 * word, or in quotes of a command key, is part of the value. */
	expect_error("a comment after RUN", "RUN=/bin/true # restart it\n",
	    ":1: RUN: values cannot hold comments; put the comment on its own line");
	expect_error("a comment after BRANCH", "BRANCH=main\t# the live one\n",
	    ":1: BRANCH: values cannot hold comments");
	expect_error("a comment for a value", "BRANCH= # none yet\n",
	    ":1: BRANCH: values cannot hold comments");
	expect_error("a comment after a quoted word", "RUN=/bin/echo 'a b' #c\n",
	    ":1: RUN: values cannot hold comments");
	expect_error("a glob starting with '#', unescaped", "EXCLUDE_FILES=*.md #*#\n",
	    ":1: EXCLUDE_FILES: values cannot hold comments");
	expect_error("a '#' in quotes of a glob key (no quoting there)",
	    "INCLUDE_FILES=\"a #b\"\n", ":1: INCLUDE_FILES: values cannot hold comments");
	{
		static const char *const fine[] = {
			"RUN=/bin/sh -c 'echo a # b'\n",
			"RUN=/bin/sh -c \"echo a \\\" # b\"\n",
			"RUN=/bin/echo \\#notacomment\n",
			"RUN=/bin/echo a#b\n",
			"BRANCH=issue#12\n",
			"CLONE_URL=https://git.example.com/r.git#main\n",
			"EXCLUDE_FILES=*.md \\#*#\n",
			"EXCLUDE_FILES=*.md [#]*#\n",
		};
		size_t i;

		for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
			struct config cc;
			char e[512];

			load(fine[i], &cc, e, sizeof(e));
			tap_ok(strstr(e, "comments") == NULL, "a '#' in a value, not a comment: "
			    "%.*s (%s)", (int)strlen(fine[i]) - 1, fine[i], e);
			config_free(&cc);
		}
	}
	snprintf(text, sizeof(text), "%sjust words\n", good);
	expect_error("no =", text, ":8: expected KEY=value");
	expect_error("missing CLONE_PATH", "SOURCE=stash-develop\n"
	    "CLONE_URL=git@h:r.git\nSSH_KEYPATH=/k\nKNOWN_HOSTS=/kh\n",
	    ": missing required key CLONE_PATH");
	expect_error("relative CLONE_PATH", "CLONE_PATH=repo\n", ":1: CLONE_PATH must be an absolute path");
	expect_error("CLONE_PATH /", "CLONE_PATH=/\n", ":1: CLONE_PATH must not be /");
	expect_error("CLONE_PATH with a trailing /", "CLONE_PATH=/srv/repo/\n",
	    ":1: CLONE_PATH must not end in /");
	expect_error("empty value", "SOURCE=\n", ":1: SOURCE is empty");
	expect_error("ftp URL", "CLONE_URL=ftp://h/r.git\n",
	    ":1: CLONE_URL must be an ssh:// or https:// URL");
	expect_error("http URL to another host", "CLONE_URL=http://git.example.com/r.git\n",
	    ":1: CLONE_URL must be https://: http:// sends the token");
	expect_error("http URL to a look-alike of loopback",
	    "CLONE_URL=http://127.0.0.1.example.com/r.git\n", ":1: CLONE_URL must be https://");
	expect_error("http URL to localhost.", "CLONE_URL=http://localhost.evil/r.git\n",
	    ":1: CLONE_URL must be https://");
	expect_error("https URL with a token", "CLONE_URL=https://u:t0ken@h/r.git\n",
	    ":1: CLONE_URL must not hold a user or token");
	expect_error("https URL without path", "CLONE_URL=https://h/\n",
	    ":1: CLONE_URL must name a repository path");
	expect_error("https URL with a bad port", "CLONE_URL=https://h:0/r.git\n",
	    ":1: CLONE_URL must have a port from 1 to 65535");
	expect_error("https URL with a query", "CLONE_URL=https://h/r.git?x=1\n",
	    ":1: CLONE_URL must not hold a query");
	expect_error("HTTP_USER with a colon", "HTTP_USER=a:b\n", ":1: HTTP_USER must be a user");
	{
		static const char *const loopback[] = {
			"http://127.0.0.1:8080/r.git", "http://127.9.9.9/r.git",
			"http://[::1]:8080/r.git", "http://localhost/r.git",
			"https://git.example.com/team/r.git", "https://[2001:db8::1]:8443/r.git",
		};
		size_t i;

		for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
			snprintf(text, sizeof(text), "CLONE_URL=%s\nCLONE_PATH=/srv/r\n",
			    loopback[i]);
			tap_ok(load(text, &c, err, sizeof(err)) == 0 && config_http(&c),
			    "%s loads without ssh keys (%s)", loopback[i], err);
			config_free(&c);
		}
	}
	expect_error("ssh URL without SSH_KEYPATH", "CLONE_URL=git@h:r.git\nCLONE_PATH=/srv/r\n"
	    "KNOWN_HOSTS=/kh\n", ": missing required key SSH_KEYPATH (CLONE_URL is an ssh URL)");
	expect_error("ssh URL without KNOWN_HOSTS", "CLONE_URL=git@h:r.git\nCLONE_PATH=/srv/r\n"
	    "SSH_KEYPATH=/k\n", ": missing required key KNOWN_HOSTS");
	expect_error("HTTP_USER without HTTP_TOKEN_FILE", "CLONE_URL=https://h/r.git\n"
	    "CLONE_PATH=/srv/r\nHTTP_USER=deploy\n",
	    ":3: HTTP_USER is set but HTTP_TOKEN_FILE is not");
	expect_error("HTTP_TOKEN_FILE without HTTP_USER", "CLONE_URL=https://h/r.git\n"
	    "CLONE_PATH=/srv/r\nHTTP_TOKEN_FILE=/t\n",
	    ":3: HTTP_TOKEN_FILE is set but HTTP_USER is not");
	expect_error("URL without user", "CLONE_URL=ssh://h:22/r.git\n", ":1: CLONE_URL must name the user");
	expect_error("URL without path", "CLONE_URL=ssh://git@h:22/\n", ":1: CLONE_URL must name a repository path");
	expect_error("URL with a space", "CLONE_URL=ssh://git@h/r .git\n", ":1: CLONE_URL must not contain spaces");
	expect_error("scp URL without user", "CLONE_URL=h:r.git\n", ":1: CLONE_URL must be");
	expect_error("source name with capitals", "SOURCE=Stash\n", ":1: SOURCE must be a kebab-case");
	expect_error("BRANCH as a ref", "BRANCH=refs/heads/x\n", ":1: BRANCH must be a branch name");
	expect_error("PUBLISH misspelt", "PUBLISH=release\n", ":1: PUBLISH must be in-place or releases");
	expect_error("KEEP_RELEASES=1", "KEEP_RELEASES=1\n",
	    ":1: KEEP_RELEASES must be a number of releases from 2 to 100");
	expect_error("KEEP_RELEASES=101", "KEEP_RELEASES=101\n", ":1: KEEP_RELEASES must be");

	tap_ok(load(good, &c, err, sizeof(err)) == 0 && !config_releases(&c) &&
	    config_number(&c, CONFIG_KEEP_RELEASES) == 5,
	    "PUBLISH unset: in place; KEEP_RELEASES 5 by default");
	config_free(&c);
	snprintf(text, sizeof(text), "%sPUBLISH=releases\nKEEP_RELEASES=100\n", good);
	tap_ok(load(text, &c, err, sizeof(err)) == 0 && config_releases(&c) &&
	    config_number(&c, CONFIG_KEEP_RELEASES) == 100,
	    "PUBLISH=releases, KEEP_RELEASES=100 (%s)", err);
	config_free(&c);
	snprintf(text, sizeof(text), "%sPUBLISH=in-place\n", good);
	tap_ok(load(text, &c, err, sizeof(err)) == 0 && !config_releases(&c),
	    "PUBLISH=in-place (%s)", err);
	config_free(&c);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "SOURCE=", 7);
	expect_error("line too long", text, ":1: line longer than");
	{
		struct config c2;

		memset(&c2, 0, sizeof(c2));
		tap_ok(config_load(&c2, "/nonexistent/sentry.conf", err, sizeof(err)) == -1 &&
		    strstr(err, "/nonexistent/sentry.conf: No such file") != NULL,
		    "missing file: \"%s\"", err);
	}

	/* Credentials: a name only with $CREDENTIALS_DIRECTORY, then its file. */
	unsetenv("CREDENTIALS_DIRECTORY");
	expect_error("relative SSH_KEYPATH, no credentials", "SSH_KEYPATH=id_ed25519\n",
	    ":1: SSH_KEYPATH must be an absolute path (a credential's name only when "
	    "$CREDENTIALS_DIRECTORY is set");
	expect_error("relative SECRET_FILE, no credentials", "SECRET_FILE=secret\n",
	    ":1: SECRET_FILE must be an absolute path");
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/sentry-source@7.service", 1);
	snprintf(text, sizeof(text), "%sSSH_PASSPHRASE_FILE=passphrase\nSECRET_FILE=secret\n",
	    "SOURCE=stash-develop\n"
	    "CLONE_URL=ssh://git@stash.example.com:7999/prj/repo.git\n"
	    "CLONE_PATH=/var/lib/sentry-source/repo\n"
	    "SSH_KEYPATH=id_ed25519\nKNOWN_HOSTS=/etc/sentry-source/known_hosts\n");
	tap_ok(load(text, &c, err, sizeof(err)) == 0, "credential names load (%s)", err);
	tap_ok(config_get(&c, CONFIG_SSH_KEYPATH) != NULL && strcmp(config_get(&c,
	    CONFIG_SSH_KEYPATH), "/run/credentials/sentry-source@7.service/id_ed25519") == 0,
	    "SSH_KEYPATH names the credential's file: %s", config_get(&c, CONFIG_SSH_KEYPATH));
	tap_ok(config_get(&c, CONFIG_SECRET_FILE) != NULL && strcmp(config_get(&c,
	    CONFIG_SECRET_FILE), "/run/credentials/sentry-source@7.service/secret") == 0,
	    "SECRET_FILE names the credential's file: %s", config_get(&c, CONFIG_SECRET_FILE));
	tap_ok(strcmp(config_get(&c, CONFIG_SSH_PASSPHRASE_FILE),
	    "/run/credentials/sentry-source@7.service/passphrase") == 0,
	    "SSH_PASSPHRASE_FILE too");
	tap_ok(strcmp(config_get(&c, CONFIG_KNOWN_HOSTS), "/etc/sentry-source/known_hosts") == 0,
	    "an absolute KNOWN_HOSTS stays as it is");
	config_free(&c);
	tap_ok(load("CLONE_URL=https://h/r.git\nCLONE_PATH=/srv/r\nHTTP_USER=deploy\n"
	    "HTTP_TOKEN_FILE=token\nCA_FILE=ca.pem\n", &c, err, sizeof(err)) == 0 &&
	    strcmp(config_get(&c, CONFIG_HTTP_TOKEN_FILE),
	    "/run/credentials/sentry-source@7.service/token") == 0 &&
	    strcmp(config_get(&c, CONFIG_CA_FILE),
	    "/run/credentials/sentry-source@7.service/ca.pem") == 0,
	    "HTTP_TOKEN_FILE and CA_FILE name credentials' files (%s)", err);
	config_free(&c);
	expect_error("credential name with a /", "SSH_KEYPATH=../id_ed25519\n",
	    ":1: SSH_KEYPATH must be an absolute path or a credential's name (no /)");
	expect_error("credential name ..", "KNOWN_HOSTS=..\n",
	    ":1: KNOWN_HOSTS must be an absolute path or a credential's name");
	expect_error("relative CLONE_PATH even with credentials", "CLONE_PATH=repo\n",
	    ":1: CLONE_PATH must be an absolute path");
	setenv("CREDENTIALS_DIRECTORY", "relative/dir", 1);
	expect_error("relative $CREDENTIALS_DIRECTORY", "SSH_KEYPATH=id_ed25519\n",
	    ":1: SSH_KEYPATH must be an absolute path (a credential's");
	unsetenv("CREDENTIALS_DIRECTORY");
	read_only_modes();
	unlink(path);
	return tap_done();
}
