// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "traceable_cache.h"
#include "util.h"

#define CACHE_DIR    "/run/bpflp"
#define CACHE_FILE   "traceable"
#define MAGIC        "bpflp-traceable-1"
#define BOOT_ID      "/proc/sys/kernel/random/boot_id"
#define PROC_MODULES "/proc/modules"
#define CACHE_MAX    (16UL << 20) /* a list of 40 000 names is about 800 KiB */

static const char *cache_dir(void)
{
	const char *dir = getenv("BPFLP_CACHE_DIR");

	return dir && dir[0] == '/' ? dir : CACHE_DIR;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

int traceable_cache_key(char *key, size_t size)
{
	char boot[64] = "", line[512], name[256], state[32], addr[32];
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned long mod_size;
	int err = 0;
	FILE *f;

	f = fopen(BOOT_ID, "re");
	if (!f)
		return -errno;
	if (!fgets(boot, sizeof(boot), f))
		err = -EIO;
	fclose(f);
	boot[strcspn(boot, "\n")] = '\0';
	if (err || !boot[0])
		return err ?: -EIO;
	f = fopen(PROC_MODULES, "re");
	if (!f)
		return -errno;
	/* "name size refs users state address": refs and users change without the text changing. */
	while (!err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %lu %*s %*s %31s %31s", name, &mod_size, state, addr) != 4)
			err = -EIO;
		else if (strcmp(state, "Live"))
			err = -EAGAIN;
		h = fnv1a(fnv1a(fnv1a(h, name), state), addr) ^ mod_size;
	}
	fclose(f);
	if (err)
		return err;
	return try_snprintf(key, size, "%s-%016llx", boot, (unsigned long long)h) ? -ENAMETOOLONG : 0;
}

static int cache_path(char *path, size_t size)
{
	return try_snprintf(path, size, "%s/" CACHE_FILE, cache_dir()) ? -ENAMETOOLONG : 0;
}

/* The whole file at path in a new buffer, NUL-terminated; NULL and errno set on failure. */
static char *read_whole(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > CACHE_MAX) {
		errno = EINVAL;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n <= 0) {
			free(buf);
			buf = NULL;
			errno = n ? errno : EIO;
			goto out;
		}
		got += n;
	}
	buf[got] = '\0';
	*len = got;
out:
	close(fd);
	return buf;
}

/*
 * The file: "MAGIC KEY SOURCE\n", the names one a line, sorted, then
 * "end N\n" with their number, so a file cut short is not taken for a
 * shorter list.
 */
int traceable_cache_read(const char *key, char **buffer, char ***names, size_t *nr, char *source,
			 size_t source_size)
{
	char path[PATH_MAX], *buf, *line, *next, **list = NULL;
	size_t len, count = 0, alloc = 0;
	unsigned long long declared;
	int err = cache_path(path, sizeof(path));

	if (err)
		return err;
	buf = read_whole(path, &len);
	if (!buf)
		return -errno;
	err = -EINVAL;
	next = strchr(buf, '\n');
	if (!next || len == 0 || buf[len - 1] != '\n')
		goto bad;
	*next = '\0';
	line = buf;
	/* header */
	{
		size_t magic_len = strlen(MAGIC), key_len = strlen(key);

		if (strncmp(line, MAGIC " ", magic_len + 1) ||
		    strncmp(line + magic_len + 1, key, key_len) ||
		    line[magic_len + 1 + key_len] != ' ')
			goto bad;
		if (try_snprintf(source, source_size, "%s", line + magic_len + key_len + 2))
			goto bad;
	}
	for (line = next + 1; line < buf + len; line = next + 1) {
		next = strchr(line, '\n');
		*next = '\0';
		if (!strncmp(line, "end ", 4)) {
			if (sscanf(line + 4, "%llu", &declared) != 1 || declared != count ||
			    next != buf + len - 1 || !count)
				goto bad;
			*buffer = buf;
			*names = list;
			*nr = count;
			return 0;
		}
		if (count == alloc) {
			char **grown;

			alloc = alloc ? 2 * alloc : 4096;
			grown = realloc(list, alloc * sizeof(*list));
			if (!grown) {
				err = -ENOMEM;
				goto bad;
			}
			list = grown;
		}
		list[count++] = line;
	}
bad:
	free(list);
	free(buf);
	return err;
}

int traceable_cache_write(const char *key, const char *source, char *const *names, size_t nr)
{
	char path[PATH_MAX], *text = NULL;
	size_t size = 0;
	int err = cache_path(path, sizeof(path));
	FILE *f;

	if (err)
		return err;
	if (mkdir(cache_dir(), 0700) && errno != EEXIST)
		return -errno;
	f = open_memstream(&text, &size);
	if (!f)
		return -errno;
	fprintf(f, MAGIC " %s %s\n", key, source);
	for (size_t i = 0; i < nr; i++)
		fprintf(f, "%s\n", names[i]);
	fprintf(f, "end %zu\n", nr);
	err = ferror(f) ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	if (!err)
		err = write_file_atomic(path, text, size);
	free(text);
	return err;
}
