/* demo.h — a ready city office and two village stations filled with the
 * seed document's villages (CLI.md: `demo -C DIR`): DIR/office,
 * DIR/yangshuwan (杨树湾村: 9 registered households, 40 people, pepper on the
 * demonstration base, seed packs, the floor-price purchase agreement,
 * trainings, one household through the whole exit chain and one half-way)
 * and DIR/nanzhai (南寨村), enrolled and synced through bundles on a folder
 * standing for the stick (DIR/stick).  Names are invented; the
 * figures follow the seed. */
#ifndef CZ_DEMO_H
#define CZ_DEMO_H

/* Builds the demo under dir (which must not hold one).  `say` hears each
 * step (may be NULL).  Returns a status; on failure *what names the step. */
int cz_demo_build(const char *dir, const char *passphrase, void (*say)(const char *step),
                  const char **what);

struct cz_station;
/* The demo household's attribute (general, dibao, tekun), by its number. */
const char *cz_demo_attribute(const char *number);
/* The registry's household-side records of the demo (demo_registry.c):
 * ysw_hh and nz_hh the households' record ids as hex, in demo.c's order
 * (9 and 3).  On failure *what names the record or value. */
int cz_demo_registry(struct cz_station *ysw, struct cz_station *nz, const char (*ysw_hh)[33],
                     const char (*nz_hh)[33], const char **what);

#endif
