/* ms_notes.c - the notes a session's machine reports about its frames, kept
 * for rendering on every pass.
 *
 * A session has one array of fixed-size records, ordered by frame (notes of
 * one frame in the order they were reported), in wmem_file_scope. A frame's
 * notes are found by binary search and handed to the readers (ms_render.c,
 * the taps) as a wmem_array_t of ms_stored_note_t in the frame's pool, the
 * same values in the same order as when every frame had its own array.
 *
 * Why not one wmem_array_t per frame in a map keyed by frame: in the
 * wmem_file_scope block allocator every allocation costs its size rounded up
 * to 16 bytes plus a 16-byte chunk header, so a frame with one note cost an
 * array header (64 B), its buffer (112 B for one 88-byte note) and a map item
 * (48 B): ~7.5 KB per session of 51 frames, two thirds of what mailsess kept.
 * A record here is 24 bytes and the array one allocation per session (grown
 * by half, cut to size when the session ends).
 *
 * The notes come in frame order but for one kind: the link of a command to
 * its reply is reported on the command's frame when the reply comes. It is
 * inserted in place, past the notes reported since on later frames of the
 * same session; those are bounded by what one reply can follow (the queue's
 * cap, capped anomalies), so an insertion moves a bounded number of records.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ms_epan.h"

#include <string.h>

/* Which member of a record's value is set. */
enum {
    VAL_NONE,  /* no delta, bytes or text */
    VAL_DELTA, /* MS_NOTE_REQUEST_IN: the response time */
    VAL_BYTES, /* MS_NOTE_MESSAGE */
    VAL_TEXT,  /* MS_NOTE_ANOMALY, MS_NOTE_QUEUE_ID (interned) */
    VAL_FULL   /* anything else (logins): a whole ms_stored_note_t in file scope */
};

struct ms_note_rec {
    guint32 frame;
    guint32 other;
    guint16 cmd_kind;
    guint16 code;
    guint8  kind;
    guint8  anomaly;
    guint8  cmd;   /* 1 + index in cmds[]; 0: NULL */
    guint8  val;   /* VAL_* */
    union {
        ms_time_t               delta;
        guint64                 bytes;
        const char             *text;
        const ms_stored_note_t *full;
    } v;
};

/* Per capture file: one copy of each distinct note text and login method
 * (a session's 100 "line too long" notes say the same). */
static wmem_map_t *texts;
/* The command names notes carry (static strings of the core), by index. */
#define CMDS_MAX 255
static const char *cmds[CMDS_MAX];
static guint ncmds;

void ms_notes_init(void)
{
    texts = wmem_map_new(wmem_file_scope(), g_str_hash, g_str_equal);
    ncmds = 0;
}

void ms_notes_cleanup(void)
{
    texts = NULL;
    ncmds = 0;
}

const char *ms_notes_intern(const char *text)
{
    if (!text)
        return NULL;
    const char *kept = (const char *)wmem_map_lookup(texts, text);
    if (!kept) {
        kept = wmem_strdup(wmem_file_scope(), text);
        wmem_map_insert(texts, kept, (void *)kept);
    }
    return kept;
}

/* 1 + the index of cmd in cmds[] (added if new), 0 for NULL, -1: table full. */
static int cmd_index(const char *cmd)
{
    if (!cmd)
        return 0;
    for (guint i = 0; i < ncmds; i++)
        if (cmds[i] == cmd)
            return (int)i + 1;
    if (ncmds == CMDS_MAX)
        return -1;
    cmds[ncmds++] = cmd;
    return (int)ncmds;
}

/* The record for s, a full copy when it does not fit a record's fields. */
static void encode(struct ms_note_rec *r, ms_frame_t frame, const ms_stored_note_t *s)
{
    int vals = (s->delta != 0) + (s->bytes != 0) + (s->text != NULL);
    gboolean login = s->method || s->user || s->user_frame || s->cred_frame || s->ok || s->clear;
    int cmd = cmd_index(s->cmd);

    memset(r, 0, sizeof(*r));
    r->frame = frame;
    if (login || vals > 1 || cmd < 0 || (guint)s->kind > G_MAXUINT8 ||
        (guint)s->anomaly > G_MAXUINT8) {
        ms_stored_note_t *copy = wmem_new(wmem_file_scope(), ms_stored_note_t);
        *copy = *s;
        r->val = VAL_FULL;
        r->v.full = copy;
        return;
    }
    r->other = s->other;
    r->cmd_kind = s->cmd_kind;
    r->code = s->code;
    r->kind = (guint8)s->kind;
    r->anomaly = (guint8)s->anomaly;
    r->cmd = (guint8)cmd;
    if (s->delta != 0) {
        r->val = VAL_DELTA;
        r->v.delta = s->delta;
    } else if (s->bytes != 0) {
        r->val = VAL_BYTES;
        r->v.bytes = s->bytes;
    } else if (s->text) {
        r->val = VAL_TEXT;
        r->v.text = s->text;
    }
}

static void decode(const struct ms_note_rec *r, ms_stored_note_t *s)
{
    if (r->val == VAL_FULL) {
        *s = *r->v.full;
        return;
    }
    memset(s, 0, sizeof(*s));
    s->kind = (ms_note_kind_t)r->kind;
    s->anomaly = (ms_anomaly_t)r->anomaly;
    s->other = r->other;
    s->cmd = r->cmd ? cmds[r->cmd - 1] : NULL;
    s->cmd_kind = r->cmd_kind;
    s->code = r->code;
    if (r->val == VAL_DELTA)
        s->delta = r->v.delta;
    else if (r->val == VAL_BYTES)
        s->bytes = r->v.bytes;
    else if (r->val == VAL_TEXT)
        s->text = r->v.text;
}

static void resize(ms_notes_t *ns, guint32 n)
{
    size_t size = (size_t)n * sizeof(struct ms_note_rec);
    ns->recs = ns->recs ? (struct ms_note_rec *)wmem_realloc(wmem_file_scope(), ns->recs, size)
                        : (struct ms_note_rec *)wmem_alloc(wmem_file_scope(), size);
    ns->alloc = n;
}

void ms_notes_add(ms_notes_t *ns, ms_frame_t frame, const ms_stored_note_t *s)
{
    if (ns->count == G_MAXUINT32)
        return; /* never reached: 4 G notes would be 96 GB */
    if (ns->count == ns->alloc) {
        guint32 n = ns->alloc < 4 ? 4 : ns->alloc + ns->alloc / 2;
        resize(ns, n < ns->alloc ? G_MAXUINT32 : n);
    }
    /* after the notes of this frame and earlier ones */
    guint32 i = ns->count;
    while (i > 0 && ns->recs[i - 1].frame > frame)
        i--;
    if (i < ns->count)
        memmove(&ns->recs[i + 1], &ns->recs[i], (ns->count - i) * sizeof(struct ms_note_rec));
    encode(&ns->recs[i], frame, s);
    ns->count++;
}

wmem_array_t *ms_notes_frame(const ms_notes_t *ns, ms_frame_t frame, wmem_allocator_t *pool)
{
    /* the first record of this frame or a later one */
    guint32 lo = 0, hi = ns->count;
    while (lo < hi) {
        guint32 mid = lo + (hi - lo) / 2;
        if (ns->recs[mid].frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    guint32 end = lo;
    while (end < ns->count && ns->recs[end].frame == frame)
        end++;
    if (end == lo)
        return NULL;
    wmem_array_t *a = wmem_array_sized_new(pool, sizeof(ms_stored_note_t), end - lo);
    for (guint32 i = lo; i < end; i++) {
        ms_stored_note_t s;
        decode(&ns->recs[i], &s);
        wmem_array_append_one(a, s);
    }
    return a;
}

void ms_notes_trim(ms_notes_t *ns)
{
    if (ns->count > 0 && ns->count < ns->alloc)
        resize(ns, ns->count);
}
