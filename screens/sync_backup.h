/* sync_backup.h — the Sync screen's backup and restore (backup.h), and
 * the lines it shows below its menu.  The stick or folder is the one the
 * Sync screen chose; what happened goes into `info`, one row a line. */
#ifndef CZ_SYNC_BACKUP_H
#define CZ_SYNC_BACKUP_H

#include "list.h"
#include "ui.h"

/* text over as many rows as it takes, each `indent` columns in, broken
 * at a space or a '/' where there is one, so nothing is cut. */
void sync_info_wrapped(struct ui *ui, struct list *info, int indent, const char *text);

/* A failure's place (head, then where when not NULL), then rc's message
 * over as many rows as it takes, so the fix at its end is not cut. */
void sync_info_failure(struct ui *ui, struct list *info, const char *head, const char *where, int rc);

/* Writes the same backup as `cunzhan backup --to folder`, with a progress
 * bar; says where and how big, or why not (a file that did not read back
 * is removed, so no damaged file looks like a good backup). */
void sync_backup(struct ui *ui, const char *folder, struct list *info);

/* Lists the backups on the folder (date, station), asks which, the
 * passphrase, then confirms what is replaced, as sync_restore.c says. */
void sync_restore(struct ui *ui, const char *folder, struct list *info);

#endif
