# What every printed document must be (tests/scenario/print.sh): A4 on
# every page, only the printing font and that embedded, every page
# rendered by poppler, every word inside the margins (nothing cut at an
# edge), and every character of its text a glyph of the font itself: in
# the font's own character set as fontconfig reads it from the file, and
# shaped by HarfBuzz with the font file (glyph 0 would be the empty box).

PRINT_FONT_FILE=$(fc-match -f '%{file}' 'WenQuanYi Zen Hei')
PRINT_FONT_INDEX=$(fc-match -f '%{index}' 'WenQuanYi Zen Hei')
# "20-7f a1-ff 101 ...": the code points (hex) the font has a glyph for,
# as "LO-HI" decimal ranges.
PRINT_FONT_RANGES=""
for r in $(fc-query -i "${PRINT_FONT_INDEX:-0}" --format '%{charset}' "$PRINT_FONT_FILE"); do
    PRINT_FONT_RANGES+="$((16#${r%-*}))-$((16#${r#*-})) "
done

# uncovered CHARS: the characters of CHARS (no spaces) outside the font's
# character set, one "U+XXXX" a line; "no character set" when fontconfig
# read none (so that a broken check never passes).
uncovered() {
    local c cps="" LC_ALL=C.UTF-8
    [ -n "$PRINT_FONT_RANGES" ] || { echo "no character set"; return; }
    while IFS= read -r -n1 c; do
        [ -n "$c" ] && cps+="$(printf '%d' "'$c") "
    done <<< "$1"
    awk -v set="$PRINT_FONT_RANGES" -v cps="$cps" 'BEGIN {
        n = split(set, r, " ")
        for (i = 1; i <= n; i++) { split(r[i], ab, "-"); lo[i] = ab[1] + 0; hi[i] = ab[2] + 0 }
        m = split(cps, c, " ")
        for (j = 1; j <= m; j++) {
            ok = 0
            for (i = 1; i <= n && !ok; i++) ok = c[j] + 0 >= lo[i] && c[j] + 0 <= hi[i]
            if (!ok) printf "U+%04X\n", c[j]
        }
    }' || echo "the check failed"
}

# inside_margins FILE: every word of every page within the page's text
# area (48 pt margins on A4, a point's slack for rounding), or the words
# outside it.
inside_margins() {
    pdftotext -bbox "$1" - | grep -o '<word [^>]*>[^<]*' |
        sed 's/<word xMin="\([^"]*\)" yMin="\([^"]*\)" xMax="\([^"]*\)" yMax="\([^"]*\)">/\1 \2 \3 \4 /' |
        awk '$1 < 47 || $2 < 47 || $3 > 548.3 || $4 > 794.9 { print; bad = 1 } END { exit bad }'
}

# pdf_checks NAME FILE
pdf_checks() {
    local name=$1 pdf=$2 pages sizes fonts text chars shaped
    pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
    [ -n "$pages" ] && [ "$pages" -ge 1 ] && pass "$name: a PDF of $pages page(s)" || { fail "$name: not a PDF"; return; }
    sizes=$(pdfinfo -f 1 -l "$pages" "$pdf" | grep -c 'size: *595.276 x 841.89 pts (A4)')
    equals "$name: every page is A4 (595 x 842 pt)" "$sizes" "$pages"
    fonts=$(pdffonts "$pdf" | tail -n +3)
    contains "$name: the CJK font is in it" "$fonts" "WenQuanYiZenHei"
    if [ -n "$fonts" ] && ! printf '%s\n' "$fonts" | grep -v 'WenQuanYiZenHei' | grep -q .; then
        pass "$name: no other font"
    else fail "$name: another font" "$fonts"; fi
    if printf '%s\n' "$fonts" | awk '{ if ($(NF-4) != "yes") bad = 1 } END { exit bad }'; then
        pass "$name: every font embedded"
    else fail "$name: a font not embedded" "$fonts"; fi
    rm -f "$WORK/page"-*.png
    pdftoppm -r 30 -png "$pdf" "$WORK/page" && equals "$name: every page renders" "$(ls "$WORK/page"-*.png | wc -l)" "$pages"
    text=$(pdftotext "$pdf" -)
    lacks "$name: no replacement character" "$text" $'\xef\xbf\xbd'
    chars=$(printf '%s' "$text" | LC_ALL=C.UTF-8 grep -o '[^[:space:][:cntrl:]]' | sort -u | tr -d '\n')
    shaped=$(hb-shape --no-glyph-names --no-positions --no-clusters "$PRINT_FONT_FILE" "$chars")
    if [ -n "$chars" ] && [ -n "$shaped" ] && ! printf '%s' "$shaped" | grep -qE '(\[|\|)0(\||\])'; then
        pass "$name: the font has a glyph for each of its $(printf '%s' "$chars" | wc -m) characters"
    else fail "$name: a character without a glyph" "$shaped"; fi
    local missing
    missing=$(uncovered "$chars")
    [ -n "$chars" ] && [ -z "$missing" ] && pass "$name: every character is in the font's character set (fc-query)" ||
        fail "$name: characters outside the font's character set" "$missing"
    local outside
    outside=$(inside_margins "$pdf") && pass "$name: every word inside the margins" ||
        fail "$name: words outside the margins (cut)" "$outside"
}
