/* exits_rows.h — the exit assessments the approvals screen shows (exits.c),
 * read from the store by exits_rows.c: one item an assessment, with what
 * the list row and the detail say of it, copied out of the view. */
#ifndef CZ_EXITS_ROWS_H
#define CZ_EXITS_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include "exitchain.h"
#include "overview.h"
#include "ui.h"

struct exit_item {
    uint8_t exit[CZ_ENTITY_BYTES];
    uint8_t household[CZ_ENTITY_BYTES];
    uint8_t version[CZ_ID_BYTES];           /* the version shown, the one signed */
    char name[128];
    char number[64];                        /* the household's number ("" when it cannot be read) */
    char region[CZ_REGION_MAX + 1];         /* the household's village */
    char year[32];
    char summary[256];                      /* year, income */
    char checks[512];                       /* food, clothing, schooling, medical, housing */
    char yearly[256];                       /* the year's income record and poverty line */
    enum cz_exit_stage stage;
    int step;                               /* the step awaiting, refused or in its notice; -1: none */
    char signed_by[CZ_STEP_COUNT][160];     /* "name@station  date", or "" */
    int rejected[CZ_STEP_COUNT];
    int ahead[CZ_STEP_COUNT];               /* signed with a clock ahead of this PC */
    int mine;                               /* this person may sign or stop the step */
    int may_approve;                        /* this person's level signs the step */
    char notice_close[32];                  /* China time; "" before the county's decision counts */
    int criteria;                           /* CZ_OK or the exit criterion that fails */
    char criteria_short[128];               /* that failure in a few words, for the list row */
    char state[512];                        /* the failure, or the notice, as a sentence */
};

struct exit_items {
    struct exit_item *p;
    size_t n, cap;
    size_t open;                            /* of all in the jurisdiction, those not complete */
    int rc;
};

/* Fills xs with the live assessments of the person logged in: all == 0
 * those awaiting a step they may sign or stop, else every one in their
 * jurisdiction (overview.h, cz_view_exits_each).  In the order a person
 * looks a household up, the same on every PC: by village (its code, the
 * official order), then household number and head's name in pinyin order
 * (pinyin.h), then year.  xs->rc says why it could not. */
void exit_items_load(struct ui *ui, struct exit_items *xs, int all);
void exit_items_free(struct exit_items *xs);

/* The step's name in the person's language ("-" for none). */
const char *exit_step_label(struct ui *ui, int s);
/* Where an item's chain stands, in a few words, for its list row. */
void exit_stage_text(struct ui *ui, const struct exit_item *p, char *buf, size_t size);

#endif
