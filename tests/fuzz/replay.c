/* replay.c - runs the fuzz harness over a corpus without libFuzzer, so the
 * corpus (seeds and every past finding) is a normal unit test.
 * Usage: replay FILE-OR-DIR...
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    gchar *buf;
    gsize len;
    if (!g_file_get_contents(path, &buf, &len, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    g_free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, errors = 0;
    for (int i = 1; i < argc; i++) {
        GDir *d = g_dir_open(argv[i], 0, NULL);
        if (!d) {
            errors += run_file(argv[i]);
            files++;
            continue;
        }
        const gchar *name;
        while ((name = g_dir_read_name(d)) != NULL) {
            gchar *p = g_build_filename(argv[i], name, NULL);
            errors += run_file(p);
            files++;
            g_free(p);
        }
        g_dir_close(d);
    }
    printf("replayed %d inputs, %d unreadable\n", files, errors);
    return files == 0 || errors ? 1 : 0;
}
