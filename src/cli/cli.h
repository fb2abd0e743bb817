/* cli.h — the command line (src/CLI.md): stable, because
 * scripts, tests and offices depend on it.  Exit codes: 0 success, 1 the
 * work failed or found a problem, 2 usage error. */
#ifndef CZ_CLI_H
#define CZ_CLI_H

enum { CZ_EXIT_OK = 0, CZ_EXIT_FAIL = 1, CZ_EXIT_USAGE = 2 };

/* Runs one command line.  Returns the exit code. */
int cz_cli_main(int argc, char **argv);

#endif
