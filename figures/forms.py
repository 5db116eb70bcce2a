from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from titles.models import TitleType
from workflows.procedures import LOCAL_REVIEW, titles_q

from .kinds import FIGURES_KINDS

# Every yearly title reviewed on the local review's route (not the certificates of merit nor the
# 18 November proposals, which have no rate of recognition over a roll) whose subject kind the dashboard
# reads (figures.kinds). The kinds' order (households before hamlets) orders the choices, so the default
# is the Cultural Family whatever order the rule-set files created the titles in.
TITLES_WITH_FIGURES = (
    TitleType.objects.yearly().filter(titles_q(LOCAL_REVIEW, "code"), subject_kind__in=list(FIGURES_KINDS))
    .order_by(Case(*(When(subject_kind=code, then=index) for index, code in enumerate(FIGURES_KINDS))), "name")
)


class FiguresForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("Unit"), empty_label=None, required=False)
    title_type = forms.ModelChoiceField(queryset=TITLES_WITH_FIGURES, label=_("Title"), empty_label=None,
                                        required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100, required=False,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].initial = units.first()
        self.fields["title_type"].initial = TITLES_WITH_FIGURES.first()
        self.fields["year"].initial = timezone.localdate().year

    def choice(self):
        """The chosen (unit, title, year), each falling back to its default when not (validly) chosen: a unit
        the user may not read is never chosen, since it is not among the choices."""
        chosen = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data then holds the fields that validated, even if another did not
            chosen = self.cleaned_data
        return tuple(chosen.get(name) or self.fields[name].initial for name in ("unit", "title_type", "year"))
