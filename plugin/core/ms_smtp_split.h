/* ms_smtp_split.h - SMTP smuggling: how a server that ends the data at an
 * end-of-data look-alike reads the rest of the message content.
 *
 * mailsess reads message data by RFC 5321: only CRLF "." CRLF ends it. Many
 * servers also end lines at a bare LF (postfix with smtpd_forbid_bare_newline
 * = no, sendmail...), some at a bare CR too; for them a "." line ended or
 * preceded by a bare LF or CR (\n.\r\n, \n.\n, \r\n.\n, \r.\r...) ends the
 * message, and the content after it is read as commands: a second, smuggled
 * transaction. While the data is read, each such look-alike is kept as a
 * candidate with what the server would read after it (bounded: at most
 * MS_SPLIT_CANDIDATES look-alikes per message, MS_SPLIT_ITEMS commands each);
 * the SMTP machine decides from the server's replies whether one was taken.
 *
 * Two readings of the lines after a look-alike: one ending lines at LF (and
 * CRLF), for a look-alike made with bare LFs only; one ending them at CR, LF
 * or CRLF, for a look-alike with a bare CR. In both, a smuggled DATA is taken
 * to get its 354 and the content after it ends at the next "." line of that
 * reading; a line starting with "." loses it (dot-stuffing).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MS_SMTP_SPLIT_H
#define MS_SMTP_SPLIT_H

#include "ms_session.h"

#ifndef MS_SPLIT_CANDIDATES
#define MS_SPLIT_CANDIDATES 4  /* look-alikes followed per message */
#endif
#ifndef MS_SPLIT_ITEMS
#define MS_SPLIT_ITEMS      16 /* commands (and ends of smuggled data) kept per look-alike */
#endif
#define MS_SPLIT_ARG_MAX    256 /* bytes of a smuggled MAIL/RCPT path kept */

/* What the server would read after the look-alike, one reply each. */
typedef enum {
    MS_SPLIT_MAIL,  /* MAIL FROM */
    MS_SPLIT_RCPT,  /* RCPT TO */
    MS_SPLIT_DATA,  /* DATA (taken to get 354) */
    MS_SPLIT_END,   /* the "." line ending smuggled content */
    MS_SPLIT_QUIT,  /* QUIT */
    MS_SPLIT_OTHER  /* any other line read as a command (garbage gets 500/502) */
} ms_split_kind_t;

typedef struct {
    ms_split_kind_t kind;
    ms_frame_t      frame;  /* frame completing the line */
    ms_time_t       ts;
    char           *arg;    /* MAIL/RCPT: the path, printable (owned); else NULL */
    uint64_t        bytes;  /* END: the smuggled message's size by this reading */
    unsigned        code;   /* the reply it got (0: none yet) */
} ms_split_item_t;

typedef struct {
    char            name[24];      /* the look-alike as postfix names line ends: "<LF>.<CR><LF>" */
    bool            cr;            /* this reading ends lines at a bare CR too */
    ms_frame_t      frame;         /* frame holding the look-alike */
    uint64_t        carrier_bytes; /* the message up to the look-alike, by this reading */
    bool            in_data;       /* inside smuggled content */
    uint64_t        bytes;         /* smuggled content so far */
    ms_split_item_t items[MS_SPLIT_ITEMS];
    uint32_t        n_items;
    uint64_t        more;          /* commands beyond the items: one reply each, nothing kept */
} ms_split_cand_t;

/* The look-alikes of the message being read. */
typedef struct {
    ms_split_cand_t *cand;      /* MS_SPLIT_CANDIDATES slots, allocated at the first one */
    uint32_t         n;
    uint64_t         dropped;   /* look-alikes beyond the cap: reported, not followed */
    uint64_t         lf_bytes;  /* the message so far, lines ending at LF */
    uint64_t         cr_bytes;  /* the message so far, lines ending at CR or LF */
} ms_split_t;

/* A new message: forgets the previous one's look-alikes. */
void ms_split_reset(ms_split_t *sp);
/* One content line (the RFC reading's, as the line assembler gives it; the
 * end-of-data line too), 'prev_lf': the line before it ended with a bare LF.
 * Reports each look-alike in it (smuggling) and follows the candidates. */
void ms_split_line(ms_split_t *sp, ms_reporter_t *rep, const ms_line_t *l, bool prev_lf,
                   ms_frame_t frame, ms_time_t ts);
/* Hands the candidates over (NULL when none); the split is reset. */
ms_split_cand_t *ms_split_take(ms_split_t *sp, uint32_t *n);
void ms_split_free_cands(ms_split_cand_t *c, uint32_t n);

#endif /* MS_SMTP_SPLIT_H */
