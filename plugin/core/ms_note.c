/* ms_note.c - stable anomaly names.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_note.h"

const char *ms_anomaly_name(ms_anomaly_t an)
{
    static const char *const names[MS_AN_COUNT] = {
        [MS_AN_PLAINTEXT_AUTH] = "plaintext_auth",
        [MS_AN_WEAK_AUTH] = "weak_auth",
        [MS_AN_AUTH_FAILED] = "auth_failed",
        [MS_AN_RCPT_REJECTED] = "rcpt_rejected",
        [MS_AN_MSG_REJECTED] = "msg_rejected",
        [MS_AN_NO_QUIT] = "no_quit",
        [MS_AN_SEQUENCE] = "sequence",
        [MS_AN_UNMATCHED_REPLY] = "unmatched_reply",
        [MS_AN_UNANSWERED] = "unanswered",
        [MS_AN_LINE_TOO_LONG] = "line_too_long",
        [MS_AN_BARE_NEWLINE] = "bare_newline",
        [MS_AN_SMUGGLING] = "smuggling",
        [MS_AN_SYNTAX] = "syntax",
        [MS_AN_CAP_REACHED] = "cap_reached",
        [MS_AN_PARTIAL] = "partial",
        [MS_AN_DELETIONS_UNCOMMITTED] = "deletions_uncommitted",
        [MS_AN_STARTTLS_FAILED] = "starttls_failed",
        [MS_AN_STARTTLS_UNUSED] = "starttls_unused",
        [MS_AN_STARTTLS_INJECTION] = "starttls_injection",
        [MS_AN_STARTTLS_STRIPPED] = "starttls_stripped",
    };
    return (unsigned)an < MS_AN_COUNT ? names[an] : "unknown";
}
