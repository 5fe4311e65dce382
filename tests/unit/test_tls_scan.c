/* Unit tests of the TLS record scanner (ms_tls_scan.c) and of the machines'
 * clear text after the switch to TLS (ms_machine_tls_cleartext()).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ms_machine.h"
#include "ms_tls_hs.h"
#include "ms_tls_scan.h"

#include "recorder.h"

#define B(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static ms_tls_rec_t recs[64];
static int n_recs;

static void on_rec(void *ctx, const ms_tls_rec_t *r)
{
    (void)ctx;
    if (n_recs < (int)G_N_ELEMENTS(recs))
        recs[n_recs++] = *r;
}

static ms_tls_scan_t scanner(void)
{
    ms_tls_scan_t s;
    ms_tls_scan_init(&s);
    n_recs = 0;
    return s;
}

/* A TLS 1.3 client flight: ClientHello, then CCS and an encrypted record. */
static const uint8_t flight[] = {
    0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00,  /* handshake, 4 bytes */
    0x14, 0x03, 0x03, 0x00, 0x01, 0x01,                    /* change_cipher_spec */
    0x17, 0x03, 0x03, 0x00, 0x03, 0xaa, 0xbb, 0xcc,        /* application data */
};

static void test_records_whole_and_split(void **state)
{
    (void)state;
    /* in one piece */
    ms_tls_scan_t s = scanner();
    assert_int_equal(ms_tls_scan_feed(&s, flight, sizeof(flight), on_rec, NULL), sizeof(flight));
    assert_int_equal(n_recs, 3);
    assert_int_equal(recs[0].type, MS_TLS_CT_HANDSHAKE);
    assert_int_equal(recs[0].length, 4);
    assert_int_equal(recs[1].type, MS_TLS_CT_CHANGE_CIPHER_SPEC);
    assert_int_equal(recs[2].type, MS_TLS_CT_APPLICATION_DATA);
    assert_int_equal(recs[2].alert_desc, -1);
    assert_int_equal(s.state, MS_TLS_SCAN_TLS);

    /* one byte at a time: the same records, each reported when complete */
    s = scanner();
    for (size_t i = 0; i < sizeof(flight); i++) {
        assert_int_equal(ms_tls_scan_feed(&s, flight + i, 1, on_rec, NULL), 1);
        if (i == 8)
            assert_int_equal(n_recs, 1);
    }
    assert_int_equal(n_recs, 3);
    assert_int_equal(recs[2].length, 3);
    assert_int_equal(s.state, MS_TLS_SCAN_TLS);
}

static void test_clear_alert(void **state)
{
    (void)state;
    /* a fatal handshake_failure in clear text */
    ms_tls_scan_t s = scanner();
    ms_tls_scan_feed(&s, B("\x16\x03\x03\x00\x01\x02"), on_rec, NULL);
    ms_tls_scan_feed(&s, B("\x15\x03\x03\x00\x02\x02\x28"), on_rec, NULL);
    assert_int_equal(n_recs, 2);
    assert_int_equal(recs[1].type, MS_TLS_CT_ALERT);
    assert_int_equal(recs[1].alert_level, 2);
    assert_int_equal(recs[1].alert_desc, 40);

    /* after this side's ChangeCipherSpec an alert is encrypted (TLS 1.2):
     * nothing of it is visible, even two bytes long */
    s = scanner();
    ms_tls_scan_feed(&s, B("\x14\x03\x03\x00\x01\x01"), on_rec, NULL);
    ms_tls_scan_feed(&s, B("\x15\x03\x03\x00\x02\x01\x00"), on_rec, NULL);
    ms_tls_scan_feed(&s, B("\x15\x03\x03\x00\x03\x01\x00\x00"), on_rec, NULL);
    assert_int_equal(n_recs, 3);
    assert_int_equal(recs[1].alert_desc, -1);
    assert_int_equal(recs[2].alert_level, -1);
}

/* The client's clear text after the go-ahead: not TLS at the first byte. */
static void test_clear_text(void **state)
{
    (void)state;
    ms_tls_scan_t s = scanner();
    size_t held;
    assert_int_equal(ms_tls_scan_feed(&s, B("AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n"), on_rec, NULL), 0);
    assert_int_equal(s.state, MS_TLS_SCAN_CLEAR);
    ms_tls_scan_held(&s, &held);
    assert_int_equal(held, 0);
    /* and nothing more is taken */
    assert_int_equal(ms_tls_scan_feed(&s, B("\x16\x03\x01\x00\x01\x00"), on_rec, NULL), 0);
    assert_int_equal(n_recs, 0);

    /* after a record: clear text from the next boundary */
    s = scanner();
    assert_int_equal(ms_tls_scan_feed(&s, B("\x16\x03\x01\x00\x01\x01QUIT\r\n"), on_rec, NULL), 6);
    assert_int_equal(n_recs, 1);
    assert_int_equal(s.state, MS_TLS_SCAN_CLEAR);

    /* a header look-alike split over two feeds: the held bytes begin the clear text */
    s = scanner();
    assert_int_equal(ms_tls_scan_feed(&s, B("\x17\x03"), on_rec, NULL), 2);
    assert_int_equal(ms_tls_scan_feed(&s, B("xAUTH\r\n"), on_rec, NULL), 0);
    const uint8_t *h = ms_tls_scan_held(&s, &held);
    assert_int_equal(held, 2);
    assert_memory_equal(h, "\x17\x03", 2);

    /* ... and within one feed, after a record */
    s = scanner();
    assert_int_equal(ms_tls_scan_feed(&s, B("\x14\x03\x03\x00\x01\x01\x17\x03\x09zz"), on_rec,
                                      NULL), 6);
    ms_tls_scan_held(&s, &held);
    assert_int_equal(held, 0);
}

static void test_header_limits(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        bool tls;
    } cases[] = {
        { "\x13\x03\x03\x00\x01", 5, false },  /* type 19 */
        { "\x1a\x03\x03\x00\x01", 5, false },  /* type 26 (DTLS ACK only) */
        { "\x18\x03\x03\x00\x01", 5, true },   /* heartbeat */
        { "\x19\x03\x03\x00\x01", 5, true },   /* tls12_cid */
        { "\x16\x02\x00\x00\x01", 5, false },  /* version 2.0 in a 5-byte header */
        { "\x16\x03\x05\x00\x01", 5, false },  /* version 3.5 */
        { "\x16\x03\x00\x00\x01", 5, true },   /* SSL 3.0 */
        { "\x17\x03\x03\x48\x00", 5, true },   /* 2^14 + 2048 */
        { "\x17\x03\x03\x48\x01", 5, false },  /* one more */
        { "\x17\x03\x03\xff\xff", 5, false },
        { "\x17\x03", 2, true },               /* as far as it goes */
        { "", 0, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (ms_tls_scan_looks_tls((const uint8_t *)cases[i].bytes, cases[i].len, false) !=
            cases[i].tls)
            fail_msg("case %zu", i);
        ms_tls_scan_t s = scanner();
        size_t n = ms_tls_scan_feed(&s, (const uint8_t *)cases[i].bytes, cases[i].len, on_rec, NULL);
        if (cases[i].len > 0 && (n == cases[i].len) != cases[i].tls)
            fail_msg("feed case %zu", i);
    }
}

/* The SSLv2-compatible ClientHello (RFC 5246 E.2): a client's first record only. */
static void test_sslv2_hello(void **state)
{
    (void)state;
    /* length 0x2e = 46: msg type 1, version 3.1, cipher specs, ... */
    uint8_t hello[2 + 46] = { 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15 };
    ms_tls_scan_t s = scanner();
    assert_true(ms_tls_scan_looks_tls(hello, sizeof(hello), true));
    assert_false(ms_tls_scan_looks_tls(hello, sizeof(hello), false));
    assert_int_equal(ms_tls_scan_feed(&s, hello, sizeof(hello), on_rec, NULL), sizeof(hello));
    assert_int_equal(n_recs, 1);
    assert_true(recs[0].sslv2);
    assert_int_equal(recs[0].type, MS_TLS_CT_HANDSHAKE);
    /* then ordinary records */
    assert_int_equal(ms_tls_scan_feed(&s, B("\x16\x03\x01\x00\x01\x01"), on_rec, NULL), 6);
    assert_int_equal(n_recs, 2);
    /* not as a later record */
    assert_int_equal(ms_tls_scan_feed(&s, hello, sizeof(hello), on_rec, NULL), 0);
    assert_int_equal(s.state, MS_TLS_SCAN_CLEAR);
}

static void test_gap(void **state)
{
    (void)state;
    ms_tls_scan_t s = scanner();
    ms_tls_scan_feed(&s, B("\x17\x03\x03\x01\x00"), on_rec, NULL);
    ms_tls_scan_gap(&s);
    /* boundaries unknown: nothing concluded, everything swallowed */
    assert_int_equal(ms_tls_scan_feed(&s, B("AUTH PLAIN x\r\n"), on_rec, NULL), 14);
    assert_int_equal(s.state, MS_TLS_SCAN_LOST);
    assert_int_equal(n_recs, 0);
    /* a segment that does not start with a whole header: still lost */
    assert_false(ms_tls_scan_resync(&s, B("\x17\x03\x03")));
    assert_false(ms_tls_scan_resync(&s, B("QUIT\r\n")));
    /* one that does: records again, and clear text can be concluded again */
    assert_true(ms_tls_scan_resync(&s, B("\x17\x03\x03\x00\x01\x00")));
    assert_int_equal(ms_tls_scan_feed(&s, B("\x17\x03\x03\x00\x01\x00"), on_rec, NULL), 6);
    assert_int_equal(n_recs, 1);
    assert_int_equal(ms_tls_scan_feed(&s, B("QUIT\r\n"), on_rec, NULL), 0);
    assert_int_equal(s.state, MS_TLS_SCAN_CLEAR);
}

/* ---- the machines --------------------------------------------------------- */

static void feed(ms_machine_t *m, ms_dir_t dir, ms_frame_t f, const char *data)
{
    ms_machine_feed(m, dir, (const uint8_t *)data, strlen(data), f, (ms_time_t)f * 1000000);
}

/* SMTP: STARTTLS accepted, then the client sends AUTH PLAIN in clear text. */
static void test_smtp_cleartext_after_starttls(void **state)
{
    (void)state;
    n_notes = 0;
    ms_machine_t *m = ms_machine_new(MS_PROTO_SMTP, 1, 0, record, NULL);
    feed(m, MS_DIR_SERVER, 4, "220 mx.example.test ESMTP\r\n");
    feed(m, MS_DIR_CLIENT, 5, "EHLO client.example.test\r\n");
    feed(m, MS_DIR_SERVER, 6, "250-mx.example.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n");
    feed(m, MS_DIR_CLIENT, 7, "STARTTLS\r\n");
    feed(m, MS_DIR_SERVER, 8, "220 2.0.0 Ready to start TLS\r\n");
    assert_int_equal(ms_machine_summary(m)->tls, MS_TLS_STARTTLS);
    assert_true(ms_machine_summary(m)->tls_hidden);
    ms_machine_tls_cleartext(m, MS_DIR_CLIENT, 9, 9);
    feed(m, MS_DIR_CLIENT, 9, "AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n");
    const ms_summary_t *s = ms_machine_summary(m);
    assert_int_equal(count_anomaly(MS_AN_TLS_CLEARTEXT, 9), 1);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 9), 1);
    assert_true(s->auth_plaintext);
    assert_int_equal(s->tls, MS_TLS_STARTTLS);
    assert_int_equal(s->tls_cleartext, 1u << MS_DIR_CLIENT);
    assert_false(s->tls_hidden);
    /* no handshake: the server's alert fails it */
    ms_machine_tls_record(m, MS_DIR_SERVER, MS_TLS_CT_ALERT, 2, 70, 10, 10);
    assert_int_equal(s->tls_handshake, MS_TLS_HS_FAILED);
    /* once per side */
    ms_machine_tls_cleartext(m, MS_DIR_CLIENT, 11, 11);
    assert_int_equal(count_anomaly(MS_AN_TLS_CLEARTEXT, 0), 1);
    ms_machine_free(m);

    /* no switch to TLS: nothing to say */
    n_notes = 0;
    m = ms_machine_new(MS_PROTO_SMTP, 1, 0, record, NULL);
    feed(m, MS_DIR_SERVER, 4, "220 mx.example.test ESMTP\r\n");
    ms_machine_tls_cleartext(m, MS_DIR_CLIENT, 5, 5);
    assert_int_equal(count_anomaly(MS_AN_TLS_CLEARTEXT, 0), 0);
    assert_int_equal(ms_machine_summary(m)->tls_cleartext, 0);
    ms_machine_free(m);
}

/* POP3: STLS accepted, then USER/PASS in clear text. */
static void test_pop3_cleartext_after_stls(void **state)
{
    (void)state;
    n_notes = 0;
    ms_machine_t *m = ms_machine_new(MS_PROTO_POP3, 1, 0, record, NULL);
    feed(m, MS_DIR_SERVER, 4, "+OK Dovecot ready.\r\n");
    feed(m, MS_DIR_CLIENT, 5, "STLS\r\n");
    feed(m, MS_DIR_SERVER, 6, "+OK Begin TLS negotiation now.\r\n");
    assert_int_equal(ms_machine_summary(m)->tls, MS_TLS_STARTTLS);
    ms_machine_tls_cleartext(m, MS_DIR_CLIENT, 7, 7);
    feed(m, MS_DIR_CLIENT, 7, "USER alice\r\n");
    feed(m, MS_DIR_CLIENT, 8, "PASS alicepw\r\n");
    const ms_summary_t *s = ms_machine_summary(m);
    assert_int_equal(count_anomaly(MS_AN_TLS_CLEARTEXT, 7), 1);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 8), 1);
    assert_true(s->auth_plaintext);
    assert_int_equal(s->tls_cleartext, 1u << MS_DIR_CLIENT);
    ms_machine_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_whole_and_split),
        cmocka_unit_test(test_clear_alert),
        cmocka_unit_test(test_clear_text),
        cmocka_unit_test(test_header_limits),
        cmocka_unit_test(test_sslv2_hello),
        cmocka_unit_test(test_gap),
        cmocka_unit_test(test_smtp_cleartext_after_starttls),
        cmocka_unit_test(test_pop3_cleartext_after_stls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
