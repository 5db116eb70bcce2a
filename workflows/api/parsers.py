"""The API's JSON parser: DRF's, with a body nested too deeply refused as malformed.

Python's json module recurses once per level of nesting and raises RecursionError
(not ValueError, which DRF turns into a 400) near a thousand levels: a body of
100,000 opening brackets was a server error on every endpoint.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def too_deep():
    return ParseError(_("The JSON body is nested too deeply to be read; no valid request nests more than a few "
                        "levels."))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
