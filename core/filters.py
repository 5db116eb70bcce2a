"""The base of every filterset, on the web pages and in the API: an id filter never tells
whether an object the caller may not see exists.

django-filter's default filter for a foreign key is a choice over *every* row of the
related table: an id that exists nowhere answers 400 "not one of the available
choices" while another commune's id answers an empty page, so the difference tells
that the object exists. Here an id filter only compares the column with a well-formed
id; the view's queryset, already narrowed to what the caller may see, does the rest:
another unit's id and a missing id both give an empty page.
"""

from django import forms
from django.db import models
from django_filters import rest_framework as filters

# The largest primary key a bigint column holds: a larger number is refused as malformed
# instead of reaching the database.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(filters.Filter):
    """Rows whose foreign key equals a well-formed id, whether or not that object exists."""

    field_class = IdField


class FilterSet(filters.FilterSet):
    """The base of every API filterset: foreign keys are filtered by IdFilter."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }


class FilterBackend(filters.DjangoFilterBackend):
    """DjangoFilterBackend building the filtersets of `filterset_fields` on FilterSet."""

    filterset_base = FilterSet
