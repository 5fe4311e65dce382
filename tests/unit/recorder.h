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

/* The nth authentication result note: its frame (0: none), outcome and user ("" when none). */
static inline ms_frame_t auth_result(int nth, bool *ok, const char **user)
{
    for (int i = 0; i < n_notes; i++)
        if (notes[i].n.kind == MS_NOTE_AUTH_RESULT && nth-- == 0) {
            *ok = notes[i].n.ok;
            *user = notes[i].text;
            return notes[i].frame;
        }
    return 0;
}

#endif /* RECORDER_H */
