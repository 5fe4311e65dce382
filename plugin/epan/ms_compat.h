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

/* prefs_register_bool_preference() takes gboolean * up to 4.2 and bool * from 4.4. */
#if MS_WS_AT_LEAST(4, 4)
#include <stdbool.h>
typedef bool ms_pref_bool_t;
#else
#include <glib.h>
typedef gboolean ms_pref_bool_t;
#endif

#endif /* MS_COMPAT_H */
