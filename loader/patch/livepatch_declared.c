// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "bpf_elf.h"
#include "bpf_rodata.h"
#include "livepatch_declared.h"
#include "livepatch_module.h"
#include "output.h"
#include "patch_object.h"
#include "util.h"

#define DECLARED_VAR "bpflp_livepatch"

/*
 * The bytes of obj_path if it is a regular file of a patch object's size,
 * else NULL: patch_object_open says what is wrong with anything else. Read
 * from a descriptor opened without blocking and checked, so a FIFO or a
 * device given (or swapped in) as the object never blocks bpflp here.
 */
static void *read_candidate(const char *obj_path, size_t *size)
{
	int fd = open(obj_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	void *buf = NULL;
	struct stat st;
	ssize_t n = -1;

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size <= PATCH_OBJECT_MAX_SIZE && (buf = malloc(st.st_size)))
		n = read(fd, buf, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return NULL;
	}
	*size = st.st_size;
	return buf;
}

/*
 * What libbpf refuses at open, that libelf alone would read: patch_object_open
 * must report it first (a missing -g is not a missing module).
 */
static bool libbpf_would_open(const struct bpf_elf *elf)
{
	GElf_Ehdr ehdr;

	return elf->btf && gelf_getehdr(elf->elf, &ehdr) && ehdr.e_type == ET_REL &&
	       (ehdr.e_machine == EM_BPF || ehdr.e_machine == EM_NONE);
}

/*
 * The name the object declares: 1 and name, 0 for none, negative errno if
 * unreadable. Read from the ELF, not from a libbpf open: that parses and
 * relocates every program, and took a fifth of a 1000-function apply.
 * bpf_rodata's rules: searched in its sections, a name declared twice is
 * none.
 */
static int declared_name(const char *obj_path, char *name, size_t size)
{
	const char *value = NULL, *in_sec;
	struct bpf_elf elf;
	size_t image_size;
	int found = 0, seen = 0;
	void *image;

	image = read_candidate(obj_path, &image_size);
	if (!image)
		return 0;
	if (bpf_elf_open(&elf, image, image_size)) {
		free(image);
		return 0; /* patch_object_open reports what is wrong with the object */
	}
	if (!libbpf_would_open(&elf)) {
		bpf_elf_close(&elf);
		free(image);
		return 0; /* and here too: no BTF (built without -g), or not a BPF object */
	}
	for (size_t i = 0; i < BPF_RODATA_NR_SECTIONS; i++) {
		in_sec = bpf_elf_data_var(&elf, bpf_rodata_sections[i], DECLARED_VAR,
					  BPFLP_LIVEPATCH_NAME_MAX, &seen);
		value = value ?: in_sec;
	}
	if (seen == 1 && value && value[0] && memchr(value, '\0', BPFLP_LIVEPATCH_NAME_MAX))
		found = try_snprintf(name, size, "%s", value) ? -ENAMETOOLONG : 1;
	bpf_elf_close(&elf);
	free(image);
	return found;
}

static bool module_name_valid(const char *name)
{
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return name[0] != '\0';
}

int livepatch_module_for(const char *obj_path, const char **module, char *ko_path, size_t size)
{
	char name[LP_MODULE_NAME_MAX], real[PATH_MAX];
	const char *given;
	int found;

	found = declared_name(obj_path, name, sizeof(name));
	if (found <= 0)
		return found;
	if (!module_name_valid(name)) {
		p_err("%s declares livepatch module '%s': a module name is [a-z0-9_]; fix BPFLP_LIVEPATCH in the patch",
		      obj_path, name);
		return -EINVAL;
	}
	if (*module) {
		given = strrchr(*module, '/') ? strrchr(*module, '/') + 1 : *module;
		if (strncmp(given, name, strlen(name)) || strcmp(given + strlen(name), ".ko")) {
			p_err("%s declares livepatch module %s, but --module gives %s: drop --module or give %s.ko",
			      obj_path, name, *module, name);
			return -EINVAL;
		}
		return 0;
	}
	if (!realpath(obj_path, real))
		return 0; /* patch_object_open reports it */
	if (try_snprintf(ko_path, size, "%s/%s.ko", dirname(real), name)) {
		p_err("%s declares livepatch module %s: the path of %s.ko beside it is too long",
		      obj_path, name, name);
		return -ENAMETOOLONG;
	}
	*module = ko_path;
	return 0;
}
