"""What every text typed into the application obeys, on the web pages and in the API alike.

One length for free texts (reasons, comments, notes, self-assessments): the API
used to cap them at 5,000 characters while the web forms took 100,000. And no
bidirectional-text controls: a right-to-left override in a name or a reason makes
it display differently from what is stored (a name reading "Nguyễn Văn A" while
it is stored reversed), in the pages, the PDF and the audit history alike.
Vietnamese never needs them.
"""

from django.utils.translation import gettext as _

TEXT_MAX_LENGTH = 5000

# The embedding, override and isolate controls, the left-to-right and right-to-left
# marks and the Arabic letter mark.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def text_problem(value, label, max_length=TEXT_MAX_LENGTH):
    """A translated message naming the rule and the numbers, or None when `value` is acceptable."""
    if not isinstance(value, str):
        return None
    if max_length is not None and len(value) > max_length:
        return _("%(field)s has %(length)s characters; at most %(limit)s are accepted.") % {
            "field": label, "length": len(value), "limit": max_length}
    control = next((ch for ch in value if ch in BIDI_CONTROLS), None)
    if control is not None:
        return _("%(field)s contains an invisible text-direction control (U+%(code)s), which makes a text display "
                 "differently from what is stored; type it again without it.") % {
            "field": label, "code": f"{ord(control):04X}"}
    return None

