/* ms_smtp_split.c - SMTP smuggling: the end-of-data look-alikes of a message
 * and what a server that takes one would read after it (ms_smtp_split.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_smtp_split.h"
#include "ms_smtp_parse.h"
#include "ms_text.h"

#include <glib.h>
#include <string.h>

/* How a piece of a line ends. */
typedef enum { END_CRLF, END_LF, END_CR } end_t;

static const char *end_name(end_t e)
{
    return e == END_CRLF ? "<CR><LF>" : e == END_LF ? "<LF>" : "<CR>";
}

static unsigned end_len(end_t e)
{
    return e == END_CRLF ? 2 : 1;
}

void ms_split_reset(ms_split_t *sp)
{
    ms_split_free_cands(sp->cand, sp->n);
    memset(sp, 0, sizeof(*sp));
}

void ms_split_free_cands(ms_split_cand_t *c, uint32_t n)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < c[i].n_items; j++)
            g_free(c[i].items[j].arg);
    g_free(c);
}

ms_split_cand_t *ms_split_take(ms_split_t *sp, uint32_t *n)
{
    ms_split_cand_t *c = sp->cand;
    *n = sp->n;
    sp->cand = NULL;
    sp->n = 0;
    ms_split_reset(sp);
    return c;
}

static ms_split_item_t *add_item(ms_split_cand_t *c, ms_split_kind_t kind, ms_frame_t frame,
                                 ms_time_t ts)
{
    if (c->n_items >= MS_SPLIT_ITEMS) {
        c->more++;
        return NULL;
    }
    ms_split_item_t *it = &c->items[c->n_items++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->frame = frame;
    it->ts = ts;
    return it;
}

/* A command line as the server of this candidate reads it. */
static void follow_command(ms_split_cand_t *c, const uint8_t *p, size_t len, ms_frame_t frame,
                           ms_time_t ts)
{
    ms_smtp_cmd_t cmd;
    ms_split_kind_t kind = MS_SPLIT_OTHER;
    const char *keyword = NULL;

    if (ms_smtp_cmd_split(p, len, &cmd)) {
        if (!strcmp(cmd.verb, "MAIL"))
            kind = MS_SPLIT_MAIL, keyword = "FROM:";
        else if (!strcmp(cmd.verb, "RCPT"))
            kind = MS_SPLIT_RCPT, keyword = "TO:";
        else if (!strcmp(cmd.verb, "DATA"))
            kind = MS_SPLIT_DATA;
        else if (!strcmp(cmd.verb, "QUIT"))
            kind = MS_SPLIT_QUIT;
    }
    ms_split_item_t *it = add_item(c, kind, frame, ts);
    if (kind == MS_SPLIT_DATA) {
        c->in_data = true;
        c->bytes = 0;
    }
    const uint8_t *path;
    size_t plen;
    if (it && keyword && ms_smtp_path_parse(cmd.arg, cmd.arg_len, keyword, &path, &plen) !=
                             MS_PATH_NO_KEYWORD && path)
        it->arg = ms_text_printable(path, plen, MS_SPLIT_ARG_MAX);
}

/* One line of this candidate's reading: 'len' kept bytes of 'total'. */
static void follow(ms_split_cand_t *c, const uint8_t *p, size_t len, uint64_t total, end_t e,
                   ms_frame_t frame, ms_time_t ts)
{
    if (!c->in_data) {
        follow_command(c, p, len, frame, ts);
        return;
    }
    if (total == 1 && p[0] == '.') {
        ms_split_item_t *it = add_item(c, MS_SPLIT_END, frame, ts);
        if (it)
            it->bytes = c->bytes;
        c->in_data = false;
        return;
    }
    c->bytes += total + end_len(e) - (len > 0 && p[0] == '.' ? 1 : 0);
}

static void add_candidate(ms_split_t *sp, ms_reporter_t *rep, bool cr, end_t before, end_t after,
                          uint64_t carrier, ms_frame_t frame)
{
    char name[sizeof(((ms_split_cand_t *)0)->name)];
    g_snprintf(name, sizeof(name), "%s.%s", end_name(before), end_name(after));
    if (sp->n >= MS_SPLIT_CANDIDATES) {
        if (sp->dropped++ == 0)
            ms_report_anomaly(rep, frame, MS_AN_CAP_REACHED, "More than %d end-of-data "
                              "look-alikes in this message: further ones are reported, not "
                              "followed", MS_SPLIT_CANDIDATES);
    } else {
        if (!sp->cand)
            sp->cand = g_new0(ms_split_cand_t, MS_SPLIT_CANDIDATES);
        ms_split_cand_t *c = &sp->cand[sp->n++];
        memset(c, 0, sizeof(*c));
        g_strlcpy(c->name, name, sizeof(c->name));
        c->cr = cr;
        c->frame = frame;
        c->carrier_bytes = carrier;
    }
    ms_report_anomaly(rep, frame, MS_AN_SMUGGLING, "End-of-data look-alike %s (SMTP smuggling): "
                      "a server that ends lines at a bare %s ends the message here and reads "
                      "what follows as commands; taken as message content (RFC 5321)", name,
                      cr ? "CR" : "LF");
}

/* The line's pieces between bare CRs, for the readings that end lines there. */
static void cr_pieces(ms_split_t *sp, ms_reporter_t *rep, const ms_line_t *l, end_t first,
                      end_t last, ms_frame_t frame, ms_time_t ts)
{
    size_t start = 0;
    end_t before = first;
    for (;;) {
        const uint8_t *cr = l->bare_cr ? memchr(l->data + start, '\r', l->len - start) : NULL;
        size_t end = cr ? (size_t)(cr - l->data) : l->len;
        size_t len = end - start;
        uint64_t total = cr ? len : len + (l->total - l->len); /* the unkept tail */
        end_t after = cr ? END_CR : last;
        for (uint32_t i = 0; i < sp->n; i++)
            if (sp->cand[i].cr)
                follow(&sp->cand[i], l->data + start, len, total, after, frame, ts);
        bool dot = total == 1 && l->data[start] == '.';
        if (dot && (before == END_CR || after == END_CR))
            add_candidate(sp, rep, true, before, after, sp->cr_bytes, frame);
        sp->cr_bytes += total + end_len(after) - (len > 0 && l->data[start] == '.' ? 1 : 0);
        if (!cr)
            return;
        start = end + 1;
        before = END_CR;
    }
}

void ms_split_line(ms_split_t *sp, ms_reporter_t *rep, const ms_line_t *l, bool prev_lf,
                   ms_frame_t frame, ms_time_t ts)
{
    end_t first = prev_lf ? END_LF : END_CRLF;
    end_t last = l->term == MS_TERM_LF ? END_LF : END_CRLF;

    for (uint32_t i = 0; i < sp->n; i++)
        if (!sp->cand[i].cr)
            follow(&sp->cand[i], l->data, l->len, l->total, last, frame, ts);
    cr_pieces(sp, rep, l, first, last, frame, ts);
    bool dot = l->total == 1 && l->data[0] == '.';
    if (dot && (first == END_LF || last == END_LF))
        add_candidate(sp, rep, false, first, last, sp->lf_bytes, frame);
    sp->lf_bytes += l->total + end_len(last) - (l->len > 0 && l->data[0] == '.' ? 1 : 0);
}
