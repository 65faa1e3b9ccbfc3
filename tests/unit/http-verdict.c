/*
 * http-verdict: the front's request reader on standard input, as serve.c
 * runs it, for tests/integration-llhttp.sh. Prints the reader's status
 * (0: accepted, -1: nothing read) and, when accepted, the body's bytes in
 * hex, on one line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "http.h"

int
main(void)
{
	struct http_request *r;
	struct http_conn c;
	size_t i;
	int status;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return 1;
	http_conn_start(&c, 0, -1, 5);
	status = http_read_head(&c, r);
	if (status == 0 && r->has_length)
		status = http_read_body(&c, r);
	printf("%d", status);
	if (status == 0) {
		putchar(' ');
		for (i = 0; i < r->body_len; i++)
			printf("%02x", (unsigned char)r->body[i]);
	}
	putchar('\n');
	http_request_free(r);
	free(r);
	return 0;
}
