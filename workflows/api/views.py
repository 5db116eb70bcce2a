"""The workflow API: read the dossiers and their parts, and drive every transition.

Every object is loaded through a queryset already narrowed to the units the caller
may see (404 otherwise, exactly as the UI's workflows.selectors). Transitions call
the same workflows.services functions as the UI; the services check the role
(403), the state and the rule set (400 rule_violation), and write atomically.
"""

from django.db.models import Count, F
from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import LOOKUP_ID, Pagination
from core.filters import FilterBackend, FilterSet, IdFilter
from directory.models import Unit
from directory.selectors import visible_q
from titles.models import TitleType
from titles.subjects import subject_kind_of
from workflows import services
from workflows.models import (
    AuditEvent, Decision, Dossier, DossierState, Meeting, Nomination, NominationState, Posting,
    PostingComment,
)
from workflows.uploads import sniff_minutes_type

from . import serializers as s
from ..filters import DossierFilterSet
from .parsers import JSONParser


class NominationFilter(FilterSet):
    state = filters.ChoiceFilter(choices=NominationState.choices)

    class Meta:
        model = Nomination
        fields = ["dossier", "household", "year", "state"]


class AuditEventFilter(FilterSet):
    # The dossier whose case the events chain on (Dossier.case), an id filter like every other.
    dossier = IdFilter(field_name="case__dossier")

    class Meta:
        model = AuditEvent
        fields = ["dossier", "action", "target_type", "role"]


class VisibleReadOnly(viewsets.ReadOnlyModelViewSet):
    """A read-only collection restricted to the caller's visible subtrees."""

    lookup_value_regex = LOOKUP_ID

    pagination_class = Pagination
    filter_backends = [FilterBackend]
    unit_path_field = None

    def get_queryset(self):
        return super().get_queryset().filter(visible_q(self.request, self.unit_path_field))


def _dossier_response(dossier, code=status.HTTP_200_OK):
    fresh = Dossier.objects.select_related("title_type", "rule_set", "unit", "case").get(pk=dossier.pk)
    return Response(s.DossierSerializer(fresh).data, status=code)


def _transition(input_serializer, summary):
    return extend_schema(request=input_serializer, responses={200: s.DossierSerializer}, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="Dossiers the caller may see"),
    retrieve=extend_schema(summary="One dossier"),
    create=extend_schema(summary="Open the year's round for a hamlet", request=s.OpenRoundInput,
                         responses={201: s.DossierSerializer}),
)
class DossierViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = LOOKUP_ID
    queryset = Dossier.objects.none()  # for the schema only: get_queryset applies visibility
    serializer_class = s.DossierSerializer
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = DossierFilterSet
    parser_classes = [JSONParser]

    def get_queryset(self):
        # The dossiers selectors.visible_dossiers lets the user see, with what the serializer reads and
        # no more: that queryset's flags (overdue, read from every rule set; the counters) are the
        # web list's, and cost a query and ~2 ms of SQL building on every API read (issue 17). The
        # case carries the revision a client sends back (expected_revision).
        return (Dossier.objects.filter(visible_q(self.request, "unit_path"))
                .select_related("unit", "rule_set", "title_type", "case").order_by("-year", "unit_path", "pk"))

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _locked_target(self):
        # Visibility first (404), then the service checks the role (403) and the rules (400).
        return self.get_object()

    def create(self, request, *args, **kwargs):
        data = self._input(s.OpenRoundInput)
        hamlet = Unit.objects.filter(visible_q(request, "path")).filter(pk=data["hamlet"]).first()
        if hamlet is None:
            raise exceptions.NotFound()
        title_type = TitleType.objects.filter(code=data["title_type"]).first()
        if title_type is None:
            raise exceptions.ValidationError({"title_type": ["Unknown title type."]})
        dossier = services.open_round(actor=request.user, unit=hamlet, title_type=title_type, year=data["year"])
        return _dossier_response(dossier, status.HTTP_201_CREATED)

    @_transition(s.RegisterInput, "Register the subjects of the dossier's unit (households, or hamlets)")
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        data = self._input(s.RegisterInput)
        dossier = self._locked_target()
        key = f"{subject_kind_of(dossier.title_type).field}_ids"
        if key not in data:
            raise exceptions.ValidationError({key: [f"This dossier lists {subject_kind_of(dossier.title_type).nouns}: "
                                                    f"give {key}."]})
        services.register_subjects(
            actor=request.user, dossier=dossier, subject_ids=data.get("household_ids") or data["hamlet_ids"],
            registered_on=data["registered_on"], expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.WithdrawInput, "Withdraw registrations before the review meeting (reason required)")
    @action(detail=True, methods=["post"], url_path="withdraw-registrations", url_name="withdraw-registrations")
    def withdraw_registrations(self, request, pk=None):
        data = self._input(s.WithdrawInput)
        dossier = self._locked_target()
        services.withdraw_registrations(
            actor=request.user, dossier=dossier, nomination_ids=data["nomination_ids"], reason=data["reason"],
            expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.SelfAssessmentsInput, "Record households' self-assessments")
    @action(detail=True, methods=["post"], url_path="self-assessments")
    def self_assessments(self, request, pk=None):
        data = self._input(s.SelfAssessmentsInput)
        dossier = self._locked_target()
        services.record_self_assessments(
            actor=request.user, dossier=dossier,
            assessments={item["nomination"]: item["text"] for item in data["assessments"]},
            assessed_on=data["assessed_on"], expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @extend_schema(
        summary="Record the review meeting and every household's tally",
        request={"application/json": s.MeetingInput, "multipart/form-data": s.MeetingInput},
        responses={200: s.DossierSerializer},
    )
    # The meeting carries its minutes file (and /minutes/ attaches them later): multipart too.
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def meeting(self, request, pk=None):
        data = self._input(s.MeetingInput)
        dossier = self._locked_target()
        services.record_meeting(
            actor=request.user, dossier=dossier, held_on=data["held_on"], invited=data["invited"],
            present=data["present"], method=data["method"], chaired_by=data.get("chaired_by", ""),
            votes={v["nomination"]: (v["votes_for"], v["votes_against"]) for v in data["votes"]},
            exclusions={e["nomination"]: e["ground"] for e in data.get("exclusions", [])},
            change_reasons={c["nomination"]: c["reason"] for c in data.get("change_reasons", [])},
            minutes=data.get("minutes"), expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @extend_schema(
        summary="Attach the signed minutes to the meeting in force (after its votes were recorded)",
        request={"multipart/form-data": s.AttachMinutesInput}, responses={200: s.DossierSerializer},
    )
    @action(detail=True, methods=["post"], url_path="minutes", url_name="attach-minutes",
            parser_classes=[MultiPartParser, FormParser])
    def attach_minutes(self, request, pk=None):
        data = self._input(s.AttachMinutesInput)
        dossier = self._locked_target()
        services.attach_minutes(actor=request.user, dossier=dossier, minutes=data["minutes"],
                                expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.PostingInput, "Post the proposed list publicly")
    @action(detail=True, methods=["post"])
    def posting(self, request, pk=None):
        data = self._input(s.PostingInput)
        dossier = self._locked_target()
        services.post_list(actor=request.user, dossier=dossier, starts_on=data["starts_on"], place=data["place"],
                           expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.CommentInput, "Record a resident's comment on the posted list")
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        data = self._input(s.CommentInput)
        dossier = self._locked_target()
        services.record_comment(actor=request.user, dossier=dossier, received_on=data["received_on"],
                                author=data["author"], text=data["text"], nomination_id=data.get("nomination"),
                                expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.SubmitInput, "Send the dossier to the appraising level")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = self._input(s.SubmitInput)
        dossier = self._locked_target()
        services.submit_dossier(actor=request.user, dossier=dossier, submitted_on=data["submitted_on"],
                                answer=data.get("answer", ""), expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.AppraiseInput, "Accept the dossier, striking households with a reason")
    @action(detail=True, methods=["post"])
    def appraise(self, request, pk=None):
        data = self._input(s.AppraiseInput)
        dossier = self._locked_target()
        services.appraise_dossier(actor=request.user, dossier=dossier,
                                  strikes={x["nomination"]: x["reason"] for x in data.get("strikes", [])},
                                  expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.ReturnInput, "Return the dossier to the hamlet for correction")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        data = self._input(s.ReturnInput)
        dossier = self._locked_target()
        services.return_dossier(actor=request.user, dossier=dossier, reason=data["reason"],
                                expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)

    @_transition(s.DecideInput, "Sign the recognition decision")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = self._input(s.DecideInput)
        dossier = self._locked_target()
        services.decide(actor=request.user, dossier=dossier, number=data["number"], signed_on=data["signed_on"],
                        signer=data["signer"], expected_revision=data.get("expected_revision"))
        return _dossier_response(dossier)


class NominationViewSet(VisibleReadOnly):
    serializer_class = s.NominationSerializer
    filterset_class = NominationFilter
    unit_path_field = "dossier__unit_path"
    queryset = Nomination.objects.select_related("household", "hamlet", "person", "collective").order_by(
        "dossier_id", "household__code", "hamlet__code")


class MeetingViewSet(VisibleReadOnly):
    serializer_class = s.MeetingSerializer
    filterset_fields = ["dossier"]
    unit_path_field = "dossier__unit_path"
    queryset = Meeting.objects.annotate(extra_pages=Count("minutes_pages")).order_by("-recorded_at", "-pk")

    @extend_schema(
        summary="Download one page of the signed minutes (only for users who may see the dossier)",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT, description="Page number, 1 (default) to "
                                     "the meeting's minutes_pages.")],
        # A page is served as what its bytes are (workflows.uploads): a PDF, or a photo of the page.
        responses={(200, content_type): OpenApiResponse(OpenApiTypes.BINARY)
                   for content_type in ("application/pdf", "image/jpeg", "image/png", "application/octet-stream")},
    )
    @action(detail=True, methods=["get"])
    def minutes(self, request, pk=None):
        meeting = self.get_object()
        page = request.query_params.get("page", "1")
        if not page.isdecimal():
            raise exceptions.NotFound()
        number = int(page)
        stored = meeting.minutes if number == 1 else getattr(
            meeting.minutes_pages.filter(number=number).first(), "file", None)
        if not stored:
            raise exceptions.NotFound()
        handle = stored.open("rb")
        kind = sniff_minutes_type(handle.read(16))
        handle.seek(0)
        response = FileResponse(handle, as_attachment=True, filename=stored.name.rsplit("/", 1)[-1],
                                content_type=kind.content_type if kind else "application/octet-stream")
        response["Cache-Control"] = "private, no-store"
        return response


class PostingViewSet(VisibleReadOnly):
    serializer_class = s.PostingSerializer
    filterset_fields = ["dossier"]
    unit_path_field = "dossier__unit_path"
    queryset = Posting.objects.order_by("-starts_on", "-pk")


class CommentViewSet(VisibleReadOnly):
    serializer_class = s.CommentSerializer
    filterset_fields = ["posting", "nomination"]
    unit_path_field = "posting__dossier__unit_path"
    queryset = PostingComment.objects.order_by("received_on", "pk")


class DecisionViewSet(VisibleReadOnly):
    serializer_class = s.DecisionSerializer
    filterset_fields = ["dossier", "unit"]
    unit_path_field = "dossier__unit_path"
    queryset = Decision.objects.order_by("-signed_on", "-pk")


class AuditEventViewSet(VisibleReadOnly):
    serializer_class = s.AuditEventSerializer
    filterset_class = AuditEventFilter
    unit_path_field = "case__dossier__unit_path"
    # The dossier's id comes with the join the visibility filter makes anyway.
    queryset = AuditEvent.objects.annotate(dossier_ref=F("case__dossier__id")).order_by("case_id", "seq")
