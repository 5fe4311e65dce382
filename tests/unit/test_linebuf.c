/* Unit tests of the line assembler (split lines, bare CR/LF, long lines).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ms_linebuf.h"

typedef struct {
    char lines[8][64];
    uint64_t totals[8];
    ms_term_t terms[8];
    bool bare_cr[8];
    ms_frame_t first[8];
    int n;
} got_t;

/* Feeds pieces (NULL-terminated list) as successive frames 1, 2, ... */
static void feed(ms_linebuf_t *lb, got_t *g, ...)
{
    va_list ap;
    const char *p;
    ms_frame_t frame = 1;
    va_start(ap, g);
    while ((p = va_arg(ap, const char *)) != NULL) {
        size_t len = strlen(p), off = 0;
        while (off < len) {
            ms_line_t l;
            bool done;
            off += ms_linebuf_take(lb, (const uint8_t *)p + off, len - off, frame, &l, &done);
            if (done && g->n < 8) {
                snprintf(g->lines[g->n], sizeof(g->lines[0]), "%s", (const char *)l.data);
                g->totals[g->n] = l.total;
                g->terms[g->n] = l.term;
                g->bare_cr[g->n] = l.bare_cr;
                g->first[g->n] = l.first_frame;
                g->n++;
            }
        }
        frame++;
    }
    va_end(ap);
}

static void test_crlf_lines(void **state)
{
    (void)state;
    ms_linebuf_t lb;
    got_t g = { 0 };
    ms_linebuf_init(&lb, 64);
    feed(&lb, &g, "EHLO a\r\nMAIL FROM:<x>\r\n", NULL);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[0], "EHLO a");
    assert_string_equal(g.lines[1], "MAIL FROM:<x>");
    assert_int_equal(g.terms[0], MS_TERM_CRLF);
    assert_false(ms_linebuf_pending(&lb));
    ms_linebuf_free(&lb);
}

static void test_split_across_segments(void **state)
{
    (void)state;
    ms_linebuf_t lb;
    got_t g = { 0 };
    ms_linebuf_init(&lb, 64);
    feed(&lb, &g, "QU", "IT", "\r", "\n", NULL);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lines[0], "QUIT");
    assert_int_equal(g.terms[0], MS_TERM_CRLF); /* CR and LF in different segments */
    assert_int_equal(g.first[0], 1);            /* line started in the first piece */
    assert_false(g.bare_cr[0]);
    ms_linebuf_free(&lb);
}

static void test_bare_lf(void **state)
{
    (void)state;
    ms_linebuf_t lb;
    got_t g = { 0 };
    ms_linebuf_init(&lb, 64);
    feed(&lb, &g, "a\nb\r\n", NULL);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.terms[0], MS_TERM_LF);
    assert_int_equal(g.terms[1], MS_TERM_CRLF);
    ms_linebuf_free(&lb);
}

static void test_bare_cr(void **state)
{
    (void)state;
    ms_linebuf_t lb;
    got_t g = { 0 };
    ms_linebuf_init(&lb, 64);
    feed(&lb, &g, "a\rb\r\n", NULL);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lines[0], "a\rb");
    assert_true(g.bare_cr[0]);
    assert_int_equal(g.totals[0], 3);
    ms_linebuf_free(&lb);
}

static void test_cr_without_lf_at_end(void **state)
{
    (void)state;
    ms_linebuf_t lb;
    got_t g = { 0 };
    ms_line_t l;
    ms_linebuf_init(&lb, 64);
    feed(&lb, &g, "x\r", NULL);
    assert_int_equal(g.n, 0);
    assert_true(ms_linebuf_pending(&lb));
    assert_true(ms_linebuf_flush(&lb, &l));
    assert_int_equal(l.term, MS_TERM_NONE);
    assert_true(l.bare_cr);
    assert_int_equal(l.total, 2);
    ms_linebuf_free(&lb);
}

static void test_max_line_length(void **state)
{
    (void)state;
    ms_linebuf_t lb;
    got_t g = { 0 };
    ms_linebuf_init(&lb, 4);
    feed(&lb, &g, "abcdefgh", "ij\r\nok\r\n", NULL);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[0], "abcd"); /* kept part */
    assert_int_equal(g.totals[0], 10);       /* counted in full */
    assert_string_equal(g.lines[1], "ok");
    ms_linebuf_free(&lb);
}

static void test_huge_line_is_bounded(void **state)
{
    (void)state;
    ms_linebuf_t lb;
    static uint8_t big[1 << 20];
    ms_line_t l;
    bool done;
    memset(big, 'A', sizeof(big));
    ms_linebuf_init(&lb, 16);
    for (int i = 0; i < 64; i++) /* 64 MiB in one line */
        ms_linebuf_take(&lb, big, sizeof(big), 1, &l, &done);
    assert_true(ms_linebuf_flush(&lb, &l));
    assert_int_equal(l.len, 16);
    assert_true(l.total == (uint64_t)64 << 20);
    assert_true(l.truncated);
    ms_linebuf_free(&lb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crlf_lines),
        cmocka_unit_test(test_split_across_segments),
        cmocka_unit_test(test_bare_lf),
        cmocka_unit_test(test_bare_cr),
        cmocka_unit_test(test_cr_without_lf_at_end),
        cmocka_unit_test(test_max_line_length),
        cmocka_unit_test(test_huge_line_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
