/* bench_report.c — the bench's figures: each printed as it is measured,
 * then the table for tests/bench/README.md and the CSV (bench.h). */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- results ---- */

struct result {
    char what[64];
    size_t size;          /* the run's N (records) */
    size_t n;             /* what the figure is over (records, households) */
    double value, bound;
    char unit[8], goal[32], note[64];
};
static struct result results[256];
static size_t nresults;

void bench_record(const char *what, size_t size, size_t n, double value, double bound, const char *unit,
                  const char *goal, const char *note)
{
    if (nresults == sizeof results / sizeof results[0]) {
        fprintf(stderr, "bench: more figures than %zu: %s left out\n", nresults, what);
        return;
    }
    struct result *r = &results[nresults++];
    memset(r, 0, sizeof *r);
    snprintf(r->what, sizeof r->what, "%s", what);
    r->size = size;
    r->n = n;
    r->value = value;
    r->bound = bound;
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    snprintf(r->goal, sizeof r->goal, "%s", goal);
    snprintf(r->note, sizeof r->note, "%s", note ? note : "");
    if (bound > 0)
        printf("  %-44s n=%-8zu %12.3f %-3s bound %12.3f  ratio %6.2f  goal %s %s\n", what, n, value, unit, bound,
               value / bound, goal, r->note);
    else
        printf("  %-44s n=%-8zu %12.3f %-3s %34s goal %s %s\n", what, n, value, unit, "", goal, r->note);
    fflush(stdout);
}

/* ---- growth ---- */

static const struct result *result_at(const char *what, size_t size)
{
    for (size_t i = 0; i < nresults; i++)
        if (results[i].size == size && !strcmp(results[i].what, what)) return &results[i];
    return NULL;
}

/* 1M, 100k, 2500 */
static const char *size_label(char b[24], size_t n)
{
    if (n >= 1000000 && n % 1000000 == 0) snprintf(b, 24, "%zuM", n / 1000000);
    else if (n >= 1000 && n % 1000 == 0) snprintf(b, 24, "%zuk", n / 1000);
    else snprintf(b, 24, "%zu", n);
    return b;
}

/* The cost per record of the load and the import at the largest size over
 * the size before (1M over 100k by default: the row; 1.00 is
 * linear), a row of its own at the largest size. */
void bench_growth_rows(void)
{
    static const char *const whats[] = { "import full bundle", "load CSV (real load path)" };
    size_t hi = 0, lo = 0;
    for (size_t i = 0; i < nresults; i++)
        if (results[i].size > hi) hi = results[i].size;
    for (size_t i = 0; i < nresults; i++)
        if (results[i].size < hi && results[i].size > lo) lo = results[i].size;
    for (size_t w = 0; w < sizeof whats / sizeof whats[0]; w++) {
        const struct result *a = result_at(whats[w], lo), *b = result_at(whats[w], hi);
        char what[64], note[64];
        if (!a || !b || !a->n || !b->n || a->value <= 0) continue;
        char hs[24], ls[24];
        snprintf(what, sizeof what, "%s cost per record, %s over %s", w ? "load" : "import", size_label(hs, hi),
                 size_label(ls, lo));
        snprintf(note, sizeof note, "%.2f us over %.2f us", b->value / (double)b->n * 1e6,
                 a->value / (double)a->n * 1e6);
        bench_record(what, hi, b->n, (b->value / (double)b->n) / (a->value / (double)a->n), 0, "x",
               w ? "(linear: 1.00)" : "<= 1.10", note);
    }
}

/* ---- the machine, and the tables ---- */

void bench_machine(char *buf, size_t size)
{
    char line[512], cpu[256] = "?";
    long mem_kb = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            char *p = strchr(line, ':');
            if (p) { snprintf(cpu, sizeof cpu, "%s", p + 2); cpu[strcspn(cpu, "\n")] = 0; }
            break;
        }
    if (f) fclose(f);
    f = fopen("/proc/meminfo", "r");
    if (f && fgets(line, sizeof line, f)) mem_kb = strtol(line + 9, NULL, 10);
    if (f) fclose(f);
    snprintf(buf, size, "%ld cores, %s, %.1f GB RAM", sysconf(_SC_NPROCESSORS_ONLN), cpu, (double)mem_kb / 1048576.0);
}

static void fmt_value(char *b, size_t size, double v, const char *unit)
{
    if (!strcmp(unit, "B") && v >= 1e6) snprintf(b, size, "%.1f MB", v / 1e6);
    else if (!strcmp(unit, "B")) snprintf(b, size, "%.0f B", v);
    else if (!strcmp(unit, "x")) snprintf(b, size, "%.2f", v);    /* a ratio: growth */
    else snprintf(b, size, "%.*f %s", v < 10 ? 2 : 1, v, unit);
}

/* A CSV field, quoted (names hold quotes: find "秀英"). */
static void csv_field(FILE *f, const char *v)
{
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"') fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

/* The table for tests/bench/README.md: a row per measure, a column per size (with the
 * ratio to its bound), and how the figure grew per unit from the smallest
 * size to the largest (1.00 = linear). */
void bench_markdown(FILE *f, const char *mach, double elapsed)
{
    size_t sizes[8], nsizes = 0;
    for (size_t i = 0; i < nresults; i++) {
        size_t k = 0;
        while (k < nsizes && sizes[k] != results[i].size) k++;
        if (k == nsizes && nsizes < 8) sizes[nsizes++] = results[i].size;
    }
    fprintf(f, "Machine: %s. Whole run (`make bench`): %.0f s.\n\n| measure | goal |", mach, elapsed);
    for (size_t k = 0; k < nsizes; k++) fprintf(f, " %zu records |", sizes[k]);
    fprintf(f, "%s\n|---|---|", nsizes > 1 ? " growth |" : "");
    for (size_t k = 0; k < nsizes; k++) fprintf(f, "---:|");
    fprintf(f, "%s\n", nsizes > 1 ? "---:|" : "");
    for (size_t i = 0; i < nresults; i++) {
        int first = 1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(results[j].what, results[i].what)) first = 0;
        if (!first) continue;
        fprintf(f, "| %s | %s |", results[i].what, results[i].goal);
        const struct result *lo = NULL, *hi = NULL;
        for (size_t k = 0; k < nsizes; k++) {
            const struct result *r = NULL;
            for (size_t j = 0; j < nresults; j++)
                if (results[j].size == sizes[k] && !strcmp(results[j].what, results[i].what)) r = &results[j];
            char v[64] = "";
            if (r) {
                fmt_value(v, sizeof v, r->value, r->unit);
                if (r->bound > 0) snprintf(v + strlen(v), sizeof v - strlen(v), " (%.2fx)", r->value / r->bound);
                if (!lo) lo = r;
                hi = r;
            }
            fprintf(f, " %s |", v);
        }
        if (nsizes > 1) {
            const char *w = results[i].what;
            int total = strncmp(w, "find", 4) && strncmp(w, "household list", 14) && strncmp(w, "start-up", 8) &&
                        !strstr(w, "per record");
            double per_lo = lo ? lo->value / (total ? (double)(lo->n ? lo->n : 1) : 1) : 0;
            double per_hi = hi ? hi->value / (total ? (double)(hi->n ? hi->n : 1) : 1) : 0;
            if (per_lo > 0 && lo != hi) fprintf(f, total ? " %.2f |" : " x%.1f |", per_hi / per_lo);
            else fprintf(f, " |");
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\nRatios (in brackets) are the figure over its bound, measured in the same run.  Growth: for "
               "totals (load, export, import, bytes, memory) the cost per record at the largest size over the "
               "smallest (1.00 = linear); for figures that should not grow with the data (find, list, "
               "start-up, bytes per record) the figure's own change (xK); the rows \"cost per record, X over "
               "Y\" compare the largest size with the one before.  Notes at %zu records:\n\n",
            nsizes ? sizes[nsizes - 1] : 0);
    for (size_t i = 0; i < nresults; i++)
        if (nsizes && results[i].size == sizes[nsizes - 1] && results[i].note[0])
            fprintf(f, "- %s: %s\n", results[i].what, results[i].note);
}

/* One row per figure: measure, size, what it is over, value, unit, bound,
 * ratio, goal, note. */
void bench_csv(FILE *f)
{
    fprintf(f, "measure,n_records,over,value,unit,bound,ratio,goal,note\n");
    for (size_t i = 0; i < nresults; i++) {
        csv_field(f, results[i].what);
        fprintf(f, ",%zu,%zu,%.4f,%s,%.4f,%.3f,", results[i].size, results[i].n, results[i].value, results[i].unit,
                results[i].bound, results[i].bound > 0 ? results[i].value / results[i].bound : 0);
        csv_field(f, results[i].goal);
        fputc(',', f);
        csv_field(f, results[i].note);
        fputc('\n', f);
    }
}
