"""Read-only API over title types, rule sets (public law as data) and the register of awards."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from core.api import LOOKUP_ID, Pagination
from core.filters import FilterBackend, FilterSet
from directory.selectors import visible_q

from .models import Award, RuleSet, TitleType


class TitleTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TitleType
        fields = ["id", "code", "name", "subject_kind"]
        read_only_fields = fields


class RuleSetSerializer(serializers.ModelSerializer):
    title_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RuleSet
        fields = [
            "id", "code", "version", "title_type", "name", "legal_basis", "effective_from", "effective_to",
            "steps", "appraising_level", "deciding_level", "quorum_pct", "approval_pct", "posting_days",
            "posting_day_type", "submission_days", "submission_day_type", "decision_days", "decision_day_type",
            "review_deadline", "exclusion_grounds", "cap_pct", "consecutive_years", "merit", "unconfirmed",
        ]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer):
    title_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    decision_number = serializers.CharField(source="decision.number", read_only=True)

    class Meta:
        model = Award
        fields = ["id", "title_type", "year", "household", "hamlet", "nomination", "decision", "decision_number",
                  "certificate_code", "revoked_at", "revocation_reason"]
        read_only_fields = fields


class AwardFilter(FilterSet):
    title_type = filters.CharFilter(field_name="title_type__code")
    revoked = filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Award
        fields = ["year", "title_type", "household", "decision", "revoked"]


class TitleTypeViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = LOOKUP_ID
    serializer_class = TitleTypeSerializer
    queryset = TitleType.objects.order_by("code")
    pagination_class = Pagination


class RuleSetViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = LOOKUP_ID
    serializer_class = RuleSetSerializer
    queryset = RuleSet.objects.select_related("title_type").order_by("title_type__code", "effective_from")
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_fields = ["title_type"]


class AwardViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = LOOKUP_ID
    queryset = Award.objects.none()  # for the schema only: get_queryset applies visibility
    serializer_class = AwardSerializer
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = AwardFilter

    def get_queryset(self):
        # Visibility follows the dossier the award came from, as in the UI.
        return (
            Award.objects.filter(visible_q(self.request, "nomination__dossier__unit_path"))
            .select_related("title_type", "decision").order_by("-year", "pk")
        )
