# What every printed document must be (tests/scenario/print.sh): A4 on
# every page, only the printing font and that embedded, every page
# rendered by poppler, and every character of its text a glyph of the font
# itself (HarfBuzz shapes the text with the font file: glyph 0 would be
# the empty box).

PRINT_FONT_FILE=$(fc-match -f '%{file}' 'WenQuanYi Zen Hei')

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
    if [ -n "$chars" ] && ! printf '%s' "$shaped" | grep -qE '(\[|\|)0(\||\])'; then
        pass "$name: the font has a glyph for each of its $(printf '%s' "$chars" | wc -m) characters"
    else fail "$name: a character without a glyph" "$shaped"; fi
}
