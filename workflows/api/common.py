"""What every API view shares: visibility filters and pagination.

Kept free of drf-spectacular imports: REST_FRAMEWORK settings import this module
while rest_framework itself is still loading."""

from functools import reduce
from operator import or_

from django.db.models import Q
from rest_framework.pagination import PageNumberPagination

from directory.selectors import visible_unit_paths


def paths_q(paths, field):
    """Rows whose `field` (a unit path) lies in one of the subtrees `paths`: the same
    rule as the UI's selectors; nothing at all when the user sees no unit."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


def visible_q(request, field):
    """Cache the caller's visible subtrees on the request: one query per request."""
    paths = getattr(request, "_visible_unit_paths", None)
    if paths is None:
        paths = request._visible_unit_paths = visible_unit_paths(request.user)
    return paths_q(paths, field)


# Ids in URLs: digits that fit a bigint. Anything else falls through to the API's
# JSON 404 instead of reaching the database as a number no column can hold.
LOOKUP_ID = "[0-9]{1,18}"


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
