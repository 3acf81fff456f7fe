// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl query [--json]: the replay state, as query-replay reports it (mode,
 * icount, the log), and in play mode where replay stands (breakpoint,
 * paused, position, the log's last icount).
 */
#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>

#include "vl_genl.h"
#include "vlctl.h"

/* The play mode attributes, in either form, when the kernel sent them. */
static void play_state_json(struct json_object *o,
			    const struct vl_replay_info *info)
{
	if (info->has_break)
		json_object_object_add(o, "break",
				       json_object_new_uint64(info->break_icount));
	if (info->has_paused)
		json_object_object_add(o, "paused",
				       json_object_new_boolean(info->paused));
	if (info->has_position)
		json_object_object_add(o, "position",
				       json_object_new_uint64(info->position));
	if (info->has_end_icount)
		json_object_object_add(o, "end-icount",
				       json_object_new_uint64(info->end_icount));
}

static void play_state_text(const struct vl_replay_info *info)
{
	if (info->has_break)
		printf("break: %" PRIu64 "\n", info->break_icount);
	if (info->has_paused)
		printf("paused: %s\n", info->paused ? "yes" : "no");
	if (info->has_position)
		printf("position: %" PRIu64 " records\n", info->position);
	if (info->has_end_icount)
		printf("end icount: %" PRIu64 "\n", info->end_icount);
}

static void query_json(const struct vl_replay_info *info)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "mode",
			       json_object_new_string(vl_replay_mode_name(info->mode)));
	json_object_object_add(o, "icount", json_object_new_int64(info->icount));
	json_object_object_add(o, "icount-source",
			       json_object_new_string(vl_icount_source_name(info->icount_source)));
	if (info->filename[0])
		json_object_object_add(o, "filename",
				       json_object_new_string(info->filename));
	json_object_object_add(o, "records", json_object_new_int64(info->records));
	json_object_object_add(o, "lost", json_object_new_int64(info->lost));
	json_object_object_add(o, "log-fill", json_object_new_int64(info->log_fill));
	json_object_object_add(o, "log-size", json_object_new_int64(info->log_size));
	play_state_json(o, info);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void query_text(const struct vl_replay_info *info)
{
	printf("mode: %s\n", vl_replay_mode_name(info->mode));
	printf("icount: %" PRIu64 "\n", info->icount);
	printf("icount source: %s\n", vl_icount_source_name(info->icount_source));
	if (info->filename[0])
		printf("filename: %s\n", info->filename);
	printf("records: %" PRIu64 ", lost %" PRIu64 "\n", info->records,
	       info->lost);
	printf("log: %" PRIu32 " of %" PRIu32 " bytes waiting\n", info->log_fill,
	       info->log_size);
	play_state_text(info);
}

int vlctl_query_main(struct vl_genl *genl, int argc, char **argv)
{
	struct vl_replay_info info;
	struct vlctl_args a;
	int err;

	err = vlctl_parse_args(argc, argv, VLCTL_OPT_JSON, 0,
			       "vlctl query [--json]", &a, stderr);
	if (err)
		return err;
	if (vlctl_connect(genl))
		return 1;
	err = vl_genl_replay_get(genl, &info);
	if (err)
		return vlctl_refused(genl, "query", err, NULL);
	if (a.json)
		query_json(&info);
	else
		query_text(&info);
	return 0;
}
