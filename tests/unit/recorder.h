/* recorder.h - records the notes a session machine reports, for assertions.
 * Header-only: each test program includes it once.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef RECORDER_H
#define RECORDER_H

#include <stdio.h>

#include "ms_note.h"

#define MAX_NOTES 4096

typedef struct {
    ms_frame_t frame;
    ms_note_t n;
    char text[256];
    ms_login_t login;     /* MS_NOTE_LOGIN: a copy (n.login points here) */
    char login_method[64], login_user[256];
} rec_t;

static rec_t notes[MAX_NOTES];
static int n_notes;

static void record(void *ctx, ms_frame_t frame, const ms_note_t *n)
{
    (void)ctx;
    if (n_notes >= MAX_NOTES)
        return;
    notes[n_notes].frame = frame;
    notes[n_notes].n = *n;
    snprintf(notes[n_notes].text, sizeof(notes[0].text), "%s", n->text ? n->text : "");
    notes[n_notes].n.text = notes[n_notes].text;
    if (n->kind == MS_NOTE_LOGIN && n->login) {
        rec_t *r = &notes[n_notes];
        r->login = *n->login;
        snprintf(r->login_method, sizeof(r->login_method), "%s", n->login->method);
        r->login.method = r->login_method;
        if (n->login->user) {
            snprintf(r->login_user, sizeof(r->login_user), "%s", n->login->user);
            r->login.user = r->login_user;
        }
        r->n.login = &r->login;
    } else {
        notes[n_notes].n.login = NULL;
    }
    n_notes++;
}

/* Anomalies of one kind, on one frame (0: any frame). */
static inline int count_anomaly(ms_anomaly_t an, ms_frame_t frame)
{
    int c = 0;
    for (int i = 0; i < n_notes; i++)
        if (notes[i].n.kind == MS_NOTE_ANOMALY && notes[i].n.anomaly == an &&
            (frame == 0 || notes[i].frame == frame))
            c++;
    return c;
}

/* The nth REQUEST_IN note on a reply frame: its command frame, or 0. */
static inline ms_frame_t request_in(ms_frame_t reply_frame, int nth)
{
    for (int i = 0; i < n_notes; i++)
        if (notes[i].n.kind == MS_NOTE_REQUEST_IN && notes[i].frame == reply_frame && nth-- == 0)
            return notes[i].n.other;
    return 0;
}

/* The nth REQUEST_IN note on a reply frame, or NULL (its command and code). */
static inline const ms_note_t *link_note(ms_frame_t reply_frame, int nth)
{
    for (int i = 0; i < n_notes; i++)
        if (notes[i].n.kind == MS_NOTE_REQUEST_IN && notes[i].frame == reply_frame && nth-- == 0)
            return &notes[i].n;
    return NULL;
}

/* The nth login reported (any frame), or NULL; *frame gets its frame. */
static inline const ms_login_t *login_note(int nth, ms_frame_t *frame)
{
    for (int i = 0; i < n_notes; i++)
        if (notes[i].n.kind == MS_NOTE_LOGIN && nth-- == 0) {
            if (frame)
                *frame = notes[i].frame;
            return notes[i].n.login;
        }
    return NULL;
}

/* The nth login's frame (0: none), outcome and user ("" when none). */
static inline ms_frame_t auth_result(int nth, bool *ok, const char **user)
{
    ms_frame_t f = 0;
    const ms_login_t *l = login_note(nth, &f);
    if (!l)
        return 0;
    *ok = l->ok;
    *user = l->user ? l->user : "";
    return f;
}

#endif /* RECORDER_H */
