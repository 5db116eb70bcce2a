"""The demo district: Thống Nhất (Đồng Nai) in its two eras, with accounts for every role.

`seed()` is idempotent: units, households and accounts are found by code or
username, and each dossier by its unit, title and year, so a second run creates
nothing. Everything runs in one transaction: a failure leaves no half demo.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Role, Unit

from . import evaluations, family, festival, hamlets, merit
from .accounts import ACCOUNTS, ADMIN, DEMO_PASSWORD, ensure_accounts, unit_code_of
from .geography import ensure_units, move_households_to_successors, old_commune_code
from .people import ensure_households
from .rounds import former_roles

__all__ = ["DEMO_PASSWORD", "SeedReport", "seed"]


@dataclass
class SeedReport:
    year: int
    units_created: int = 0
    households_created: int = 0
    households_moved: int = 0
    dossiers_2021: list = field(default_factory=list)
    dossiers: dict = field(default_factory=dict)  # stage -> current-year dossier
    hamlet_dossiers_2021: list = field(default_factory=list)
    hamlet_dossiers: dict = field(default_factory=dict)  # stage -> current-year hamlet-title dossier
    festival_lists: dict = field(default_factory=dict)  # subject kind -> this year's 18 November list
    accounts: list = field(default_factory=list)  # (username, password, role, unit, try first)
    evaluation_reports: dict = field(default_factory=dict)  # stage -> current-period hamlet report


def _label(dossier):
    return f"#{dossier.pk} ({dossier.unit.name}, {dossier.year})"


def _posting_end(dossier):
    posting = dossier.postings.first() if dossier else None
    return posting.ends_on.strftime("%d/%m/%Y") if posting else "—"


def _account_rows(units, report):
    stage_codes = family.stage_hamlet_codes()
    # A stage the rule set skips (no posting) shows a dash rather than breaking the table.
    labels = defaultdict(lambda: "—", {stage: _label(d) for stage, d in report.dossiers.items()})
    labels.update({f"h_{stage}": _label(d) for stage, d in report.hamlet_dossiers.items()})
    # The 2021 dossier of the quarter whose households are in this year's open round.
    reference = next((d for d in report.dossiers_2021 if d.unit.code == family.HAMLETS_2021[1][0]), None)
    labels["y2021"] = _label(reference) if reference else "—"
    township = next((d for d in report.hamlet_dossiers_2021 if d.unit.code == old_commune_code("DAUGIAY")), None)
    labels["h2021"] = _label(township) if township else "—"
    labels["posting_ends"] = _posting_end(report.dossiers.get("posting"))
    labels["h_posting_ends"] = _posting_end(report.hamlet_dossiers.get("posting"))
    rows = [(ADMIN.username, DEMO_PASSWORD, _("Superuser"), "—", str(ADMIN.hint))]
    for account in ACCOUNTS:
        unit = units[unit_code_of(account, stage_codes)]
        name = unit.name
        if unit.valid_to:
            name = _("%(unit)s (until %(date)s)") % {"unit": unit.name, "date": unit.valid_to.strftime("%d/%m/%Y")}
        rows.append((account.username, DEMO_PASSWORD, str(Role(account.role).label), name,
                     str(account.hint) % labels))
    return rows


def seed(*, today=None):
    with transaction.atomic():
        title, hamlet_title = family.family_title(), hamlets.hamlet_title()
        units_before = Unit.objects.count()
        units = ensure_units()
        report = SeedReport(year=0, units_created=Unit.objects.count() - units_before)
        report.households_created = ensure_households(units)
        users = ensure_accounts(units, family.stage_hamlet_codes())
        if family.pending_2021(title) or hamlets.pending_2021(hamlet_title) or merit.pending(title):
            with former_roles(units, users):
                family.ensure_2021(units, users, title)
                hamlets.ensure_2021(units, users, hamlet_title)
                # Lập Thành's 2019 and 2020 rounds and its 2021 certificate of merit round.
                merit.ensure(units, users, title)
        # Before the households move to the 2025 hamlets: the 2021 reports count them where they were.
        evaluations.ensure_2021_reports(units)
        report.households_moved = move_households_to_successors(units)
        report.year, report.dossiers = family.ensure_current_year(units, users, title, today=today)
        report.hamlet_dossiers = hamlets.ensure_current_year(units, users, hamlet_title, today=today)
        report.evaluation_reports = evaluations.ensure_current_reports(units, today=today)
        report.festival_lists = festival.ensure_current_year(users, today=today or timezone.localdate())
        report.dossiers_2021 = family.dossiers_2021(title)
        report.hamlet_dossiers_2021 = hamlets.dossiers_2021(hamlet_title)
        report.accounts = _account_rows(units, report)
    return report
