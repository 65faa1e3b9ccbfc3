/*
 * genrepo: a git fast-import stream for the clone benchmark.
 *
 * usage: genrepo commits files blob_bytes | git fast-import --quiet
 *
 * Branch refs/heads/develop gets `commits` commits; commit i rewrites one of
 * `files` files (spread over 20 directories) with `blob_bytes` bytes of
 * pseudo-random data, which neither zlib nor delta compression can shrink,
 * so the packed repository is about commits * blob_bytes large. The stream
 * is a pure function of the arguments: the same repository every time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DIRS		20
#define MAX_COMMITS	1000000
#define MAX_FILES	100000
#define MAX_BLOB	(1024 * 1024)

static uint64_t state = 0x9e3779b97f4a7c15u;

/* xorshift64*: fast, and plenty random for a compressor. */
static uint64_t
next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1du;
}

static long
arg(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "genrepo: %s: want %ld..%ld\n", s, lo, hi);
		exit(64);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	static unsigned char blob[MAX_BLOB];
	long commits, files, size, i, k;
	uint64_t r;

	if (argc != 4) {
		fprintf(stderr, "usage: genrepo commits files blob_bytes\n");
		return 64;
	}
	commits = arg(argv[1], 1, MAX_COMMITS);
	files = arg(argv[2], 1, MAX_FILES);
	size = arg(argv[3], 8, MAX_BLOB);
	printf("feature done\n");
	for (i = 0; i < commits; i++) {
		for (k = 0; k < size; k += 8) {
			r = next();
			for (int b = 0; b < 8 && k + b < size; b++)
				blob[k + b] = (unsigned char)(r >> (8 * b));
		}
		printf("commit refs/heads/develop\n"
		    "committer Bench <bench@example.invalid> %ld +0000\n"
		    "data <<EOM\nbench: commit %ld\nEOM\n"
		    "M 100644 inline d%02ld/f%05ld.bin\n"
		    "data %ld\n",
		    1700000000L + i * 60, i + 1, (i % files) % DIRS, i % files, size);
		if (fwrite(blob, 1, size, stdout) != (size_t)size)
			return 74;
		printf("\n");
	}
	printf("done\n");
	return fflush(stdout) == 0 ? 0 : 74;
}
