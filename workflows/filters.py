"""Filters of the dossier lists: one FilterSet for the web inbox and the API.

An id filter never tells whether an object the caller may not see exists (core.filters)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.filters import FilterSet, IdFilter
from directory.models import Unit
from directory.search import Folded, fold

from .models import Dossier, DossierState


class YearFilter(filters.NumberFilter):
    """A campaign year: a whole number (NumberFilter's decimal field would take 2025.5)."""

    field_class = forms.IntegerField


class DossierFilterSet(FilterSet):
    """The dossier list's filters, for the inbox and for GET /api/dossiers/. Both apply them to the
    dossiers the caller may see; a unit outside those gives an empty list, like a unit that does not exist.

    `units`: on the web, the units offered in the unit select (inbox.filter_units, already read): the
    chosen one is taken from them without a query, and a unit not among them filters to nothing."""

    year = YearFilter(label=_("Year"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    state = filters.ChoiceFilter(label=_("State"), choices=DossierState.choices, empty_label=_("All states"))
    title_type = filters.CharFilter(field_name="title_type__code", label=_("Title"),
                                    help_text="Title type code, e.g. gia-dinh-van-hoa.")
    unit = IdFilter(method="in_subtree", label=_("Unit"), help_text="Unit id: dossiers of this unit and below")
    q = filters.CharFilter(method="search", label=_("Search unit"), help_text="Part of the unit's or its parent's name")

    class Meta:
        model = Dossier
        fields = ["year", "state", "title_type", "unit", "q"]

    def __init__(self, data=None, queryset=None, *, units=None, titles=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self._units = None if units is None else {unit.pk: unit for unit in units}
        if units is not None:
            # The help texts describe the API's parameters (its schema); the page's labels say it.
            for field in self.form.fields.values():
                field.help_text = ""
            self.form.fields["unit"].widget = forms.Select(
                choices=[("", _("All my units")), *((unit.pk, str(unit)) for unit in units)])
        if titles is not None:
            self.form.fields["title_type"].widget = forms.Select(
                choices=[("", _("All titles")), *((title.code, title.name) for title in titles)])

    def in_subtree(self, queryset, name, value):
        if self._units is not None:
            unit = self._units.get(value)
        else:
            unit = Unit.objects.filter(pk=value).only("path").first()
        return queryset.filter(unit_path__startswith=unit.path) if unit else queryset.none()

    def search(self, queryset, name, value):
        needle = fold(value.strip())
        if not needle:
            return queryset
        return queryset.alias(unit_folded=Folded("unit__name"), parent_folded=Folded("unit__parent__name")).filter(
            Q(unit_folded__contains=needle) | Q(parent_folded__contains=needle))
