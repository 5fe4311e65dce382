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
 * (48 B): ~7 KB per session of 51 frames, most of what mailsess kept.
 * A record here is 16 bytes (texts and command names by index, a rare note
 * that does not fit as a whole copy) and the array is one allocation per
 * session (grown by half, cut to size when the session ends).
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

/* One note in 16 bytes. What a field holds depends on the kind: */
struct ms_note_rec {
    guint32 frame;
    guint32 other; /* MS_NOTE_REQUEST_IN, MS_NOTE_RESPONSE_IN: the other frame */
    guint16 code;  /* MS_NOTE_REQUEST_IN: the reply's code */
    guint8  kind;  /* ms_note_kind_t, or KIND_FULL */
    guint8  aux;   /* MS_NOTE_ANOMALY: the anomaly; MS_NOTE_REQUEST_IN: 1 + index in cmds[] */
    guint32 val;   /* MS_NOTE_REQUEST_IN: the response time (ns); MS_NOTE_MESSAGE: bytes;
                    * MS_NOTE_ANOMALY, MS_NOTE_QUEUE_ID: 1 + index in text_list (0: NULL);
                    * KIND_FULL: index in fulls */
};

/* A note that does not fit those fields (a login, a response time of 4.3 s
 * or more, a message of 4 GB or more): a whole ms_stored_note_t in file scope. */
#define KIND_FULL 0xFF

/* Per capture file: one copy of each distinct note text and login method
 * (a session's 100 "line too long" notes say the same), and its index. */
static wmem_map_t *texts;       /* text -> 1 + index in text_list */
static wmem_array_t *text_list; /* const char * */
static wmem_array_t *fulls;     /* const ms_stored_note_t * */
/* The commands notes name (a static name of the core and its kind), by index. */
#define CMDS_MAX 255
static struct {
    const char *name;
    guint16     kind;
} cmds[CMDS_MAX];
static guint ncmds;

void ms_notes_init(void)
{
    texts = wmem_map_new(wmem_file_scope(), g_str_hash, g_str_equal);
    text_list = wmem_array_new(wmem_file_scope(), sizeof(const char *));
    fulls = wmem_array_new(wmem_file_scope(), sizeof(const ms_stored_note_t *));
    ncmds = 0;
}

void ms_notes_cleanup(void)
{
    texts = NULL;
    text_list = NULL;
    fulls = NULL;
    ncmds = 0;
}

/* 1 + the index of the kept copy of text (made if new), 0 for NULL. */
static guint32 text_index(const char *text)
{
    if (!text)
        return 0;
    guint32 i = GPOINTER_TO_UINT(wmem_map_lookup(texts, text));
    if (i == 0 && wmem_array_get_count(text_list) < G_MAXUINT32 - 1) {
        const char *kept = wmem_strdup(wmem_file_scope(), text);
        wmem_array_append_one(text_list, kept);
        i = wmem_array_get_count(text_list);
        wmem_map_insert(texts, kept, GUINT_TO_POINTER(i));
    }
    return i;
}

static const char *text_at(guint32 i)
{
    return i ? *(const char **)wmem_array_index(text_list, i - 1) : NULL;
}

const char *ms_notes_intern(const char *text)
{
    guint32 i = text_index(text);
    /* (a text past 4 G distinct ones is kept as such, never reached) */
    return i ? text_at(i) : text ? wmem_strdup(wmem_file_scope(), text) : NULL;
}

/* 1 + the index of (name, kind) in cmds[] (added if new), 0 for no command,
 * -1: the table is full. */
static int cmd_index(const char *name, guint16 kind)
{
    if (!name && !kind)
        return 0;
    for (guint i = 0; i < ncmds; i++)
        if (cmds[i].name == name && cmds[i].kind == kind)
            return (int)i + 1;
    if (ncmds == CMDS_MAX)
        return -1;
    cmds[ncmds].name = name;
    cmds[ncmds].kind = kind;
    return (int)++ncmds;
}

/* Does s have no values but those its kind keeps in a record? cmd: its
 * cmd_index(), text: its text_index() */
static gboolean fits(const ms_stored_note_t *s, int cmd, guint32 text)
{
    gboolean login = s->method || s->user || s->user_frame || s->cred_frame || s->ok || s->clear;
    if (login || s->bytes > G_MAXUINT32 || s->delta < 0 || s->delta > G_MAXUINT32 ||
        (s->text && !text))
        return FALSE;
    switch (s->kind) {
    case MS_NOTE_REQUEST_IN:
        return cmd >= 0 && !s->anomaly && !s->text && !s->bytes;
    case MS_NOTE_RESPONSE_IN:
        return cmd == 0 && !s->code && !s->anomaly && !s->text && !s->bytes && !s->delta;
    case MS_NOTE_ANOMALY:
    case MS_NOTE_QUEUE_ID:
        return cmd == 0 && !s->code && !s->other && !s->delta && !s->bytes &&
               (guint)s->anomaly <= G_MAXUINT8 && (s->kind == MS_NOTE_ANOMALY || !s->anomaly);
    case MS_NOTE_MESSAGE:
        return cmd == 0 && !s->code && !s->other && !s->delta && !s->anomaly && !s->text;
    default:
        return FALSE;
    }
}

static void encode(struct ms_note_rec *r, ms_frame_t frame, const ms_stored_note_t *s)
{
    int cmd = s->kind == MS_NOTE_REQUEST_IN ? cmd_index(s->cmd, s->cmd_kind)
                                             : (s->cmd || s->cmd_kind) ? -1 : 0;
    guint32 text = text_index(s->text); /* (kept already: its index) */
    memset(r, 0, sizeof(*r));
    r->frame = frame;
    if (!fits(s, cmd, text) || wmem_array_get_count(fulls) == G_MAXUINT32) {
        ms_stored_note_t *copy = wmem_new(wmem_file_scope(), ms_stored_note_t);
        *copy = *s;
        r->kind = KIND_FULL;
        r->val = wmem_array_get_count(fulls);
        wmem_array_append_one(fulls, copy);
        return;
    }
    r->kind = (guint8)s->kind;
    r->other = s->other;
    r->code = s->code;
    switch (s->kind) {
    case MS_NOTE_REQUEST_IN:
        r->aux = (guint8)cmd;
        r->val = (guint32)s->delta;
        break;
    case MS_NOTE_ANOMALY:
    case MS_NOTE_QUEUE_ID:
        r->aux = (guint8)s->anomaly;
        r->val = text;
        break;
    case MS_NOTE_MESSAGE:
        r->val = (guint32)s->bytes;
        break;
    default:
        break;
    }
}

static void decode(const struct ms_note_rec *r, ms_stored_note_t *s)
{
    if (r->kind == KIND_FULL) {
        *s = **(const ms_stored_note_t **)wmem_array_index(fulls, r->val);
        return;
    }
    memset(s, 0, sizeof(*s));
    s->kind = (ms_note_kind_t)r->kind;
    s->other = r->other;
    s->code = r->code;
    switch (r->kind) {
    case MS_NOTE_REQUEST_IN:
        if (r->aux) {
            s->cmd = cmds[r->aux - 1].name;
            s->cmd_kind = cmds[r->aux - 1].kind;
        }
        s->delta = r->val;
        break;
    case MS_NOTE_ANOMALY:
    case MS_NOTE_QUEUE_ID:
        s->anomaly = (ms_anomaly_t)r->aux;
        s->text = text_at(r->val);
        break;
    case MS_NOTE_MESSAGE:
        s->bytes = r->val;
        break;
    default:
        break;
    }
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
