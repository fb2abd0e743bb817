#!/usr/bin/env bash
# The screens show no private field before their login (tmux, 80x24, as
# screens.sh): the login lists this PC's people and nothing of any record,
# in English and in Chinese, up to the passphrase (CLI.md, Private
# fields).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan
IDS=$(cz -C "$ST" list member --json | sed -n 's/^ *"id_number": "\([0-9X]*\)",*$/\1/p')
PHONES=$(cz -C "$ST" list household --json | sed -n 's/^ *"phone": "\([0-9]*\)",*$/\1/p')
# no_private NAME: the screen holds no ID number or phone of the demo
no_private() {
    local v
    for v in $IDS $PHONES; do case "$SCREEN" in *"$v"*) fail "$1: $v on screen" "$SCREEN"; return ;; esac; done
    pass "$1"
}

ENVARGS="-u CUNZHAN_PASSPHRASE" start --lang en
see "login (en): the people on this PC" "People on this PC"
no_private "login (en): no ID number or phone"
keys F10
see "login (en): quits" "EXIT=0"
no_private "login (en): none after quitting either"

ENVARGS="-u CUNZHAN_PASSPHRASE" start --lang zh
see "login (zh): the people on this PC" "本机用户"
no_private "login (zh): no ID number or phone"
keys Enter
see "login (zh): asks the passphrase" "口令"
no_private "login (zh): none while the passphrase is asked"
finish
