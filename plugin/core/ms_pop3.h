/* ms_pop3.h - the POP3 session machine (RFC 1939, 2449, 2595, 5034).
 *
 * Fed like the SMTP machine: each side's bytes in capture order with frame
 * numbers and times. Keeps the shared session record plus the mailbox
 * accounting (STAT, RETR, TOP, DELE, and whether QUIT committed deletions).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_POP3_H
#define MS_POP3_H

#include "ms_common.h"
#include "ms_note.h"
#include "ms_session.h"

#ifndef MS_POP3_CAP_PENDING
#define MS_POP3_CAP_PENDING 256  /* commands awaiting a reply */
#endif
#define MS_POP3_LINE_KEEP   4096 /* bytes of a line kept for parsing */
#define MS_POP3_CMD_LINE_MAX   255 /* RFC 2449: octets per command line, CRLF included */
#define MS_POP3_REPLY_LINE_MAX 512 /* RFC 2449: octets of a first response line */

typedef struct ms_pop3 ms_pop3_t;

ms_pop3_t *ms_pop3_new(ms_frame_t first_frame, ms_time_t first_ts, ms_note_fn fn, void *ctx);
void ms_pop3_free(ms_pop3_t *p);
void ms_pop3_feed(ms_pop3_t *p, ms_dir_t dir, const uint8_t *data, size_t len,
                  ms_frame_t frame, ms_time_t ts);
void ms_pop3_touch(ms_pop3_t *p, ms_frame_t frame, ms_time_t ts);
/* The session is inside TLS from its first byte (POP3S, port 995). */
void ms_pop3_tls_implicit(ms_pop3_t *p);
void ms_pop3_gap(ms_pop3_t *p, ms_dir_t dir, ms_frame_t frame, ms_time_t ts);
void ms_pop3_close(ms_pop3_t *p, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts);
const ms_summary_t *ms_pop3_summary(const ms_pop3_t *p);

#endif /* MS_POP3_H */
