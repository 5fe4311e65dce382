/* ms_row.h - one session as one row: the columns of the session table
 * (`tshark -z mailsess,sessions`, Statistics > Mail Sessions) and of its
 * CSV and JSON-lines forms, declared once.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_ROW_H
#define MS_ROW_H

#include "ms_session.h"

/* X(id, key, title, numeric): key names the CSV column and JSON member,
 * title heads the table column; numeric columns are JSON numbers. */
#define MS_ROW_COLUMNS(X)                                                          \
    X(PROTO,    "proto",       "Proto",     false) /* SMTP or POP3 */              \
    X(CLIENT,   "client",      "Client",    false) /* address:port (glue) */       \
    X(SERVER,   "server",      "Server",    false) /* address:port (glue) */       \
    X(USERS,    "users",       "Users",     false) /* distinct user names */       \
    X(METHODS,  "methods",     "Methods",   false) /* distinct mechanisms */       \
    X(AUTH,     "auth",        "Auth",      false) /* result of the last login */  \
    X(FAILURES, "failures",    "Fail",      true)  /* failed logins */             \
    X(CLEAR,    "cleartext",   "Clear",     false) /* credentials in clear text */ \
    X(TLS,      "tls",         "TLS",       false) /* none, starttls, implicit */  \
    X(MSGS,     "messages",    "Msgs",      true)  /* sent (SMTP), retrieved (POP3) */ \
    X(BYTES,    "bytes",       "Bytes",     true)  /* their content bytes */       \
    X(REFUSED,  "refused",     "Refused",   true)  /* refused recipients (SMTP) */ \
    X(DELETED,  "deleted",     "Deleted",   true)  /* POP3: DELE accepted */       \
    X(COMMITTED, "committed",  "Committed", false) /* POP3: deletions took effect */ \
    X(QUIT,     "quit",        "QUIT",      false) /* QUIT seen */                 \
    X(DURATION, "duration",    "Duration",  true)  /* seconds */                   \
    X(FIRST,    "first_frame", "First",     true)  /* frame numbers (glue) */      \
    X(LAST,     "last_frame",  "Last",      true)                                    \
    X(GUESSING, "guessing",    "Guessing",  false) /* findings across sessions (glue) */

typedef enum {
#define MS_ROW_ENUM(id, key, title, numeric) MS_COL_##id,
    MS_ROW_COLUMNS(MS_ROW_ENUM)
#undef MS_ROW_ENUM
    MS_COL_COUNT
} ms_col_t;

const char *ms_row_key(ms_col_t c);
const char *ms_row_title(ms_col_t c);
bool ms_row_numeric(ms_col_t c);

/* Names shared with the tree. */
const char *ms_proto_name(ms_proto_t p);
const char *ms_tls_name(ms_tls_t t);
const char *ms_auth_result_name(ms_auth_result_t r); /* NULL for "no login" */
const char *ms_starttls_result_name(ms_starttls_result_t r); /* NULL for "never tried" */
const char *ms_smuggling_result_name(ms_smuggling_result_t r); /* NULL for "none seen" */
/* Sides as bits (1 << MS_DIR_CLIENT, 1 << MS_DIR_SERVER): "client", "server",
 * "client, server"; NULL for none. */
const char *ms_sides_name(unsigned bits);

/*
 * The value of a column that the session record decides, newly allocated
 * (g_malloc; "" when there is nothing to show, e.g. no user); NULL for the
 * columns the glue fills (CLIENT, SERVER, FIRST, LAST: addresses and frame
 * numbers as Wireshark knows them; GUESSING: the capture-wide counters). Values are printable already (lists are
 * stored escaped), joined with ", "; a list that dropped entries ends in
 * ", +N more". A column that does not apply to the protocol is "" (REFUSED
 * for POP3, DELETED and COMMITTED for SMTP); one that cannot be known because
 * the rest of the session is inside TLS without a key is "?" (AUTH, CLEAR,
 * QUIT).
 */
char *ms_row_value(const ms_summary_t *s, ms_col_t c);
/* v in decimal, as printf's %" PRIu64 " writes it (g_malloc). */
char *ms_row_uint_text(uint64_t v);

/*
 * What the columns ms_row_value() fills read from the record, the time of
 * the last frame excepted (DURATION: ms_row_duration_*): equal inputs
 * (memcmp; ms_row_inputs() zeroes the padding) give equal values in every
 * such column. A session's lists only grow while it lives, so their lengths
 * stand for their text. The session table recomputes a row only when these
 * change (every frame moves the last frame and time, few change the rest):
 * a column that reads another field must add it here.
 */
typedef struct {
    ms_proto_t       proto;
    uint32_t         users, methods, refused_listed;
    uint64_t         users_dropped, methods_dropped, refused_dropped;
    ms_auth_result_t auth_result;
    uint32_t         auth_failures;
    ms_tls_t         tls;
    uint32_t         msg_count, deleted;
    uint64_t         msg_bytes;
    bool             auth_plaintext, blind, quit, deleted_committed;
} ms_row_inputs_t;

void ms_row_inputs(const ms_summary_t *s, ms_row_inputs_t *in);
/* DURATION from the first and the last time: its text (as ms_row_value()
 * gives it, newly allocated) and the number of seconds that text reads as. */
char *ms_row_duration_text(ms_time_t first, ms_time_t last);
double ms_row_duration_seconds(ms_time_t first, ms_time_t last);

/* CSV quoting (RFC 4180): the value as is, or in double quotes with quotes
 * doubled when it holds a comma, quote, CR or LF. Newly allocated. */
char *ms_row_csv(const char *v);
/* A JSON string literal (quotes included), newly allocated; values are
 * printable UTF-8, so only " and \ and controls need escaping. */
char *ms_row_json_string(const char *v);

#endif /* MS_ROW_H */
