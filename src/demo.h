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

#endif
