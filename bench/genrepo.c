/*
 * genrepo: git fast-import streams for the benchmark's repositories.
 *
 * usage: genrepo commits files blob_bytes | git fast-import --quiet
 *        genrepo -t files commits | git fast-import --quiet
 *
 * The first form is the clone benchmark's history: branch refs/heads/develop
 * gets `commits` commits; commit i rewrites one of `files` files (spread
 * over 20 directories) with `blob_bytes` bytes of pseudo-random data, which
 * neither zlib nor delta compression can shrink, so the packed repository
 * is about commits * blob_bytes large.
 *
 * The second (-t) is a wide tree for the curve of cost against tree size:
 * `files` files written once each, in `commits` commits of about equal
 * size, as t<NN>/s<NN>/f<NNNNNN>.txt, 100 files to a directory and 100
 * directories to a top one, so that no directory is huge (git and the
 * checkout both pay for big directories, which is not what is measured).
 * Each file holds 64 to 4095 bytes of lines of words drawn from a small
 * vocabulary: text that zlib shrinks about as it shrinks source code, so
 * that the pack, the transfer and the checkout are all of a realistic size.
 *
 * Either stream is a pure function of the arguments: the same repository
 * every time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIRS		20
#define MAX_COMMITS	1000000
#define MAX_FILES	100000
#define MAX_TREE_FILES	1000000	/* t<NN>/: two digits */
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

static const char *const words[] = {
	"static", "int", "return", "if", "else", "for", "while", "struct",
	"const", "char", "void", "size_t", "unsigned", "long", "break", "case",
	"the", "a", "of", "to", "and", "in", "is", "that", "it", "on", "be",
	"buf", "len", "err", "out", "ctx", "node", "next", "prev", "key",
	"value", "name", "path", "count", "index", "entry", "list", "table",
	"0", "1", "NULL", "=", "==", "!=", "<", ">", "+", "-", "*", "(", ")",
	"{", "}", ";", ",", "->", "&&", "||",
};

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

/* One file of the -t tree: lines of 1 to 12 words, indented by tabs. */
static size_t
text(char *buf, size_t want)
{
	size_t n = 0, w, len;
	const char *word;

	while (n < want) {
		size_t tabs = next() % 4, line = 1 + next() % 12;

		while (tabs-- > 0 && n < want)
			buf[n++] = '\t';
		for (w = 0; w < line && n < want; w++) {
			word = words[next() % (sizeof(words) / sizeof(words[0]))];
			len = strlen(word);
			if (len > want - n)
				len = want - n;
			memcpy(buf + n, word, len);
			n += len;
			if (n < want)
				buf[n++] = w + 1 < line ? ' ' : '\n';
		}
	}
	return n;
}

static int
tree(long files, long commits)
{
	static char blob[4096];
	long c, i, from = 0, to;
	size_t n;

	for (c = 0; c < commits; c++) {
		to = files * (c + 1) / commits;
		printf("commit refs/heads/develop\n"
		    "committer Bench <bench@example.invalid> %ld +0000\n"
		    "data <<EOM\nbench: files %ld to %ld\nEOM\n",
		    1700000000L + c * 60, from, to - 1);
		for (i = from; i < to; i++) {
			n = text(blob, 64 + next() % (sizeof(blob) - 64));
			printf("M 100644 inline t%02ld/s%02ld/f%06ld.txt\n"
			    "data %zu\n", i / 10000, i / 100 % 100, i, n);
			if (fwrite(blob, 1, n, stdout) != n)
				return 74;
			printf("\n");
		}
		from = to;
	}
	printf("done\n");
	return fflush(stdout) == 0 ? 0 : 74;
}

int
main(int argc, char *argv[])
{
	static unsigned char blob[MAX_BLOB];
	long commits, files, size, i, k;
	uint64_t r;

	if (argc == 4 && strcmp(argv[1], "-t") == 0) {
		files = arg(argv[2], 1, MAX_TREE_FILES);
		commits = arg(argv[3], 1, files);
		printf("feature done\n");
		return tree(files, commits);
	}
	if (argc != 4) {
		fprintf(stderr, "usage: genrepo commits files blob_bytes\n"
		    "       genrepo -t files commits\n");
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
