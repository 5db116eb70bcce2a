from django.contrib import admin

from core.admin import RecordAdmin

from .models import Award, CertificateReview, Holiday, Revocation, RuleSet, TitleType


@admin.register(TitleType)
class TitleTypeAdmin(RecordAdmin):
    list_display = ["code", "name", "subject_kind"]


@admin.register(RuleSet)
class RuleSetAdmin(RecordAdmin):
    """Rule sets are law as data: they change by a new versioned file and `load_rule_sets`, not here."""

    list_display = ["code", "version", "title_type", "effective_from", "effective_to"]
    list_filter = ["title_type"]


@admin.register(Award)
class AwardAdmin(RecordAdmin):
    list_display = ["certificate_code", "title_type", "year", "household", "hamlet", "decision", "revoked_at"]
    list_filter = ["title_type", "year"]
    search_fields = ["certificate_code", "household__head_name", "household__code"]
    list_select_related = ["title_type", "household", "hamlet", "decision"]


@admin.register(Holiday)
class HolidayAdmin(RecordAdmin):
    list_display = ["date", "name"]


@admin.register(Revocation)
class RevocationAdmin(RecordAdmin):
    list_display = ["id", "award", "ground", "decision_number", "decided_on"]


@admin.register(CertificateReview)
class CertificateReviewAdmin(RecordAdmin):
    list_display = ["id", "certificate", "revocation", "flagged_at"]
