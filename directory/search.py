"""Search that ignores Vietnamese diacritics and case: "nguyen" finds "Nguyễn", "dong" finds "Đông".

One folding rule in three places that must agree: `fold()` for the text a user
types, the `Folded` SQL expression for the column searched (PostgreSQL's built-in
TRANSLATE, and on SQLite the same Python function registered on each connection
by config.sqlite), and `fold` in static/js/app.js for the filters on the page.
Folding in the query rather than in a stored column keeps every writer of names
(demo loader, benchmarks, admin, bulk imports) free of a second field to keep in step.
"""

import unicodedata

from django.db.models import CharField, Func

SQLITE_FUNCTION = "THIDUA_FOLD"


def fold(text):
    """Lower case, without diacritics (NFD, combining marks dropped), đ/Đ as d."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", str(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D").lower()


def _translate_tables():
    """TRANSLATE's arguments: each precomposed Latin letter to its folded letter, then the
    combining marks (with no counterpart, so TRANSLATE deletes them)."""
    source, target = [], []
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(code)
        folded = fold(ch)
        if len(folded) == 1 and folded.isascii() and folded.isalpha() and folded != ch:
            source.append(ch)
            target.append(folded)
    marks = [chr(code) for code in range(0x0300, 0x0370)]
    return "".join(source + marks), "".join(target)


TRANSLATE_FROM, TRANSLATE_TO = _translate_tables()


class Folded(Func):
    """The folded form of a text column, for `__contains` against `fold(needle)`.

    TRANSLATE maps upper- and lower-case accented letters itself, so the result does
    not depend on the database's ctype locale; LOWER is left only ASCII to do.
    """

    output_field = CharField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"TRANSLATE(LOWER({sql}), %s, %s)", (*params, TRANSLATE_FROM, TRANSLATE_TO)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{SQLITE_FUNCTION}({sql})", params
