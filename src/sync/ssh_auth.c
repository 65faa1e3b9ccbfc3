/* OpenSSL reads PEM and PKCS#8 key containers, which Nettle does not:
 * only to name a key's type (ssh_key_is_rsa). */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/base64.h>

#include "bounds.h"
#include "file.h"
#include "key_files.h"
#include "known_hosts.h"
#include "ssh_auth.h"

/*
 * Host and port from ssh://user@host[:port]/path or user@host:path (port
 * 22), as config.c already checked their shape. [v6] hosts are unwrapped.
 */
static int
ssh_url_host_port(const char *url, char *host, size_t hostlen, int *port)
{
	const char *h, *end;
	char *q;
	long p = 22;

	if (strncmp(url, "ssh://", 6) == 0) {
		h = strchr(url + 6, '@') + 1;
		end = h + strcspn(h, "/");
		if (*h == '[') {
			h++;
			if ((q = memchr(h, ']', end - h)) == NULL)
				return -1;
			if (q[1] == ':')
				p = strtol(q + 2, NULL, 10);
			end = q;
		} else if ((q = memchr(h, ':', end - h)) != NULL) {
			p = strtol(q + 1, NULL, 10);
			end = q;
		}
	} else {
		h = strchr(url, '@') + 1;
		end = strchr(h, ':');
	}
	if (end == h || (size_t)(end - h) >= hostlen || p <= 0 || p > 65535)
		return -1;
	memcpy(host, h, end - h);
	host[end - h] = '\0';
	*port = (int)p;
	return 0;
}

int
ssh_auth_load(struct ssh_auth *a, const struct config *c, char *err, size_t errlen)
{
	const char *kh = config_get(c, CONFIG_KNOWN_HOSTS);
	const char *pp = config_get(c, CONFIG_SSH_PASSPHRASE_FILE);
	size_t len;

	if (config_http(c)) {
		a->https = 1;
		/* Any ssh files given are checked too, but not read. */
		if (key_files_check(c, err, errlen) == -1)
			return -1;
		return http_auth_load(&a->http, c, err, errlen);
	}
	a->keypath = config_get(c, CONFIG_SSH_KEYPATH);
	if (ssh_url_host_port(config_get(c, CONFIG_CLONE_URL), a->host,
	    sizeof(a->host), &a->port) == -1) {
		snprintf(err, errlen, "%s:%u: CLONE_URL: no host and port in it",
		    c->path, c->v[CONFIG_CLONE_URL].line);
		return -1;
	}
	if (key_files_check(c, err, errlen) == -1)
		return -1;
	if ((a->known_hosts = file_read(kh, LIMIT_KNOWN_HOSTS_BYTES, &a->known_hosts_len)) == NULL) {
		snprintf(err, errlen, "KNOWN_HOSTS %s: %s", kh, file_strerror(errno));
		return -1;
	}
	if (pp != NULL) {
		if ((a->passphrase = file_read(pp, LIMIT_KEY_FILE_BYTES, &len)) == NULL) {
			snprintf(err, errlen, "SSH_PASSPHRASE_FILE %s: %s", pp,
			    file_strerror(errno));
			return -1;
		}
		/* The passphrase is the first line, as files usually end in one. */
		a->passphrase[strcspn(a->passphrase, "\r\n")] = '\0';
	}
	return 0;
}

int
ssh_auth_for_url(struct ssh_auth *to, const struct ssh_auth *from, const char *url)
{
	*to = *from;
	to->attempts = 0;
	to->failure = SSH_FAILURE_NONE;
	return ssh_url_host_port(url, to->host, sizeof(to->host), &to->port);
}

void
ssh_auth_free(struct ssh_auth *a)
{
	if (a->passphrase != NULL) {
		explicit_bzero(a->passphrase, strlen(a->passphrase));
		free(a->passphrase);
		a->passphrase = NULL;
	}
	free(a->known_hosts);
	a->known_hosts = NULL;
	http_auth_free(&a->http);
}

/* The passphrase for OpenSSL, which would otherwise prompt on a terminal. */
static int
pem_passphrase(char *buf, int size, int rwflag, void *u)
{
	const char *pp = u;
	size_t len;

	(void)rwflag;
	if (pp == NULL || (len = strlen(pp)) >= (size_t)size)
		return -1;
	memcpy(buf, pp, len);
	return (int)len;
}

/* A PEM private key of any container OpenSSL reads (PKCS#1, PKCS#8,
 * encrypted PKCS#8 with the passphrase): is it RSA? */
static int
pem_key_is_rsa(const char *text, size_t len, const char *passphrase)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio;
	int rsa = 0;

	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return 0;
	if (PEM_read_bio_PrivateKey(bio, &pkey, pem_passphrase, (void *)passphrase) != NULL)
		rsa = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA ||
		    EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA_PSS;
	EVP_PKEY_free(pkey);	/* clears the key's memory */
	BIO_free(bio);
	ERR_clear_error();
	return rsa;
}

/* "RSA" when the private key file holds an RSA key; libssh2 1.10 signs
 * those with ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse. */
int
ssh_key_is_rsa(const char *path, const char *passphrase)
{
	static const char begin[] = "BEGIN OPENSSH PRIVATE KEY-----";
	char *text, *b64, *end;
	struct base64_decode_ctx ctx;
	unsigned char *blob = NULL;
	size_t len, size = 0, i, j = 0, n;
	int rsa = 0;

	if ((text = file_read(path, LIMIT_KEY_FILE_BYTES, &len)) == NULL)
		return 0;
	if (strstr(text, "BEGIN RSA PRIVATE KEY") != NULL)
		rsa = 1;
	else if ((b64 = strstr(text, begin)) != NULL &&
	    (end = strstr(b64, "-----END")) != NULL) {
		b64 += sizeof(begin) - 1;
		for (i = 0; b64 + i < end; i++)	/* drop line breaks */
			if (b64[i] != '\n' && b64[i] != '\r')
				b64[j++] = b64[i];
		size = j / 4 * 3;
		if ((blob = malloc(size + 1)) != NULL) {
			n = size;
			base64_decode_init(&ctx);
			/* The public key, never encrypted, names its type. */
			rsa = base64_decode_update(&ctx, &n, blob, j - j % 4, b64) &&
			    memmem(blob, n, "\0\0\0\7ssh-rsa", 11) != NULL;
			explicit_bzero(blob, size);	/* may be a plain private key */
			free(blob);
		}
	} else if (strstr(text, "-----BEGIN ") != NULL)
		rsa = pem_key_is_rsa(text, len, passphrase);
	explicit_bzero(text, len);
	free(text);
	return rsa;
}

static int
credentials(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	struct ssh_auth *a = payload;

	(void)url;
	if (user == NULL || !(allowed & GIT_CREDENTIAL_SSH_KEY)) {
		git_error_set_str(GIT_ERROR_SSH, "the server offers no public key authentication");
		a->failure = SSH_FAILURE_AUTH;
		return GIT_EUSER;
	}
	/* libgit2 asks again after every refusal, for as long as we answer. */
	if (a->attempts++ >= LIMIT_AUTH_ATTEMPTS) {
		a->failure = SSH_FAILURE_AUTH;
		git_error_set_str(GIT_ERROR_SSH, ssh_key_is_rsa(a->keypath, a->passphrase) ?
		    "the server refused the key in SSH_KEYPATH: it is an RSA key, "
		    "which libssh2 signs with SHA-1 (ssh-rsa) and OpenSSH 8.8 and "
		    "later refuse; use an ed25519 or ECDSA key" :
		    "the server refused the key in SSH_KEYPATH (is its public key "
		    "in the server's authorized keys?)");
		return GIT_EUSER;
	}
	return git_credential_ssh_key_new(out, user, NULL, a->keypath, a->passphrase);
}

static void
fingerprint(const git_cert_hostkey *hk, char *buf, size_t len)
{
	char b64[BASE64_ENCODE_RAW_LENGTH(32) + 1];
	int n = BASE64_ENCODE_RAW_LENGTH(32);

	if (!(hk->type & GIT_CERT_SSH_SHA256) || len < 8) {
		snprintf(buf, len, "(no SHA256 fingerprint)");
		return;
	}
	base64_encode_raw(b64, 32, hk->hash_sha256);
	while (n > 0 && b64[n - 1] == '=')
		n--;	/* ssh prints it without padding */
	snprintf(buf, len, "SHA256:%.*s", n, b64);
}

static const char *
raw_type_name(git_cert_ssh_raw_type_t t)
{
	switch (t) {
	case GIT_CERT_SSH_RAW_TYPE_RSA: return "ssh-rsa";
	case GIT_CERT_SSH_RAW_TYPE_DSS: return "ssh-dss";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256: return "ecdsa-sha2-nistp256";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384: return "ecdsa-sha2-nistp384";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: return "ecdsa-sha2-nistp521";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: return "ssh-ed25519";
	default: return "unknown";
	}
}

static int
certificate_check(git_cert *cert, int valid, const char *libgit2_host, void *payload)
{
	struct ssh_auth *a = payload;
	const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
	char fp[80], msg[640];
	const char *type;
	enum known_host k;

	/* libgit2's own verdict comes from $HOME's known_hosts: not ours. */
	(void)valid;
	(void)libgit2_host;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2 || !(hk->type & GIT_CERT_SSH_RAW)) {
		a->failure = SSH_FAILURE_HOSTKEY;
		git_error_set_str(GIT_ERROR_SSH, "the server's host key was not available to check");
		return GIT_ECERTIFICATE;
	}
	k = known_hosts_check(a->known_hosts, a->known_hosts_len, a->host, a->port,
	    (const unsigned char *)hk->hostkey, hk->hostkey_len);
	if (k == KNOWN_HOST_MATCH)
		return 0;	/* any other non-negative value would accept too */
	a->failure = SSH_FAILURE_HOSTKEY;
	fingerprint(hk, fp, sizeof(fp));
	type = raw_type_name(hk->raw_type);
	switch (k) {
	case KNOWN_HOST_UNKNOWN:
		snprintf(msg, sizeof(msg), "%s host key %s of %s:%d is unknown: the host "
		    "is not in KNOWN_HOSTS", type, fp, a->host, a->port);
		break;
	case KNOWN_HOST_REVOKED:
		snprintf(msg, sizeof(msg), "%s host key %s of %s:%d is revoked in "
		    "KNOWN_HOSTS", type, fp, a->host, a->port);
		break;
	case KNOWN_HOST_OTHER_TYPES:
		/* Not a changed key: libssh2, not the file, picks the type. */
		snprintf(msg, sizeof(msg), "%s:%d offered a %s host key (%s), and "
		    "KNOWN_HOSTS has keys of other types only for it; list all of "
		    "the host's keys, as ssh-keyscan without -t does", a->host,
		    a->port, type, fp);
		break;
	default:
		snprintf(msg, sizeof(msg), "%s host key %s of %s:%d has CHANGED: it "
		    "differs from the %s key in KNOWN_HOSTS", type, fp, a->host,
		    a->port, type);
		break;
	}
	git_error_set_str(GIT_ERROR_SSH, msg);
	return GIT_ECERTIFICATE;
}

int
ssh_auth_connect(git_remote *remote, const git_remote_callbacks *cb)
{
	git_remote_connect_options opts;

	git_remote_connect_options_init(&opts, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
	opts.callbacks = *cb;
	opts.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
	return git_remote_connect_ext(remote, GIT_DIRECTION_FETCH, &opts);
}

void
ssh_auth_explain(struct ssh_auth *a)
{
	if (a->https)
		http_auth_explain(&a->http);
}

void
ssh_auth_callbacks(struct ssh_auth *a, git_remote_callbacks *cb)
{
	if (a->https) {
		http_auth_callbacks(&a->http, cb);
		return;
	}
	cb->credentials = credentials;
	cb->certificate_check = certificate_check;
	cb->payload = a;
}
