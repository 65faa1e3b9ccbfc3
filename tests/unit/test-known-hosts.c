/*
 * known_hosts matching on lines in OpenSSH's own formats: the hashed line
 * below was written by ssh-keygen -H, not by us.
 */
#include <string.h>

#include <nettle/base64.h>

#include "known_hosts.h"
#include "tap.h"

#define ED25519	"AAAAC3NzaC1lZDI1NTE5AAAAILJjath80ZqZA7xE1IOGvoXfNFeW7jzvY5zd8ZxPjX+I"
#define HASHED	"|1|UyPVXCUdaujV8/fu+BbyycousgI=|ExJBeT2tqZuq5bjv7GDBjKq44h8="
/* Any other well-formed base64 blobs serve as the other keys. */
#define RSA	"AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7"
#define OTHER	"AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static unsigned char key[128];
static size_t keylen;

static enum known_host
check(const char *text, const char *host, int port)
{
	return known_hosts_check(text, strlen(text), host, port, key, keylen);
}

int
main(void)
{
	struct base64_decode_ctx ctx;

	base64_decode_init(&ctx);
	keylen = sizeof(key);
	tap_ok(base64_decode_update(&ctx, &keylen, key, strlen(ED25519), ED25519) &&
	    base64_decode_final(&ctx) && keylen == 51,
	    "the ed25519 key decodes to 51 bytes (no padding)");
	tap_ok(check("[127.0.0.1]:2222 ssh-rsa " RSA "\n"
	    "[127.0.0.1]:2222 ssh-ed25519 " ED25519 "\n", "127.0.0.1", 2222) ==
	    KNOWN_HOST_MATCH, "ssh-rsa first, as ssh-keyscan writes: the ed25519 key matches");
	tap_ok(check("[127.0.0.1]:2222 ssh-ed25519 " ED25519 "\r\n", "127.0.0.1", 2222) ==
	    KNOWN_HOST_MATCH, "CRLF line end");
	tap_ok(check("[127.0.0.1]:2222 ssh-ed25519 " OTHER "\n", "127.0.0.1", 2222) ==
	    KNOWN_HOST_CHANGED, "another key for the host: changed");
	tap_ok(check("[127.0.0.1]:2222 ssh-ed25519 " ED25519 "\n", "127.0.0.1", 22) ==
	    KNOWN_HOST_UNKNOWN, "[host]:2222 does not name port 22");
	tap_ok(check("127.0.0.1 ssh-ed25519 " ED25519 "\n", "127.0.0.1", 2222) ==
	    KNOWN_HOST_UNKNOWN, "a bare host does not name port 2222");
	tap_ok(check("127.0.0.1 ssh-ed25519 " ED25519 "\n", "127.0.0.1", 22) ==
	    KNOWN_HOST_MATCH, "a bare host names port 22");
	tap_ok(check(HASHED " ssh-ed25519 " ED25519 "\n", "127.0.0.1", 2222) ==
	    KNOWN_HOST_MATCH, "hashed host name from ssh-keygen -H");
	tap_ok(check(HASHED " ssh-ed25519 " ED25519 "\n", "127.0.0.2", 2222) ==
	    KNOWN_HOST_UNKNOWN, "hashed name of another host");
	tap_ok(check("git.example.com,10.0.0.1 ssh-ed25519 " ED25519 "\n",
	    "10.0.0.1", 22) == KNOWN_HOST_MATCH, "comma-separated names");
	tap_ok(check("*.example.com ssh-ed25519 " ED25519 "\n", "git.example.com", 22) ==
	    KNOWN_HOST_MATCH, "wildcard");
	tap_ok(check("Git.Example.COM ssh-ed25519 " ED25519 "\n", "GIT.example.com", 22) ==
	    KNOWN_HOST_MATCH, "host names compare case-insensitively");
	tap_ok(check("!bad.example.com,*.example.com ssh-ed25519 " ED25519 "\n",
	    "bad.example.com", 22) == KNOWN_HOST_UNKNOWN, "negated name");
	tap_ok(check("# git.example.com ssh-ed25519 " ED25519 "\n\n", "git.example.com", 22) ==
	    KNOWN_HOST_UNKNOWN, "comment lines");
	tap_ok(check("@revoked git.example.com ssh-ed25519 " ED25519 "\n"
	    "git.example.com ssh-ed25519 " ED25519 "\n", "git.example.com", 22) ==
	    KNOWN_HOST_REVOKED, "@revoked wins over a matching line");
	tap_ok(check("@cert-authority *.example.com ssh-ed25519 " ED25519 "\n",
	    "git.example.com", 22) == KNOWN_HOST_UNKNOWN, "@cert-authority is not trusted");
	tap_ok(check("git.example.com ssh-ed25519 !!notbase64!!\n"
	    "git.example.com ssh-ed25519\n" "git.example.com\n",
	    "git.example.com", 22) == KNOWN_HOST_UNKNOWN, "broken lines match nothing");
	/* The decoder is strict, as OpenSSH's is; Nettle's own skips spaces. */
	tap_ok(check("git.example.com ssh-ed25519 " ED25519 "AA==\n", "git.example.com", 22) ==
	    KNOWN_HOST_CHANGED, "a key with two bytes more is another key");
	tap_ok(check("git.example.com ssh-ed25519 A=A=" ED25519 "\n"
	    "git.example.com ssh-ed25519 " ED25519 "A=A=\n"
	    "git.example.com ssh-ed25519 " ED25519 "\vAAA\n", "git.example.com", 22) ==
	    KNOWN_HOST_UNKNOWN, "padding inside, or a control byte in the base64: no key");
	tap_ok(check("|1|UyPVXCUdaujV8/fu+BbyycousgI=|FxJBeT2tqZuq5bjv7GDBjKq44h8= "
	    "ssh-ed25519 " ED25519 "\n", "127.0.0.1", 2222) == KNOWN_HOST_UNKNOWN,
	    "hashed name with its first byte changed: no match");
	tap_ok(check("|1|UyPVXCUdaujV8/fu+BbyycousgI=|ExJBeT2tqZuq5bjv7GDBjKq44h9= "
	    "ssh-ed25519 " ED25519 "\n", "127.0.0.1", 2222) == KNOWN_HOST_UNKNOWN,
	    "base64 with non-zero spare bits is refused, as OpenSSH's decoder does");
	tap_ok(check("", "git.example.com", 22) == KNOWN_HOST_UNKNOWN, "empty file");
	tap_ok(check("[127.0.0.1]:2222 ssh-rsa " RSA "\n", "127.0.0.1", 2222) ==
	    KNOWN_HOST_OTHER_TYPES, "only keys of another type: not called a changed key");
	tap_ok(check("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b ssh-ed25519 " ED25519 "\n",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    22) == KNOWN_HOST_UNKNOWN, "a backtracking pattern ends at once");
	{
		static char stars[200000 + 128];

		memset(stars, '*', 200000);
		strcpy(stars + 200000, " ssh-ed25519 " ED25519 "\n");
		tap_ok(check(stars, "git.example.com", 22) == KNOWN_HOST_MATCH,
		    "200000 stars: no deep recursion");
	}
	return tap_done();
}
