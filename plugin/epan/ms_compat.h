/* ms_compat.h - the few epan API differences between Wireshark 4.0 and 4.6.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_COMPAT_H
#define MS_COMPAT_H

#include <ws_version.h>

#define MS_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* From 4.4 (seen in Debian trixie's 4.4 headers; 4.2 is not checked) epan
 * takes C99 bool where 4.0 took gboolean: prefs_register_bool_preference()
 * a bool *, and a heuristic dissector (heur_dissector_t) returns bool. */
#if MS_WS_AT_LEAST(4, 4)
#include <stdbool.h>
typedef bool ms_pref_bool_t;
typedef bool ms_heur_result_t;
#else
#include <glib.h>
typedef gboolean ms_pref_bool_t;
typedef gboolean ms_heur_result_t;
#endif

/* The name of a frame's data source ("Decrypted TLS (42 bytes)"...): 4.6
 * renamed get_data_source_name() to get_data_source_description(). */
#if MS_WS_AT_LEAST(4, 6)
#define ms_data_source_name get_data_source_description
#else
#define ms_data_source_name get_data_source_name
#endif

/* An unsigned field's value: field_info holds an fvalue_t in 4.0 and a
 * pointer to one from 4.2. */
#if MS_WS_AT_LEAST(4, 2)
#define ms_fi_uint(fi) fvalue_get_uinteger((fi)->value)
#else
#define ms_fi_uint(fi) fvalue_get_uinteger(&(fi)->value)
#endif

/* A -z handler's init callback (stat_tap_ui.tap_init_cb) returns bool from
 * 4.6 (whether it started), nothing before. */
#if MS_WS_AT_LEAST(4, 6)
typedef bool ms_stat_init_ret_t;
#define MS_STAT_INIT_RETURN(ok) return (ok)
#else
typedef void ms_stat_init_ret_t;
#define MS_STAT_INIT_RETURN(ok) do { (void)(ok); return; } while (0)
#endif

/* A unit string in a header_field_info: the UNS() cast macro came after 4.0
 * (proto.h); 4.0 takes the pointer as it is. */
#ifndef UNS
#define UNS(x) ((const void *)(x))
#endif

#endif /* MS_COMPAT_H */
