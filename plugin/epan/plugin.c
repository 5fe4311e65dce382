/* plugin.c - the entry points Wireshark looks up in mailsess.so.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <gmodule.h>

#define WS_BUILD_DLL
#include <ws_symbol_export.h>
#include <ws_version.h>
#include <epan/proto.h>

#include "ms_compat.h"

#if MS_WS_AT_LEAST(4, 4)
/* Optional from 4.4 (wsutil/plugins.h: plugin_describe_func, WS_PLUGIN_DESC_*):
 * without it `tshark -G plugins` lists the plugin's type as "unknown". */
#include <wsutil/plugins.h>
#endif

#ifndef MAILSESS_VERSION
#define MAILSESS_VERSION "0.0.0"
#endif

void proto_register_mailsess(void);
void proto_reg_handoff_mailsess(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = MAILSESS_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#if MS_WS_AT_LEAST(4, 4)
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

void plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_mailsess;
    plug.register_handoff = proto_reg_handoff_mailsess;
    proto_register_plugin(&plug);
}
