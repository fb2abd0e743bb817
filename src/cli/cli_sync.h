/* cli_sync.h — the command-line side of joining and syncing: enrol, revoke,
 * export, import, conflicts, resolve (DESIGN.md, Command line).  Each has
 * the signature of a command in cli.c's table. */
#ifndef CZ_CLI_SYNC_H
#define CZ_CLI_SYNC_H

struct cli;
int cmd_enrol(struct cli *c, int argc, char **argv);
int cmd_revoke(struct cli *c, int argc, char **argv);
int cmd_fork(struct cli *c, int argc, char **argv);
int cmd_root(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_conflicts(struct cli *c, int argc, char **argv);
int cmd_resolve(struct cli *c, int argc, char **argv);
/* cli_backup.c */
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_restore(struct cli *c, int argc, char **argv);

#endif
