"""Forms for the households' master data: they parse shapes; the rules are in directory.services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import DayField, OneTimeTokenMixin

from .models import GRANTABLE_ROLES, Collective, Household, Person


class HamletChoiceForm(forms.Form):
    hamlet = forms.ModelChoiceField(queryset=None, label=_("Hamlet"), empty_label=None)

    def __init__(self, *args, hamlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlet"].queryset = hamlets


class HouseholdForm(OneTimeTokenMixin, forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500,
                             help_text=_("Required when the household moves to another hamlet."))

    class Meta:
        model = Household
        fields = ["code", "head_name", "address", "members", "phone"]
        widgets = {"members": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 99}),
                   "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, hamlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlet"] = forms.ModelChoiceField(queryset=hamlets, label=_("Hamlet"), empty_label=None,
                                                       initial=self.instance.hamlet_id if self.instance.pk else None)
        self.order_fields(["hamlet", "code", "head_name", "address", "members", "phone", "reason"])

    def validate_unique(self):
        """The service checks the code (with a message naming it), so the form does not query for it twice."""


class ActiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ImportForm(HamletChoiceForm):
    sheet = forms.FileField(label=_("Excel file (.xlsx)"),
                            widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty: a commune's or district's file, whose Hamlet column names each row's hamlet.
        hamlet = self.fields["hamlet"]
        hamlet.required = False
        hamlet.empty_label = _("Every hamlet the file names")
        hamlet.help_text = _("Choose a hamlet for one hamlet's list; leave “every hamlet” for a file that lists "
                             "the households of several of your hamlets.")

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if sheet.size > settings.HOUSEHOLD_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
                % {"size": round(sheet.size / 2**20, 1), "max": round(settings.HOUSEHOLD_IMPORT_MAX_BYTES / 2**20, 1)})
        return sheet


class GiveRoleForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("Unit"), empty_label=None)
    role = forms.ChoiceField(label=_("Role"), choices=())
    existing_user = forms.CharField(label=_("Existing account (user name)"), required=False, max_length=150,
                                    help_text=_("Leave empty to create a new account below."))
    username = forms.CharField(label=_("New account: user name"), required=False, max_length=150)
    full_name = forms.CharField(label=_("New account: full name"), required=False, max_length=150)
    email = forms.EmailField(label=_("New account: email (optional)"), required=False)
    since = DayField(label=_("Starts on"))
    until = DayField(label=_("Until (optional)"), required=False)
    reason = forms.CharField(label=_("Reason or appointing decision"), required=False, max_length=500)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        # Only the roles given at the levels of the units offered: a commune officer sees the hamlet roles.
        levels = set(units.values_list("level", flat=True).distinct())
        self.fields["role"].choices = [(role.value, role.label) for level, roles in GRANTABLE_ROLES.items()
                                       if level in levels for role in roles]


class EndRoleForm(forms.Form):
    until = DayField(label=_("Last day with the role"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class FrontRecordForm(OneTimeTokenMixin, forms.ModelForm):
    """A person or a collective of a hamlet (directory.services_front checks the rules)."""

    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    def __init__(self, *args, hamlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlet"] = forms.ModelChoiceField(queryset=hamlets, label=_("Hamlet"), empty_label=None,
                                                       initial=self.instance.unit_id if self.instance.pk else None)
        self.order_fields(["hamlet", *self.Meta.fields, "reason"])


class PersonForm(FrontRecordForm):
    valid_from = DayField(label=_("On record from"))
    valid_to = DayField(label=_("On record until (optional)"), required=False)

    class Meta:
        model = Person
        fields = ["full_name", "birth_year", "hamlet_role", "valid_from", "valid_to"]
        widgets = {"birth_year": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1900})}


class CollectiveForm(FrontRecordForm):
    valid_from = DayField(label=_("On record from"))
    valid_to = DayField(label=_("On record until (optional)"), required=False)

    class Meta:
        model = Collective
        fields = ["name", "kind", "valid_from", "valid_to"]
