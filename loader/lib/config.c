// SPDX-License-Identifier: GPL-2.0
/* bpflp.conf: the signature policy (config.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "output.h"
#include "util.h"

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* yes/no: 1, 0, or -1 for anything else. */
static int parse_bool(const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		return 0;
	return -1;
}

/* A policy anyone but root can rewrite is no policy. */
static int check_owner(const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st)) {
		int err = -errno;

		p_err("cannot stat %s: %s", path, strerror(-err));
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		p_err("%s is not a regular file: make it one, or point BPFLP_CONF at one", path);
		return -EINVAL;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		p_err("%s is owned by uid %u with mode %04o: bpflp trusts a policy only root can change (chown root %s; chmod go-w %s)",
		      path, st.st_uid, st.st_mode & 07777, path, path);
		return -EPERM;
	}
	return 0;
}

static int parse_line(struct bpflp_config *cfg, char *line, unsigned int lineno)
{
	char *eq, *key, *value;
	int b;

	line[strcspn(line, "#\n")] = '\0';
	key = trim(line);
	if (!*key)
		return 0;
	eq = strchr(key, '=');
	if (!eq) {
		p_err("%s:%u: '%s' is not 'key = value': fix the line (keys: require_signature, trusted_certs)",
		      cfg->path, lineno, key);
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(key);
	value = trim(eq + 1);
	if (!strcmp(key, "require_signature")) {
		b = parse_bool(value);
		if (b < 0) {
			p_err("%s:%u: require_signature is '%s': say yes or no", cfg->path, lineno,
			      value);
			return -EINVAL;
		}
		cfg->require_signature = b;
		return 0;
	}
	if (!strcmp(key, "trusted_certs")) {
		if (value[0] != '/') {
			p_err("%s:%u: trusted_certs is '%s': give an absolute path (a directory of PEM certificates, or a bundle file)",
			      cfg->path, lineno, value);
			return -EINVAL;
		}
		if (try_snprintf(cfg->trusted_certs, sizeof(cfg->trusted_certs), "%s", value)) {
			p_err("%s:%u: trusted_certs is too long", cfg->path, lineno);
			return -ENAMETOOLONG;
		}
		return 0;
	}
	p_err("%s:%u: unknown key '%s': bpflp knows require_signature and trusted_certs", cfg->path,
	      lineno, key);
	return -EINVAL;
}

int config_load(struct bpflp_config *cfg)
{
	const char *env = getenv("BPFLP_CONF");
	char line[PATH_MAX + 64];
	unsigned int lineno = 0;
	int fd, err = 0;
	FILE *f;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->trusted_certs, sizeof(cfg->trusted_certs), "%s", DEFAULT_TRUSTED_CERTS);
	if (env && !*env)
		env = NULL;
	if (try_snprintf(cfg->path, sizeof(cfg->path), "%s", env ?: DEFAULT_CONFIG_FILE)) {
		p_err("BPFLP_CONF is too long");
		return -ENAMETOOLONG;
	}
	fd = open(cfg->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT && !env)
			return 0;
		p_err("cannot read the bpflp config %s%s: %s", cfg->path,
		      env ? " (BPFLP_CONF)" : "", strerror(-err));
		return err;
	}
	err = check_owner(cfg->path, fd);
	if (err) {
		close(fd);
		return err;
	}
	f = fdopen(fd, "r");
	if (!f) {
		err = -errno;
		close(fd);
		p_err("cannot read %s: %s", cfg->path, strerror(-err));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			p_err("%s:%u: line too long", cfg->path, lineno);
			err = -EINVAL;
			break;
		}
		err = parse_line(cfg, line, lineno);
	}
	if (!err && ferror(f)) {
		err = -EIO;
		p_err("cannot read %s: %s", cfg->path, strerror(EIO));
	}
	fclose(f);
	cfg->present = !err;
	return err;
}
