/* fuzz_session.c - one libFuzzer harness for both session machines.
 *
 * Input: byte 0 picks the machine (even: SMTP, odd: POP3); then records of
 * [header][payload]: header bit 7 is the direction (1 = server), bits 0-6 a
 * length; length 127 is an event instead (the next byte: below 0x80, modulo 5:
 * 0 gap, 1 FIN (close), 2 RST, 3 the side's FIN once TCP saw it (ms_machine_fin:
 * a FIN each way freezes an ended machine), 4 shrink (as at a reset; later
 * calls thaw it); from 0x80 a TLS record of content type 20 + (byte & 3),
 * and for an alert (21) the byte after it is its description, 0xFF: none).
 * Each record is a new frame, so one input drives both sides of a session.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <stdint.h>

#include "ms_machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, ms_frame_t frame, const ms_note_t *n)
{
    (void)ctx;
    (void)frame;
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ms_machine_t *m = ms_machine_new((data[0] & 1) ? MS_PROTO_POP3 : MS_PROTO_SMTP, 1, 0, sink,
                                     NULL);
    size_t off = 1;
    ms_frame_t frame = 2;

    while (off < size) {
        ms_dir_t dir = (data[off] & 0x80) ? MS_DIR_SERVER : MS_DIR_CLIENT;
        size_t len = data[off] & 0x7F;
        ms_time_t ts = (ms_time_t)frame * 1000;
        off++;
        if (len == 127) {
            uint8_t ev = off < size ? data[off++] : 0;
            if (ev >= 0x80) {
                unsigned type = 20u + (ev & 3u);
                int desc = -1;
                if (type == 21 && off < size) {
                    uint8_t d = data[off++];
                    desc = d == 0xFF ? -1 : d;
                }
                ms_machine_tls_record(m, dir, type, desc < 0 ? -1 : 2, desc, frame, ts);
                frame++;
                continue;
            }
            ev %= 5;
            if (ev == 0)
                ms_machine_gap(m, dir, frame, ts);
            else if (ev <= 2)
                ms_machine_close(m, dir, ev == 2, frame, ts);
            else if (ev == 3)
                (void)ms_machine_fin(m, dir); /* a FIN each way freezes the machine */
            else
                ms_machine_shrink(m); /* as a reset does; later calls thaw it */
        } else {
            if (len > size - off)
                len = size - off;
            ms_machine_feed(m, dir, data + off, len, frame, ts);
            off += len;
        }
        frame++;
    }
    (void)ms_machine_summary(m)->msg_count;
    ms_machine_free(m);
    return 0;
}
