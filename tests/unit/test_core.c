/* Unit tests of the shared parts of the core: the command queue and its
 * spill runs, the connection part (kinds and flags through a spill, the
 * injection guards), the anomaly table, the heuristic's classification of a
 * first payload, and the cross-session STARTTLS/STLS comparison.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ms_conn.h"
#include "ms_proto.h"
#include "ms_fifo.h"
#include "ms_heur_classify.h"
#include "ms_machine.h"
#include "ms_strlist.h"
#include "ms_tls_offers.h"

#include "recorder.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

/* ---- the queue ---------------------------------------------------------- */

static ms_reporter_t reporter(void)
{
    n_notes = 0;
    ms_reporter_t r = { .fn = record };
    return r;
}

static void test_fifo_order_and_growth(void **state)
{
    (void)state;
    ms_reporter_t r = reporter();
    ms_fifo_t q;
    ms_fifo_init(&q, sizeof(uint32_t), 100);
    /* push and pop interleaved so the ring wraps, then grow past 8 slots */
    for (uint32_t i = 0; i < 5; i++)
        *(uint32_t *)ms_fifo_push(&q, &r, 1, 0) = i;
    for (int i = 0; i < 3; i++)
        ms_fifo_pop(&q);
    for (uint32_t i = 5; i < 40; i++)
        *(uint32_t *)ms_fifo_push(&q, &r, 1, 0) = i;
    assert_int_equal(ms_fifo_waiting(&q), 37);
    for (uint32_t i = 0; i < 37; i++)
        assert_int_equal(*(uint32_t *)ms_fifo_at(&q, i), i + 3);
    assert_null(ms_fifo_at(&q, 37));
    assert_int_equal(n_notes, 0); /* no cap reached */
    ms_fifo_free(&q);
}

static void test_fifo_spill_runs(void **state)
{
    (void)state;
    ms_reporter_t r = reporter();
    ms_fifo_t q;
    uint32_t kind;
    ms_fifo_init(&q, sizeof(uint32_t), 2);
    assert_non_null(ms_fifo_push(&q, &r, 1, 7));
    assert_non_null(ms_fifo_push(&q, &r, 2, 7));
    /* beyond the cap: kept as runs of kind, in order */
    assert_null(ms_fifo_push(&q, &r, 3, 5));
    assert_null(ms_fifo_push(&q, &r, 4, 5));
    assert_null(ms_fifo_push(&q, &r, 5, 9));
    assert_int_equal(count_anomaly(MS_AN_CAP_REACHED, 3), 1); /* once, on the first spill */
    assert_int_equal(n_notes, 1);
    assert_int_equal(q.runs_count, 2);
    assert_int_equal(ms_fifo_waiting(&q), 5);
    assert_false(ms_fifo_spilled_front(&q, &kind)); /* slots first */
    ms_fifo_pop(&q);
    /* once spilling, a free slot is not used: order matters */
    assert_null(ms_fifo_push(&q, &r, 6, 9));
    ms_fifo_pop(&q);
    uint32_t want[] = { 5, 5, 9, 9 };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        assert_true(ms_fifo_spilled_front(&q, &kind));
        assert_int_equal(kind, want[i]);
        ms_fifo_pop(&q);
    }
    assert_false(ms_fifo_spilled_front(&q, &kind));
    assert_int_equal(ms_fifo_waiting(&q), 0);
    /* empty again: slots are used again */
    assert_non_null(ms_fifo_push(&q, &r, 7, 1));
    ms_fifo_free(&q);
}

static void test_fifo_spill_runs_full(void **state)
{
    (void)state;
    ms_reporter_t r = reporter();
    ms_fifo_t q;
    uint32_t kind;
    ms_fifo_init(&q, sizeof(uint32_t), 1);
    assert_non_null(ms_fifo_push(&q, &r, 1, 0));
    /* alternating kinds: one run each, until MS_FIFO_SPILL_RUNS; then unknown */
    for (uint32_t i = 0; i < MS_FIFO_SPILL_RUNS + 3; i++)
        assert_null(ms_fifo_push(&q, &r, 2, i % 2));
    assert_int_equal(q.runs_count, MS_FIFO_SPILL_RUNS);
    assert_int_equal(q.unknown, 3);
    ms_fifo_pop(&q);
    for (uint32_t i = 0; i < MS_FIFO_SPILL_RUNS; i++) {
        assert_true(ms_fifo_spilled_front(&q, &kind));
        assert_int_equal(kind, i % 2);
        ms_fifo_pop(&q);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(ms_fifo_spilled_front(&q, &kind));
        assert_int_equal(kind, MS_FIFO_KIND_UNKNOWN);
        ms_fifo_pop(&q);
    }
    assert_int_equal(ms_fifo_waiting(&q), 0);
    ms_fifo_pop(&q); /* popping an empty queue is harmless */
    assert_int_equal(ms_fifo_waiting(&q), 0);
    ms_fifo_free(&q);
}

/* ---- the connection part -------------------------------------------------- */

typedef struct {
    ms_cmd_t cmd;
    int      extra;
} test_cmd_t;

static void test_conn_spill_keeps_kind_and_flags(void **state)
{
    (void)state;
    ms_conn_t c;
    n_notes = 0;
    ms_conn_init(&c, MS_PROTO_SMTP, 1, 0, record, NULL, sizeof(test_cmd_t), 1, 99, 64);
    ms_cmd_t *e = ms_conn_push(&c, 3, 0x1, 10, 1000);
    assert_non_null(e);
    ((test_cmd_t *)e)->extra = 42;
    assert_null(ms_conn_push(&c, 4, 0x2, 11, 1100));
    assert_int_equal(ms_conn_queued(&c), 1);
    assert_int_equal(ms_conn_waiting(&c), 2);
    e = ms_conn_front(&c);
    assert_int_equal(e->kind, 3);
    assert_int_equal(e->flags, 0x1);
    assert_int_equal(e->frame, 10);
    assert_int_equal(((test_cmd_t *)e)->extra, 42);
    ms_conn_pop(&c);
    e = ms_conn_front(&c); /* the spilled one: kind and flags, nothing else */
    assert_non_null(e);
    assert_int_equal(e->kind, 4);
    assert_int_equal(e->flags, 0x2);
    assert_int_equal(e->frame, 0);
    assert_int_equal(((test_cmd_t *)e)->extra, 0);
    ms_conn_pop(&c);
    assert_null(ms_conn_front(&c));
    ms_conn_clear(&c);
}

static void test_conn_tls_guards(void **state)
{
    (void)state;
    ms_conn_t c;
    n_notes = 0;
    ms_conn_init(&c, MS_PROTO_POP3, 1, 0, record, NULL, sizeof(ms_cmd_t), 4, 99, 64);
    assert_true(ms_conn_line_in(&c, MS_DIR_CLIENT, 2));
    c.tls_pending = true; /* STLS sent, no reply yet: client lines are not commands */
    assert_false(ms_conn_line_in(&c, MS_DIR_CLIENT, 3));
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_INJECTION, 3), 1);
    assert_non_null(strstr(notes[n_notes - 1].text, "after STLS"));
    ms_conn_tls_reply(&c, true, "Begin TLS", 4);
    assert_false(c.tls_pending);
    assert_int_equal(c.sum.tls, MS_TLS_STARTTLS);
    assert_int_equal(c.sum.starttls_result, MS_STARTTLS_ACCEPTED);
    /* more server data in the go-ahead's frame: response injection */
    assert_false(ms_conn_line_in(&c, MS_DIR_SERVER, 4));
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_INJECTION, 4), 1);
    assert_true(ms_conn_line_in(&c, MS_DIR_SERVER, 5));
    assert_false(ms_conn_visible(&c)); /* inside TLS, nothing decrypted yet */
    assert_true(ms_conn_line_in(&c, MS_DIR_CLIENT, 6));
    assert_true(ms_conn_visible(&c));
    assert_int_equal(c.client_lines, 3);
    assert_int_equal(c.server_lines, 2);
    ms_conn_clear(&c);
}

static void test_conn_refused_tls_and_unmatched(void **state)
{
    (void)state;
    ms_conn_t c;
    n_notes = 0;
    ms_conn_init(&c, MS_PROTO_SMTP, 1, 0, record, NULL, sizeof(ms_cmd_t), 4, 99, 64);
    ms_conn_unmatched(&c, "250 x", 2); /* no client data: one partial note only */
    ms_conn_unmatched(&c, "250 y", 3);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 0), 1);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    ms_conn_line_in(&c, MS_DIR_CLIENT, 4);
    ms_conn_unmatched(&c, "250 z", 5);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 5), 1);
    assert_string_equal(notes[n_notes - 1].text, "Reply 250 z answers no outstanding command");
    c.tls_pending = true;
    ms_conn_tls_reply(&c, false, "454 4.7.0 TLS not available", 6);
    assert_false(c.in_tls);
    assert_int_equal(c.sum.starttls_result, MS_STARTTLS_REFUSED);
    assert_string_equal(notes[n_notes - 1].text, "STARTTLS refused: 454 4.7.0 TLS not available");
    ms_conn_clear(&c);
}

/* The close checks are the same for both protocols: a last line without
 * terminator is reported for POP3 as for SMTP. */
static void test_close_last_line_both_protocols(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        n_notes = 0;
        ms_machine_t *m = ms_machine_new(p ? MS_PROTO_POP3 : MS_PROTO_SMTP, 1, 0, record, NULL);
        if (p)
            ms_machine_feed(m, MS_DIR_SERVER, S("+OK ready\r\n"), 2, 2);
        else
            ms_machine_feed(m, MS_DIR_SERVER, S("220 mx ESMTP\r\n"), 2, 2);
        ms_machine_feed(m, MS_DIR_CLIENT, S("NOOP\r\nQUI"), 3, 3);
        ms_machine_close(m, MS_DIR_CLIENT, false, 4, 4);
        ms_machine_close(m, MS_DIR_SERVER, false, 5, 5); /* only the first close counts */
        assert_int_equal(count_anomaly(MS_AN_SYNTAX, 4), 1);
        assert_string_equal(notes[n_notes - 2].text, "The client's last line has no line terminator");
        assert_string_equal(notes[n_notes - 1].text, "The client closed the connection without QUIT");
        assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 4), 1);
        assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 5), 0);
        ms_machine_free(m);
    }
}

/* Timestamps come from the capture file: any int64, and differences saturate. */
static void test_extreme_times(void **state)
{
    (void)state;
    assert_true(ms_time_diff(5, 3) == 2);
    assert_true(ms_time_diff(INT64_MAX, INT64_MIN) == INT64_MAX);
    assert_true(ms_time_diff(INT64_MIN, INT64_MAX) == INT64_MIN);
    assert_true(ms_time_diff(INT64_MIN, 1) == INT64_MIN);
    n_notes = 0;
    ms_machine_t *m = ms_machine_new(MS_PROTO_SMTP, 1, INT64_MIN, record, NULL);
    ms_machine_feed(m, MS_DIR_SERVER, S("220 mx ESMTP\r\n"), 2, INT64_MAX);
    ms_machine_feed(m, MS_DIR_CLIENT, S("NOOP\r\n"), 3, INT64_MIN);
    ms_machine_feed(m, MS_DIR_SERVER, S("250 ok\r\n"), 4, INT64_MAX);
    const ms_summary_t *sum = ms_machine_summary(m);
    assert_true(sum->greeting_time == INT64_MAX);
    assert_int_equal(notes[n_notes - 2].n.kind, MS_NOTE_REQUEST_IN);
    assert_int_equal(notes[n_notes - 2].frame, 4);
    assert_true(notes[n_notes - 2].n.delta == INT64_MAX); /* INT64_MAX - INT64_MIN, saturated */
    ms_machine_free(m);
}

/* A FIN from one side is a half close: the other side still answers the
 * queued commands, so nothing is dropped until its FIN too. */
static void test_fin_each_way(void **state)
{
    (void)state;
    n_notes = 0;
    ms_machine_t *m = ms_machine_new(MS_PROTO_SMTP, 1, 0, record, NULL);
    const ms_conn_t *c = ms_machine_conn(m);
    ms_machine_feed(m, MS_DIR_SERVER, S("220 mx ESMTP\r\n"), 2, 2);
    ms_machine_feed(m, MS_DIR_CLIENT, S("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\n"
                                        "RCPT TO:<g@h>\r\nQUIT\r\n"), 3, 3);
    ms_machine_close(m, MS_DIR_CLIENT, false, 4, 4);
    assert_false(ms_machine_fin(m, MS_DIR_CLIENT));
    assert_false(ms_machine_fin(m, MS_DIR_CLIENT)); /* a retransmitted FIN */
    assert_non_null(c->queue.items);
    ms_machine_feed(m, MS_DIR_SERVER, S("250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n221 bye\r\n"),
                    5, 5);
    const ms_summary_t *sum = ms_machine_summary(m);
    assert_int_equal(sum->rcpt_to.count, 3);
    assert_int_equal(sum->rcpt_rejected.count, 1); /* the 550 met its RCPT */
    assert_string_equal(sum->rcpt_rejected.items[0], "e@f");
    assert_true(sum->quit);
    /* the server's FIN ends it: the machine is frozen (queue and line
     * buffers released, the rest packed), the record kept */
    assert_true(ms_machine_fin(m, MS_DIR_SERVER));
    assert_null(ms_machine_conn(m));
    assert_false(ms_machine_fin(m, MS_DIR_SERVER)); /* once */
    assert_int_equal(ms_machine_summary(m)->rcpt_to.count, 3);
    ms_machine_free(m);
}

/* An ended session keeps its record and drops the rest; it stays usable. */
static void test_shrink(void **state)
{
    (void)state;
    n_notes = 0;
    ms_machine_t *m = ms_machine_new(MS_PROTO_SMTP, 1, 0, record, NULL);
    ms_machine_feed(m, MS_DIR_SERVER, S("220 mx ESMTP\r\n"), 2, 2);
    ms_machine_feed(m, MS_DIR_CLIENT, S("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e"), 3, 3);
    ms_machine_close(m, MS_DIR_CLIENT, true, 4, 4);
    ms_machine_shrink(m);
    const ms_summary_t *sum = ms_machine_summary(m);
    assert_string_equal(sum->banner, "mx ESMTP");
    assert_int_equal(sum->rcpt_to.count, 1);
    assert_string_equal(sum->rcpt_to.items[0], "c@d");
    /* nothing waits any more; more bytes are still taken */
    ms_machine_feed(m, MS_DIR_SERVER, S("250 ok\r\n"), 5, 5);
    ms_machine_feed(m, MS_DIR_CLIENT, S("QUIT\r\n"), 6, 6);
    ms_machine_feed(m, MS_DIR_SERVER, S("221 bye\r\n"), 7, 7);
    assert_true(ms_machine_summary(m)->quit);
    ms_machine_free(m);

    /* a queue allocates nothing until its first push */
    ms_fifo_t q;
    ms_fifo_init(&q, 16, 4);
    assert_null(q.items);
    ms_fifo_free(&q);
    assert_null(q.items);
}

/* ---- the anomaly table ------------------------------------------------------ */

static void test_anomaly_table(void **state)
{
    (void)state;
    for (int i = 0; i < MS_AN_COUNT; i++) {
        const char *name = ms_anomaly_name((ms_anomaly_t)i);
        assert_true(strlen(name) > 0);
        for (const char *c = name; *c; c++)
            assert_true(g_ascii_islower(*c) || *c == '_');
        assert_true(strlen(ms_anomaly_meaning((ms_anomaly_t)i)) > 10);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(name, ms_anomaly_name((ms_anomaly_t)j));
    }
    assert_string_equal(ms_anomaly_name(MS_AN_PLAINTEXT_AUTH), "plaintext_auth");
    assert_string_equal(ms_anomaly_name(MS_AN_COUNT), "unknown");
}

/* ---- the heuristic's classification ------------------------------------------- */

static void test_heur_classify(void **state)
{
    (void)state;
    ms_opening_t o;
    assert_true(ms_heur_classify(S("220 mx.example.test ESMTP Postfix\r\n"), &o));
    assert_int_equal(o.proto, MS_PROTO_SMTP);
    assert_true(o.from_server);
    assert_true(ms_heur_classify(S("220-mx ESMTP\r\n220 more\r\n"), &o));
    assert_true(ms_heur_classify(S("+OK Dovecot ready.\r\n"), &o));
    assert_int_equal(o.proto, MS_PROTO_POP3);
    assert_true(o.from_server);
    assert_true(ms_heur_classify(S("+OK\r\n"), &o));
    assert_true(ms_heur_classify(S("ehlo client.example.test\r\n"), &o));
    assert_int_equal(o.proto, MS_PROTO_SMTP);
    assert_false(o.from_server);
    assert_true(ms_heur_classify(S("CAPA\r\n"), &o));
    assert_int_equal(o.proto, MS_PROTO_POP3);
    assert_false(o.from_server);
    assert_true(ms_heur_classify(S("USER alice\r\n"), &o));
    assert_true(ms_heur_classify(S("APOP alice 0123\r\n"), &o));
    /* not an opening */
    assert_false(ms_heur_classify(S("220 ftp.example.test FTP server ready.\r\n"), &o));
    assert_false(ms_heur_classify(S("220 esmtp in lower case\r\n"), &o));
    assert_false(ms_heur_classify(S("+OKAY\r\n"), &o));
    assert_false(ms_heur_classify(S("EHLO \r\n"), &o));
    assert_false(ms_heur_classify(S("CAPA x\r\n"), &o));
    assert_false(ms_heur_classify(S("USER \r\n"), &o));
    assert_false(ms_heur_classify(S("220 ESMTP\n"), &o));      /* bare LF */
    assert_false(ms_heur_classify(S("220 ESMTP no end"), &o)); /* no line end */
    assert_false(ms_heur_classify(S("220 E\x01SMTP\r\n"), &o)); /* control byte */
    assert_true(ms_heur_classify(S("220\tESMTP x\r\n220 SMTP\r\n"), &o) == false);
    assert_true(ms_heur_classify(S("220 a\tSMTP\r\n"), &o));   /* TAB is allowed */
    assert_false(ms_heur_classify(S("\r\n"), &o));
    assert_false(ms_heur_classify(NULL, 0, &o));
    /* the line must end within MS_OPENING_MAX bytes */
    char big[MS_OPENING_MAX + 8];
    memset(big, 'x', sizeof(big));
    memcpy(big, "220 SMTP ", 9);
    memcpy(big + MS_OPENING_MAX - 2, "\r\n", 2);
    assert_true(ms_heur_classify((const uint8_t *)big, sizeof(big), &o));
    memcpy(big + MS_OPENING_MAX - 2, "xx\r\n", 4);
    assert_false(ms_heur_classify((const uint8_t *)big, sizeof(big), &o));
}

/* ---- STARTTLS/STLS offers across sessions ---------------------------------------- */

static ms_summary_t caps_reply(ms_proto_t proto, bool offered, ms_frame_t frame)
{
    ms_summary_t s;
    memset(&s, 0, sizeof(s));
    s.proto = proto;
    s.clear_caps = 1;
    s.clear_caps_frame = frame;
    s.starttls_offered = offered;
    return s;
}

static void test_tls_offers(void **state)
{
    (void)state;
    ms_tls_offers_t *t = ms_tls_offers_new();
    bool c0 = false, c1 = false, c2 = false, c3 = false, c4 = false, c5 = false;
    n_notes = 0;
    /* no capability reply yet: nothing compared */
    ms_summary_t none = caps_reply(MS_PROTO_SMTP, false, 0);
    none.clear_caps = 0;
    ms_tls_offers_check(t, "127.0.0.1 25", 0, &none, &c0, record, NULL);
    assert_false(c0);
    /* offered in session 1, missing in session 2: reported on session 2 */
    ms_summary_t s1 = caps_reply(MS_PROTO_SMTP, true, 6);
    ms_tls_offers_check(t, "127.0.0.1 25", 1, &s1, &c1, record, NULL);
    ms_tls_offers_check(t, "127.0.0.1 25", 1, &s1, &c1, record, NULL); /* once per session */
    assert_int_equal(n_notes, 0);
    ms_summary_t s2 = caps_reply(MS_PROTO_SMTP, false, 20);
    ms_tls_offers_check(t, "127.0.0.1 25", 2, &s2, &c2, record, NULL);
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_STRIPPED, 20), 1);
    assert_string_equal(notes[0].text, "This server offered STARTTLS in session 1 (frame 6) but "
                                       "not in this session: the offer may have been stripped");
    /* another server, or another protocol on the same address and port: separate */
    ms_summary_t s3 = caps_reply(MS_PROTO_SMTP, false, 30);
    ms_tls_offers_check(t, "127.0.0.1 2525", 3, &s3, &c3, record, NULL);
    ms_summary_t s4 = caps_reply(MS_PROTO_POP3, false, 40);
    ms_tls_offers_check(t, "127.0.0.1 25", 4, &s4, &c4, record, NULL);
    assert_int_equal(n_notes, 1);
    /* missing first, offered later: reported once, on the later session */
    ms_summary_t s5 = caps_reply(MS_PROTO_SMTP, true, 50);
    ms_tls_offers_check(t, "127.0.0.1 2525", 5, &s5, &c5, record, NULL);
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_STRIPPED, 50), 1);
    assert_string_equal(notes[1].text, "This server offers STARTTLS here, but did not in session 3 "
                                       "(frame 30): the offer may have been stripped there");
    ms_tls_offers_free(t);
}

/* ---- the capped list ----------------------------------------------------- */

/* A packed list keeps its entries, their order, its counts; it grows again
 * (each entry its own copy then), packs again, and clears (ASan/valgrind:
 * no leak, no double free). */
static void test_strlist_pack(void **state)
{
    (void)state;
    ms_strlist_t l;
    ms_strlist_init(&l, 5);
    ms_strlist_pack(&l); /* empty: nothing to do */
    assert_int_equal(l.count, 0);
    ms_strlist_add(&l, "alpha", 5);
    ms_strlist_add(&l, "", 0);
    ms_strlist_add(&l, "gamma", 5);
    ms_strlist_pack(&l);
    ms_strlist_pack(&l); /* packed already */
    assert_int_equal(l.count, 3);
    assert_string_equal(l.items[0], "alpha");
    assert_string_equal(l.items[1], "");
    assert_string_equal(l.items[2], "gamma");
    assert_true(ms_strlist_contains(&l, "gamma", 5));
    assert_int_equal(ms_strlist_add_distinct(&l, "alpha", 5), MS_LIST_DUPLICATE);
    assert_int_equal(ms_strlist_add(&l, "delta", 5), MS_LIST_ADDED);
    assert_int_equal(ms_strlist_add_owned(&l, g_strdup("eps"), 3, false), MS_LIST_ADDED);
    assert_int_equal(ms_strlist_add(&l, "full", 4), MS_LIST_FULL);
    assert_int_equal(l.count, 5);
    assert_int_equal(l.bytes, 18);
    assert_int_equal(l.dropped, 1);
    ms_strlist_pack(&l);
    const char *want[] = { "alpha", "", "gamma", "delta", "eps" };
    for (int i = 0; i < 5; i++)
        assert_string_equal(l.items[i], want[i]);
    assert_int_equal(ms_strlist_add(&l, "more", 4), MS_LIST_FULL);
    assert_int_equal(l.dropped, 2);
    ms_strlist_clear(&l);
    assert_int_equal(l.count, 0);
    assert_int_equal(l.cap, 5);
    ms_strlist_add(&l, "again", 5);
    assert_string_equal(l.items[0], "again");
    ms_strlist_clear(&l);
}

/* A caller-built string is kept or freed (ASan/valgrind see a leak or a
 * double free otherwise); duplicates and a full list behave as with a copy. */
static void test_strlist_add_owned(void **state)
{
    (void)state;
    ms_strlist_t l;
    ms_strlist_init(&l, 2);
    assert_int_equal(ms_strlist_add_owned(&l, g_strdup("a"), 1, true), MS_LIST_ADDED);
    assert_int_equal(ms_strlist_add_owned(&l, g_strdup("a"), 1, true), MS_LIST_DUPLICATE);
    assert_int_equal(ms_strlist_add_owned(&l, g_strdup("a"), 1, false), MS_LIST_ADDED);
    assert_int_equal(ms_strlist_add_owned(&l, g_strdup("b"), 1, false), MS_LIST_FULL);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.dropped, 1);
    assert_int_equal(l.bytes, 2);
    assert_string_equal(l.items[0], "a");
    assert_string_equal(l.items[1], "a");
    ms_strlist_clear(&l);
    /* the text budget counts the stored length */
    ms_strlist_init(&l, 8);
    char *big = g_malloc(MS_STRLIST_BYTES_MAX + 1);
    memset(big, 'x', MS_STRLIST_BYTES_MAX);
    big[MS_STRLIST_BYTES_MAX] = '\0';
    assert_int_equal(ms_strlist_add_owned(&l, big, MS_STRLIST_BYTES_MAX, false), MS_LIST_ADDED);
    assert_int_equal(ms_strlist_add_owned(&l, g_strdup("y"), 1, false), MS_LIST_FULL);
    assert_int_equal(l.count, 1);
    ms_strlist_clear(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_order_and_growth),
        cmocka_unit_test(test_fifo_spill_runs),
        cmocka_unit_test(test_fifo_spill_runs_full),
        cmocka_unit_test(test_conn_spill_keeps_kind_and_flags),
        cmocka_unit_test(test_conn_tls_guards),
        cmocka_unit_test(test_conn_refused_tls_and_unmatched),
        cmocka_unit_test(test_close_last_line_both_protocols),
        cmocka_unit_test(test_extreme_times),
        cmocka_unit_test(test_fin_each_way),
        cmocka_unit_test(test_shrink),
        cmocka_unit_test(test_anomaly_table),
        cmocka_unit_test(test_heur_classify),
        cmocka_unit_test(test_tls_offers),
        cmocka_unit_test(test_strlist_add_owned),
        cmocka_unit_test(test_strlist_pack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
