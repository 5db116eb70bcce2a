"""The sponsorship ledger: the year's poor and near-poor households (national standard in force), their
sponsors, the support given and the result at the next poverty review."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from directory.selectors import require_acting
from workflows.services.common import check_text, shown_day

from ..models import PoorHousehold, PovertyCategory, ReviewResult, Sponsor, SponsorKind, Support
from .loading import poverty_standard_for


def _acting(actor, hamlet):
    return require_acting(actor, hamlet, "record_sponsorship", inherited=True)


def _check_day(day, label, year=None):
    today = timezone.localdate()
    if day > today:
        raise RuleViolation(_("%(field)s %(day)s is a day still to come.") % {"field": label, "day": shown_day(day)})
    if year is not None and day.year < year:
        raise RuleViolation(_("%(field)s %(day)s is before %(year)s, the year of the list.")
                            % {"field": label, "day": shown_day(day), "year": year})


@transaction.atomic
def list_households(*, actor, hamlet, year, households, category):
    """Put `households` of `hamlet` on the year's list (poor or near-poor) under the standard in force."""
    acting = _acting(actor, hamlet)
    standard = poverty_standard_for(year)
    if standard is None:
        raise RuleViolation(_("No national poverty standard is in force for %(year)s.") % {"year": year})
    if category not in PovertyCategory.values:
        raise RuleViolation(_("Choose poor or near-poor."))
    households = list(households)
    foreign = [h for h in households if h.hamlet_id != hamlet.pk]
    if foreign:
        raise RuleViolation(_("%(n)s of the chosen households are not in %(hamlet)s.")
                            % {"n": len(foreign), "hamlet": hamlet})
    listed = set(PoorHousehold.objects.filter(year=year, household__in=households).values_list("household_id", flat=True))
    now = timezone.now()
    rows = [PoorHousehold(household=h, hamlet=hamlet, year=year, standard=standard["code"], category=category,
                          recorded_by=actor, recorded_role=acting.role, recorded_at=now)
            for h in households if h.pk not in listed]
    PoorHousehold.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def add_sponsor(*, actor, entry, kind, name, since):
    acting = _acting(actor, entry.hamlet)
    if kind not in SponsorKind.values:
        raise RuleViolation(_("Choose who sponsors: an organisation, a well-off household or a person."))
    name = check_text((name or "").strip(), _("The sponsor"), 200)
    if not name:
        raise RuleViolation(_("Name the sponsor."))
    _check_day(since, _("The sponsorship date"), entry.year - 1)
    return Sponsor.objects.create(entry=entry, kind=kind, name=name, since=since, recorded_by=actor,
                                  recorded_role=acting.role, recorded_at=timezone.now())


@transaction.atomic
def record_support(*, actor, sponsor, kind, value, given_on):
    acting = _acting(actor, sponsor.entry.hamlet)
    kind = check_text((kind or "").strip(), _("The kind of support"), 120)
    if not kind:
        raise RuleViolation(_("Say what was given (money, rice, a cow, a house repair...)."))
    try:
        amount = Decimal(str(value).strip().replace(".", "").replace(",", "").replace(" ", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e13"):
        raise RuleViolation(_("The value must be an amount in đồng of 0 or more (got “%(value)s”).")
                            % {"value": value})
    _check_day(given_on, _("The support date"), sponsor.entry.year)
    if given_on < sponsor.since:
        raise RuleViolation(_("The support date %(day)s is before the sponsorship began (%(since)s).")
                            % {"day": shown_day(given_on), "since": shown_day(sponsor.since)})
    return Support.objects.create(sponsor=sponsor, kind=kind, value=amount, given_on=given_on, recorded_by=actor,
                                  recorded_role=acting.role, recorded_at=timezone.now())


@transaction.atomic
def record_review_result(*, actor, entry, result, reviewed_on):
    acting = _acting(actor, entry.hamlet)
    if result not in ReviewResult.values:
        raise RuleViolation(_("Choose the result of the poverty review."))
    _check_day(reviewed_on, _("The review date"), entry.year)
    entry = PoorHousehold.objects.select_for_update().get(pk=entry.pk)
    entry.review_result, entry.reviewed_on = result, reviewed_on
    entry.recorded_by, entry.recorded_role, entry.recorded_at = actor, acting.role, timezone.now()
    entry.save(update_fields=["review_result", "reviewed_on", "recorded_by", "recorded_role", "recorded_at"])
    return entry
