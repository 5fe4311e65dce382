/* ms_common.h - types shared by the mailsess session machines.
 *
 * Pure C (C11 + GLib), no epan include: the machines are fed with bytes or
 * lines, a direction, a frame number and a timestamp, and are unit-tested
 * and fuzzed without Wireshark.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_COMMON_H
#define MS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which side of the TCP connection sent the bytes. */
typedef enum {
    MS_DIR_CLIENT = 0, /* client -> server: commands, SASL responses, message data */
    MS_DIR_SERVER = 1  /* server -> client: greeting and replies */
} ms_dir_t;

/* Absolute time in nanoseconds since the epoch (capture timestamps; the glue
 * saturates those beyond int64, about the years 1678 and 2262). */
typedef int64_t ms_time_t;

/* a - b, saturated: timestamps come from the capture file and may be anything. */
static inline ms_time_t ms_time_diff(ms_time_t a, ms_time_t b)
{
    ms_time_t d;
    if (__builtin_sub_overflow(a, b, &d))
        return a > b ? INT64_MAX : INT64_MIN;
    return d;
}

/* A capture frame number (1-based, 0 = none). */
typedef uint32_t ms_frame_t;

#define MS_NS_PER_SEC INT64_C(1000000000)

/* A word separator as servers read it: SP or HTAB. */
#define MS_IS_BLANK(c) ((c) == ' ' || (c) == '\t')

#endif /* MS_COMMON_H */
