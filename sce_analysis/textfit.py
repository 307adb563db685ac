"""Fitting a drawn text to a width: wrap it at spaces until it is no longer than the room it has.

The charts (titles, axis labels, the scope footnote) and the publication footer both fit texts
to a width, and sit in sibling layers that cannot import each other; they share this one loop.
It imports no matplotlib: the text (a matplotlib ``Text``) and the renderer that measures it are
passed in.

Examples
--------
>>> wrap_words("N\\u00a0=\\u00a080 reviews in scope", 8).split("\\n")
['N\\xa0=\\xa080', 'reviews', 'in scope']
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["wrap_words", "wrap_text_to_width"]

#: Where a line may break: ordinary white space, never the no-break space (which keeps "N = 80" whole).
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def wrap_words(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, broken at spaces only.

    A word is never cut or dropped (one longer than ``width`` keeps a line of its own), a hyphen
    is no place to break, and neither is a no-break space.
    """
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) if lines else text


def wrap_text_to_width(text, renderer, width_px: float, *, rounds: int = 8, rewrap: bool = False) -> None:
    """Wrap the matplotlib ``Text`` ``text`` at spaces until it is no longer than ``width_px`` pixels.

    Its length is measured along the text: its width, or its height when it runs vertically. Each
    round measures it and re-wraps the whole text (its own line breaks count as spaces) to the
    characters per line that the measured width of a character allows. A word is never cut, so a
    text whose longest word is too long stays wider. (Nothing is returned: callers measure again after their layout.)

    A text that fits is left as it is, unless ``rewrap``: then it is first put on one line, so that
    a text wrapped earlier for less room than it has now gets longer lines again.

    The text's place is not changed: a caller whose layout moves the text after a re-wrap (a
    title under constrained layout) measures the room again and calls this again.
    """
    flat = _SPACES.sub(" ", text.get_text()).strip()
    if rewrap:
        text.set_text(flat)
    for _ in range(rounds):
        box = text.get_window_extent(renderer)
        extent = box.height if text.get_rotation() % 180 == 90 else box.width
        if extent <= width_px:
            return
        current = text.get_text()
        longest = max(len(line) for line in current.split("\n"))
        chars = min(longest - 1, int(longest * max(width_px, 0.0) / extent))
        wrapped = wrap_words(flat, chars) if chars >= 1 else current
        if wrapped == current:  # no space left to break at
            return
        text.set_text(wrapped)
