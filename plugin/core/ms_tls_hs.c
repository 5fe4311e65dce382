/* ms_tls_hs.c - names for what ms_tls_hs.h observes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_tls_hs.h"

#include <glib.h>

const char *ms_tls_hs_name(ms_tls_hs_t s)
{
    switch (s) {
    case MS_TLS_HS_PENDING:   return "unknown";
    case MS_TLS_HS_COMPLETED: return "completed";
    case MS_TLS_HS_FAILED:    return "failed";
    case MS_TLS_HS_CLOSED:    return "closed";
    case MS_TLS_HS_NONE:      break;
    }
    return NULL;
}

const char *ms_tls_alert_name(unsigned desc)
{
    static const struct { unsigned v; const char *name; } alerts[] = {
        { 0, "close_notify" },             { 10, "unexpected_message" },
        { 20, "bad_record_mac" },          { 21, "decryption_failed" },
        { 22, "record_overflow" },         { 30, "decompression_failure" },
        { 40, "handshake_failure" },       { 41, "no_certificate" },
        { 42, "bad_certificate" },         { 43, "unsupported_certificate" },
        { 44, "certificate_revoked" },     { 45, "certificate_expired" },
        { 46, "certificate_unknown" },     { 47, "illegal_parameter" },
        { 48, "unknown_ca" },              { 49, "access_denied" },
        { 50, "decode_error" },            { 51, "decrypt_error" },
        { 60, "export_restriction" },      { 70, "protocol_version" },
        { 71, "insufficient_security" },   { 80, "internal_error" },
        { 86, "inappropriate_fallback" },  { 90, "user_canceled" },
        { 100, "no_renegotiation" },       { 109, "missing_extension" },
        { 110, "unsupported_extension" },  { 111, "certificate_unobtainable" },
        { 112, "unrecognized_name" },      { 113, "bad_certificate_status_response" },
        { 114, "bad_certificate_hash_value" }, { 115, "unknown_psk_identity" },
        { 116, "certificate_required" },   { 120, "no_application_protocol" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(alerts); i++)
        if (alerts[i].v == desc)
            return alerts[i].name;
    return NULL;
}

const char *ms_tls_alert_level_name(unsigned level)
{
    return level == 1 ? "warning" : level == 2 ? "fatal" : NULL;
}
