/* ms_proto.h - what a protocol machine gives the front door (ms_machine.c).
 *
 * Internal to the core. Each protocol machine is a struct whose first member
 * is the shared ms_conn_t; the front door owns line intake, the TLS guards,
 * gaps and close, and hands each protocol only what differs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_PROTO_H
#define MS_PROTO_H

#include "ms_conn.h"
#include "ms_machine.h"

typedef struct {
    size_t   size;          /* of the protocol's machine (ms_conn_t first) */
    size_t   cmd_size;      /* of its queued command (ms_cmd_t first) */
    uint32_t queue_cap;     /* commands awaiting a reply */
    uint16_t unknown_kind;  /* command kind for a spilled command of unknown kind */
    size_t   line_keep;     /* bytes of a line kept for parsing */
    /* a complete line from the client / the server (after ms_conn_line_in) */
    void (*client_line)(ms_conn_t *c, const ms_line_t *l, ms_frame_t frame, ms_time_t ts);
    void (*server_line)(ms_conn_t *c, const ms_line_t *l, ms_frame_t frame, ms_time_t ts);
    /* client bytes that are not lines (SMTP BDAT chunks), called while the
     * protocol keeps ms_conn_t.raw_client set: bytes taken (> 0) */
    size_t (*client_raw)(ms_conn_t *c, const uint8_t *data, size_t len);
    /* a gap from one side: what is incomplete now (NULL: commands or replies) */
    const char *(*gap)(ms_conn_t *c, ms_dir_t dir);
    /* after the shared close checks; NULL when there is nothing more */
    void (*close)(ms_conn_t *c, ms_frame_t frame);
    /* frees the protocol's own memory (queued commands' data) and resets its
     * reply state; the machine stays usable (shrink) or is freed next */
    void (*clear)(ms_conn_t *c);
    /* frees what clear keeps for a machine still in use (the machine is freed next) */
    void (*free)(ms_conn_t *c);
    /* a static name for a command kind (in the notes: response times per command) */
    const char *(*cmd_name)(uint16_t kind);
    uint16_t cmd_kinds;     /* kinds are 0 .. cmd_kinds - 1 */
} ms_proto_ops_t;

/* The machine's connection, NULL while it is frozen (ended: ms_machine.c).
 * For the unit tests. */
ms_conn_t *ms_machine_conn(ms_machine_t *m);

extern const ms_proto_ops_t ms_smtp_ops;
extern const ms_proto_ops_t ms_pop3_ops;

#endif /* MS_PROTO_H */
