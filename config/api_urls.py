"""REST API routes: /api/... with the OpenAPI schema and its interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from directory.api import HouseholdViewSet, UnitViewSet
from titles.api import AwardViewSet, RuleSetViewSet, TitleTypeViewSet
from workflows.api.errors import not_found
from workflows.api.tokens import TokenView
from workflows.api.views import (
    AuditEventViewSet, CommentViewSet, DecisionViewSet, DossierViewSet, MeetingViewSet, NominationViewSet,
    PostingViewSet,
)

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("units", UnitViewSet, basename="unit")
router.register("households", HouseholdViewSet, basename="household")
router.register("title-types", TitleTypeViewSet, basename="titletype")
router.register("rule-sets", RuleSetViewSet, basename="ruleset")
router.register("dossiers", DossierViewSet, basename="dossier")
router.register("nominations", NominationViewSet, basename="nomination")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("postings", PostingViewSet, basename="posting")
router.register("comments", CommentViewSet, basename="comment")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("awards", AwardViewSet, basename="award")
router.register("audit-events", AuditEventViewSet, basename="auditevent")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    re_path(r"^[\s\S]*$", not_found, name="not_found"),
]
