/* Unit tests of the SMTP session machine: whole sessions fed as the epan
 * glue feeds them (bytes per direction, frame, time), including pipelining,
 * split and multi-line replies, AUTH, STARTTLS, BDAT and hostile input.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ms_machine.h"
#include "ms_smtp.h"

#include "recorder.h"

static ms_machine_t *new_session(void)
{
    n_notes = 0;
    return ms_machine_new(MS_PROTO_SMTP, 1, 0, record, NULL);
}

/* frame f at time f milliseconds */
static void C(ms_machine_t *s, ms_frame_t f, const char *data)
{
    ms_machine_feed(s, MS_DIR_CLIENT, (const uint8_t *)data, strlen(data), f, (ms_time_t)f * 1000000);
}

static void S(ms_machine_t *s, ms_frame_t f, const char *data)
{
    ms_machine_feed(s, MS_DIR_SERVER, (const uint8_t *)data, strlen(data), f, (ms_time_t)f * 1000000);
}

static void greet_ehlo(ms_machine_t *s)
{
    S(s, 4, "220 mx.example.test ESMTP\r\n");
    C(s, 5, "EHLO client.example.test\r\n");
    S(s, 6, "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
            "250-STARTTLS\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 CHUNKING\r\n");
}

static void test_simple_session(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<alice@example.test>\r\n");
    S(s, 8, "250 2.1.0 Ok\r\n");
    C(s, 9, "RCPT TO:<bob@example.test>\r\n");
    S(s, 10, "250 2.1.5 Ok\r\n");
    C(s, 11, "DATA\r\n");
    S(s, 12, "354 End data\r\n");
    C(s, 13, "Subject: t\r\n\r\n..dot line\r\n.\r\n"); /* 12 + 2 + 11 (unstuffed) */
    S(s, 15, "250 2.0.0 Ok: queued\r\n");
    C(s, 16, "QUIT\r\n");
    S(s, 17, "221 2.0.0 Bye\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_string_equal(m->banner, "mx.example.test ESMTP");
    assert_string_equal(m->helo, "client.example.test");
    assert_int_equal(m->capabilities.count, 5);
    assert_string_equal(m->capabilities.items[1], "SIZE 10240000");
    assert_true(m->starttls_offered);
    assert_int_equal(m->tls, MS_TLS_NONE);
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_NONE);
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 25);
    assert_true(m->quit);
    assert_true(m->greeting_time == 4000000);    /* frame 1 at 0 ms -> frame 4 */
    assert_int_equal(m->transfer_count, 1);
    assert_true(m->transfer_times[0] == 4000000); /* DATA (11) -> 250 (15) */
    assert_int_equal(request_in(8, 0), 7);
    assert_int_equal(request_in(15, 0), 13);      /* the "." line answered by 250 */
    assert_int_equal(request_in(17, 0), 16);
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 0), 0);
    ms_machine_close(s, MS_DIR_CLIENT, false, 18, 18000000);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 0), 0);
    ms_machine_free(s);
}

static void test_pipelined_replies(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<nobody@x>\r\nDATA\r\n");
    S(s, 8, "250 Ok\r\n250 Ok\r\n550 5.1.1 unknown\r\n354 go\r\n");
    C(s, 9, "x\r\n.\r\n");
    S(s, 10, "250 queued\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->rcpt_to.count, 2);
    assert_int_equal(m->rcpt_rejected.count, 1);
    assert_string_equal(m->rcpt_rejected.items[0], "nobody@x");
    assert_int_equal(count_anomaly(MS_AN_RCPT_REJECTED, 8), 1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(request_in(8, i), 7); /* four replies, all to frame 7 */
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 3);
    ms_machine_free(s);
}

static void test_split_multiline_reply(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    S(s, 4, "220 hi\r\n");
    C(s, 5, "EHLO c\r\n");
    S(s, 6, "250-mx\r\n250-PIPE");
    S(s, 7, "LINING\r\n250 8BITMIME\r");
    S(s, 8, "\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->capabilities.count, 2);
    assert_string_equal(m->capabilities.items[0], "PIPELINING");
    assert_int_equal(request_in(8, 0), 5); /* the reply ends in frame 8 */
    assert_int_equal(request_in(6, 0), 0);
    ms_machine_free(s);
}

static void test_auth_login_plaintext(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "AUTH LOGIN\r\n");
    S(s, 8, "334 VXNlcm5hbWU6\r\n");
    C(s, 9, "YWxpY2U=\r\n");
    S(s, 10, "334 UGFzc3dvcmQ6\r\n");
    C(s, 11, "YWxpY2Vwdw==\r\n");
    S(s, 12, "235 2.7.0 Authentication successful\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->auth_methods.count, 1);
    assert_string_equal(m->auth_methods.items[0], "LOGIN");
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    assert_int_equal(m->auth_attempts, 1);
    assert_true(m->auth_plaintext);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 11), 1); /* the password frame */
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 0), 1);
    assert_int_equal(request_in(12, 0), 11);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 0); /* base64 lines are not commands */
    ms_machine_free(s);
}

static void test_auth_fail_then_success(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "AUTH PLAIN AGFsaWNlAHdyb25n\r\n"); /* \0alice\0wrong */
    S(s, 8, "535 5.7.8 Error: authentication failed\r\n");
    C(s, 9, "AUTH PLAIN\r\n");
    S(s, 10, "334 \r\n");
    C(s, 11, "AGFsaWNlAGFsaWNlcHc=\r\n");
    S(s, 12, "235 ok\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->auth_attempts, 2);
    assert_int_equal(m->auth_failures, 1);
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    assert_int_equal(m->auth_users.count, 1); /* distinct */
    assert_int_equal(m->auth_methods.count, 1);
    assert_int_equal(count_anomaly(MS_AN_AUTH_FAILED, 8), 1);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 7), 1);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 11), 1);
    /* each final reply is one result for the counters across sessions, with its user */
    bool ok;
    const char *user;
    assert_int_equal(auth_result(0, &ok, &user), 8);
    assert_false(ok);
    assert_string_equal(user, "alice");
    assert_int_equal(auth_result(1, &ok, &user), 12);
    assert_true(ok);
    assert_string_equal(user, "alice");
    assert_int_equal(auth_result(2, &ok, &user), 0);
    ms_machine_free(s);
}

static void test_auth_454_is_failure_and_no_reply_unknown(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "AUTH CRAM-MD5\r\n");
    S(s, 8, "454 4.7.0 Temporary authentication failure\r\n");
    assert_int_equal(ms_machine_summary(s)->auth_result, MS_AUTH_RESULT_FAILURE);
    assert_int_equal(count_anomaly(MS_AN_AUTH_FAILED, 8), 1);
    C(s, 9, "AUTH XOAUTH2 dXNlcj1jYXJvbAFhdXRoPUJlYXJlciB0b2sBAQ==\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_UNKNOWN);
    assert_string_equal(m->auth_users.items[0], "carol");
    assert_true(m->auth_plaintext); /* a bearer token is a reusable secret */
    assert_int_equal(m->auth_methods.count, 2);
    ms_machine_free(s);
}

static void test_starttls_then_auth_not_plaintext(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "STARTTLS\r\n");
    S(s, 8, "220 2.0.0 Ready to start TLS\r\n");
    /* what follows is what TLS decryption hands to SMTP */
    C(s, 12, "EHLO client\r\n");
    S(s, 13, "250-mx\r\n250 AUTH PLAIN\r\n");
    C(s, 14, "AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n");
    S(s, 15, "235 ok\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->tls, MS_TLS_STARTTLS);
    assert_false(m->auth_plaintext);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 0), 0);
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    ms_machine_free(s);
}

static void test_bdat_chunks(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 10\r\n0123");
    C(s, 8, "45\r\n.8"); /* chunk bytes are raw: no line or dot handling */
    S(s, 9, "250 ok\r\n250 ok\r\n250 10 octets\r\n");
    C(s, 10, "BDAT 6 LAST\r\nQUIT\r\n"); /* this QUIT is the chunk's data */
    assert_int_equal(ms_machine_summary(s)->msg_count, 0);
    C(s, 11, "QUIT\r\n");
    S(s, 12, "250 Message accepted\r\n221 bye\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 16);
    assert_true(m->quit);
    assert_true(m->transfer_times[0] == 5000000); /* first BDAT (7) -> 250 (12) */
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 0);
    ms_machine_free(s);
}

static void test_sequence_anomalies(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    S(s, 4, "220 hi\r\n");
    C(s, 5, "MAIL FROM:<a@x>\r\n");
    S(s, 6, "503 send HELO first\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 5), 1); /* MAIL before HELO */
    C(s, 7, "HELO c\r\n");
    S(s, 8, "250 ok\r\n");
    C(s, 9, "RCPT TO:<b@x>\r\n");
    S(s, 10, "503 need MAIL\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 9), 1); /* RCPT without MAIL */
    C(s, 11, "MAIL FROM:<a@x>\r\n");
    S(s, 12, "250 ok\r\n");
    C(s, 13, "MAIL FROM:<a@x>\r\n");
    S(s, 14, "503 nested\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 13), 1); /* nested MAIL */
    C(s, 15, "DATA\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 15), 1); /* DATA without RCPT */
    S(s, 16, "554 no valid recipients\r\n");
    C(s, 17, "QUIT\r\n"); /* DATA was refused: this is a command again */
    S(s, 18, "221 bye\r\n");
    assert_true(ms_machine_summary(s)->quit);
    assert_int_equal(ms_machine_summary(s)->msg_count, 0);
    ms_machine_free(s);
}

static void test_unmatched_and_resync(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    S(s, 4, "220 hi\r\n");
    S(s, 5, "250 spontaneous\r\n");
    /* no client data yet: maybe only the server's side is captured; said once */
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 5), 0);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 5), 1);
    C(s, 6, "NOOP\r\n");
    S(s, 6, "250 ok\r\n250 spontaneous\r\n");
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 6), 1);
    C(s, 6, "HELO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
    /* the replies to HELO, MAIL and RCPT were lost; 354 can only answer DATA */
    S(s, 7, "354 go\r\n");
    assert_int_equal(request_in(7, 0), 6);
    assert_int_equal(count_anomaly(MS_AN_UNANSWERED, 6), 3);
    C(s, 8, "body\r\n.\r\n");
    S(s, 9, "250 ok\r\n");
    assert_int_equal(request_in(9, 0), 8);
    assert_int_equal(ms_machine_summary(s)->msg_count, 1);
    ms_machine_free(s);
}

static void test_smuggling_and_bare_lf(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
    S(s, 8, "250 ok\r\n250 ok\r\n354 go\r\n");
    C(s, 9, "hello\n.\r\nMAIL FROM:<evil@x>\r\n.\r\n");
    assert_int_equal(count_anomaly(MS_AN_SMUGGLING, 9), 1);
    assert_int_equal(count_anomaly(MS_AN_BARE_NEWLINE, 9), 1);
    S(s, 10, "250 ok\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->mail_from.count, 1); /* the smuggled MAIL stayed content */
    assert_int_equal(m->msg_count, 1);
    /* "hello\n" 6, ".\r\n" 3 (after a bare LF it is no line start: not unstuffed), MAIL 20 */
    assert_true(m->msg_bytes == 6 + 3 + 20);
    ms_machine_free(s);
}

static void test_close_without_quit(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "NOOP\r\nHEL");
    ms_machine_close(s, MS_DIR_CLIENT, true, 9, 9000000);
    ms_machine_close(s, MS_DIR_SERVER, false, 10, 10000000);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 9), 1);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 0), 1); /* once per session */
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 9), 1);  /* unterminated "HEL" */
    assert_false(ms_machine_summary(s)->quit);
    assert_true(ms_machine_summary(s)->last_ts - ms_machine_summary(s)->first_ts == 10000000);
    ms_machine_free(s);
}

static void test_long_lines(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    GString *g = g_string_new("NOOP ");
    for (int i = 0; i < 600; i++)
        g_string_append_c(g, 'x');
    g_string_append(g, "\r\n");
    C(s, 7, g->str);
    assert_int_equal(count_anomaly(MS_AN_LINE_TOO_LONG, 7), 1);
    C(s, 8, "NOOP\n");
    assert_int_equal(count_anomaly(MS_AN_BARE_NEWLINE, 8), 1);
    g_string_free(g, TRUE);
    ms_machine_free(s);
}

static void test_utf8_addresses(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<j\xC3\xB6rg@b\xC3\xA4r.example> SMTPUTF8\r\nRCPT TO:<\xE7\x94\xA8\xE6\x88\xB7@x>\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_string_equal(m->mail_from.items[0], "j\xC3\xB6rg@b\xC3\xA4r.example");
    assert_string_equal(m->rcpt_to.items[0], "\xE7\x94\xA8\xE6\x88\xB7@x");
    C(s, 8, "MAIL FROM:<>\r\n");
    assert_string_equal(m->mail_from.items[1], ""); /* null sender */
    ms_machine_free(s);
}

/* 100,000 RCPT without replies: lists and queue stop at their caps, counts go on. */
static void test_huge_counts_are_capped(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\n");
    for (int i = 0; i < 100000; i++) {
        char line[64];
        snprintf(line, sizeof(line), "RCPT TO:<u%d@x>\r\n", i);
        C(s, 8 + (ms_frame_t)i, line);
    }
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->rcpt_to.count, MS_CAP_RCPT_TO);
    assert_true(m->rcpt_to.dropped == 100000 - MS_CAP_RCPT_TO);
    assert_true(m->commands == 100002);
    assert_int_equal(count_anomaly(MS_AN_CAP_REACHED, 0), 2); /* recipient list, queue */
    /* replies to the RCPTs beyond the queue cap are matched too, in order */
    for (int i = 0; i < 2000; i++)
        S(s, 200000, "250 ok\r\n");
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    ms_machine_free(s);
}

/*
 * Regression, hostile-sessions "rcpt" case (10,000 pipelined RCPTs, some
 * refused): once the command queue was full, later commands were dropped
 * and every later reply was paired with the wrong command - accepted
 * recipients listed as refused, QUIT's 221 taken for a RCPT reply.
 */
static void test_queue_overflow_keeps_reply_order(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\n");
    const int n = 3000; /* about three times the queue's cap */
    for (int i = 0; i < n; i++) {
        char line[64];
        snprintf(line, sizeof(line), "RCPT TO:<%s%d@x>\r\n", i % 1000 == 999 ? "bad" : "u", i);
        C(s, 8, line);
    }
    C(s, 9, "QUIT\r\n");
    S(s, 10, "250 ok\r\n"); /* MAIL */
    for (int i = 0; i < n; i++)
        S(s, 10, i % 1000 == 999 ? "554 5.7.1 relay denied\r\n" : "250 ok\r\n");
    S(s, 11, "221 bye\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_true(m->quit);
    /* the first refusal is within the queue: its address is known */
    assert_int_equal(m->rcpt_rejected.count, 1);
    assert_string_equal(m->rcpt_rejected.items[0], "bad999@x");
    /* the two beyond it are reported without address, none is invented */
    assert_int_equal(count_anomaly(MS_AN_RCPT_REJECTED, 0), 3);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    ms_machine_free(s);
}

/*
 * Regression (session 2 note, "spilled BDAT LAST never closes its message"):
 * a BDAT LAST beyond the queue's cap was kept as a plain BDAT, so its 250
 * did not count the message and the next transaction looked nested.
 */
static void test_queue_overflow_bdat_last_closes_message(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\n");
    for (int i = 0; i < 1100; i++) /* beyond the queue's cap of 1024 */
        C(s, 8, "NOOP\r\n");
    C(s, 9, "RCPT TO:<b@x>\r\n");
    C(s, 9, "BDAT 3\r\nabc");
    C(s, 9, "BDAT 2 LAST\r\nde");
    C(s, 9, "QUIT\r\n");
    S(s, 10, "250 ok\r\n"); /* MAIL */
    for (int i = 0; i < 1100; i++)
        S(s, 10, "250 ok\r\n");
    S(s, 11, "250 ok\r\n"); /* RCPT */
    S(s, 11, "250 3 octets\r\n");
    assert_int_equal(ms_machine_summary(s)->msg_count, 0);
    S(s, 11, "250 message queued\r\n");
    S(s, 12, "221 bye\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 0); /* spilled: its size is not known */
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 0), 1);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    assert_true(m->quit);
    ms_machine_free(s);
}

/* Any byte sequence is input: no crash and no unbounded growth. */
static void test_garbage(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    uint8_t buf[4096];
    guint32 seed = 12345;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            seed = seed * 1103515245 + 12345;
            buf[i] = (uint8_t)(seed >> 16);
        }
        ms_machine_feed(s, (ms_dir_t)(round & 1), buf, sizeof(buf), (ms_frame_t)round + 2, round);
    }
    ms_machine_close(s, MS_DIR_SERVER, true, 300, 300);
    assert_true(n_notes < MAX_NOTES);
    ms_machine_free(s);
}

/* Regression (zeek smtp-mail-transactions-invalid): a refused nested MAIL
 * leaves the open transaction alone, so the next RCPT is in sequence. */
static void test_refused_nested_mail_keeps_transaction(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\n");
    S(s, 8, "250 OK\r\n");
    C(s, 9, "MAIL FROM:<a@x>\r\n");
    S(s, 10, "503 sender already given\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 9), 1);
    C(s, 11, "RCPT TO:<b@x>\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 11), 0);
    S(s, 12, "250 Accepted\r\n");
    C(s, 13, "DATA\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 13), 0);
    ms_machine_free(s);
}

/* After STARTTLS without decrypted data, a missing QUIT cannot be known. */
static void test_no_quit_not_claimed_inside_tls(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "STARTTLS\r\n");
    S(s, 8, "220 go ahead\r\n");
    ms_machine_close(s, MS_DIR_SERVER, false, 20, 20000000);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 0), 0);
    ms_machine_free(s);
    s = new_session();
    greet_ehlo(s);
    C(s, 7, "STARTTLS\r\n");
    S(s, 8, "220 go ahead\r\n");
    C(s, 12, "EHLO c\r\n"); /* decrypted: now the session is visible */
    ms_machine_close(s, MS_DIR_SERVER, false, 20, 20000000);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 20), 1);
    ms_machine_free(s);
}

/* RFC 5321 3.8: a 421 may come at any time; it is not an unmatched reply. */
static void test_unsolicited_421(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    S(s, 7, "421 4.4.2 Timeout, closing\r\n");
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    S(s, 8, "451 4.7.0 Timeout waiting for client input\r\n");
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 8), 1);
    ms_machine_free(s);
}

/* A capture that starts inside message content: no command misread. */
static void test_capture_starts_mid_data(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    C(s, 2, "lorem ipsum\r\n..dotted\r\nMAIL FROM:<not-a-command@x>\r\n.\r\n");
    S(s, 3, "250 2.0.0 Ok: queued\r\n");
    C(s, 4, "QUIT\r\n");
    S(s, 5, "221 bye\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->mail_from.count, 0);
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 13 + 9 + 29); /* a lower bound, said by an anomaly */
    assert_int_equal(m->transfer_count, 0);  /* its start is unknown */
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 2), 1);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 3), 1);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    assert_true(m->quit);
    ms_machine_free(s);
}

/* Mid-session start: no sequence errors for what happened before the capture. */
static void test_capture_starts_mid_session(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    C(s, 2, "MAIL FROM:<a@x>\r\n");
    S(s, 3, "250 ok\r\n");
    C(s, 4, "RCPT TO:<b@x>\r\n");
    S(s, 5, "250 ok\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 3), 1);
    assert_false(ms_machine_summary(s)->greeting_seen);
    ms_machine_free(s);
}

/* Only the client's side: commands after AUTH are not eaten as SASL responses. */
static void test_client_side_only(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    C(s, 2, "EHLO c\r\n");
    C(s, 3, "AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n");
    C(s, 4, "MAIL FROM:<a@x>\r\n");
    C(s, 5, "RCPT TO:<b@x>\r\n");
    C(s, 6, "AUTH LOGIN\r\n");
    C(s, 7, "Ym9i\r\n"); /* no 334 captured, but base64 and no verb: the user name */
    C(s, 8, "QUIT\r\n");
    ms_machine_close(s, MS_DIR_CLIENT, false, 9, 9000000);
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->mail_from.count, 1);
    assert_int_equal(m->rcpt_to.count, 1);
    assert_int_equal(m->auth_users.count, 2);
    assert_string_equal(m->auth_users.items[1], "bob");
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 9), 1); /* no server data */
    ms_machine_free(s);
}

/* A lost client segment inside DATA: the size becomes a lower bound. */
static void test_gap_in_data(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
    S(s, 8, "250 ok\r\n250 ok\r\n354 go\r\n");
    C(s, 9, "line one\r\nhalf a li");
    ms_machine_gap(s, MS_DIR_CLIENT, 11, 11000000);
    C(s, 11, "ne\r\n.\r\n");
    S(s, 12, "250 ok\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->msg_count, 1);
    /* "line one" and the visible end "ne": the part before the gap is dropped */
    assert_true(m->msg_bytes == 10 + 4);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 11), 1);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 12), 1);
    ms_machine_free(s);
}

/* SMTPS: credentials inside implicit TLS are not plaintext; the record says so. */
static void test_implicit_tls(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    ms_machine_tls_implicit(s);
    greet_ehlo(s);
    C(s, 7, "AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n");
    S(s, 8, "235 ok\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->tls, MS_TLS_IMPLICIT);
    assert_false(m->auth_plaintext);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 0), 0);
    ms_machine_free(s);
}

/* STARTTLS offered and unused, refused, and injection on both sides. */
static void test_starttls_findings(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s); /* offers STARTTLS */
    C(s, 7, "MAIL FROM:<a@x>\r\n");
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_UNUSED, 7), 1);
    C(s, 8, "AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n");
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_UNUSED, 0), 1); /* once per session */
    ms_machine_free(s);

    s = new_session();
    greet_ehlo(s);
    C(s, 7, "STARTTLS\r\n");
    S(s, 8, "454 4.7.0 TLS not available due to local problem\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->starttls_result, MS_STARTTLS_REFUSED);
    assert_int_equal(m->tls, MS_TLS_NONE);
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_FAILED, 8), 1);
    ms_machine_free(s);

    s = new_session();
    greet_ehlo(s);
    C(s, 7, "STARTTLS\r\nRSET\r\n"); /* CVE-2011-0411: a command after STARTTLS */
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_INJECTION, 7), 1);
    S(s, 8, "220 go ahead\r\n250 injected reply\r\n"); /* response injection */
    m = ms_machine_summary(s);
    assert_int_equal(m->starttls_result, MS_STARTTLS_ACCEPTED);
    assert_int_equal(m->tls, MS_TLS_STARTTLS);
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_INJECTION, 8), 1);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0); /* not taken as replies */
    C(s, 12, "EHLO c\r\n"); /* decrypted, later frame */
    S(s, 13, "250 ok\r\n");
    assert_int_equal(request_in(13, 0), 12);
    ms_machine_free(s);
}

/* A middlebox masking STARTTLS in the EHLO reply; look-alikes that are not. */
static void test_starttls_masked(void **state)
{
    (void)state;
    static const struct { const char *kw; int masked; } cases[] = {
        { "XXXXXXXA", 1 },   /* Cisco ASA SMTP inspection */
        { "XXXXXXXX", 1 },
        { "STARTTLX", 1 },
        { "xTARTTLs", 1 },   /* case-insensitive, two letters changed */
        { "SXXRTTLS", 1 },
        { "STXXXTLS", 0 },   /* three changed and not a mask: another keyword */
        { "CHUNKING", 0 }, { "8BITMIME", 0 }, { "SMTPUTF8", 0 }, { "XFORWARD", 0 },
        { "XXXXXXXAB", 0 },  /* another length */
        { "XXXXAXXA", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms_machine_t *s = new_session();
        char reply[128];
        S(s, 4, "220 mx ESMTP\r\n");
        C(s, 5, "EHLO c\r\n");
        snprintf(reply, sizeof(reply), "250-mx\r\n250-PIPELINING\r\n250-%s\r\n250 8BITMIME\r\n",
                 cases[i].kw);
        S(s, 6, reply);
        const ms_summary_t *m = ms_machine_summary(s);
        if (count_anomaly(MS_AN_STARTTLS_STRIPPED, 6) != cases[i].masked)
            fail_msg("%s: masked %d expected %d", cases[i].kw,
                     count_anomaly(MS_AN_STARTTLS_STRIPPED, 6), cases[i].masked);
        assert_false(m->starttls_offered);
        assert_int_equal(m->clear_caps, 1);
        assert_int_equal(m->clear_caps_frame, 6);
        ms_machine_free(s);
    }
    /* the real thing, and a second EHLO inside TLS, which offers no STARTTLS */
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "STARTTLS\r\n");
    S(s, 8, "220 go ahead\r\n");
    C(s, 10, "EHLO c\r\n");
    S(s, 11, "250-mx\r\n250 XXXXXXXA\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_true(m->starttls_offered);
    assert_int_equal(m->clear_caps, 1); /* the reply inside TLS is not counted */
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_STRIPPED, 0), 0);
    ms_machine_free(s);
}

/* Words separated by TAB or several spaces: postfix 3.7 accepts AUTH<TAB>PLAIN,
 * MAIL<SP><SP>FROM, RCPT<TAB>TO and FROM:<TAB><path> (tried against the capture
 * server): the session layer must read them as the server does. */
static void test_loose_separators(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "AUTH\tPLAIN AGFsaWNlAGFsaWNlcHc=\r\n");
    S(s, 8, "235 2.7.0 Authentication successful\r\n");
    C(s, 9, "MAIL  FROM:<alice@example.test>\r\n");
    S(s, 10, "250 2.1.0 Ok\r\n");
    C(s, 11, "RCPT\tTO:\t<bob@example.test>\r\n");
    S(s, 12, "250 2.1.5 Ok\r\n");
    C(s, 13, "DATA\r\n");
    S(s, 14, "354 go\r\n");
    C(s, 15, "x\r\n.\r\n");
    S(s, 16, "250 queued\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_true(m->auth_plaintext);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 7), 1);
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    assert_string_equal(m->mail_from.items[0], "alice@example.test");
    assert_string_equal(m->rcpt_to.items[0], "bob@example.test");
    assert_int_equal(m->msg_count, 1);
    /* noted once, on the first such line; nothing else is wrong */
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 7), 1);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 1);
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 0), 0);
    ms_machine_free(s);
}

/* An AUTH line up to RFC 4954's 12,288 octets is read whole (an OAuth token
 * is often longer than 4 KB); a longer one is analysed as far as it is kept,
 * never decoded as if it were whole. */
static void test_long_auth_lines(void **state)
{
    (void)state;
    /* XOAUTH2, about 6.7 KB of base64 */
    GString *tok = g_string_new("user=alice@example.test\001auth=Bearer ");
    for (int i = 0; i < 5000; i++)
        g_string_append_c(tok, (char)('a' + i % 26));
    g_string_append(tok, "\001\001");
    gchar *b64 = g_base64_encode((const guchar *)tok->str, tok->len);
    gchar *line = g_strdup_printf("AUTH XOAUTH2 %s\r\n", b64);
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, line);
    S(s, 8, "235 2.7.0 Authentication successful\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_true(m->auth_plaintext);
    assert_string_equal(m->auth_users.items[0], "alice@example.test");
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_LINE_TOO_LONG, 0), 0);
    ms_machine_free(s);
    g_free(line);
    g_free(b64);
    g_string_free(tok, TRUE);

    /* PLAIN with a 15,000-byte password: 20 KB of base64, over the limit */
    GString *plain = g_string_new_len("\0alice\0", 7);
    for (int i = 0; i < 15000; i++)
        g_string_append_c(plain, 'p');
    b64 = g_base64_encode((const guchar *)plain->str, plain->len);
    line = g_strdup_printf("%s\r\n", b64);
    s = new_session();
    greet_ehlo(s);
    C(s, 7, "AUTH PLAIN\r\n");
    S(s, 8, "334 \r\n");
    C(s, 9, line);
    S(s, 10, "500 5.5.6 Authentication exchange line is too long\r\n");
    m = ms_machine_summary(s);
    assert_true(m->auth_plaintext); /* the visible part holds user and password */
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 9), 1);
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_int_equal(count_anomaly(MS_AN_LINE_TOO_LONG, 9), 1);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 9), 1); /* truncated: said so, no false "not base64" */
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_FAILURE);
    ms_machine_free(s);
    g_free(line);
    g_free(b64);
    g_string_free(plain, TRUE);
}

/* One recipient shows one text: rcpt_to and rcpt_rejected are escaped once
 * from the same bytes, however long and non-ASCII the address. */
static void test_rejected_recipient_same_text(void **state)
{
    (void)state;
    GString *rcpt = g_string_new("RCPT TO:<");
    for (int i = 0; i < 300; i++)
        g_string_append(rcpt, "\xE9\\"); /* an invalid byte and a backslash, 600 bytes */
    g_string_append(rcpt, "@example.test>\r\n");
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@example.test>\r\n");
    S(s, 8, "250 2.1.0 Ok\r\n");
    C(s, 9, rcpt->str);
    S(s, 10, "550 5.1.1 User unknown\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->rcpt_to.count, 1);
    assert_int_equal(m->rcpt_rejected.count, 1);
    assert_string_equal(m->rcpt_to.items[0], m->rcpt_rejected.items[0]);
    assert_true(g_str_has_prefix(m->rcpt_to.items[0], "\\xE9\\\\\\xE9"));
    assert_int_equal(strlen(m->rcpt_to.items[0]), 256 * 4 + 256 * 2); /* 512 bytes kept */
    ms_machine_free(s);
    g_string_free(rcpt, TRUE);
}

/* A refused EHLO does not replace the name the server accepted before. */
static void test_refused_ehlo_keeps_name(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "EHLO\r\n");
    S(s, 8, "501 Syntax: EHLO hostname\r\n");
    C(s, 9, "HELO other.example.test\r\n");
    S(s, 10, "503 5.5.1 Error: duplicate HELO\r\n");
    assert_string_equal(ms_machine_summary(s)->helo, "client.example.test");
    C(s, 11, "EHLO third.example.test\r\n");
    S(s, 12, "250 mx.example.test\r\n");
    assert_string_equal(ms_machine_summary(s)->helo, "third.example.test");
    ms_machine_free(s);
    /* the first name counts until a reply comes (e.g. no server data) */
    s = new_session();
    C(s, 3, "EHLO lonely.example.test\r\n");
    assert_string_equal(ms_machine_summary(s)->helo, "lonely.example.test");
    ms_machine_free(s);
}

/* A list keeps at most MS_STRLIST_BYTES_MAX of text: 40 recipients of 512
 * non-ASCII bytes (2 KB each once escaped) keep 16, count the rest, and say
 * so once; what is not kept is not escaped either. */
static void test_list_text_budget(void **state)
{
    (void)state;
    GString *rcpt = g_string_new("RCPT TO:<");
    for (int i = 0; i < 512; i++)
        g_string_append_c(rcpt, (char)0xE9);
    g_string_append(rcpt, ">\r\n");
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@example.test>\r\n");
    for (int i = 0; i < 40; i++)
        C(s, 8 + (ms_frame_t)i, rcpt->str);
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->rcpt_to.count, MS_STRLIST_BYTES_MAX / (512 * 4));
    assert_true(m->rcpt_to.dropped == 40 - MS_STRLIST_BYTES_MAX / (512 * 4));
    assert_true(m->rcpt_to.bytes <= MS_STRLIST_BYTES_MAX);
    assert_int_equal(count_anomaly(MS_AN_CAP_REACHED, 0), 1);
    int cap = -1;
    for (int i = 0; i < n_notes; i++)
        if (notes[i].n.kind == MS_NOTE_ANOMALY && notes[i].n.anomaly == MS_AN_CAP_REACHED)
            cap = i;
    assert_true(cap >= 0);
    assert_int_equal(notes[cap].frame, 8 + 16); /* the 17th recipient */
    assert_non_null(strstr(notes[cap].text, "recipient list is full (16 entries)"));
    ms_machine_free(s);
    g_string_free(rcpt, TRUE);
}

/* QUIT sent where AUTH LOGIN waits for the user name: "QUIT" is valid base64
 * too, so the reply decides. 221: the session ended, the login did not
 * succeed; else the server read it as the response. */
static void test_quit_inside_auth(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "AUTH LOGIN\r\n");
    S(s, 8, "334 VXNlcm5hbWU6\r\n");
    C(s, 9, "QUIT\r\n");
    S(s, 10, "221 2.0.0 Bye\r\n");
    ms_machine_close(s, MS_DIR_SERVER, false, 11, 11000000);
    const ms_summary_t *m = ms_machine_summary(s);
    assert_true(m->quit);
    assert_int_not_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    assert_int_equal(m->auth_users.count, 0);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 0), 0);
    assert_int_equal(request_in(10, 0), 9);
    ms_machine_free(s);

    s = new_session();
    greet_ehlo(s);
    C(s, 7, "AUTH LOGIN\r\n");
    S(s, 8, "334 VXNlcm5hbWU6\r\n");
    C(s, 9, "QUIT\r\n");
    S(s, 10, "334 UGFzc3dvcmQ6\r\n"); /* taken as the user name */
    C(s, 11, "c2VjcmV0\r\n");
    S(s, 12, "535 5.7.8 Error: authentication failed\r\n");
    m = ms_machine_summary(s);
    assert_false(m->quit);
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_FAILURE);
    assert_true(m->auth_plaintext); /* the password went in clear */
    ms_machine_close(s, MS_DIR_SERVER, false, 13, 13000000);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 13), 1);
    ms_machine_free(s);
}

/* A segment lost inside a BDAT chunk: the server's reply to the chunk says
 * where it ended, so the commands after it are commands again. */
static void test_bdat_gap_resync(void **state)
{
    (void)state;
    ms_machine_t *s = new_session();
    greet_ehlo(s);
    C(s, 7, "MAIL FROM:<a@example.test>\r\n");
    S(s, 8, "250 2.1.0 Ok\r\n");
    C(s, 9, "RCPT TO:<b@example.test>\r\n");
    S(s, 10, "250 2.1.5 Ok\r\n");
    C(s, 11, "BDAT 1000 LAST\r\n");
    char chunk[301];
    memset(chunk, 'x', 300);
    chunk[300] = '\0';
    C(s, 12, chunk);
    ms_machine_gap(s, MS_DIR_CLIENT, 14, 14000000); /* 500 bytes lost */
    C(s, 14, chunk);
    S(s, 15, "250 2.0.0 Ok: queued as 4F2C21A0B3\r\n");
    C(s, 16, "QUIT\r\n");
    S(s, 17, "221 2.0.0 Bye\r\n");
    const ms_summary_t *m = ms_machine_summary(s);
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 1000);
    assert_true(m->quit);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 15), 1);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    assert_int_equal(request_in(17, 0), 16);
    ms_machine_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_session),
        cmocka_unit_test(test_pipelined_replies),
        cmocka_unit_test(test_split_multiline_reply),
        cmocka_unit_test(test_auth_login_plaintext),
        cmocka_unit_test(test_auth_fail_then_success),
        cmocka_unit_test(test_auth_454_is_failure_and_no_reply_unknown),
        cmocka_unit_test(test_starttls_then_auth_not_plaintext),
        cmocka_unit_test(test_bdat_chunks),
        cmocka_unit_test(test_sequence_anomalies),
        cmocka_unit_test(test_unmatched_and_resync),
        cmocka_unit_test(test_smuggling_and_bare_lf),
        cmocka_unit_test(test_close_without_quit),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_utf8_addresses),
        cmocka_unit_test(test_huge_counts_are_capped),
        cmocka_unit_test(test_queue_overflow_keeps_reply_order),
        cmocka_unit_test(test_queue_overflow_bdat_last_closes_message),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_refused_nested_mail_keeps_transaction),
        cmocka_unit_test(test_no_quit_not_claimed_inside_tls),
        cmocka_unit_test(test_unsolicited_421),
        cmocka_unit_test(test_capture_starts_mid_data),
        cmocka_unit_test(test_capture_starts_mid_session),
        cmocka_unit_test(test_client_side_only),
        cmocka_unit_test(test_gap_in_data),
        cmocka_unit_test(test_implicit_tls),
        cmocka_unit_test(test_starttls_findings),
        cmocka_unit_test(test_starttls_masked),
        cmocka_unit_test(test_loose_separators),
        cmocka_unit_test(test_long_auth_lines),
        cmocka_unit_test(test_rejected_recipient_same_text),
        cmocka_unit_test(test_refused_ehlo_keeps_name),
        cmocka_unit_test(test_list_text_budget),
        cmocka_unit_test(test_quit_inside_auth),
        cmocka_unit_test(test_bdat_gap_resync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
