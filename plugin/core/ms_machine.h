/* ms_machine.h - the one front door to the session machines.
 *
 * A mail session (one TCP connection carrying SMTP or POP3) is fed with the
 * bytes each side sent, in capture order, with the frame number and time of
 * each piece, plus the connection's events (gaps, FIN/RST). It keeps a
 * bounded session record and reports per-frame notes (command/reply links,
 * anomalies) through a callback. The glue, the fuzz harnesses and the unit
 * tests use only this interface; the protocol is chosen once, at creation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_MACHINE_H
#define MS_MACHINE_H

#include "ms_common.h"
#include "ms_note.h"
#include "ms_session.h"

typedef struct ms_machine ms_machine_t;

/* first_frame/first_ts: the connection's first frame (the SYN when captured). */
ms_machine_t *ms_machine_new(ms_proto_t proto, ms_frame_t first_frame, ms_time_t first_ts,
                             ms_note_fn fn, void *ctx);
void ms_machine_free(ms_machine_t *m);

/* Bytes sent by one side, in capture order. */
void ms_machine_feed(ms_machine_t *m, ms_dir_t dir, const uint8_t *data, size_t len,
                     ms_frame_t frame, ms_time_t ts);
/* Any frame of the connection, to follow its duration. */
void ms_machine_touch(ms_machine_t *m, ms_frame_t frame, ms_time_t ts);
/* The session is inside TLS from its first byte (SMTPS 465, POP3S 995). */
void ms_machine_tls_implicit(ms_machine_t *m);
/* A TLS record sent by one side, as the TLS dissector shows it: its content
 * type (MS_TLS_CT_*, ms_tls_hs.h; TLS 1.3's encrypted records are
 * application data), and for an alert in clear text its level and
 * description, else -1. Only records after the switch to TLS count. */
void ms_machine_tls_record(ms_machine_t *m, ms_dir_t dir, unsigned type, int alert_level,
                           int alert_desc, ms_frame_t frame, ms_time_t ts);
/* The bytes one side sends from here on, where TLS records belong (after
 * the STARTTLS/STLS go-ahead, implicit TLS), are not TLS records: feed them
 * afterwards with ms_machine_feed(), they are read as clear text (an
 * anomaly tls_cleartext on this frame, once per side; secrets in them are
 * plaintext_auth). */
void ms_machine_tls_cleartext(ms_machine_t *m, ms_dir_t dir, ms_frame_t frame, ms_time_t ts);
/* A gap: bytes from one side were not captured (TCP "previous segment not captured"). */
void ms_machine_gap(ms_machine_t *m, ms_dir_t dir, ms_frame_t frame, ms_time_t ts);
/* This frame's bytes from one side were cut by the snap length (captured less
 * than sent): fed up to the cut, the rest is a gap. */
void ms_machine_cut(ms_machine_t *m, ms_dir_t dir, ms_frame_t frame, ms_time_t ts);
/* A FIN or RST from one side; only the first one counts. */
void ms_machine_close(ms_machine_t *m, ms_dir_t dir, bool reset, ms_frame_t frame, ms_time_t ts);

/* The connection ended (reset, or a FIN each way): keep only what rendering
 * needs (the session record; the rest packed). Feeding it afterwards still
 * works, exactly as before. */
void ms_machine_shrink(ms_machine_t *m);
/* One side sent its FIN, with every byte before it seen (TCP reported no
 * gap on it). After the first side's FIN the other side may still send
 * (a half close: replies to the queued commands), so nothing is dropped; at
 * the second side's the connection has ended and the machine is shrunk.
 * True when this FIN shrank it. ms_machine_close() is separate (the first
 * FIN or RST, for the checks at the end of a session). */
bool ms_machine_fin(ms_machine_t *m, ms_dir_t dir);

/* The session record. Valid until the next call on the machine: an ended
 * machine keeps it elsewhere (frozen, and thawed for a later call). */
const ms_summary_t *ms_machine_summary(const ms_machine_t *m);

/* The commands a protocol pairs with replies (response times per command):
 * kinds 0 .. ms_machine_cmd_kinds() - 1 and their static names. */
uint16_t ms_machine_cmd_kinds(ms_proto_t proto);
const char *ms_machine_cmd_name(ms_proto_t proto, uint16_t kind);

#endif /* MS_MACHINE_H */
