/*
 * The deployments are the files a request could pick: DIR/NAME.conf,
 * NAME as config_dir_name takes it, a regular file in DIR itself. Each
 * is read as --status reads one: CLONE_PATH only, no secret, and a
 * credential's name as it is. Sorted by name, so that two runs compare.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_dir.h"
#include "exitcode.h"
#include "log.h"
#include "status_dir.h"
#include "status_print.h"

typedef char deployment_name[LIMIT_DEPLOYMENT_NAME + 1];

static int
by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A file's name as a deployment's: 0 with it in name, 1 when it is not
 * a NAME.conf at all, -1 when it is one a request could not pick. */
static int
deployment_of(const char *file, deployment_name name)
{
	char path[LIMIT_DEPLOYMENT_NAME + 2];
	size_t n = strlen(file), suffix = strlen(CONFIG_DIR_SUFFIX);

	if (n <= suffix || strcmp(file + n - suffix, CONFIG_DIR_SUFFIX) != 0 || file[0] == '.')
		return 1;
	if (n - suffix > LIMIT_DEPLOYMENT_NAME)
		return -1;
	snprintf(path, sizeof(path), "/%.*s", (int)(n - suffix), file);
	return config_dir_name(path, name, sizeof(deployment_name)) == 0 ? 0 : -1;
}

/* DIR's deployments, sorted, in *names: their number, or -1 when logged. */
static ssize_t
list(int dirfd, const char *dir, deployment_name **names)
{
	deployment_name name, *more;
	struct dirent *e;
	struct stat st;
	size_t n = 0, cap = 0;
	DIR *d;
	int fd;

	*names = NULL;
	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		log_err("--config-dir %s: %m", dir);
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		switch (deployment_of(e->d_name, name)) {
		case 1:
			continue;
		case -1:
			log_warning("--config-dir %s: %s: not a deployment's name (1 to %d "
			    "letters, digits, _ and -); not used", dir, e->d_name,
			    LIMIT_DEPLOYMENT_NAME);
			continue;
		}
		/* As serve_dir: a link or a FIFO is no deployment of DIR's. */
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode)) {
			log_warning("--config-dir %s: %s: not a regular file; not used", dir,
			    e->d_name);
			continue;
		}
		if (n == LIMIT_STATUS_DEPLOYMENTS) {
			log_err("--config-dir %s: more than %d deployments", dir,
			    LIMIT_STATUS_DEPLOYMENTS);
			goto fail;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((more = reallocarray(*names, cap, sizeof(**names))) == NULL) {
				log_err("out of memory");
				goto fail;
			}
			*names = more;
		}
		memcpy((*names)[n++], name, sizeof(name));
	}
	closedir(d);
	if (n > 0)
		qsort(*names, n, sizeof(**names), by_name);
	return (ssize_t)n;
fail:
	closedir(d);
	free(*names);
	*names = NULL;
	return -1;
}

/* One deployment's line, and its exit status. */
static int
one(int dirfd, const char *dir, const char *name, int json)
{
	struct config config = CONFIG_INIT;
	char file[LIMIT_DEPLOYMENT_NAME + sizeof(CONFIG_DIR_SUFFIX)], path[PATH_MAX];
	char err[1024];
	int rc;

	snprintf(file, sizeof(file), "%s%s", name, CONFIG_DIR_SUFFIX);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
		return status_print_named(NULL, name, EXIT_CONFIG, "too long a path", json);
	config.keep_credential_names = 1;
	if (config_load_at(&config, dirfd, file, O_NOFOLLOW, path, err, sizeof(err)) == -1)
		rc = status_print_named(NULL, name, EXIT_CONFIG, err, json);
	else
		rc = status_print_named(&config, name, EXIT_OK, NULL, json);
	config_free(&config);
	return rc;
}

int
status_dir(const char *dir, int json)
{
	deployment_name *names;
	ssize_t n, i;
	int dirfd, rc, worst = EXIT_OK;

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("--config-dir %s: %m", dir);
		return EXIT_CONFIG;
	}
	if ((n = list(dirfd, dir, &names)) == -1) {
		close(dirfd);
		return EXIT_CONFIG;
	}
	if (n == 0) {
		log_warning("--config-dir %s: no deployment (NAME.conf) in it", dir);
		worst = EXIT_NO_STATUS;
	}
	for (i = 0; i < n; i++)
		if ((rc = one(dirfd, dir, names[i], json)) > worst)
			worst = rc;
	free(names);
	close(dirfd);
	return fflush(stdout) == EOF ? EXIT_INTERNAL : worst;
}
