// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bpf_rodata.h"
#include "declared.h"
#include "output.h"
#include "patch_state.h"
#include "patch_types.h"
#include "store.h"

#define STATE_VAR_PREFIX "bpflp_sysstate_"

/* The BPFLP_STATE declarations of one data section of the object, if it has it. */
static int scan_section(struct patch_object *po, const struct btf *btf, const char *sec_name)
{
	int id = btf__find_by_name_kind(btf, sec_name, BTF_KIND_DATASEC);
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;

	if (id < 0)
		return 0;
	sec = btf__type_by_id(btf, id);
	vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const char *var = btf__name_by_offset(btf, btf__type_by_id(btf, vsi->type)->name_off);
		struct bpflp_state_decl *decl;
		struct state_decl *s;

		if (strncmp(var, STATE_VAR_PREFIX, strlen(STATE_VAR_PREFIX)))
			continue;
		decl = bpf_rodata_find(po->rodata, var, sizeof(*decl));
		if (!decl || decl->magic != BPFLP_MAGIC) {
			p_err("%s: %s is not a BPFLP_STATE declaration: declare states with BPFLP_STATE(id, version)",
			      po->path, var);
			return -EINVAL;
		}
		if (po->nr_states == BPFLP_MAX_STATES) {
			p_err("%s declares more than %d system states", po->path, BPFLP_MAX_STATES);
			return -E2BIG;
		}
		s = &po->states[po->nr_states++];
		s->id = decl->id;
		s->version = decl->version;
		s->rodata = decl;
	}
	return 0;
}

int patch_state_scan(struct patch_object *po)
{
	const struct btf *btf = bpf_object__btf(po->obj);
	int err = 0;

	po->nr_states = 0;
	/* Where bpflp's variables are (bpf_rodata.h): the states among them. */
	for (size_t i = 0; btf && i < BPF_RODATA_NR_SECTIONS && !err; i++)
		err = scan_section(po, btf, bpf_rodata_sections[i]);
	return err;
}

static struct state_decl *find_state(struct patch_object *po, __u32 id)
{
	for (int i = 0; i < po->nr_states; i++)
		if (po->states[i].id == id)
			return &po->states[i];
	return NULL;
}

int patch_state_check(struct patch_object *po, const struct registry *reg, bool stack)
{
	struct patch_declared decl;
	int err;

	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];

		if (rec->meta.status != PATCH_ACTIVE)
			continue;
		err = declared_read(rec->dir, &decl);
		if (err) {
			p_err("cannot read what %s@%u declared (%s/%s): %s", rec->meta.name,
			      rec->meta.version, rec->dir, DECLARED_PIN, strerror(-err));
			return err;
		}
		for (__u32 j = 0; j < decl.nr_states; j++) {
			const struct declared_state *old = &decl.states[j];
			struct state_decl *s = find_state(po, old->id);

			if (!s && stack)
				continue; /* a stacked patch leaves the state to the patch below */
			if (!s) {
				p_err("cannot apply %s@%u: it does not carry system state %u of the active %s@%u (version %u), which a cumulative replace must take over; declare BPFLP_STATE(%u, %u) or a later version, or apply it with --stack",
				      po->info.name, po->info.version, old->id, rec->meta.name,
				      rec->meta.version, old->version, old->id, old->version);
				return -EINVAL;
			}
			if (s->version < old->version) {
				p_err("cannot apply %s@%u: its system state %u is version %u, older than version %u of the active %s@%u; declare BPFLP_STATE(%u, %u) or a later version",
				      po->info.name, po->info.version, old->id, s->version,
				      old->version, rec->meta.name, rec->meta.version, old->id,
				      old->version);
				return -EINVAL;
			}
			/* klp_get_prev_state: the callbacks take the modification over. */
			s->rodata->prev_present = 1;
			if (old->version > s->rodata->prev_version)
				s->rodata->prev_version = old->version;
		}
	}
	return 0;
}

void patch_state_declare(const struct patch_object *po, struct patch_declared *decl)
{
	decl->nr_states = po->nr_states;
	for (int i = 0; i < po->nr_states; i++) {
		decl->states[i].id = po->states[i].id;
		decl->states[i].version = po->states[i].version;
	}
}
