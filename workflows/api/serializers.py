"""Read serializers for the workflow objects and input serializers for each transition.

Input serializers check only the shape of a request (types, presence, ranges a
database column can hold); every rule of the law is checked by the service,
which answers with a RuleViolation naming the rule and the numbers.
"""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.text import TEXT_MAX_LENGTH

from workflows.api.parsers import too_deep
from workflows.models import (
    AuditEvent, Decision, Dossier, Meeting, Nomination, Posting, PostingComment, VotingMethod,
)

# The largest value a PositiveIntegerField holds on every backend.
MAX_COUNT = 2_147_483_647


class DossierSerializer(serializers.ModelSerializer):
    title_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rule_set = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    # Kept by the dossier's case (Dossier.case), read with the dossier (select_related("case")).
    revision = serializers.IntegerField(source="case.revision", read_only=True,
                                        help_text="Send it back as expected_revision with an action.")

    class Meta:
        model = Dossier
        fields = [
            "id", "title_type", "rule_set", "unit", "unit_name", "appraising_unit", "deciding_unit", "year",
            "state", "state_display", "revision", "submitted_on", "submission_due", "decision_due",
            "return_reason", "created_at",
        ]
        read_only_fields = fields


class NominationSerializer(serializers.ModelSerializer):
    # A hamlet-title nomination names a hamlet instead (titles.subjects): exactly one of the two is set,
    # the other's fields are null (always present, so every response has one shape).
    household_code = serializers.CharField(source="household.code", read_only=True, allow_null=True)
    household_head = serializers.CharField(source="household.head_name", read_only=True, allow_null=True)
    hamlet_code = serializers.CharField(source="hamlet.code", read_only=True, allow_null=True)
    hamlet_name = serializers.CharField(source="hamlet.name", read_only=True, allow_null=True)

    class Meta:
        model = Nomination
        fields = [
            "id", "dossier", "year", "household", "household_code", "household_head",
            "hamlet", "hamlet_code", "hamlet_name", "state",
            "registered_on", "self_assessment", "self_assessed_on", "votes_for", "votes_against",
            "exclusion", "reason",
        ]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    has_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "dossier", "held_on", "invited", "present", "method", "chaired_by", "has_minutes",
                  "minutes_pages", "recorded_at"]
        read_only_fields = fields

    minutes_pages = serializers.SerializerMethodField(
        help_text="How many pages the minutes have: download each with /minutes/?page=N (1 to this number).")

    def get_has_minutes(self, meeting) -> bool:
        return bool(meeting.minutes)

    def get_minutes_pages(self, meeting) -> int:
        # extra_pages is counted by the view's query (pages 2, 3, … are MinutesPage rows).
        return (1 + getattr(meeting, "extra_pages", 0)) if meeting.minutes else 0


class PostingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Posting
        fields = ["id", "dossier", "starts_on", "ends_on", "place", "recorded_at"]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostingComment
        fields = ["id", "posting", "nomination", "received_on", "author", "text"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "dossier", "unit", "number", "signed_on", "signer", "recorded_at"]
        read_only_fields = fields


class AuditEventSerializer(serializers.ModelSerializer):
    dossier = serializers.IntegerField(source="dossier_ref", read_only=True,
                                       help_text="The dossier whose audit chain (case) the event belongs to.")

    class Meta:
        model = AuditEvent
        fields = ["id", "dossier", "case", "seq", "at", "actor_name", "role", "unit", "action", "target_type",
                  "target_id", "from_state", "to_state", "payload", "prev_hash", "hash"]
        read_only_fields = fields


# ---------------------------------------------------------------- transition inputs

class RevisionMixin(serializers.Serializer):
    expected_revision = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_COUNT,
        help_text="The dossier revision the client last saw; the action is refused if someone acted since.",
    )


class OpenRoundInput(serializers.Serializer):
    hamlet = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1,
        help_text="The unit whose list the dossier is: a hamlet for a household title, a commune for the "
                  "hamlet title (the title's subject kind says which level).")
    title_type = serializers.SlugField(max_length=40, help_text="Title type code, e.g. gia-dinh-van-hoa.")
    year = serializers.IntegerField(min_value=1900, max_value=9999)


class RegisterInput(RevisionMixin):
    household_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), allow_empty=False, max_length=5000,
        required=False, help_text="For a household title.")
    hamlet_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), allow_empty=False, max_length=5000,
        required=False, help_text="For the hamlet title: hamlets of the dossier's commune.")
    registered_on = serializers.DateField()

    def validate(self, data):
        if ("household_ids" in data) == ("hamlet_ids" in data):
            raise serializers.ValidationError("Give household_ids or hamlet_ids, not both or neither.")
        return data


class WithdrawInput(RevisionMixin):
    nomination_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), allow_empty=False, max_length=5000)
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH, allow_blank=True)


class AssessmentItem(serializers.Serializer):
    nomination = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, allow_blank=True)


class SelfAssessmentsInput(RevisionMixin):
    assessments = serializers.ListField(child=AssessmentItem(), allow_empty=False, max_length=5000)
    assessed_on = serializers.DateField()


class JSONListField(serializers.ListField):
    """A list that also arrives as a JSON string, so a multipart meeting (with its
    minutes file) carries its tally in one form field."""

    def get_value(self, dictionary):
        # A form field holding one JSON string, not a repeated multipart field.
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("not_a_list", input_type="string")
            except RecursionError:
                raise serializers.ValidationError(too_deep().detail) from None
        return super().to_internal_value(data)


class VoteItem(serializers.Serializer):
    nomination = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    votes_for = serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT)
    votes_against = serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT)


class ExclusionItem(serializers.Serializer):
    nomination = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    ground = serializers.CharField(max_length=40)


class ChangeReasonItem(serializers.Serializer):
    nomination = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=500)


class MeetingInput(RevisionMixin):
    held_on = serializers.DateField()
    # Negative numbers pass the shape check on purpose: the service refuses them
    # with a message that names the field and the number.
    invited = serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT)
    present = serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT)
    method = serializers.ChoiceField(choices=VotingMethod.choices)
    chaired_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    votes = JSONListField(child=VoteItem(), max_length=5000,
                          help_text="One tally per listed household (a JSON string in multipart requests).")
    exclusions = JSONListField(child=ExclusionItem(), required=False, default=list, max_length=5000)
    change_reasons = JSONListField(
        child=ChangeReasonItem(), required=False, default=list, max_length=5000,
        help_text="When the meeting replaces an earlier one: the reason for each household whose result "
                  "changes or whose exclusion ground is dropped.")
    minutes = serializers.FileField(required=False, allow_null=True,
                                    help_text=_("Signed minutes: PDF, JPEG or PNG."))


class AttachMinutesInput(RevisionMixin):
    minutes = serializers.ListField(
        child=serializers.FileField(), min_length=1, max_length=100,
        help_text=_("The signed minutes of the meeting in force: PDF, JPEG or PNG, one file per page "
                    "(repeat the field for several pages); added after the pages already attached."))


class PostingInput(RevisionMixin):
    starts_on = serializers.DateField()
    place = serializers.CharField(max_length=200)


class CommentInput(RevisionMixin):
    received_on = serializers.DateField()
    author = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    nomination = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)


class SubmitInput(RevisionMixin):
    submitted_on = serializers.DateField()
    # A returned dossier is sent again only with an answer to the return (or a correction recorded since).
    answer = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class StrikeItem(serializers.Serializer):
    nomination = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH, allow_blank=True)


class AppraiseInput(RevisionMixin):
    strikes = serializers.ListField(child=StrikeItem(), required=False, default=list, max_length=5000)


class ReturnInput(RevisionMixin):
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH, allow_blank=True)


class DecideInput(RevisionMixin):
    number = serializers.CharField(max_length=60, allow_blank=True)
    signed_on = serializers.DateField()
    signer = serializers.CharField(max_length=200, allow_blank=True)
