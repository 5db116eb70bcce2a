"""What every app's API shares: the id pattern of its URLs and its pagination.

Kept free of drf-spectacular imports and of the project's apps: REST_FRAMEWORK
settings import this module while rest_framework itself is still loading."""

from rest_framework.pagination import PageNumberPagination

# Ids in URLs: digits that fit a bigint. Anything else falls through to the API's
# JSON 404 instead of reaching the database as a number no column can hold.
LOOKUP_ID = "[0-9]{1,18}"


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
