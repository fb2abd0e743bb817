/* cunzhan — village station.  See README.md and src/CLI.md. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cz_cli_main(argc, argv);
}
