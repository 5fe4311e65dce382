/* ms_smtp.h - the SMTP session machine (RFC 5321, 4954, 3207, 3030, 2920).
 *
 * Fed with the bytes each side sent, in capture order, with the frame number
 * and time of each piece; keeps a bounded session record and reports
 * per-frame notes (command/reply links, anomalies) through a callback.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_SMTP_H
#define MS_SMTP_H

#include "ms_common.h"
#include "ms_note.h"
#include "ms_session.h"

/* SMTP-specific bounds; the shared caps are in ms_session.h. */
#ifndef MS_SMTP_CAP_PENDING
#define MS_SMTP_CAP_PENDING      1024 /* commands awaiting a reply */
#endif
#define MS_SMTP_LINE_KEEP        4096 /* bytes of a line kept for parsing */

typedef struct ms_smtp ms_smtp_t;

/* first_frame/first_ts: the connection's first frame (the SYN when captured). */
ms_smtp_t *ms_smtp_new(ms_frame_t first_frame, ms_time_t first_ts, ms_note_fn fn, void *ctx);
void ms_smtp_free(ms_smtp_t *s);

/* Bytes sent by one side, in capture order. */
void ms_smtp_feed(ms_smtp_t *s, ms_dir_t dir, const uint8_t *data, size_t len,
                  ms_frame_t frame, ms_time_t ts);
/* Any frame of the connection, to follow its duration. */
void ms_smtp_touch(ms_smtp_t *s, ms_frame_t frame, ms_time_t ts);
/* The session is inside TLS from its first byte (SMTPS, port 465). */
void ms_smtp_tls_implicit(ms_smtp_t *s);
/* A gap: bytes from one side were not captured (TCP "previous segment not captured"). */
void ms_smtp_gap(ms_smtp_t *s, ms_dir_t dir, ms_frame_t frame, ms_time_t ts);
/* A FIN or RST from one side. */
void ms_smtp_close(ms_smtp_t *s, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts);

const ms_summary_t *ms_smtp_summary(const ms_smtp_t *s);

#endif /* MS_SMTP_H */
