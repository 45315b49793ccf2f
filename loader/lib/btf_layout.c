// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "btf_layout.h"

/* Typedefs and qualifiers do not change a layout: look through them. */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_restrict(t) || btf_is_type_tag(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

/* A short C name of type id: "__u64", "struct rl", "char[16]", "void *". */
static void type_name(const struct btf *btf, __u32 id, char *buf, size_t size)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name;

	if (!t || !id) {
		snprintf(buf, size, "void");
		return;
	}
	name = btf__name_by_offset(btf, t->name_off);
	if (btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t) || btf_is_type_tag(t)) {
		type_name(btf, t->type, buf, size);
	} else if (btf_is_ptr(t)) {
		char target[64];

		type_name(btf, t->type, target, sizeof(target));
		snprintf(buf, size, "%s *", target);
	} else if (btf_is_array(t)) {
		char elem[64];

		type_name(btf, btf_array(t)->type, elem, sizeof(elem));
		snprintf(buf, size, "%s[%u]", elem, btf_array(t)->nelems);
	} else if (btf_is_struct(t) || btf_is_union(t) || btf_is_enum(t) || btf_is_enum64(t)) {
		snprintf(buf, size, "%s %s",
			 btf_is_struct(t) ? "struct" :
			 btf_is_union(t)  ? "union" :
					    "enum",
			 name && *name ? name : "(anon)");
	} else {
		snprintf(buf, size, "%s", name && *name ? name : "?");
	}
}

static void describe(const struct btf *btf, __u32 id, __u32 bit_off, char *buf, size_t size)
{
	char name[64];

	type_name(btf, id, name, sizeof(name));
	snprintf(buf, size, "%s at offset %u (%lld bytes)", name, bit_off / 8,
		 (long long)btf__resolve_size(btf, id));
}

static int differ(struct layout_diff *d, const char *path, const struct btf *old, __u32 old_id,
		  __u32 old_off, const struct btf *new, __u32 new_id, __u32 new_off)
{
	snprintf(d->field, sizeof(d->field), "%s", path);
	if (old)
		describe(old, old_id, old_off, d->was, sizeof(d->was));
	else
		snprintf(d->was, sizeof(d->was), "no such field");
	if (new)
		describe(new, new_id, new_off, d->now, sizeof(d->now));
	else
		snprintf(d->now, sizeof(d->now), "no such field");
	return 1;
}

static int diff_at(const struct btf *ob, __u32 oid, __u32 ooff, const struct btf *nb, __u32 nid,
		   __u32 noff, const char *path, struct layout_diff *d, int depth)
{
	/* Differences are described with the types as declared (__u64, not unsigned long long). */
	__u32 oid_named = oid, nid_named = nid;
	const struct btf_type *o = skip_mods(ob, oid, &oid), *n = skip_mods(nb, nid, &nid);
	char sub[sizeof(d->field)];

	bool same_size;

	if (!o || !n || depth > 16 || btf_kind(o) != btf_kind(n) || ooff != noff)
		return differ(d, path, ob, oid_named, ooff, nb, nid_named, noff);
	same_size = btf__resolve_size(ob, oid) == btf__resolve_size(nb, nid);
	/* A struct's size changes with a field: the field is the better answer, so it is looked for first. */
	if ((!same_size && !btf_is_composite(o)) ||
	    (btf_is_int(o) &&
	     (btf_int_encoding(o) != btf_int_encoding(n) || btf_int_bits(o) != btf_int_bits(n))) ||
	    (btf_is_array(o) && btf_array(o)->nelems != btf_array(n)->nelems))
		return differ(d, path, ob, oid_named, ooff, nb, nid_named, noff);
	if (btf_is_array(o)) {
		snprintf(sub, sizeof(sub), "%s[]", path);
		return diff_at(ob, btf_array(o)->type, ooff, nb, btf_array(n)->type, noff, sub, d,
			       depth + 1);
	}
	if (!btf_is_composite(o))
		return 0; /* pointers, enums, floats: same kind and size is the same layout */
	for (int i = 0; i < btf_vlen(o) || i < btf_vlen(n); i++) {
		const struct btf_member *om = i < btf_vlen(o) ? btf_members(o) + i : NULL;
		const struct btf_member *nm = i < btf_vlen(n) ? btf_members(n) + i : NULL;
		const char *oname = om ? btf__name_by_offset(ob, om->name_off) : NULL;
		const char *nname = nm ? btf__name_by_offset(nb, nm->name_off) : NULL;

		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
			 (oname && *oname) ? oname :
			 (nname && *nname) ? nname :
					     "(anon)");
		if (!om || !nm || strcmp(oname, nname) ||
		    btf_member_bitfield_size(o, i) != btf_member_bitfield_size(n, i)) {
			differ(d, sub, om ? ob : NULL, om ? om->type : 0,
			       om ? ooff + btf_member_bit_offset(o, i) : 0, nm ? nb : NULL,
			       nm ? nm->type : 0, nm ? noff + btf_member_bit_offset(n, i) : 0);
			/* Renamed: say what the new layout calls it. */
			if (om && nm && strcmp(oname, nname)) {
				char now[sizeof(d->now)];

				snprintf(now, sizeof(now), "%s", d->now);
				snprintf(d->now, sizeof(d->now), "field '%.32s', %.80s", nname, now);
			}
			return 1;
		}
		if (diff_at(ob, om->type, ooff + btf_member_bit_offset(o, i), nb, nm->type,
			    noff + btf_member_bit_offset(n, i), sub, d, depth + 1))
			return 1;
	}
	/* The same fields, more padding at the end. */
	return same_size ? 0 : differ(d, path, ob, oid_named, ooff, nb, nid_named, noff);
}

int btf_layout_diff(const struct btf *old, __u32 old_id, const struct btf *new, __u32 new_id,
		    struct layout_diff *d)
{
	memset(d, 0, sizeof(*d));
	return diff_at(old, old_id, 0, new, new_id, 0, "", d, 0);
}

void btf_layout_str(const struct btf *btf, __u32 id, char *buf, size_t size)
{
	const struct btf_type *t = skip_mods(btf, id, NULL);
	size_t len;

	type_name(btf, id, buf, size);
	if (!t || !btf_is_composite(t))
		return;
	len = strlen(buf);
	len += snprintf(buf + len, len < size ? size - len : 0, " {");
	for (int i = 0; i < btf_vlen(t) && len < size; i++) {
		const struct btf_member *m = btf_members(t) + i;
		char member[64];

		type_name(btf, m->type, member, sizeof(member));
		len += snprintf(buf + len, size - len, "%s %s;%s", member,
				btf__name_by_offset(btf, m->name_off),
				i + 1 < btf_vlen(t) ? " " : "");
	}
	if (len < size)
		len += snprintf(buf + len, size - len, "}");
	if (len >= size && size > 4)
		strcpy(buf + size - 4, "...");
}
