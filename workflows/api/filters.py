"""The API's filter backend; the filtersets themselves (and their id filters) are in workflows.filters,
shared with the web pages."""

from django_filters import rest_framework as filters

from ..filters import MAX_ID, FilterSet, IdField, IdFilter  # noqa: F401 (the API's names for them)


class FilterBackend(filters.DjangoFilterBackend):
    """DjangoFilterBackend building the filtersets of `filterset_fields` on FilterSet."""

    filterset_base = FilterSet
