/* ms_tls_scan.c - following TLS record boundaries in raw bytes (ms_tls_scan.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_tls_scan.h"
#include "ms_tls_hs.h"

#include <string.h>

void ms_tls_scan_init(ms_tls_scan_t *s)
{
    memset(s, 0, sizeof(*s));
    s->state = MS_TLS_SCAN_TLS;
}

/* Is header byte i (the i-th byte of h, those before it already accepted)
 * possible in a record header? */
static bool header_byte_ok(const uint8_t *h, size_t i, bool first)
{
    bool v2 = first && (h[0] & 0x80) != 0;
    switch (i) {
    case 0:
        return (h[0] >= MS_TLS_CT_FIRST && h[0] <= MS_TLS_CT_LAST) || v2;
    case 1: /* legacy version major; SSLv2: the length's low byte */
        return v2 || h[1] == 0x03;
    case 2: /* version minor: SSL 3.0 .. TLS 1.3; SSLv2: CLIENT-HELLO */
        return v2 ? h[2] == 0x01 : h[2] <= 0x04;
    case 3: /* length, high byte; SSLv2: the hello's version major (SSL 2.0 or 3.x) */
        return v2 ? (h[3] == 0x03 || h[3] == 0x00)
                  : (unsigned)h[3] << 8 <= MS_TLS_RECORD_MAX;
    case 4:
        if (v2)
            return ((h[3] == 0x03 && h[4] <= 0x04) || (h[3] == 0x00 && h[4] == 0x02)) &&
                   (((unsigned)(h[0] & 0x7f) << 8 | h[1]) >= MS_TLS_SSL2_HELLO_MIN);
        return ((unsigned)h[3] << 8 | h[4]) <= MS_TLS_RECORD_MAX;
    }
    return false;
}

bool ms_tls_scan_looks_tls(const uint8_t *data, size_t n, bool first)
{
    for (size_t i = 0; i < n && i < MS_TLS_RECORD_HDR; i++)
        if (!header_byte_ok(data, i, first))
            return false;
    return n > 0;
}

/* The header is complete: the record's type and the body still to come. */
static void start_body(ms_tls_scan_t *s)
{
    const uint8_t *h = s->hdr;
    memset(&s->cur, 0, sizeof(s->cur));
    s->cur.alert_level = s->cur.alert_desc = -1;
    if (s->records == 0 && (h[0] & 0x80)) {
        /* 2-byte SSLv2 header; the 3 bytes after it are the body's first */
        s->cur.sslv2 = true;
        s->cur.type = MS_TLS_CT_HANDSHAKE;
        s->cur.length = (unsigned)(h[0] & 0x7f) << 8 | h[1];
        s->left = s->cur.length - 3;
    } else {
        s->cur.type = h[0];
        s->cur.length = (unsigned)h[3] << 8 | h[4];
        s->left = s->cur.length;
    }
    s->in_body = true;
    s->body_len = 0;
}

static void end_record(ms_tls_scan_t *s, ms_tls_rec_fn fn, void *ctx)
{
    ms_tls_rec_t *r = &s->cur;
    /* an alert in clear text is exactly level and description; after this
     * side's ChangeCipherSpec it would carry a MAC or tag (TLS 1.3 wraps
     * its encrypted alerts in application data records anyway) */
    if (r->type == MS_TLS_CT_ALERT && r->length == 2 && !s->encrypted) {
        r->alert_level = s->body[0];
        r->alert_desc = s->body[1];
    }
    if (r->type == MS_TLS_CT_CHANGE_CIPHER_SPEC)
        s->encrypted = true;
    s->records++;
    s->in_body = false;
    s->hdr_len = 0;
    if (fn)
        fn(ctx, r);
}

size_t ms_tls_scan_feed(ms_tls_scan_t *s, const uint8_t *data, size_t len, ms_tls_rec_fn fn,
                        void *ctx)
{
    if (s->state == MS_TLS_SCAN_CLEAR)
        return 0;
    if (s->state == MS_TLS_SCAN_LOST)
        return len;
    size_t off = 0;
    size_t carried = s->in_body ? 0 : s->hdr_len; /* header bytes held from earlier feeds */
    size_t hstart = 0;                            /* where the current header began here */
    while (off < len) {
        if (s->in_body) {
            size_t n = len - off < s->left ? len - off : s->left;
            for (size_t i = 0; i < n && s->body_len < sizeof(s->body); i++)
                s->body[s->body_len++] = data[off + i];
            off += n;
            s->left -= (uint32_t)n;
            if (s->left == 0)
                end_record(s, fn, ctx);
            continue;
        }
        if (s->hdr_len == 0) {
            hstart = off;
            carried = 0;
        }
        s->hdr[s->hdr_len] = data[off];
        if (!header_byte_ok(s->hdr, s->hdr_len, s->records == 0)) {
            s->state = MS_TLS_SCAN_CLEAR;
            s->hdr_len = (uint8_t)carried; /* what ms_tls_scan_held() returns */
            return carried ? 0 : hstart;
        }
        s->hdr_len++;
        off++;
        if (s->hdr_len == MS_TLS_RECORD_HDR) {
            start_body(s);
            if (s->left == 0)
                end_record(s, fn, ctx);
        }
    }
    return len;
}

const uint8_t *ms_tls_scan_held(const ms_tls_scan_t *s, size_t *len)
{
    *len = s->state == MS_TLS_SCAN_CLEAR ? s->hdr_len : 0;
    return s->hdr;
}

void ms_tls_scan_gap(ms_tls_scan_t *s)
{
    if (s->state == MS_TLS_SCAN_TLS)
        s->state = MS_TLS_SCAN_LOST;
}

bool ms_tls_scan_resync(ms_tls_scan_t *s, const uint8_t *data, size_t len)
{
    if (s->state != MS_TLS_SCAN_LOST)
        return s->state == MS_TLS_SCAN_TLS;
    /* a whole header, and not the SSLv2 hello (a first record only) */
    if (len < MS_TLS_RECORD_HDR || (data[0] & 0x80) || !ms_tls_scan_looks_tls(data, len, false))
        return false;
    s->state = MS_TLS_SCAN_TLS;
    s->hdr_len = 0;
    s->in_body = false;
    s->left = 0;
    if (s->records == 0)
        s->records = 1; /* (what came before was not this side's first record) */
    return true;
}
