/* fuzz_parsers.c - a libFuzzer harness for the pure parsers of plugin/core.
 *
 * Input: byte 0 picks the parser (0xFF: the TLS record scanner), the rest is its input (one line, as the
 * session machines hand it over: any bytes, no terminator). Each parser's
 * output is checked against the contract in its header, so a parser that
 * returns a pointer outside its input or an out-of-range value aborts.
 * The line assembler gets the input as pieces of sizes taken from the input.
 * POP3 lines and heuristic openings are checked the same way; a reply's text
 * also goes through the queue id parser.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "ms_heur_classify.h"
#include "ms_linebuf.h"
#include "ms_pop3_parse.h"
#include "ms_sasl.h"
#include "ms_smtp_parse.h"
#include "ms_strlist.h"
#include "ms_text.h"
#include "ms_tls_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A returned slice must lie inside the input. */
static void check_inside(const uint8_t *in, size_t len, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (p < in || p + n > in + len)
        abort();
}

static void reply_line(const uint8_t *d, size_t n)
{
    ms_smtp_reply_line_t r;
    if (ms_smtp_reply_line_parse(d, n, &r)) {
        if (r.code < 200 || r.code > 599)
            abort();
        check_inside(d, n, r.text, r.text_len);
        /* a queue id: inside the text, 1..MS_QUEUE_ID_MAX id characters */
        const uint8_t *id;
        size_t id_len;
        if (ms_smtp_queue_id_parse(r.text, r.text_len, &id, &id_len)) {
            if (id_len == 0 || id_len > MS_QUEUE_ID_MAX)
                abort();
            check_inside(r.text, r.text_len, id, id_len);
            for (size_t i = 0; i < id_len; i++)
                if (id[i] == 0 || (!g_ascii_isalnum(id[i]) && !strchr("._-@+=/", id[i])))
                    abort();
        }
    }
}

static void command(const uint8_t *d, size_t n)
{
    ms_smtp_cmd_t c;
    if (!ms_smtp_cmd_split(d, n, &c))
        return;
    if (strlen(c.verb) > MS_SMTP_VERB_MAX)
        abort();
    check_inside(d, n, c.arg, c.arg_len);
    const uint8_t *path;
    size_t plen = 0;
    for (int k = 0; k < 2; k++) {
        ms_path_status_t st = ms_smtp_path_parse(c.arg, c.arg_len, k ? "TO" : "FROM", &path, &plen);
        if (st != MS_PATH_NO_KEYWORD)
            check_inside(c.arg, c.arg_len, path, plen);
    }
    ms_smtp_auth_t a;
    if (ms_smtp_auth_parse(c.arg, c.arg_len, &a)) {
        if (strlen(a.mech) > MS_SASL_MECH_MAX)
            abort();
        if (a.has_ir)
            check_inside(c.arg, c.arg_len, a.ir, a.ir_len);
        (void)ms_sasl_classify(a.mech);
    }
    uint64_t size;
    bool last;
    if (ms_smtp_bdat_parse(c.arg, c.arg_len, &size, &last) == MS_BDAT_OK && size > MS_BDAT_SIZE_MAX)
        abort();
}

/* byte 0 of the rest: mechanism, byte 1: step; then a base64 response */
static void sasl(const uint8_t *d, size_t n)
{
    static const char *const mechs[] = { "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER",
                                         "SCRAM-SHA-1", "SCRAM-SHA-256", "DIGEST-MD5", "NTLM",
                                         "GSSAPI", "EXTERNAL", "ANONYMOUS" };
    if (n < 2)
        return;
    const char *mech = mechs[d[0] % G_N_ELEMENTS(mechs)];
    unsigned step = d[1] % 4;
    d += 2;
    n -= 2;
    uint8_t out[1024];
    bool valid = ms_base64_valid(d, n);
    long m = ms_base64_decode(d, n, out, sizeof(out));
    if (m > (long)sizeof(out) || (valid && n <= 1024 && m < 0))
        abort();
    const uint8_t *resp = m >= 0 ? out : d;
    size_t rlen = m >= 0 ? (size_t)m : n;
    ms_sasl_info_t info;
    memset(&info, 0xA5, sizeof(info));
    ms_sasl_inspect(mech, step, resp, rlen, &info);
    if (info.has_user && (info.user_len > MS_SASL_USER_MAX || info.user[info.user_len] != '\0'))
        abort();
}

static void text(const uint8_t *d, size_t n)
{
    size_t max = n > 0 ? d[0] : 0;
    char *t = ms_text_printable(d, n, max);
    /* at most 4 output bytes per input byte (\xNN), valid UTF-8 */
    if (strlen(t) > 4 * (n < max ? n : max) || !g_utf8_validate(t, -1, NULL))
        abort();
    ms_strlist_t l;
    ms_strlist_init(&l, 4);
    for (size_t i = 0; i + 1 < n; i += 2)
        (void)ms_strlist_add_distinct(&l, (const char *)d + i, d[i] % 3);
    if (l.count > 4)
        abort();
    ms_strlist_clear(&l);
    g_free(t);
}

/* the line assembler: piece sizes from the first bytes, content the rest */
static void lines(const uint8_t *d, size_t n)
{
    if (n < 2)
        return;
    ms_linebuf_t lb;
    size_t keep = 1 + d[0] % 64;
    unsigned step = 1 + d[1] % 16;
    ms_linebuf_init(&lb, keep);
    d += 2;
    n -= 2;
    ms_frame_t frame = 1;
    for (size_t off = 0; off < n; frame++) {
        size_t piece = n - off < step ? n - off : step;
        size_t used = 0;
        while (used < piece) {
            ms_line_t l;
            bool done;
            size_t k = ms_linebuf_take(&lb, d + off + used, piece - used, frame, &l, &done);
            if (k == 0 || k > piece - used)
                abort(); /* no progress, or more than it was given */
            used += k;
            if (done && l.len > keep)
                abort();
        }
        off += piece;
    }
    ms_line_t l;
    if (ms_linebuf_flush(&lb, &l) && l.len > keep)
        abort();
    ms_linebuf_free(&lb);
}

/* a POP3 command or status line, and the STAT reply text */
static void pop3_line(const uint8_t *d, size_t n)
{
    ms_pop3_cmd_t c;
    ms_pop3_cmd_parse(d, n, &c);
    check_inside(d, n, c.arg, c.arg_len);
    if (c.known && (c.name == NULL || c.verb > POP3_CMD_OTHER))
        abort();
    const uint8_t *t;
    size_t tl;
    (void)ms_pop3_status_parse(d, n, &t, &tl);
    check_inside(d, n, t, tl);
    char *z = g_strndup((const char *)d, n);
    uint32_t msgs;
    uint64_t octets;
    (void)ms_pop3_stat_parse(z, &msgs, &octets);
    g_free(z);
}

static void opening(const uint8_t *d, size_t n)
{
    ms_opening_t o;
    if (ms_heur_classify(d, n, &o) && o.proto != MS_PROTO_SMTP && o.proto != MS_PROTO_POP3)
        abort();
}

static void no_record(void *ctx, const ms_tls_rec_t *r)
{
    (void)ctx;
    if (r->length > MS_TLS_RECORD_MAX || (r->alert_desc >= 0 && r->length != 2))
        abort();
}

/* the TLS record scanner: piece size from the first byte, bytes the rest;
 * the same verdict whatever the pieces */
static void tls_scan(const uint8_t *d, size_t n)
{
    if (n < 1)
        return;
    unsigned step = 1 + d[0] % 32;
    d++;
    n--;
    ms_tls_scan_t whole, pieces;
    ms_tls_scan_init(&whole);
    ms_tls_scan_init(&pieces);
    size_t took = ms_tls_scan_feed(&whole, d, n, no_record, NULL);
    if (took > n || (took < n && whole.state != MS_TLS_SCAN_CLEAR))
        abort();
    size_t fed = 0; /* stream bytes taken as TLS, plus the held ones */
    for (size_t off = 0; off < n; off += step) {
        size_t piece = n - off < step ? n - off : step;
        size_t k = ms_tls_scan_feed(&pieces, d + off, piece, no_record, NULL);
        if (k > piece)
            abort();
        if (pieces.state == MS_TLS_SCAN_CLEAR) {
            size_t held;
            (void)ms_tls_scan_held(&pieces, &held);
            if (held > MS_TLS_RECORD_HDR)
                abort();
            fed += k - held;
            break;
        }
        fed += k;
    }
    if (pieces.state != whole.state || pieces.records != whole.records ||
        (whole.state == MS_TLS_SCAN_CLEAR && fed != took))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    if (data[0] == 0xFF) { /* (the 7 older targets keep their selector bytes) */
        tls_scan(d, n);
        return 0;
    }
    switch (data[0] % 7) {
    case 0: reply_line(d, n); break;
    case 1: command(d, n); break;
    case 2: sasl(d, n); break;
    case 3: text(d, n); break;
    case 4: lines(d, n); break;
    case 5: pop3_line(d, n); break;
    default: opening(d, n); break;
    }
    return 0;
}
