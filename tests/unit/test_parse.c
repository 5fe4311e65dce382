/* Unit tests of the pure parsers: replies, commands, paths, AUTH, BDAT,
 * base64, SASL user extraction, printable text.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "ms_pop3_parse.h"
#include "ms_sasl.h"
#include "ms_smtp_parse.h"
#include "ms_text.h"

#define S(x) (const uint8_t *)(x), strlen(x)

static void test_reply_line(void **state)
{
    (void)state;
    ms_smtp_reply_line_t r;
    assert_true(ms_smtp_reply_line_parse(S("250-PIPELINING"), &r));
    assert_int_equal(r.code, 250);
    assert_false(r.last);
    assert_memory_equal(r.text, "PIPELINING", r.text_len);
    assert_true(ms_smtp_reply_line_parse(S("354 go"), &r));
    assert_true(r.last);
    assert_true(ms_smtp_reply_line_parse(S("221"), &r)); /* code only */
    assert_true(r.last);
    assert_int_equal(r.text_len, 0);
    assert_false(ms_smtp_reply_line_parse(S("25"), &r));
    assert_false(ms_smtp_reply_line_parse(S("650 x"), &r));   /* no such class */
    assert_false(ms_smtp_reply_line_parse(S("250xfoo"), &r)); /* bad separator */
    assert_false(ms_smtp_reply_line_parse(S("hello"), &r));
}

static void test_cmd_split(void **state)
{
    (void)state;
    ms_smtp_cmd_t c;
    assert_true(ms_smtp_cmd_split(S("mail FROM:<a@b>"), &c));
    assert_string_equal(c.verb, "MAIL"); /* upper-cased: smtplib sends lower case */
    assert_memory_equal(c.arg, "FROM:<a@b>", c.arg_len);
    assert_true(ms_smtp_cmd_split(S("QUIT"), &c));
    assert_int_equal(c.arg_len, 0);
    assert_false(ms_smtp_cmd_split(S(""), &c));
    assert_false(ms_smtp_cmd_split(S("\x01\x02 x"), &c));
    assert_false(ms_smtp_cmd_split(S("ABCDEFGHIJKLMNOPQ x"), &c)); /* 17 letters */
    assert_false(ms_smtp_cmd_split(S("dXNlcg=="), &c));            /* base64, not a verb */
    assert_false(c.loose);
    /* words separated by any run of SP/HTAB, as postfix reads them */
    assert_true(ms_smtp_cmd_split(S("MAIL  FROM:<a@b>"), &c));
    assert_string_equal(c.verb, "MAIL");
    assert_memory_equal(c.arg, "FROM:<a@b>", c.arg_len);
    assert_true(c.loose);
    assert_true(ms_smtp_cmd_split(S("AUTH\tPLAIN AGFsaWNl"), &c));
    assert_string_equal(c.verb, "AUTH");
    assert_int_equal(c.arg_len, 14);
    assert_true(c.loose);
    assert_true(ms_smtp_cmd_split(S("RCPT TO:<a@b>"), &c));
    assert_false(c.loose);
    assert_true(ms_smtp_cmd_split(S("QUIT \t "), &c));
    assert_int_equal(c.arg_len, 0);
    assert_true(c.loose);
}

static void test_path(void **state)
{
    (void)state;
    const uint8_t *p;
    size_t n;
    assert_int_equal(ms_smtp_path_parse(S("FROM:<alice@example.test> SIZE=12"), "FROM:", &p, &n), MS_PATH_OK);
    assert_memory_equal(p, "alice@example.test", n);
    assert_int_equal(ms_smtp_path_parse(S("from: <a@b>"), "FROM:", &p, &n), MS_PATH_OK);
    assert_memory_equal(p, "a@b", n);
    assert_int_equal(ms_smtp_path_parse(S("FROM:\t<a@b>"), "FROM:", &p, &n), MS_PATH_OK);
    assert_memory_equal(p, "a@b", n);
    assert_int_equal(ms_smtp_path_parse(S("FROM:<>"), "FROM:", &p, &n), MS_PATH_OK);
    assert_int_equal(n, 0); /* null sender */
    assert_int_equal(ms_smtp_path_parse(S("TO:<\"a>b\"@x>"), "TO:", &p, &n), MS_PATH_OK);
    assert_memory_equal(p, "\"a>b\"@x", n); /* '>' inside a quoted local part */
    assert_int_equal(ms_smtp_path_parse(S("TO:a@b"), "TO:", &p, &n), MS_PATH_MALFORMED);
    assert_memory_equal(p, "a@b", n);
    assert_int_equal(ms_smtp_path_parse(S("TO:<a@b"), "TO:", &p, &n), MS_PATH_MALFORMED);
    assert_int_equal(ms_smtp_path_parse(S("X:<a@b>"), "TO:", &p, &n), MS_PATH_NO_KEYWORD);
}

static void test_auth_arg(void **state)
{
    (void)state;
    ms_smtp_auth_t a;
    assert_true(ms_smtp_auth_parse(S("plain AGFsaWNlAHB3"), &a));
    assert_string_equal(a.mech, "PLAIN");
    assert_true(a.has_ir);
    assert_memory_equal(a.ir, "AGFsaWNlAHB3", a.ir_len);
    assert_true(ms_smtp_auth_parse(S("CRAM-MD5"), &a));
    assert_false(a.has_ir);
    assert_false(ms_smtp_auth_parse(S(""), &a));
    assert_false(ms_smtp_auth_parse(S("ABCDEFGHIJKLMNOPQRSTU"), &a)); /* 21 chars */
    assert_false(ms_smtp_auth_parse(S("PL@IN"), &a));
    assert_true(ms_smtp_auth_parse(S("PLAIN\t\tAGFsaWNlAHB3 \t"), &a)); /* blanks as postfix reads them */
    assert_string_equal(a.mech, "PLAIN");
    assert_int_equal(a.ir_len, 12);
}

static void test_bdat(void **state)
{
    (void)state;
    uint64_t sz;
    bool last;
    assert_int_equal(ms_smtp_bdat_parse(S("172"), &sz, &last), MS_BDAT_OK);
    assert_true(sz == 172);
    assert_false(last);
    assert_int_equal(ms_smtp_bdat_parse(S("130 last"), &sz, &last), MS_BDAT_OK);
    assert_true(last);
    assert_int_equal(ms_smtp_bdat_parse(S("0 LAST"), &sz, &last), MS_BDAT_OK);
    assert_true(sz == 0);
    /* regression cases named after Zeek's: huge chunk size, garbage */
    assert_int_equal(ms_smtp_bdat_parse(S("99999999999999999999999"), &sz, &last), MS_BDAT_BAD_SIZE);
    assert_int_equal(ms_smtp_bdat_parse(S(""), &sz, &last), MS_BDAT_BAD_SIZE);
    assert_int_equal(ms_smtp_bdat_parse(S("12x"), &sz, &last), MS_BDAT_BAD_SIZE);
    assert_int_equal(ms_smtp_bdat_parse(S("-1"), &sz, &last), MS_BDAT_BAD_SIZE);
    assert_int_equal(ms_smtp_bdat_parse(S("12 LASTX"), &sz, &last), MS_BDAT_BAD_LAST);
    assert_int_equal(ms_smtp_bdat_parse(S("12\tLAST"), &sz, &last), MS_BDAT_OK);
    assert_true(last);
}

/* The id in s, or "" when none. */
static const char *qid(const char *s)
{
    static char buf[MS_QUEUE_ID_MAX + 1];
    const uint8_t *id;
    size_t n;
    if (!ms_smtp_queue_id_parse((const uint8_t *)s, strlen(s), &id, &n))
        return "";
    assert_true(n > 0 && n <= MS_QUEUE_ID_MAX);
    memcpy(buf, id, n);
    buf[n] = '\0';
    return buf;
}

static void test_queue_id(void **state)
{
    (void)state;
    /* the text after "250 " of real servers' replies to the end of data */
    assert_string_equal(qid("2.0.0 Ok: queued as 4F2C21A0B3"), "4F2C21A0B3");      /* postfix */
    assert_string_equal(qid("2.0.0 Ok: queued as 4Yx1Zq5Kz0z9vQ1"), "4Yx1Zq5Kz0z9vQ1"); /* long ids */
    assert_string_equal(qid("Ok: queued as 7523C1BEFA"), "7523C1BEFA");            /* no status code */
    assert_string_equal(qid("OK id=1rQbZk-0004Xy-2P"), "1rQbZk-0004Xy-2P");         /* exim */
    assert_string_equal(qid("OK id=1wLWNN-00000002g1x-0ye6"), "1wLWNN-00000002g1x-0ye6"); /* exim 4.97 */
    assert_string_equal(qid("2.0.0 8f3e2a1b Message accepted for delivery"), "8f3e2a1b"); /* OpenSMTPD */
    assert_string_equal(qid("2.0.0: 8f3e2a1b Message accepted for delivery"), "8f3e2a1b");
    assert_string_equal(qid("8f3e2a1b Message accepted for delivery"), "8f3e2a1b");
    assert_string_equal(qid("2.0.0 n54CEgvI018278 Message accepted for delivery"), "n54CEgvI018278"); /* sendmail */
    assert_string_equal(qid("2.6.0 <20111025103822.7F94E1C0299@host.example> [InternalId=274498] "
                            "Queued mail for delivery"), "20111025103822.7F94E1C0299@host.example");
    assert_string_equal(qid("<SNT0-MC3-F1964xSNUX00142e45@SNT0-MC3-F19.Snt0.hotmail.com> Queued mail "
                            "for delivery"), "SNT0-MC3-F1964xSNUX00142e45@SNT0-MC3-F19.Snt0.hotmail.com");
    assert_string_equal(qid("ok 1375388751 qp 26627"), "26627");                   /* qmail */
    assert_string_equal(qid("ok 1349174460 qp 13230 by mx1.example.org"), "13230");
    assert_string_equal(qid("2.0.0 OK  1376056636 i3si9508927obz.16 - gsmtp"), "i3si9508927obz.16");
    assert_string_equal(qid("Ok 01000154dc729264-93fdd7ea-f039-43d6-91ed-653e8547867c-000000"),
                        "01000154dc729264-93fdd7ea-f039-43d6-91ed-653e8547867c-000000"); /* SES */
    assert_string_equal(qid("2.0.0 OK: queued as ABC123."), "ABC123");             /* a sentence's period */
    assert_string_equal(qid("2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 3F1A2B"),
                        "3F1A2B");                                                  /* amavis */
    /* no id */
    assert_string_equal(qid("2.0.0 Ok: queued"), "");
    assert_string_equal(qid("Ok"), "");
    assert_string_equal(qid(""), "");
    assert_string_equal(qid("Message accepted for delivery"), "");
    assert_string_equal(qid("OK: Message accepted for delivery"), "");
    assert_string_equal(qid("2.0.0 OK Great success"), "");
    assert_string_equal(qid("2.6.0 [InternalId=274498] Queued mail for delivery"), "");
    assert_string_equal(qid("ok 1375388751 qp x26627"), "");
    /* hostile: no id with bytes outside the id characters, none over the cap */
    assert_string_equal(qid("Ok: queued as AB\x1b[2JCD"), "");
    assert_string_equal(qid("Ok: queued as AB\xc3\xa9"), "");
    assert_string_equal(qid("OK id=\"x\""), "");
    assert_string_equal(qid("<a\"b@c> Queued mail for delivery"), "");
    assert_string_equal(qid("<abc@def Queued mail for delivery"), "");
    char longid[400];
    memset(longid, 'A', sizeof(longid));
    memcpy(longid, "Ok: queued as ", 14);
    longid[sizeof(longid) - 1] = '\0';
    assert_string_equal(qid(longid), "");
    longid[14 + MS_QUEUE_ID_MAX] = '\0';
    assert_int_equal(strlen(qid(longid)), MS_QUEUE_ID_MAX);
    /* never reads past the length (no NUL terminator) */
    const uint8_t *id;
    size_t n;
    assert_true(ms_smtp_queue_id_parse((const uint8_t *)"Ok: queued as ABCDEF", 17, &id, &n));
    assert_int_equal(n, 3);
    assert_false(ms_smtp_queue_id_parse((const uint8_t *)"- gsmtp", 7, &id, &n));
}

static void test_base64(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_int_equal(ms_base64_decode(S("YWxpY2U="), out, sizeof(out)), 5);
    assert_memory_equal(out, "alice", 5);
    assert_int_equal(ms_base64_decode(S("YWxpY2U"), out, sizeof(out)), 5); /* no padding */
    assert_int_equal(ms_base64_decode(S(""), out, sizeof(out)), 0);
    assert_int_equal(ms_base64_decode(S("YW*p"), out, sizeof(out)), -1);
    assert_int_equal(ms_base64_decode(S("Y"), out, sizeof(out)), -1);
    assert_int_equal(ms_base64_decode(S("YWxpY2U="), out, 3), -1); /* would overflow */
}

static void inspect(const char *mech, unsigned step, const char *raw, size_t len, ms_sasl_info_t *i)
{
    ms_sasl_inspect(mech, step, (const uint8_t *)raw, len, i);
}

static void test_sasl_users(void **state)
{
    (void)state;
    ms_sasl_info_t i;
    inspect("PLAIN", 0, "\0alice\0alicepw", 14, &i);
    assert_true(i.has_user);
    assert_string_equal(i.user, "alice");
    assert_true(i.has_secret);
    inspect("PLAIN", 0, "admin\0alice\0", 12, &i); /* authzid, empty password */
    assert_string_equal(i.user, "alice");
    assert_false(i.has_secret);
    inspect("LOGIN", 0, "bob", 3, &i);
    assert_string_equal(i.user, "bob");
    assert_false(i.has_secret);
    inspect("LOGIN", 1, "bobpw", 5, &i);
    assert_false(i.has_user);
    assert_true(i.has_secret);
    inspect("CRAM-MD5", 0, "john doe 0123456789abcdef", 25, &i);
    assert_string_equal(i.user, "john doe");
    assert_false(i.has_secret);
    const char x[] = "user=carol@example.test\001auth=Bearer ya29.tok\001\001";
    inspect("XOAUTH2", 0, x, sizeof(x) - 1, &i);
    assert_string_equal(i.user, "carol@example.test");
    assert_true(i.has_secret);
    const char o[] = "n,a=dave@x,\001host=h\001auth=Bearer t\001\001";
    inspect("OAUTHBEARER", 0, o, sizeof(o) - 1, &i);
    assert_string_equal(i.user, "dave@x");
    assert_true(i.has_secret);
    inspect("SCRAM-SHA-256", 0, "n,,n=erin,r=abc", 15, &i);
    assert_string_equal(i.user, "erin");
    inspect("DIGEST-MD5", 0, "charset=utf-8,username=\"frank\",realm=\"x\"", 40, &i);
    assert_string_equal(i.user, "frank");
    assert_int_equal(ms_sasl_classify("login"), MS_SASL_PLAINTEXT);
    assert_int_equal(ms_sasl_classify("CRAM-MD5"), MS_SASL_WEAK);
    assert_int_equal(ms_sasl_classify("SCRAM-SHA-1"), MS_SASL_OTHER);
}

static void test_sasl_ntlm(void **state)
{
    (void)state;
    uint8_t m[96] = "NTLMSSP";
    ms_sasl_info_t i;
    m[8] = 3;                         /* AUTHENTICATE */
    m[28] = 4; m[32] = 72;            /* domain "DOM" ... UTF-16LE at 72, 4 bytes: "DO" */
    m[36] = 6; m[40] = 80;            /* user "bob" UTF-16LE at 80 */
    m[60] = 1;                        /* NEGOTIATE_UNICODE */
    memcpy(m + 72, "D\0O\0", 4);
    memcpy(m + 80, "b\0o\0b\0", 6);
    ms_sasl_inspect("NTLM", 1, m, sizeof(m), &i);
    assert_string_equal(i.user, "DO\\bob");
    m[40] = 200;                      /* user buffer out of bounds: ignored, no crash */
    ms_sasl_inspect("NTLM", 1, m, sizeof(m), &i);
    assert_string_equal(i.user, "DO\\");
}

static void test_printable(void **state)
{
    (void)state;
    char *t = ms_text_printable(S("j\xC3\xB6rg@b\xC3\xA4r.example"), 100);
    assert_string_equal(t, "j\xC3\xB6rg@b\xC3\xA4r.example"); /* SMTPUTF8 kept as UTF-8 */
    g_free(t);
    t = ms_text_printable((const uint8_t *)"a\0b\x01\xff", 5, 100);
    assert_string_equal(t, "a\\x00b\\x01\\xFF");
    g_free(t);
    t = ms_text_printable(S("\xC3"), 100); /* truncated sequence */
    assert_string_equal(t, "\\xC3");
    g_free(t);
    t = ms_text_printable(S("abcdef"), 3);
    assert_string_equal(t, "abc");
    g_free(t);
    /* a printable ASCII run (copied in one go) then the rest byte by byte */
    t = ms_text_printable(S("250 ok\x7F~ \x1b[0m"), 100);
    assert_string_equal(t, "250 ok\\x7F~ \\x1B[0m");
    g_free(t);
    t = ms_text_printable(S(""), 100);
    assert_string_equal(t, "");
    g_free(t);
    /* the escape character is escaped: a typed "\x1B" and an ESC byte differ */
    t = ms_text_printable(S("a\\x1Bb"), 100);
    assert_string_equal(t, "a\\\\x1Bb");
    g_free(t);
    t = ms_text_printable(S("a\x1b" "b"), 100);
    assert_string_equal(t, "a\\x1Bb");
    g_free(t);
    /* C1 controls, bidi controls and line/paragraph separators: escaped */
    t = ms_text_printable(S("x\xC2\x85y\xE2\x80\xAEz\xE2\x80\xA8w\xE2\x80\xA9\xE2\x81\xA6\xD8\x9C"), 100);
    assert_string_equal(t, "x\\u0085y\\u202Ez\\u2028w\\u2029\\u2066\\u061C");
    g_free(t);
    /* other non-ASCII stays as it is */
    t = ms_text_printable(S("caf\xC3\xA9 \xE2\x82\xAC"), 100);
    assert_string_equal(t, "caf\xC3\xA9 \xE2\x82\xAC");
    g_free(t);
    /* always valid UTF-8 */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    t = ms_text_printable(all, sizeof(all), sizeof(all));
    assert_true(g_utf8_validate(t, -1, NULL));
    for (const char *c = t; *c; c++)
        assert_true((unsigned char)*c >= 0x20 && *c != 0x7F);
    g_free(t);
}

static void test_pop3_cmd(void **state)
{
    (void)state;
    ms_pop3_cmd_t c;
    ms_pop3_cmd_parse(S("retr 12"), &c);
    assert_true(c.known);
    assert_int_equal(c.verb, POP3_CMD_RETR);
    assert_string_equal(c.name, "RETR");
    assert_true(c.needs_login);
    assert_int_equal(c.arg_len, 2);
    assert_memory_equal(c.arg, "12", 2);
    ms_pop3_cmd_parse(S("USER alice smith"), &c);
    assert_int_equal(c.verb, POP3_CMD_USER);
    assert_false(c.needs_login);
    assert_int_equal(c.arg_len, 11);
    assert_int_equal(ms_pop3_word_len(c.arg, c.arg_len), 5);
    assert_false(c.loose);
    ms_pop3_cmd_parse(S("PASS\tsecret"), &c); /* dovecot refuses it; the secret crossed all the same */
    assert_int_equal(c.verb, POP3_CMD_PASS);
    assert_memory_equal(c.arg, "secret", c.arg_len);
    assert_true(c.loose);
    ms_pop3_cmd_parse(S("CAPA"), &c);
    assert_int_equal(c.verb, POP3_CMD_CAPA);
    assert_int_equal(c.arg_len, 0);
    ms_pop3_cmd_parse(S("NOOP"), &c); /* known, followed as "other" */
    assert_true(c.known);
    assert_int_equal(c.verb, POP3_CMD_OTHER);
    ms_pop3_cmd_parse(S("XTND list"), &c); /* an extension verb */
    assert_false(c.known);
    assert_true(c.plausible);
    ms_pop3_cmd_parse(S("GET / HTTP/1.1"), &c);
    assert_false(c.known);
    assert_true(c.plausible);
    ms_pop3_cmd_parse(S("\x16\x03\x01"), &c); /* a TLS ClientHello */
    assert_false(c.plausible);
    ms_pop3_cmd_parse(S("TOOLONGVERB x"), &c);
    assert_false(c.plausible);
    ms_pop3_cmd_parse(S(""), &c);
    assert_false(c.known);
    assert_false(c.plausible);
    assert_int_equal(c.arg_len, 0);
}

static void test_pop3_status(void **state)
{
    (void)state;
    const uint8_t *t;
    size_t n;
    assert_int_equal(ms_pop3_status_parse(S("+OK  2 320"), &t, &n), MS_POP3_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(t, "2 320", 5);
    assert_int_equal(ms_pop3_status_parse(S("+ok"), &t, &n), MS_POP3_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ms_pop3_status_parse(S("-ERR [AUTH] failed"), &t, &n), MS_POP3_ERR);
    assert_memory_equal(t, "[AUTH] failed", 13);
    assert_int_equal(ms_pop3_status_parse(S("+ PDEyMz4="), &t, &n), MS_POP3_CHALLENGE);
    assert_memory_equal(t, "PDEyMz4=", 8);
    assert_int_equal(ms_pop3_status_parse(S("+"), &t, &n), MS_POP3_CHALLENGE);
    assert_int_equal(n, 0);
    assert_int_equal(ms_pop3_status_parse(S("+X"), &t, &n), MS_POP3_NOT_STATUS);
    assert_int_equal(ms_pop3_status_parse(S("1 120"), &t, &n), MS_POP3_NOT_STATUS);
    assert_int_equal(ms_pop3_status_parse(S(""), &t, &n), MS_POP3_NOT_STATUS);
}

static void test_pop3_stat(void **state)
{
    (void)state;
    uint32_t m = 0;
    uint64_t o = 0;
    assert_true(ms_pop3_stat_parse("3 1234", &m, &o));
    assert_int_equal(m, 3);
    assert_true(o == 1234);
    assert_true(ms_pop3_stat_parse("0 0 extra", &m, &o));
    assert_false(ms_pop3_stat_parse("3", &m, &o));
    assert_false(ms_pop3_stat_parse("x 1", &m, &o));
    assert_false(ms_pop3_stat_parse("3 x", &m, &o));
    assert_false(ms_pop3_stat_parse("4294967296 1", &m, &o)); /* more than 2^32-1 messages */
    assert_true(ms_pop3_stat_parse("4294967295 18446744073709551615", &m, &o));
    assert_true(m == 4294967295u && o == UINT64_MAX);
    assert_false(ms_pop3_stat_parse("1 18446744073709551616", &m, &o)); /* 2^64 */
    assert_false(ms_pop3_stat_parse("1 99999999999999999999999", &m, &o));
    assert_false(ms_pop3_stat_parse("1 -1", &m, &o));
    assert_false(ms_pop3_stat_parse("-1 5", &m, &o));
    assert_false(ms_pop3_stat_parse("1 +5", &m, &o));
    assert_false(ms_pop3_stat_parse("1 5x", &m, &o));
    assert_false(ms_pop3_stat_parse("", &m, &o));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_line), cmocka_unit_test(test_cmd_split),
        cmocka_unit_test(test_path),       cmocka_unit_test(test_auth_arg),
        cmocka_unit_test(test_bdat),       cmocka_unit_test(test_base64),
        cmocka_unit_test(test_sasl_users), cmocka_unit_test(test_sasl_ntlm),
        cmocka_unit_test(test_printable),  cmocka_unit_test(test_pop3_cmd),
        cmocka_unit_test(test_pop3_status), cmocka_unit_test(test_pop3_stat),
        cmocka_unit_test(test_queue_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
