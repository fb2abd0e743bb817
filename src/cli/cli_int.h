/* cli_int.h — what the command files (cli.c, cli_*.c) share: the parsed
 * global options, the common helpers and every command's entry point.
 * Only the command line includes this. */
#ifndef CZ_CLI_INT_H
#define CZ_CLI_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "overview.h"
#include "query.h"
#include "schema.h"
#include "station.h"
#include "status.h"

#define PASS_MAX 512

struct cli {
    const char *dir;
    enum cz_lang lang;
    int lang_given;          /* --lang on the command line */
    int lang_explicit;       /* --lang or CUNZHAN_LANG (not the locale) chose lang */
    const char *user;
    int json;
    int clock_ok;            /* --clock-ok: the person checked the PC's date */
    cz_station *st;          /* opened by open_station(); closed by cz_cli_main */
    int masked;              /* nobody logged in: private fields are masked (read_login) */
    int masked_any;          /* a private value was masked in what was printed */
    char dir_buf[4096];
};

/* How many times a load or an import that filled the database's map is
 * run again (each time the map has doubled, store.h): from 256 MiB, 1.5 GiB
 * is three doublings away. */
#define CZ_CLI_MAP_RETRIES 4

/* ---- cli.c: on the way in ---- */

/* "cunzhan: WHAT: message" on stderr in the user's language. */
void say_error(struct cli *c, int status, const char *what);
/* Prints a usage message and returns the usage exit code (2). */
int usage(struct cli *c, const char *en, const char *zh);
/* 0 on success; -1 after telling the user why. */
int open_station(struct cli *c);
/* The passphrase from env (else CUNZHAN_PASSPHRASE) or asked without echo;
 * new_one asks twice.  0, or -1 after a message. */
int get_passphrase(struct cli *c, const char *env, int new_one, char *buf, size_t size);
/* A new passphrase for `user passwd`: CUNZHAN_NEW_PASSPHRASE, else asked
 * twice.  0, or -1 after a message. */
int new_passphrase(struct cli *c, char *buf, size_t size);
/* Logs c->user in (the passphrase as get_passphrase finds it), then checks
 * the PC's clock against what this station signed.  0, or -1 after a
 * message. */
int login(struct cli *c);

/* ---- cli_common.c: naming and printing ---- */

/* For a read command (show, list, find): logs c->user in when a
 * passphrase is given (CUNZHAN_PASSPHRASE) or a person is named (--user,
 * CUNZHAN_USER: the passphrase is asked); a wrong one refuses, as a write
 * does.  With neither, c->masked is set and private fields (CZ_FF_PRIVATE)
 * are masked.  0, or -1 after a message. */
int read_login(struct cli *c);
/* cz_schema_format, masked when c->masked (noted in c->masked_any). */
int format_shown(struct cli *c, const struct cz_field *f, const cz_body *b, enum cz_lang lang, int labels,
                 char *buf, size_t size);
/* Once, on stderr, when something was masked: how to see it. */
void masked_note(struct cli *c);
/* While masked, a search by a private value (`list member health=ill`,
 * `find` an ID number) would say who has it: 1 after saying a login is
 * needed, else 0. */
int private_filter(struct cli *c, const struct cz_type *ty, const struct cz_assign *a, size_t n);
int private_find(struct cli *c, const char *text);

/* The record an id prefix (or a version id) names, in a read transaction
 * of its own.  CZ_OK, or the status after a message. */
int lookup_entity(struct cli *c, const char *hex, uint8_t entity[CZ_ENTITY_BYTES]);
/* The same, within the caller's view v. */
int resolve_entity(struct cli *c, cz_view *v, const char *hex, uint8_t entity[CZ_ENTITY_BYTES]);
/* The n FIELD=VALUE arguments, split in place, in a new array the caller
 * frees; NULL after a message (or, with none, when out of memory). */
struct cz_assign *parse_assignments(struct cli *c, char **args, int n);
/* The record type `name` names; NULL after saying there is none. */
const struct cz_type *type_arg(struct cli *c, const char *name);
/* Says which field was refused and how to fix it, then "nothing was stored". */
void field_error(struct cli *c, const char *type, int rc, const struct cz_field_error *err);

/* A wall-clock time in China time, whatever the PC's zone. */
void format_time(int64_t wall, char *buf, size_t size);
/* Who a key belongs to, as the roster or the key's own announcement says,
 * filtered for printing (the name came from a record a station signed). */
void signer_name(cz_txn *t, const struct cz_station_info *info, const uint8_t key[32],
                 enum cz_lang lang, char *buf, size_t size);
/* New JSON objects the caller owns: a record's fields (values in the form
 * `add` takes them), and the whole record with its version and signer.
 * With c->masked, private values are masked and the record (or version)
 * gets "masked": the keys of the fields masked (masked_json). */
json_t *fields_json(struct cli *c, const struct cz_type *t, const cz_body *b);
json_t *record_json(struct cli *c, cz_txn *t, const struct cz_station_info *info, const struct cz_record *r);
/* Adds "masked" to o when c->masked and b holds a private field. */
void masked_json(struct cli *c, json_t *o, const struct cz_type *t, const cz_body *b);
/* Adds who signed a version to o: signed_by_key, signed_by, seq, time. */
void signature_json(json_t *o, cz_txn *t, const struct cz_station_info *info, const uint8_t origin[32],
                    uint64_t seq, int64_t wall);
void print_json(json_t *j);   /* prints and releases j */
/* Pads by display width (CJK glyphs take two columns). */
void print_padded(const char *s, size_t width);

/* ---- the commands ----
 * Each takes the arguments after its name, the global options removed,
 * and returns an exit code (cli.h); any station it opens is left in c->st
 * for cz_cli_main to close. */

/* cli_station.c */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_pubkey(struct cli *c, int argc, char **argv);
int cmd_user(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
/* cli_status_import.c: status's word on imports cut short, into o
 * ("unfinished_imports") when given, else printed. */
void cli_status_imports(struct cli *c, json_t *o);
int cmd_verify(struct cli *c, int argc, char **argv);
/* cli_records.c */
int cmd_add(struct cli *c, int argc, char **argv);
int cmd_edit(struct cli *c, int argc, char **argv);
int cmd_delete(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_find(struct cli *c, int argc, char **argv);
int cmd_fields(struct cli *c, int argc, char **argv);
/* cli_people.c */
int cmd_enrol(struct cli *c, int argc, char **argv);
int cmd_revoke(struct cli *c, int argc, char **argv);
int cmd_fork(struct cli *c, int argc, char **argv);
int cmd_root(struct cli *c, int argc, char **argv);
/* cli_sync.c */
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_conflicts(struct cli *c, int argc, char **argv);
int cmd_resolve(struct cli *c, int argc, char **argv);
/* The one USB stick or SD card mounted (stickfind.h) into buf, or the one
 * plugged in and mounted now through udisksctl when the person at the
 * terminal agrees; else lists them (with how to mount those not mounted),
 * or says none is there, and returns the usage exit code (2). */
int choose_stick(struct cli *c, char *buf, size_t size);
/* cli_mirror.c */
int cmd_mirror(struct cli *c, int argc, char **argv);
/* cli_backup.c */
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_restore(struct cli *c, int argc, char **argv);
/* cli_domain.c */
int cmd_approve(struct cli *c, int argc, char **argv);
int cmd_load(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
/* cli_exits.c */
int cmd_exits(struct cli *c, int argc, char **argv);
/* cli_report.c */
int cmd_report(struct cli *c, int argc, char **argv);
/* cli_print.c */
int cmd_print(struct cli *c, int argc, char **argv);

#endif
