// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <stdio.h>
#include "btf_layout.h"
#include "declared.h"
#include "declared_print.h"
#include "output.h"
#include "shadow.h"

/* The live shadow's entries: -1 when it cannot be read (removed by hand). */
static long long shadow_entries(const struct declared_shadow *s, char *pin, size_t size)
{
	__u64 count;

	snprintf(pin, size, "%s/%s", SHADOW_DIR, s->name);
	return shadow_count_entries(pin, &count) ? -1 : (long long)count;
}

void declared_print_json(const char *dir)
{
	struct patch_declared decl;
	char pin[PATH_MAX];

	/* An unreadable record shows as none: list must not fail on one patch. */
	if (declared_read(dir, &decl))
		decl.nr_states = decl.nr_shadows = 0;
	jsonw_name(json_wtr, "states");
	jsonw_start_array(json_wtr);
	for (__u32 i = 0; i < decl.nr_states; i++) {
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "id", decl.states[i].id);
		jsonw_uint_field(json_wtr, "version", decl.states[i].version);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "shadows");
	jsonw_start_array(json_wtr);
	for (__u32 i = 0; i < decl.nr_shadows; i++) {
		const struct declared_shadow *s = &decl.shadows[i];
		long long entries = shadow_entries(s, pin, sizeof(pin));

		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "name", s->name);
		jsonw_string_field(json_wtr, "layout", s->layout);
		jsonw_uint_field(json_wtr, "value_size", s->value_size);
		jsonw_uint_field(json_wtr, "max_entries", s->max_entries);
		jsonw_uint_or_null_field(json_wtr, "entries", entries, entries >= 0);
		jsonw_string_field(json_wtr, "pin", pin);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
}

void declared_print_plain(const char *dir)
{
	struct patch_declared decl;
	char pin[PATH_MAX];

	if (declared_read(dir, &decl))
		return;
	for (__u32 i = 0; i < decl.nr_states; i++)
		printf("%s%u@%u%s", i ? ", " : "  states: ", decl.states[i].id,
		       decl.states[i].version, i + 1 == decl.nr_states ? "\n" : "");
	for (__u32 i = 0; i < decl.nr_shadows; i++) {
		const struct declared_shadow *s = &decl.shadows[i];
		long long entries = shadow_entries(s, pin, sizeof(pin));

		printf("  shadow %s: %s, ", s->name, s->layout);
		if (entries >= 0)
			printf("%lld of %u entries, %s\n", entries, s->max_entries, pin);
		else
			printf("cannot read %s\n", pin);
	}
}

/* The layout of a kept shadow, from the BTF the kernel keeps with its map. */
static void kept_layout(const char *pin, char *buf, size_t size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct btf *btf = NULL;
	int fd = bpf_obj_get(pin);

	snprintf(buf, size, "?");
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.btf_id)
		btf = btf__load_from_kernel_by_id(info.btf_id);
	if (btf)
		btf_layout_str(btf, info.btf_value_type_id, buf, size);
	btf__free(btf);
	if (fd >= 0)
		close(fd);
}

/* Calls print(name, pin, layout, entries) for each kept shadow. */
static void for_each_kept(void (*print)(const char *, const char *, const char *, long long))
{
	char pin[PATH_MAX], layout[SHADOW_LAYOUT_MAX];
	struct dirent *de;
	DIR *d = opendir(SHADOW_KEPT_DIR);
	__u64 count;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(pin, sizeof(pin), "%s/%s", SHADOW_KEPT_DIR, de->d_name);
		kept_layout(pin, layout, sizeof(layout));
		print(de->d_name, pin, layout,
		      shadow_count_entries(pin, &count) ? -1 : (long long)count);
	}
	closedir(d);
}

static void kept_json(const char *name, const char *pin, const char *layout, long long entries)
{
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", name);
	jsonw_string_field(json_wtr, "layout", layout);
	jsonw_uint_or_null_field(json_wtr, "entries", entries, entries >= 0);
	jsonw_string_field(json_wtr, "pin", pin);
	jsonw_end_object(json_wtr);
}

static void kept_plain(const char *name, const char *pin, const char *layout, long long entries)
{
	printf("kept shadow %s: %s, %lld entries, %s (a patch declaring it takes it back; rm frees it)\n",
	       name, layout, entries, pin);
}

void kept_shadows_print_json(void)
{
	jsonw_name(json_wtr, "kept_shadows");
	jsonw_start_array(json_wtr);
	for_each_kept(kept_json);
	jsonw_end_array(json_wtr);
}

void kept_shadows_print_plain(void)
{
	for_each_kept(kept_plain);
}
