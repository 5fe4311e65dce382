/* ms_tls_scan.h - following TLS record boundaries in the raw bytes of one
 * direction of a TCP connection, without decrypting anything.
 *
 * After a STARTTLS/STLS go-ahead (or on an implicit-TLS port) each side is
 * expected to send nothing but TLS records. The scanner is fed the bytes one
 * side sent, in stream order and in pieces of any size; it reads each
 * record's 5-byte header (RFC 8446 section 5.1, RFC 5246 section 6.2: content
 * type, legacy version 0x03 0x00-0x04, length), skips its body and reports
 * the record once all of it has been seen: its content type, its length, and
 * for an alert in clear text (two bytes, sent before that side's
 * ChangeCipherSpec) its level and description. The SSLv2-compatible
 * ClientHello (RFC 5246 appendix E.2) is accepted as a client's first record.
 *
 * When the bytes at a record boundary are not a TLS record header, the side
 * is sending clear text: the scanner says so (state CLEAR) and takes no more
 * bytes; the caller hands the rest, starting with the header bytes the
 * scanner held (ms_tls_scan_held()), to whatever reads clear text. After a
 * gap (bytes not captured) record boundaries are unknown: the scanner stops
 * concluding anything (state LOST).
 *
 * Bounded: no allocation, at most 5 header bytes and 2 body bytes kept,
 * bodies skipped in one step.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_TLS_SCAN_H
#define MS_TLS_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_TLS_RECORD_HDR 5
/* TLSCiphertext.length: at most 2^14 + 2048 (RFC 5246 section 6.2.3) */
#define MS_TLS_RECORD_MAX (16384 + 2048)
/* content types: change_cipher_spec(20) .. tls12_cid(25) (RFC 8446, RFC 6520
 * heartbeat 24, RFC 9146 tls12_cid 25) */
#define MS_TLS_CT_FIRST 20
#define MS_TLS_CT_LAST  25
/* the SSLv2-compatible ClientHello, reported as a handshake record */
#define MS_TLS_SSL2_HELLO_MIN 9 /* msg type, version, three lengths (RFC 5246 E.2) */

typedef enum {
    MS_TLS_SCAN_TLS,   /* following TLS records */
    MS_TLS_SCAN_CLEAR, /* a record boundary held bytes that are not TLS: clear text from there */
    MS_TLS_SCAN_LOST   /* bytes were missing: record boundaries unknown, nothing concluded */
} ms_tls_scan_state_t;

/* One complete record. */
typedef struct {
    unsigned type;        /* content type (MS_TLS_CT_*); the SSLv2 ClientHello: 22 */
    unsigned length;      /* the record's body length */
    bool     sslv2;       /* an SSLv2-compatible ClientHello */
    int      alert_level; /* an alert in clear text: its level and description, else -1 */
    int      alert_desc;
} ms_tls_rec_t;

typedef void (*ms_tls_rec_fn)(void *ctx, const ms_tls_rec_t *rec);

typedef struct {
    ms_tls_scan_state_t state;
    uint8_t  hdr[MS_TLS_RECORD_HDR]; /* the header being read */
    uint8_t  hdr_len;
    uint8_t  body[2];   /* a record's first two body bytes (an alert's level, description) */
    uint8_t  body_len;
    uint32_t left;      /* body bytes of the current record still to come (after its header) */
    ms_tls_rec_t cur;   /* the record being read */
    bool     in_body;   /* the header is complete, its body is being skipped */
    bool     encrypted; /* this side sent ChangeCipherSpec: its later records are encrypted */
    uint64_t records;   /* complete records seen */
} ms_tls_scan_t;

void ms_tls_scan_init(ms_tls_scan_t *s);
/* Feeds len bytes this side sent; fn is called for each record completed.
 * Returns how many of them are TLS: when less than len, the scanner has just
 * turned CLEAR and data[returned..len) is clear text (preceded by the held
 * header bytes); once CLEAR or LOST it returns 0 / len: CLEAR takes nothing,
 * LOST swallows everything. */
size_t ms_tls_scan_feed(ms_tls_scan_t *s, const uint8_t *data, size_t len, ms_tls_rec_fn fn,
                        void *ctx);
/* The header bytes held from earlier feeds when the scanner turned CLEAR:
 * the first bytes of the clear text. */
const uint8_t *ms_tls_scan_held(const ms_tls_scan_t *s, size_t *len);
/* Bytes of this side were not captured: boundaries are lost. */
void ms_tls_scan_gap(ms_tls_scan_t *s);
/* Lost: data starts a TCP segment after the gap; when it begins with a
 * whole record header, follow records again from there (as TLS dissectors
 * do), else stay lost. True when following records again. */
bool ms_tls_scan_resync(ms_tls_scan_t *s, const uint8_t *data, size_t len);
/* Does a record header start these bytes (n may be less than 5: as far as
 * they go)? For a first payload on an implicit-TLS port. first: the side's
 * first record (the SSLv2 ClientHello is allowed). */
bool ms_tls_scan_looks_tls(const uint8_t *data, size_t n, bool first);

#endif /* MS_TLS_SCAN_H */
