/* Unit tests of the session table's row (ms_row.c): the column table, each
 * column's value from a session record, what is unknown inside TLS, and the
 * CSV / JSON quoting of values taken from the wire.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ms_machine.h"
#include "ms_row.h"

#include "recorder.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static void check_value(const ms_summary_t *s, ms_col_t c, const char *want)
{
    char *v = ms_row_value(s, c);
    assert_non_null(v);
    if (strcmp(v, want) != 0)
        fail_msg("column %s: \"%s\", expected \"%s\"", ms_row_key(c), v, want);
    g_free(v);
}

static void test_columns(void **state)
{
    (void)state;
    for (int a = 0; a < MS_COL_COUNT; a++) {
        assert_true(strlen(ms_row_key((ms_col_t)a)) > 0);
        assert_true(strlen(ms_row_title((ms_col_t)a)) > 0);
        for (int b = a + 1; b < MS_COL_COUNT; b++)
            assert_string_not_equal(ms_row_key((ms_col_t)a), ms_row_key((ms_col_t)b));
    }
    assert_true(ms_row_numeric(MS_COL_MSGS));
    assert_false(ms_row_numeric(MS_COL_USERS));
    assert_string_equal(ms_row_key(MS_COL_COUNT), "?");
    /* the glue's columns */
    ms_summary_t s;
    ms_summary_init(&s, MS_PROTO_SMTP, 1, 0);
    assert_null(ms_row_value(&s, MS_COL_CLIENT));
    assert_null(ms_row_value(&s, MS_COL_LAST));
    ms_summary_clear(&s);
}

static void test_smtp_values(void **state)
{
    (void)state;
    ms_summary_t s;
    ms_summary_init(&s, MS_PROTO_SMTP, 3, 1000);
    check_value(&s, MS_COL_PROTO, "SMTP");
    check_value(&s, MS_COL_USERS, "");
    check_value(&s, MS_COL_AUTH, "");       /* no login */
    check_value(&s, MS_COL_CLEAR, "no");
    check_value(&s, MS_COL_REFUSED, "0");
    check_value(&s, MS_COL_DELETED, "");    /* POP3 only */
    check_value(&s, MS_COL_COMMITTED, "");
    check_value(&s, MS_COL_QUIT, "no");
    ms_strlist_add(&s.auth_users, "alice", 5);
    ms_strlist_add(&s.auth_users, "bob,x", 5);
    s.auth_users.dropped = 7;
    ms_strlist_add(&s.rcpt_rejected, "a@b", 3);
    s.rcpt_rejected.dropped = 2;
    s.auth_result = MS_AUTH_RESULT_FAILURE;
    s.auth_failures = 4;
    s.auth_plaintext = true;
    s.msg_count = 2;
    s.msg_bytes = 5000000000ULL;
    s.quit = true;
    s.last_ts = 1000 + 2 * MS_NS_PER_SEC + 45678999; /* 2.045678999 s */
    check_value(&s, MS_COL_USERS, "alice, bob,x, +7 more");
    check_value(&s, MS_COL_AUTH, "failure");
    check_value(&s, MS_COL_FAILURES, "4");
    check_value(&s, MS_COL_CLEAR, "yes");
    check_value(&s, MS_COL_MSGS, "2");
    check_value(&s, MS_COL_BYTES, "5000000000");
    check_value(&s, MS_COL_REFUSED, "3");
    check_value(&s, MS_COL_QUIT, "yes");
    check_value(&s, MS_COL_DURATION, "2.045"); /* cut, not rounded */
    s.last_ts = 1000 - 1500 * 1000000LL;        /* a clock that went back */
    check_value(&s, MS_COL_DURATION, "-1.500");
    ms_summary_clear(&s);
}

static void test_pop3_values(void **state)
{
    (void)state;
    ms_summary_t s;
    ms_summary_init(&s, MS_PROTO_POP3, 1, 0);
    check_value(&s, MS_COL_PROTO, "POP3");
    check_value(&s, MS_COL_REFUSED, "");    /* SMTP only */
    check_value(&s, MS_COL_DELETED, "0");
    check_value(&s, MS_COL_COMMITTED, "");  /* nothing to commit */
    s.deleted = 3;
    check_value(&s, MS_COL_COMMITTED, "no");
    s.deleted_committed = true;
    check_value(&s, MS_COL_DELETED, "3");
    check_value(&s, MS_COL_COMMITTED, "yes");
    ms_summary_clear(&s);
}

/* What TLS hides is "?", never "no": after the go-ahead with no decrypted
 * client data, and for implicit TLS with no command seen. */
static void test_unknown_inside_tls(void **state)
{
    (void)state;
    ms_machine_t *m = ms_machine_new(MS_PROTO_SMTP, 1, 0, record, NULL);
    ms_machine_feed(m, MS_DIR_SERVER, S("220 mx ESMTP\r\n"), 2, 1);
    ms_machine_feed(m, MS_DIR_CLIENT, S("EHLO c\r\n"), 3, 2);
    ms_machine_feed(m, MS_DIR_SERVER, S("250-mx\r\n250 STARTTLS\r\n"), 4, 3);
    ms_machine_feed(m, MS_DIR_CLIENT, S("STARTTLS\r\n"), 5, 4);
    ms_machine_feed(m, MS_DIR_SERVER, S("220 go ahead\r\n"), 6, 5);
    const ms_summary_t *s = ms_machine_summary(m);
    assert_true(s->tls_hidden);
    check_value(s, MS_COL_TLS, "starttls");
    check_value(s, MS_COL_AUTH, "?");
    check_value(s, MS_COL_CLEAR, "?");
    check_value(s, MS_COL_QUIT, "?");
    /* decrypted data arrives: the session is seen again */
    ms_machine_feed(m, MS_DIR_CLIENT, S("EHLO c\r\n"), 7, 6);
    s = ms_machine_summary(m);
    assert_false(s->tls_hidden);
    check_value(s, MS_COL_AUTH, "");
    check_value(s, MS_COL_QUIT, "no");
    ms_machine_free(m);

    m = ms_machine_new(MS_PROTO_POP3, 1, 0, record, NULL);
    ms_machine_tls_implicit(m);
    s = ms_machine_summary(m);
    check_value(s, MS_COL_TLS, "implicit");
    check_value(s, MS_COL_QUIT, "?");
    ms_machine_free(m);
}

/* The command kinds and names the SRT tables list, for both protocols. */
static void test_cmd_names(void **state)
{
    (void)state;
    for (int p = MS_PROTO_SMTP; p <= MS_PROTO_POP3; p++) {
        uint16_t n = ms_machine_cmd_kinds((ms_proto_t)p);
        assert_true(n >= 10);
        for (uint16_t a = 0; a < n; a++) {
            assert_true(strlen(ms_machine_cmd_name((ms_proto_t)p, a)) > 0);
            for (uint16_t b = a + 1; b < n; b++)
                assert_string_not_equal(ms_machine_cmd_name((ms_proto_t)p, a),
                                        ms_machine_cmd_name((ms_proto_t)p, b));
        }
        assert_string_equal(ms_machine_cmd_name((ms_proto_t)p, (uint16_t)(n - 1)), "other");
        assert_string_equal(ms_machine_cmd_name((ms_proto_t)p, 999), "other");
    }
    assert_string_equal(ms_machine_cmd_name(MS_PROTO_SMTP, 2), "MAIL");
    assert_string_equal(ms_machine_cmd_name(MS_PROTO_POP3, 6), "RETR");
}

static void check_quoted(char *(*fn)(const char *), const char *in, const char *want)
{
    char *q = fn(in);
    assert_string_equal(q, want);
    g_free(q);
}

/* The enumerations' names: the value strings of the tree's enumerated fields
 * and the session table's words; one per value, none for "nothing yet". */
static void test_enum_names(void **state)
{
    (void)state;
    assert_string_equal(ms_proto_name(MS_PROTO_SMTP), "SMTP");
    assert_string_equal(ms_proto_name(MS_PROTO_POP3), "POP3");
    assert_string_equal(ms_tls_name(MS_TLS_NONE), "none");
    assert_string_equal(ms_tls_name(MS_TLS_STARTTLS), "starttls");
    assert_string_equal(ms_tls_name(MS_TLS_IMPLICIT), "implicit");
    assert_null(ms_starttls_result_name(MS_STARTTLS_NONE));
    assert_string_equal(ms_starttls_result_name(MS_STARTTLS_ACCEPTED), "accepted");
    assert_string_equal(ms_starttls_result_name(MS_STARTTLS_REFUSED), "refused");
    assert_null(ms_auth_result_name(MS_AUTH_RESULT_NONE));
    assert_string_equal(ms_auth_result_name(MS_AUTH_RESULT_UNKNOWN), "unknown");
    assert_string_equal(ms_auth_result_name(MS_AUTH_RESULT_SUCCESS), "success");
    assert_string_equal(ms_auth_result_name(MS_AUTH_RESULT_FAILURE), "failure");
    assert_null(ms_smuggling_result_name(MS_SMUGGLING_NONE));
    assert_string_equal(ms_smuggling_result_name(MS_SMUGGLING_NOT_SPLIT), "not-split");
    assert_string_equal(ms_smuggling_result_name(MS_SMUGGLING_REFUSED), "refused");
    assert_string_equal(ms_smuggling_result_name(MS_SMUGGLING_SPLIT), "split");
    assert_string_equal(ms_smuggling_result_name(MS_SMUGGLING_ACCEPTED), "accepted");
    assert_null(ms_sides_name(0));
    assert_string_equal(ms_sides_name(1u << MS_DIR_CLIENT), "client");
    assert_string_equal(ms_sides_name(1u << MS_DIR_SERVER), "server");
    assert_string_equal(ms_sides_name(3), "client, server");
}

static void test_quoting(void **state)
{
    (void)state;
    check_quoted(ms_row_csv, "alice", "alice");
    check_quoted(ms_row_csv, "", "");
    check_quoted(ms_row_csv, "a, b", "\"a, b\"");
    check_quoted(ms_row_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    check_quoted(ms_row_csv, "a\nb", "\"a\nb\"");
    check_quoted(ms_row_json_string, "alice", "\"alice\"");
    check_quoted(ms_row_json_string, "", "\"\"");
    /* a value escaped by ms_text_printable keeps its backslash, once more escaped */
    check_quoted(ms_row_json_string, "a\\x1bb \"q\"", "\"a\\\\x1bb \\\"q\\\"\"");
    check_quoted(ms_row_json_string, "t\tn\x01", "\"t\\u0009n\\u0001\"");
    check_quoted(ms_row_json_string, "\xc3\xa9", "\"\xc3\xa9\"");
}

/* The row's inputs (ms_row_inputs): whenever a column's value changes, the
 * inputs change too (else the session table would keep a stale value); the
 * last frame and its time alone leave them equal. */
static void mutate(ms_summary_t *s, int m)
{
    switch (m) {
    case 0: ms_strlist_add(&s->auth_users, "u", 1); break;
    case 1: s->auth_users.dropped++; break;
    case 2: ms_strlist_add(&s->auth_methods, "PLAIN", 5); break;
    case 3: s->auth_methods.dropped++; break;
    case 4: ms_strlist_add(&s->rcpt_rejected, "r@x", 3); break;
    case 5: s->rcpt_rejected.dropped++; break;
    case 6: s->auth_result = MS_AUTH_RESULT_SUCCESS; break;
    case 7: s->auth_failures++; break;
    case 8: s->auth_plaintext = true; break;
    case 9: s->tls = MS_TLS_STARTTLS; break;
    case 10: s->tls = MS_TLS_STARTTLS; s->tls_hidden = true; break;  /* blind: "?" */
    case 11: s->tls = MS_TLS_IMPLICIT; break;                        /* blind until a command */
    case 12: s->msg_count++; break;
    case 13: s->msg_bytes += 10; break;
    case 14: s->deleted++; break;
    case 15: s->deleted = 1; s->deleted_committed = true; break;
    case 16: s->quit = true; break;
    case 17: s->proto = MS_PROTO_POP3; break; /* from SMTP */
    default: break;
    }
}

static void test_row_inputs(void **state)
{
    (void)state;
    for (int m = 0; m < 18; m++) {
        ms_summary_t s;
        /* DELETED and COMMITTED are POP3's */
        ms_summary_init(&s, m == 14 || m == 15 ? MS_PROTO_POP3 : MS_PROTO_SMTP, 3, 1000);
        s.commands = 1;
        ms_row_inputs_t before, after;
        char *v[MS_COL_COUNT];
        ms_row_inputs(&s, &before);
        for (int c = 0; c < MS_COL_COUNT; c++)
            v[c] = ms_row_value(&s, (ms_col_t)c);
        mutate(&s, m);
        ms_row_inputs(&s, &after);
        bool changed = false;
        for (int c = 0; c < MS_COL_COUNT; c++) {
            char *w = ms_row_value(&s, (ms_col_t)c);
            if (c != MS_COL_DURATION && g_strcmp0(v[c], w) != 0)
                changed = true;
            g_free(w);
            g_free(v[c]);
        }
        if (!changed)
            fail_msg("mutation %d changes no column: the test does not test it", m);
        if (memcmp(&before, &after, sizeof(before)) == 0)
            fail_msg("mutation %d changes a column but not the row's inputs", m);
        ms_summary_clear(&s);
    }
    /* a frame that moves only the end of the session */
    ms_summary_t s;
    ms_summary_init(&s, MS_PROTO_SMTP, 3, 1000);
    ms_row_inputs_t a, b;
    ms_row_inputs(&s, &a);
    ms_summary_touch(&s, 9, 5 * MS_NS_PER_SEC);
    ms_row_inputs(&s, &b);
    assert_memory_equal(&a, &b, sizeof(a));
    ms_summary_clear(&s);
}

/* DURATION as a number is what its text reads as (the session table's dialog
 * sorts it as a number, tshark's text prints the text). */
static void test_duration_number(void **state)
{
    (void)state;
    const ms_time_t lasts[] = { 0, 999999, 1000000, 1999999999, 2045678999, -1, -1500000000LL,
                                86400LL * MS_NS_PER_SEC + 123456789, INT64_MAX, INT64_MIN + 1 };
    for (size_t i = 0; i < G_N_ELEMENTS(lasts); i++) {
        char *t = ms_row_duration_text(0, lasts[i]);
        double want = g_ascii_strtod(t, NULL);
        double got = ms_row_duration_seconds(0, lasts[i]);
        if (memcmp(&want, &got, sizeof(got)) != 0)
            fail_msg("%s reads as %.17g, the number is %.17g", t, want, got);
        g_free(t);
    }
    char *t = ms_row_duration_text(1000, 1000 + 2045678999);
    assert_string_equal(t, "2.045");
    g_free(t);
}

/* Number columns as g_strdup_printf("%" PRIu64) writes them. */
static void test_uint_text(void **state)
{
    (void)state;
    const uint64_t vs[] = { 0, 1, 9, 10, 99, 100, 4294967295u, 4294967296u, 1234567890123ull,
                            UINT64_MAX - 1, UINT64_MAX };
    for (size_t i = 0; i < G_N_ELEMENTS(vs); i++) {
        char *want = g_strdup_printf("%" PRIu64, vs[i]);
        char *got = ms_row_uint_text(vs[i]);
        assert_string_equal(got, want);
        g_free(want);
        g_free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_smtp_values),
        cmocka_unit_test(test_pop3_values),
        cmocka_unit_test(test_unknown_inside_tls),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_cmd_names),
        cmocka_unit_test(test_row_inputs),
        cmocka_unit_test(test_duration_number),
        cmocka_unit_test(test_uint_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
