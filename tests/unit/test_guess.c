/* Unit tests of the password-guessing counters across sessions
 * (plugin/core/ms_guess.c): the three findings at their thresholds and only
 * there, once each, the sliding window, the counts, the caps.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ms_guess.h"

#include "recorder.h"

#define SEC MS_NS_PER_SEC

static ms_guess_t *new_table(uint32_t failures, uint32_t users, uint32_t clients, int64_t window_s)
{
    n_notes = 0;
    ms_guess_config_t cfg = { .failures = failures, .users = users, .clients = clients,
                              .window = window_s * SEC };
    return ms_guess_new(&cfg);
}

/* 127.0.0.<last> */
static void v4(uint8_t a[4], uint8_t last)
{
    a[0] = 127;
    a[1] = 0;
    a[2] = 0;
    a[3] = last;
}

/* One result from 127.0.0.<last> in frame f at second t. */
static void result(ms_guess_t *g, uint8_t last, const char *user, bool first, bool ok,
                   ms_frame_t f, int64_t t)
{
    uint8_t a[4];
    char text[32];
    v4(a, last);
    snprintf(text, sizeof(text), "127.0.0.%u", last);
    ms_guess_result(g, a, 4, text, user, first, ok, f, t * SEC, record, NULL);
}

static ms_guess_client_t client(ms_guess_t *g, uint8_t last)
{
    uint8_t a[4];
    ms_guess_client_t c;
    v4(a, last);
    memset(&c, 0, sizeof(c));
    assert_true(ms_guess_client(g, a, 4, &c));
    return c;
}

static const char *note_text(ms_anomaly_t an)
{
    for (int i = 0; i < n_notes; i++)
        if (notes[i].n.kind == MS_NOTE_ANOMALY && notes[i].n.anomaly == an)
            return notes[i].text;
    return "";
}

/* One session per failure, 10 s apart: the 5th failure within 300 s raises
 * brute_force on its frame, naming the first; later ones raise nothing more. */
static void test_brute_force(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(5, 5, 5, 300);
    for (int i = 0; i < 4; i++)
        result(g, 1, "alice", true, false, 10 + 10 * i, 10 * i);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    result(g, 1, "alice", true, false, 50, 40);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 50), 1);
    assert_string_equal(note_text(MS_AN_BRUTE_FORCE),
                        "Brute force: 5 failed logins from 127.0.0.1 in 40 s (threshold 5 within "
                        "300 s), the first in frame 10; 1 user tried");
    for (int i = 0; i < 7; i++)
        result(g, 1, "alice", true, false, 60 + i, 50 + i);
    result(g, 1, "alice", true, true, 70, 60); /* the guess that worked */
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 1);
    ms_guess_client_t c = client(g, 1);
    assert_int_equal(c.failures, 12);
    assert_int_equal(c.successes, 1);
    assert_int_equal(c.users, 1);
    assert_int_equal(c.sessions, 13);
    assert_int_equal(c.flags, MS_GUESS_BRUTE_FORCE);
    ms_guess_user_t u;
    assert_true(ms_guess_user(g, "alice", &u));
    assert_int_equal(u.failures, 12);
    assert_int_equal(u.successes, 1);
    assert_int_equal(u.clients, 1);
    assert_int_equal(u.flags, 0);
    /* neither spraying (one user) nor distributed (one client) */
    assert_int_equal(count_anomaly(MS_AN_PASSWORD_SPRAYING, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_DISTRIBUTED_GUESSING, 0), 0);
    ms_guess_free(g);
}

/* Failures 100 s apart never have 5 within 300 s; a quick burst later does,
 * and the series named starts at the burst. */
static void test_window_slides(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(5, 5, 5, 300);
    for (int i = 0; i < 10; i++)
        result(g, 1, "alice", true, false, 1 + i, 100 * i);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    /* then one a second: at 1000 and 1001 the last five span 400 and 301 s;
     * at 1002, 202 s (from the one at 800 s, frame 9) */
    result(g, 1, "alice", true, false, 20, 1000);
    result(g, 1, "alice", true, false, 21, 1001);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    result(g, 1, "alice", true, false, 22, 1002);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 22), 1);
    assert_non_null(strstr(note_text(MS_AN_BRUTE_FORCE), "in 202 s"));
    assert_non_null(strstr(note_text(MS_AN_BRUTE_FORCE), "the first in frame 9;"));
    result(g, 1, "alice", true, false, 23, 1003);
    assert_int_equal(client(g, 1).failures, 14);
    ms_guess_free(g);
}

/* Exactly the window apart is within; a nanosecond more is not. */
static void test_window_edge(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(2, 0, 0, 60);
    uint8_t a[4];
    v4(a, 1);
    ms_guess_result(g, a, 4, "x", "u", true, false, 1, 0, record, NULL);
    ms_guess_result(g, a, 4, "x", "u", true, false, 2, 60 * SEC + 1, record, NULL);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    ms_guess_result(g, a, 4, "x", "u", true, false, 3, 120 * SEC + 1, record, NULL);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 3), 1);
    ms_guess_free(g);
}

/* Timestamps that go backwards (a merged capture): within, never a crash. */
static void test_backwards_time(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(3, 0, 0, 10);
    result(g, 1, "u", true, false, 1, 1000);
    result(g, 1, "u", true, false, 2, 500);
    result(g, 1, "u", true, false, 3, 0);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 3), 1);
    assert_non_null(strstr(note_text(MS_AN_BRUTE_FORCE), "in 0 s"));
    ms_guess_free(g);
}

/* One client, a different user per session: spraying on the 5th distinct
 * user; the same user again adds nothing. */
static void test_spraying(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(0, 5, 5, 300); /* brute force off */
    static const char *const users[] = { "alice", "bob", "carol", "dave", "erin", "frank" };
    for (int i = 0; i < 4; i++)
        result(g, 2, users[i], true, false, 10 + i, i);
    result(g, 2, "alice", true, false, 20, 10); /* again */
    result(g, 2, "bob", true, true, 21, 11);    /* a success is no failure */
    assert_int_equal(count_anomaly(MS_AN_PASSWORD_SPRAYING, 0), 0);
    result(g, 2, users[4], true, false, 30, 12);
    assert_int_equal(count_anomaly(MS_AN_PASSWORD_SPRAYING, 30), 1);
    assert_string_equal(note_text(MS_AN_PASSWORD_SPRAYING),
                        "Password spraying: failed logins for 5 distinct users from 127.0.0.2 in "
                        "11 s (threshold 5 within 300 s), the first in frame 11; 6 failures from "
                        "this client so far");
    result(g, 2, users[5], true, false, 31, 13);
    assert_int_equal(count_anomaly(MS_AN_PASSWORD_SPRAYING, 0), 1);
    ms_guess_client_t c = client(g, 2);
    assert_int_equal(c.users, 6);
    assert_int_equal(c.failures, 7);
    assert_int_equal(c.successes, 1);
    assert_int_equal(c.flags, MS_GUESS_SPRAYING);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    ms_guess_free(g);
}

/* One user from 127.0.0.2 ... 127.0.0.9: distributed on the 5th client, on
 * the user; no client reaches brute force or spraying. */
static void test_distributed(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(5, 5, 5, 300);
    for (int i = 0; i < 4; i++)
        result(g, (uint8_t)(2 + i), "alice", true, false, 10 + i, i);
    result(g, 2, "alice", true, false, 20, 5); /* the same client again */
    assert_int_equal(count_anomaly(MS_AN_DISTRIBUTED_GUESSING, 0), 0);
    result(g, 6, "alice", true, false, 21, 6);
    assert_int_equal(count_anomaly(MS_AN_DISTRIBUTED_GUESSING, 21), 1);
    assert_string_equal(note_text(MS_AN_DISTRIBUTED_GUESSING),
                        "Distributed guessing: failed logins for user \"alice\" from 5 distinct "
                        "client addresses in 5 s (threshold 5 within 300 s), the first in frame "
                        "11; 6 failures for this user so far");
    for (int i = 7; i <= 9; i++)
        result(g, (uint8_t)i, "alice", true, false, 20 + i, i);
    assert_int_equal(count_anomaly(MS_AN_DISTRIBUTED_GUESSING, 0), 1);
    ms_guess_user_t u;
    assert_true(ms_guess_user(g, "alice", &u));
    assert_int_equal(u.clients, 8);
    assert_int_equal(u.failures, 9);
    assert_int_equal(u.flags, MS_GUESS_DISTRIBUTED);
    assert_int_equal(client(g, 2).failures, 2);
    assert_int_equal(client(g, 2).flags, 0);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    assert_int_equal(count_anomaly(MS_AN_PASSWORD_SPRAYING, 0), 0);
    ms_guess_free(g);
}

/* A session's findings: its client's, and those of the users it tried (the
 * session table's and the tree's mailsess.guessing); none for a client
 * without a result. */
static void test_session_flags(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(5, 5, 5, 300);
    for (int i = 0; i < 5; i++)
        result(g, (uint8_t)(2 + i), "alice", true, false, 10 + i, i); /* distributed on alice */
    uint8_t a[4];
    ms_strlist_t users;
    ms_strlist_init(&users, 4);
    ms_strlist_add(&users, "bob", 3);
    v4(a, 2);
    assert_int_equal(ms_guess_session_flags(g, a, 4, &users), 0);
    ms_strlist_add(&users, "alice", 5);
    assert_int_equal(ms_guess_session_flags(g, a, 4, &users), MS_GUESS_DISTRIBUTED);
    v4(a, 99); /* no result from this client: nothing, whoever it tried */
    assert_int_equal(ms_guess_session_flags(g, a, 4, &users), 0);
    assert_int_equal(ms_guess_session_flags(NULL, a, 4, &users), 0);
    ms_strlist_clear(&users);
    ms_guess_free(g);
}

/* ms_guess_raised() counts the findings raised, and a session's flags change
 * only when it does (the session table keeps a row's flags until then): a
 * mix of failures from 6 clients for 6 users raises all three kinds; after
 * every result, each (client, users) pair's flags are compared with the last. */
static void test_raised(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(4, 3, 3, 300);
    static const char *const names[] = { "alice", "bob", "carol", "dave", "erin", "frank" };
    ms_strlist_t users[6];
    for (int u = 0; u < 6; u++) {
        ms_strlist_init(&users[u], 8);
        for (int k = 0; k <= u; k++)
            ms_strlist_add(&users[u], names[k], strlen(names[k]));
    }
    uint32_t before[6][6] = { { 0 } };
    assert_int_equal(ms_guess_raised(g), 0);
    assert_int_equal(ms_guess_raised(NULL), 0);
    uint32_t raised = 0, kinds = 0;
    for (int i = 0; i < 60; i++) {
        result(g, (uint8_t)(1 + i % 6), names[(i / 6 + 2 * i) % 6], true, i % 7 == 0, 10 + i, i);
        uint32_t now = ms_guess_raised(g);
        assert_true(now == raised || now == raised + 1 || now == raised + 2);
        for (int c = 0; c < 6; c++) {
            uint8_t a[4];
            v4(a, (uint8_t)(1 + c));
            for (int u = 0; u < 6; u++) {
                uint32_t f = ms_guess_session_flags(g, a, 4, &users[u]);
                if (now == raised && f != before[c][u])
                    fail_msg("step %d: flags of client %d, users %d changed with no finding raised", i, c, u);
                before[c][u] = f;
                kinds |= f;
            }
        }
        raised = now;
    }
    assert_int_equal(kinds, MS_GUESS_BRUTE_FORCE | MS_GUESS_SPRAYING | MS_GUESS_DISTRIBUTED);
    assert_int_equal(raised, (uint32_t)count_anomaly(MS_AN_BRUTE_FORCE, 0) +
                                 (uint32_t)count_anomaly(MS_AN_PASSWORD_SPRAYING, 0) +
                                 (uint32_t)count_anomaly(MS_AN_DISTRIBUTED_GUESSING, 0));
    for (int u = 0; u < 6; u++)
        ms_strlist_clear(&users[u]);
    ms_guess_free(g);
}

/* Below every threshold: nothing. Several attempts in one session count
 * one session; a failure without a user counts for the client only. */
static void test_below_thresholds(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(5, 5, 5, 300);
    result(g, 1, "alice", true, false, 1, 0);
    result(g, 1, "alice", false, true, 2, 1);
    result(g, 1, NULL, true, false, 3, 2);
    result(g, 1, "", false, false, 4, 3);
    result(g, 2, "bob", true, false, 5, 4);
    result(g, 2, "bob", false, true, 6, 5);
    assert_int_equal(n_notes, 0);
    ms_guess_client_t c = client(g, 1);
    assert_int_equal(c.failures, 3);
    assert_int_equal(c.successes, 1);
    assert_int_equal(c.sessions, 2);
    assert_int_equal(c.users, 1);
    assert_int_equal(c.flags, 0);
    ms_guess_user_t u;
    assert_false(ms_guess_user(g, "", &u));
    assert_false(ms_guess_user(g, "carol", &u));
    uint8_t a[4];
    v4(a, 3);
    assert_false(ms_guess_client(g, a, 4, &c));
    ms_guess_free(g);
}

/* IPv4 and IPv6 addresses are different clients; longer addresses are ignored. */
static void test_addresses(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(2, 0, 0, 300);
    uint8_t a6[17] = { 0 };
    a6[15] = 1; /* ::1 */
    uint8_t a4[4] = { 0, 0, 0, 1 };
    ms_guess_result(g, a6, 16, "::1", "u", true, false, 1, 0, record, NULL);
    ms_guess_result(g, a4, 4, "0.0.0.1", "u", true, false, 2, 0, record, NULL);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    ms_guess_result(g, a6, 17, "?", "u", true, false, 3, 0, record, NULL);
    assert_false(ms_guess_client(g, a6, 17, &(ms_guess_client_t){ 0 }));
    ms_guess_result(g, a6, 16, "::1", "u", true, false, 4, 0, record, NULL);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 4), 1);
    ms_guess_free(g);
}

/* Thresholds above the maximum are lowered to it. */
static void test_threshold_clamped(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(1000000, 0, 0, 1000000);
    for (int i = 1; i < MS_GUESS_THRESHOLD_MAX; i++)
        result(g, 1, "u", true, false, (ms_frame_t)i, i);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, 0), 0);
    result(g, 1, "u", true, false, MS_GUESS_THRESHOLD_MAX, MS_GUESS_THRESHOLD_MAX);
    assert_int_equal(count_anomaly(MS_AN_BRUTE_FORCE, MS_GUESS_THRESHOLD_MAX), 1);
    ms_guess_free(g);
}

/* More clients than the table holds: one guessing_cap, the rest not counted;
 * the tracked ones still are. */
static void test_client_cap(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(0, 0, 0, 300);
    uint8_t a[4] = { 10, 0, 0, 0 };
    for (uint32_t i = 0; i < MS_GUESS_MAX_CLIENTS + 10; i++) {
        a[2] = (uint8_t)(i >> 8);
        a[3] = (uint8_t)i;
        ms_guess_result(g, a, 4, "x", NULL, true, false, i + 1, 0, record, NULL);
    }
    assert_int_equal(count_anomaly(MS_AN_GUESSING_CAP, 0), 1);
    assert_int_equal(count_anomaly(MS_AN_GUESSING_CAP, MS_GUESS_MAX_CLIENTS + 1), 1);
    ms_guess_client_t c;
    a[2] = 0;
    a[3] = 0;
    assert_true(ms_guess_client(g, a, 4, &c));
    a[2] = (uint8_t)((MS_GUESS_MAX_CLIENTS + 5) >> 8);
    a[3] = (uint8_t)(MS_GUESS_MAX_CLIENTS + 5);
    assert_false(ms_guess_client(g, a, 4, &c));
    ms_guess_free(g);
}

/* One client trying more users than a client's pair list holds: counted up
 * to the cap, one guessing_cap; failures still all counted. */
static void test_pair_cap(void **state)
{
    (void)state;
    ms_guess_t *g = new_table(0, 0, 0, 300);
    char name[16];
    for (int i = 0; i < MS_GUESS_PAIRS_PER_KEY + 5; i++) {
        snprintf(name, sizeof(name), "user%d", i);
        result(g, 1, name, true, false, (ms_frame_t)i + 1, 0);
    }
    assert_int_equal(count_anomaly(MS_AN_GUESSING_CAP, 0), 1);
    ms_guess_client_t c = client(g, 1);
    assert_int_equal(c.users, MS_GUESS_PAIRS_PER_KEY);
    assert_int_equal(c.failures, MS_GUESS_PAIRS_PER_KEY + 5);
    ms_guess_free(g);
}

/* The names the session table and mailsess.guessing show, in one order. */
static void test_flags_text(void **state)
{
    (void)state;
    char *t = ms_guess_flags_text(0);
    assert_string_equal(t, "");
    g_free(t);
    t = ms_guess_flags_text(MS_GUESS_DISTRIBUTED | MS_GUESS_BRUTE_FORCE);
    assert_string_equal(t, "brute_force, distributed_guessing");
    g_free(t);
    t = ms_guess_flags_text(MS_GUESS_BRUTE_FORCE | MS_GUESS_SPRAYING | MS_GUESS_DISTRIBUTED);
    assert_string_equal(t, "brute_force, password_spraying, distributed_guessing");
    g_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brute_force),
        cmocka_unit_test(test_window_slides),
        cmocka_unit_test(test_window_edge),
        cmocka_unit_test(test_backwards_time),
        cmocka_unit_test(test_spraying),
        cmocka_unit_test(test_distributed),
        cmocka_unit_test(test_below_thresholds),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_threshold_clamped),
        cmocka_unit_test(test_client_cap),
        cmocka_unit_test(test_pair_cap),
        cmocka_unit_test(test_flags_text),
        cmocka_unit_test(test_session_flags),
        cmocka_unit_test(test_raised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
