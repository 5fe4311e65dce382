/* ms_extract.c - reading what the built-in dissectors put in the tree.
 *
 * The fields are looked up once (handoff) and wanted by the postdissector,
 * so the tree keeps them even when it is not visible.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"
#include "ms_compat.h"

#include <epan/proto.h>
#include <wsutil/wslog.h>

static struct {
    int         hf;
    const char *name;
} fields[MS_HF_COUNT] = {
    [MS_HF_TLS_TYPE] = { -1, "tls.record.content_type" },
    [MS_HF_TLS_OPAQUE] = { -1, "tls.record.opaque_type" },
    [MS_HF_TLS_ALERT_LEVEL] = { -1, "tls.alert_message.level" },
    [MS_HF_TLS_ALERT_DESC] = { -1, "tls.alert_message.desc" },
};

void ms_extract_resolve(void)
{
    for (int i = 0; i < MS_HF_COUNT; i++) {
        fields[i].hf = proto_registrar_get_id_byname(fields[i].name);
        if (fields[i].hf < 0)
            ws_warning("mailsess: field %s is unknown to this Wireshark", fields[i].name);
    }
}

GArray *ms_extract_wanted(void)
{
    GArray *a = g_array_sized_new(FALSE, FALSE, (guint)sizeof(int), MS_HF_COUNT);
    for (int i = 0; i < MS_HF_COUNT; i++)
        if (fields[i].hf >= 0)
            g_array_append_val(a, fields[i].hf);
    return a;
}

GPtrArray *ms_extract_items(proto_tree *tree, ms_hf_t which)
{
    if (!tree || fields[which].hf < 0)
        return NULL;
    GPtrArray *a = proto_get_finfo_ptr_array(tree, fields[which].hf);
    return a && a->len > 0 ? a : NULL;
}
