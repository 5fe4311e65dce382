/* ms_tls_hs.h - what can be seen of the TLS handshake that follows the switch
 * to TLS (STARTTLS/STLS go-ahead, or implicit TLS), without decrypting it.
 *
 * The glue reports each TLS record's content type as the built-in TLS
 * dissector shows it (and an alert's level and description when it is in
 * clear text); the connection decides from them, and from the close, whether
 * the handshake demonstrably completed, failed with an alert, or never got
 * as far as the client's Finished. Anything else stays unknown: what is
 * encrypted is never guessed at.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_TLS_HS_H
#define MS_TLS_HS_H

#include "ms_common.h"

/* TLS record content types (RFC 8446 section 5.1; the same in TLS 1.0-1.2). */
#define MS_TLS_CT_CHANGE_CIPHER_SPEC 20
#define MS_TLS_CT_ALERT              21
#define MS_TLS_CT_HANDSHAKE          22
#define MS_TLS_CT_APPLICATION_DATA   23

typedef enum {
    MS_TLS_HS_NONE,      /* no switch to TLS (yet) */
    MS_TLS_HS_PENDING,   /* after the switch, nothing conclusive seen: shown as "unknown" */
    MS_TLS_HS_COMPLETED, /* the server sent encrypted data after the client's first
                          * encrypted record (or decrypted mail data arrived) */
    MS_TLS_HS_FAILED,    /* an alert in clear text before completion */
    MS_TLS_HS_CLOSED     /* the connection closed before the client sent any encrypted
                          * record (ChangeCipherSpec or application data): no Finished */
} ms_tls_hs_t;

/* "completed", "failed", "closed", "unknown"; NULL for MS_TLS_HS_NONE. */
const char *ms_tls_hs_name(ms_tls_hs_t s);
/* RFC 8446 section 6 / RFC 5246 7.2 names ("handshake_failure"), NULL when unknown. */
const char *ms_tls_alert_name(unsigned desc);
/* "warning", "fatal", NULL when unknown. */
const char *ms_tls_alert_level_name(unsigned level);

#endif /* MS_TLS_HS_H */
