"""A register of past awards written straight into the tables, for the eligibility tests.

The services build a year's awards through a whole round; eligibility only reads the register
(awards, their decisions, revocations and the rule set of a certificate's dossier), so the tests
write those rows directly, many years and subjects at once, in a handful of bulk inserts.
"""

import datetime
import itertools

from django.utils import timezone

from titles.models import CERTIFICATE_ALPHABET, Award, Revocation, RuleSet
from titles.subjects import subject_kind_of
from workflows.models import CaseKind, Decision, Dossier, Nomination
from workflows.services.audit import open_case

_codes = itertools.count(1)


def _certificate_code():
    n, chars = next(_codes), []
    for _ in range(10):
        n, r = divmod(n, len(CERTIFICATE_ALPHABET))
        chars.append(CERTIFICATE_ALPHABET[r])
    return "".join(chars)


def _rule_set(title, year):
    return (RuleSet.objects.in_force_for(title, year)
            or RuleSet.objects.filter(title_type=title).order_by("effective_from").first())


def record(title, rows, *, actor):
    """Write awards of `title`: rows of (subject, year) or (subject, year, revoked_on). One dossier
    and decision per (unit, year), the decision numbered "<year>/<unit code>" ("GK-…" for a certificate
    of merit); returns the awards."""
    kind = subject_kind_of(title)
    by_dossier = {}
    for row in rows:
        subject, year, revoked_on = (*row, None)[:3]
        unit = kind.belongs_to(subject)
        by_dossier.setdefault((unit, year), []).append((subject, revoked_on))
    awards, revoked = [], []
    for (unit, year), subjects in by_dossier.items():
        rules = _rule_set(title, year)
        deciding = unit.ancestor_at(rules.deciding_level) or unit
        dossier, _ = Dossier.objects.get_or_create(
            title_type=title, unit=unit, year=year,
            defaults={"rule_set": rules, "appraising_unit": deciding, "deciding_unit": deciding,
                      "case": lambda: open_case(CaseKind.DOSSIER)})
        number = f"{'GK-' if rules.merit else ''}{year}/{unit.code}"
        decision, _ = Decision.objects.get_or_create(
            dossier=dossier, defaults={"unit": deciding, "number": number, "recorded_by": actor,
                                       "signed_on": datetime.date(year, 12, 10), "signer": "Chủ tịch"})
        nominations = Nomination.objects.bulk_create([
            Nomination(dossier=dossier, title_type=title, year=year, registered_on=datetime.date(year, 3, 1),
                       **{kind.field: subject}) for subject, _ in subjects])
        for nomination, (subject, revoked_on) in zip(nominations, subjects):
            award = Award(title_type=title, year=year, nomination=nomination, decision=decision,
                          certificate_code=_certificate_code(), **{kind.field: subject})
            if revoked_on is not None:
                award.revoked_at = timezone.make_aware(datetime.datetime.combine(revoked_on, datetime.time(9)))
                revoked.append((award, revoked_on, deciding))
            awards.append(award)
    Award.objects.bulk_create(awards)
    for award, revoked_on, unit in revoked:
        Revocation.objects.create(award=award, ground="d", ground_label="Không đạt tiêu chuẩn",
                                  legal_basis="Luật 06/2022", decision_number=f"HB-{award.year}", decided_on=revoked_on,
                                  reason="Kiểm tra lại", unit=unit, recorded_by=actor, role="commune_chair")
    return awards
