/* Unit tests of the POP3 session machine: logins (USER/PASS, APOP, SASL),
 * mailbox accounting, multi-line replies and their edge cases, STLS, partial
 * captures and hostile input.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ms_machine.h"
#include "ms_pop3.h"

#include "recorder.h"

static ms_machine_t *new_session(void)
{
    n_notes = 0;
    return ms_machine_new(MS_PROTO_POP3, 1, 0, record, NULL);
}

static void C(ms_machine_t *p, ms_frame_t f, const char *d)
{
    ms_machine_feed(p, MS_DIR_CLIENT, (const uint8_t *)d, strlen(d), f, (ms_time_t)f * 1000000);
}

static void S(ms_machine_t *p, ms_frame_t f, const char *d)
{
    ms_machine_feed(p, MS_DIR_SERVER, (const uint8_t *)d, strlen(d), f, (ms_time_t)f * 1000000);
}

static void login(ms_machine_t *p)
{
    S(p, 4, "+OK Dovecot ready.\r\n");
    C(p, 5, "USER alice\r\n");
    S(p, 6, "+OK\r\n");
    C(p, 7, "PASS alicepw\r\n");
    S(p, 8, "+OK Logged in.\r\n");
}

static void test_user_pass_retr_dele_quit(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    login(p);
    C(p, 9, "STAT\r\n");
    S(p, 10, "+OK 3 1234\r\n");
    C(p, 11, "LIST\r\n");
    S(p, 12, "+OK 3 messages:\r\n1 100\r\n2 200\r\n");
    S(p, 13, "3 934\r\n.\r\n");
    C(p, 14, "RETR 1\r\n");
    S(p, 15, "+OK 12 octets\r\nSubject: x\r\n\r\n..dot\r\n");
    S(p, 16, ".\r\n");
    C(p, 17, "DELE 1\r\n");
    S(p, 18, "+OK Marked to be deleted.\r\n");
    C(p, 19, "QUIT\r\n");
    S(p, 20, "+OK Logging out, messages deleted.\r\n");
    ms_machine_close(p, MS_DIR_SERVER, false, 21, 21000000);
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(m->proto, MS_PROTO_POP3);
    assert_string_equal(m->banner, "Dovecot ready.");
    assert_true(m->greeting_time == 4000000);
    assert_string_equal(m->auth_methods.items[0], "USER");
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_int_equal(m->auth_attempts, 1);
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    assert_true(m->auth_plaintext);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 7), 1); /* the PASS frame */
    assert_true(m->stat_seen);
    assert_int_equal(m->maildrop_msgs, 3);
    assert_true(m->maildrop_bytes == 1234);
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 12 + 2 + 6); /* "..dot" unstuffed to ".dot" CRLF */
    assert_int_equal(request_in(16, 0), 14);    /* RETR answered where its "." ends it */
    assert_int_equal(request_in(13, 0), 11);    /* LIST likewise */
    assert_int_equal(m->transfer_count, 1);
    assert_true(m->transfer_times[0] == 2000000);
    assert_int_equal(m->deleted, 1);
    assert_true(m->deleted_committed);
    assert_true(m->quit);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_DELETIONS_UNCOMMITTED, 0), 0);
    ms_machine_free(p);
}

static void test_dele_without_quit_is_not_committed(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    login(p);
    C(p, 9, "DELE 1\r\n");
    S(p, 10, "+OK\r\n");
    ms_machine_close(p, MS_DIR_CLIENT, false, 11, 11000000);
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(m->deleted, 1);
    assert_false(m->deleted_committed);
    assert_int_equal(count_anomaly(MS_AN_NO_QUIT, 11), 1);
    assert_int_equal(count_anomaly(MS_AN_DELETIONS_UNCOMMITTED, 11), 1);
    ms_machine_free(p);
}

static void test_rset_and_quit_before_login(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "STAT\r\n");
    S(p, 6, "-ERR Unknown command.\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 5), 1); /* before authentication */
    C(p, 7, "PASS x\r\n");
    assert_int_equal(count_anomaly(MS_AN_SEQUENCE, 7), 1); /* PASS without USER */
    S(p, 8, "-ERR No username given.\r\n");
    assert_int_equal(ms_machine_summary(p)->auth_failures, 1);
    bool ok;
    const char *user;
    assert_int_equal(auth_result(0, &ok, &user), 8); /* a failure that named no user */
    assert_false(ok);
    assert_string_equal(user, "");
    C(p, 9, "QUIT\r\n");
    S(p, 10, "+OK bye\r\n");
    assert_true(ms_machine_summary(p)->quit);
    assert_false(ms_machine_summary(p)->deleted_committed); /* QUIT outside TRANSACTION */
    ms_machine_free(p);

    p = new_session();
    login(p);
    C(p, 9, "DELE 1\r\nDELE 2\r\n");
    S(p, 10, "+OK\r\n+OK\r\n");
    C(p, 11, "RSET\r\n");
    S(p, 12, "+OK\r\n");
    C(p, 13, "DELE 3\r\n");
    S(p, 14, "+OK\r\n");
    assert_int_equal(ms_machine_summary(p)->deleted, 1);
    ms_machine_free(p);
}

static void test_apop_and_failed_then_ok(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK Dovecot ready. <1896.697170952@dbc.mtview.ca.us>\r\n");
    C(p, 5, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    S(p, 6, "-ERR [AUTH] Authentication failed.\r\n");
    C(p, 7, "USER alice\r\n");
    S(p, 8, "+OK\r\n");
    C(p, 9, "PASS alicepw\r\n");
    S(p, 10, "+OK Logged in.\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(m->auth_attempts, 2);
    assert_int_equal(m->auth_failures, 1);
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    assert_string_equal(m->auth_methods.items[0], "APOP");
    assert_string_equal(m->auth_methods.items[1], "USER");
    assert_string_equal(m->auth_users.items[0], "mrose");
    assert_int_equal(count_anomaly(MS_AN_WEAK_AUTH, 5), 1);
    assert_int_equal(count_anomaly(MS_AN_AUTH_FAILED, 6), 1);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 9), 1);
    ms_frame_t f = 0;
    const ms_login_t *l = login_note(0, &f);
    assert_non_null(l);
    assert_int_equal(f, 6);
    assert_string_equal(l->method, "APOP");
    assert_string_equal(l->user, "mrose");
    assert_false(l->ok);
    assert_false(l->clear); /* a digest, not the secret */
    l = login_note(1, &f);
    assert_non_null(l);
    assert_int_equal(f, 10);
    assert_string_equal(l->method, "USER/PASS");
    assert_string_equal(l->user, "alice");
    assert_int_equal(l->user_frame, 7);
    assert_int_equal(l->cred_frame, 9);
    assert_true(l->ok);
    assert_true(l->clear);
    const ms_note_t *n = link_note(6, 0);
    assert_non_null(n);
    assert_string_equal(n->cmd, "APOP");
    assert_int_equal(n->code, MS_POP3_CODE_ERR);
    n = link_note(8, 0);
    assert_non_null(n);
    assert_string_equal(n->cmd, "USER");
    assert_int_equal(n->code, MS_POP3_CODE_OK);
    ms_machine_free(p);
}

static void test_sasl_plain_and_cram(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "AUTH PLAIN\r\n");
    S(p, 6, "+ \r\n");
    C(p, 7, "AGFsaWNlAGFsaWNlcHc=\r\n");
    S(p, 8, "+OK Logged in.\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_string_equal(m->auth_methods.items[0], "PLAIN");
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_true(m->auth_plaintext);
    assert_int_equal(request_in(6, 0), 5);
    assert_int_equal(request_in(8, 0), 7);
    ms_machine_free(p);

    p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "AUTH CRAM-MD5\r\n");
    S(p, 6, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
    C(p, 7, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
    S(p, 8, "+OK\r\n");
    m = ms_machine_summary(p);
    assert_string_equal(m->auth_users.items[0], "tim");
    assert_false(m->auth_plaintext);
    assert_int_equal(count_anomaly(MS_AN_WEAK_AUTH, 7), 1);
    ms_machine_free(p);
}

static void test_capa_top_uidl_stls(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "CAPA\r\n");
    S(p, 6, "+OK\r\nTOP\r\nUIDL\r\nSTLS\r\nSASL PLAIN LOGIN\r\nUSER\r\n.\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(m->capabilities.count, 5);
    assert_string_equal(m->capabilities.items[3], "SASL PLAIN LOGIN");
    assert_true(m->starttls_offered);
    C(p, 7, "STLS\r\n");
    S(p, 8, "+OK Begin TLS negotiation now.\r\n");
    assert_int_equal(m->tls, MS_TLS_STARTTLS);
    C(p, 12, "USER alice\r\nPASS alicepw\r\n"); /* decrypted: inside TLS */
    S(p, 13, "+OK\r\n+OK Logged in.\r\n");
    assert_false(m->auth_plaintext);
    C(p, 14, "UIDL\r\n");
    S(p, 15, "+OK\r\n1 abc\r\n2 def\r\n.\r\n");
    C(p, 16, "TOP 1 0\r\n");
    S(p, 17, "+OK\r\nSubject: x\r\n\r\n.\r\n");
    assert_int_equal(m->top_count, 1);
    assert_int_equal(m->msg_count, 0);
    assert_true(m->msg_bytes == 0);
    assert_int_equal(m->transfer_count, 1);
    ms_machine_free(p);
}

/* Multi-line edge cases: a line that is only "..", a "." split across segments. */
static void test_multiline_edges(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    login(p);
    C(p, 9, "RETR 1\r\n");
    S(p, 10, "+OK\r\nA\r\n..\r\n...\r\nB\r\n");
    S(p, 11, "\r\n");  /* an empty line */
    S(p, 12, ".");
    assert_int_equal(ms_machine_summary(p)->msg_count, 0);
    S(p, 13, "\r");
    S(p, 14, "\nQUIT-looking data is not here\r\n");
    /* the "." ended the reply in frame 14; the next line is an unexpected status line */
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(m->msg_count, 1);
    assert_true(m->msg_bytes == 3 + 3 + 4 + 3 + 2); /* A, ".", "..", B, empty line */
    assert_int_equal(request_in(14, 0), 9);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 14), 1);
    ms_machine_free(p);
}

static void test_err_to_retr_is_single_line(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    login(p);
    C(p, 9, "RETR 9\r\n");
    S(p, 10, "-ERR There's no message 9.\r\n");
    C(p, 11, "NOOP\r\n");
    S(p, 12, "+OK\r\n");
    assert_int_equal(ms_machine_summary(p)->msg_count, 0);
    assert_int_equal(request_in(12, 0), 11);
    ms_machine_free(p);
}

static void test_capture_starts_mid_retr(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 2, "body line\r\n..stuffed\r\n.\r\n");
    C(p, 3, "QUIT\r\n");
    S(p, 4, "+OK bye\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(count_anomaly(MS_AN_PARTIAL, 2), 1);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 0);
    assert_int_equal(m->msg_count, 0);
    assert_true(m->quit);
    assert_false(m->greeting_seen);
    ms_machine_free(p);
}

static void test_long_lines_and_garbage(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    GString *g = g_string_new("USER ");
    for (int i = 0; i < 300; i++)
        g_string_append_c(g, 'u');
    g_string_append(g, "\r\n");
    C(p, 5, g->str);
    assert_int_equal(count_anomaly(MS_AN_LINE_TOO_LONG, 5), 1);
    g_string_free(g, TRUE);
    uint8_t buf[4096];
    guint32 seed = 7;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            seed = seed * 1103515245 + 12345;
            buf[i] = (uint8_t)(seed >> 16);
        }
        ms_machine_feed(p, (ms_dir_t)(round & 1), buf, sizeof(buf), (ms_frame_t)round + 6, round);
    }
    ms_machine_close(p, MS_DIR_SERVER, true, 300, 300);
    assert_true(n_notes < MAX_NOTES);
    ms_machine_free(p);
}

/* POP3S: USER/PASS inside implicit TLS is not plaintext. */
static void test_implicit_tls(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    ms_machine_tls_implicit(p);
    login(p);
    assert_int_equal(ms_machine_summary(p)->tls, MS_TLS_IMPLICIT);
    assert_false(ms_machine_summary(p)->auth_plaintext);
    ms_machine_free(p);
}

static void test_stls_findings(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "CAPA\r\n");
    S(p, 6, "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
    C(p, 7, "USER alice\r\n");
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_UNUSED, 7), 1);
    S(p, 8, "+OK\r\n");
    C(p, 9, "STLS\r\nPASS x\r\n");
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_INJECTION, 9), 1);
    S(p, 10, "-ERR TLS not available\r\n");
    assert_int_equal(ms_machine_summary(p)->starttls_result, MS_STARTTLS_REFUSED);
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_FAILED, 10), 1);
    ms_machine_free(p);
}

/* A middlebox masking STLS in the CAPA reply; the real CAPA tags are not. */
static void test_stls_masked(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "CAPA\r\n");
    S(p, 6, "+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nXXXA\r\nRESP-CODES\r\n.\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_STRIPPED, 6), 1);
    assert_false(m->starttls_offered);
    assert_int_equal(m->clear_caps, 1);
    assert_int_equal(m->clear_caps_frame, 6);
    ms_machine_free(p);

    p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "CAPA\r\n");
    S(p, 6, "+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nSTLS\r\n.\r\n");
    m = ms_machine_summary(p);
    assert_int_equal(count_anomaly(MS_AN_STARTTLS_STRIPPED, 0), 0);
    assert_true(m->starttls_offered);
    ms_machine_free(p);
}

/* Regression (as the SMTP one): commands beyond the queue's cap keep their
 * place and kind, so the multi-line replies of spilled RETRs are still read
 * as such and QUIT's +OK is still QUIT's. */
static void test_queue_overflow_keeps_reply_order(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    login(p);
    for (int i = 0; i < 600; i++)
        C(p, 9, i % 2 ? "RETR 1\r\n" : "NOOP\r\n");
    C(p, 9, "QUIT\r\n");
    for (int i = 0; i < 600; i++)
        S(p, 10, i % 2 ? "+OK 3 octets\r\nab\r\n.\r\n" : "+OK\r\n");
    S(p, 11, "+OK bye\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(m->msg_count, 300);
    assert_true(m->msg_bytes == 300 * 4);
    assert_true(m->quit);
    assert_int_equal(count_anomaly(MS_AN_UNMATCHED_REPLY, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_CAP_REACHED, 0), 2); /* queue, transfer times */
    ms_machine_free(p);
}

/* dovecot answers "USER<TAB>alice" with -ERR Unknown command, but a PASS
 * sent that way still puts the password on the wire: it is read as PASS. */
static void test_loose_separators(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "USER  alice\r\n");
    S(p, 6, "+OK\r\n");
    C(p, 7, "PASS\talicepw\r\n");
    S(p, 8, "-ERR Unknown command.\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_true(m->auth_plaintext);
    assert_int_equal(count_anomaly(MS_AN_PLAINTEXT_AUTH, 7), 1);
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_FAILURE);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 5), 1); /* noted once */
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 1);
    ms_machine_free(p);
}

/* POP3 AUTH (RFC 5034) responses up to 12,288 octets are read whole. */
static void test_long_auth_line(void **state)
{
    (void)state;
    GString *plain = g_string_new_len("\0alice\0", 7);
    for (int i = 0; i < 5000; i++)
        g_string_append_c(plain, 'p');
    gchar *b64 = g_base64_encode((const guchar *)plain->str, plain->len);
    gchar *line = g_strdup_printf("%s\r\n", b64);
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "AUTH PLAIN\r\n");
    S(p, 6, "+ \r\n");
    C(p, 7, line);
    S(p, 8, "+OK Logged in.\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_true(m->auth_plaintext);
    assert_string_equal(m->auth_users.items[0], "alice");
    assert_int_equal(m->auth_result, MS_AUTH_RESULT_SUCCESS);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 0), 0);
    ms_machine_free(p);
    g_free(line);
    g_free(b64);
    g_string_free(plain, TRUE);
}

/* Attacker bytes never reach a note raw: a mechanism name with ESC/BEL/CR. */
static void test_auth_mechanism_escaped(void **state)
{
    (void)state;
    ms_machine_t *p = new_session();
    S(p, 4, "+OK ready\r\n");
    C(p, 5, "AUTH X\x1b[1A\x1b[2K\x07\rY\r\n");
    S(p, 6, "-ERR Unsupported authentication mechanism.\r\n");
    C(p, 7, "USER \x1b]0;evil\x07\r\n");
    S(p, 8, "-ERR \x1b[2Jbad\r\n");
    const ms_summary_t *m = ms_machine_summary(p);
    assert_int_equal(count_anomaly(MS_AN_SYNTAX, 5), 1); /* not a mechanism name */
    assert_int_equal(m->auth_methods.count, 1);          /* only USER */
    assert_string_equal(m->auth_users.items[0], "\\x1B]0;evil\\x07");
    for (int i = 0; i < n_notes; i++)
        for (const char *c = notes[i].text; *c; c++)
            assert_true((unsigned char)*c >= 0x20 && *c != 0x7F);
    ms_machine_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_pass_retr_dele_quit),
        cmocka_unit_test(test_dele_without_quit_is_not_committed),
        cmocka_unit_test(test_rset_and_quit_before_login),
        cmocka_unit_test(test_apop_and_failed_then_ok),
        cmocka_unit_test(test_sasl_plain_and_cram),
        cmocka_unit_test(test_capa_top_uidl_stls),
        cmocka_unit_test(test_multiline_edges),
        cmocka_unit_test(test_err_to_retr_is_single_line),
        cmocka_unit_test(test_capture_starts_mid_retr),
        cmocka_unit_test(test_long_lines_and_garbage),
        cmocka_unit_test(test_implicit_tls),
        cmocka_unit_test(test_stls_findings),
        cmocka_unit_test(test_stls_masked),
        cmocka_unit_test(test_queue_overflow_keeps_reply_order),
        cmocka_unit_test(test_loose_separators),
        cmocka_unit_test(test_long_auth_line),
        cmocka_unit_test(test_auth_mechanism_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
