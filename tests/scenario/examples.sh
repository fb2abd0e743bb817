#!/usr/bin/env bash
# Every cunzhan command line the README and the contract documents show as
# an example is run here exactly as written, so a document cannot drift
# from the program it describes.
#
# The convention (stated in src/CLI.md, "Examples on this page"):
#   - examples live in fenced blocks opened with ```sh in README.md and
#     src/*.md;
#   - a line of such a block is run when its first word is `cunzhan`, when
#     it reads `NAME=$(cunzhan ...)`, or when its first word is `export` or
#     `printf` (what later lines use); other lines (`make ...`) are shown,
#     not run;
#   - a line ending in `# exit N` must exit with N, every other with 0.
# Each document runs in order in a fresh folder, in one shell (a variable
# a line sets is there for the next), with CUNZHAN_HOME=demo/yangshuwan and
# CUNZHAN_PASSPHRASE=demo; `cunzhan -C demo demo` is run before the first
# example, unless that example is this very line.
. "$(dirname "$0")/lib.bash"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# FILE: "LINE<TAB>COMMAND" for each example of FILE.
examples_of() {
    awk '
        /^```/ { if (inblock) { inblock = 0; next } if ($0 ~ /^```sh[ \t]*$/) inblock = 1; next }
        inblock && ($1 == "cunzhan" || $1 == "export" || $1 == "printf" || $0 ~ /^[A-Za-z_][A-Za-z_0-9]*=\$\(cunzhan /) {
            printf "%d\t%s\n", NR, $0
        }' "$1"
}

# The exit a line expects: N from a trailing "# exit N", else 0.
wanted_exit() {
    if [[ $1 =~ \#[[:space:]]*exit[[:space:]]+([0-9]+)[[:space:]]*$ ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

PREPARE='cunzhan -C demo demo'

# Runs one document's examples in a subshell; results go to $WORK/results
# as "ok NAME" or "FAIL NAME" lines, with the output of a failing line.
run_document() {
    local doc=$1 rel=${1#"$ROOT"/} dir
    dir=$(mktemp -d "$WORK/doc.XXXXXX")
    (
        cd "$dir" || exit 1
        cunzhan() { timeout 120 "$CUNZHAN" "$@" </dev/null; }
        unset CUNZHAN_NEW_PASSPHRASE
        export CUNZHAN_PASSPHRASE=demo
        export CUNZHAN_HOME=demo/yangshuwan
        prepared=0
        while IFS=$'\t' read -r line cmd; do
            want=$(wanted_exit "$cmd")
            # The demo is made before the first example, unless that
            # example is the very line that makes it.
            if [ "$prepared" = 0 ]; then
                prepared=1
                if [ "${cmd%%#*}" != "$PREPARE" ] && [ "${cmd%%#*}" != "$PREPARE " ] &&
                    ! eval "$PREPARE" >"$dir/.demo.log" 2>&1; then
                    echo "FAIL $rel: $PREPARE" >>"$WORK/results"
                    exit 0
                fi
            fi
            # A build without printing (make PRINT=0; the 32-bit build)
            # says so and fails every document: print.sh checks that.
            if [ "$CAN_PRINT" = 0 ] && [[ $cmd == "cunzhan print "* ]]; then
                echo "ok   $rel:$line: (not run: this build does not print) $cmd" >>"$WORK/results"
                continue
            fi
            eval "$cmd" >"$dir/.out" 2>&1
            got=$?
            if [ "$got" = "$want" ]; then
                echo "ok   $rel:$line: $cmd" >>"$WORK/results"
            else
                {
                    echo "FAIL $rel:$line: $cmd (exit $got, wanted $want)"
                    sed 's/^/     /' "$dir/.out" | head -20
                } >>"$WORK/results"
            fi
        done < <(examples_of "$doc")
    )
}

# Printing links pango and cairo: a binary without them cannot print.
if grep -q "libpangocairo" "$CUNZHAN"; then CAN_PRINT=1; else CAN_PRINT=0; fi
: >"$WORK/results"
docs=("$ROOT/README.md")
for f in "$ROOT"/src/*.md; do docs+=("$f"); done
total=0
for d in "${docs[@]}"; do
    total=$((total + $(examples_of "$d" | wc -l)))
    run_document "$d"
done
while IFS= read -r r; do
    case "$r" in
        "ok   "*) pass "${r#ok   }" ;;
        "FAIL "*) fail "${r#FAIL }" ;;
        *) echo "$r" ;;
    esac
done <"$WORK/results"
# An extractor that finds nothing would pass everything.
if [ "$total" -ge 20 ]; then pass "examples found: $total"; else fail "only $total examples found"; fi
finish
