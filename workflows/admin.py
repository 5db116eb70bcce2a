"""Every workflow record, readable by the superuser and written only by the services (core.admin)."""

from django.contrib import admin

from core.admin import RecordAdmin

from .models import (
    AuditEvent, Case, ChainAnchor, ChainAnchorHead, Concern, CouncilMeeting, Decision, Dossier, Meeting, MinutesPage,
    Nomination, Posting, PostingComment, TallyDraft, ViewLog,
)

# Model -> (columns of its list, foreign keys to join for them).
LISTS = {
    Dossier: (["id", "title_type", "unit", "year", "state", "households_count", "recognized_count"],
              ["title_type", "unit"]),
    Nomination: (["id", "dossier", "household", "state", "votes_for", "votes_against"], ["household"]),
    Meeting: (["id", "dossier", "held_on", "invited", "present", "method"], []),
    MinutesPage: (["id", "meeting", "number", "file"], []),
    Posting: (["id", "dossier", "starts_on", "ends_on", "place"], []),
    PostingComment: (["id", "posting", "received_on", "author"], []),
    Decision: (["id", "number", "signed_on", "unit", "signer", "dossier"], ["unit"]),
    CouncilMeeting: (["id", "dossier", "held_on", "members", "present"], []),
    Concern: (["id", "case", "state", "raised_by", "raised_unit"], ["raised_by", "raised_unit"]),
    Case: (["id", "kind", "revision", "audit_seq", "created_at"], []),
    AuditEvent: (["id", "case", "seq", "at", "actor", "role", "action"], ["actor"]),
    ChainAnchor: (["id", "created_at", "hash"], []),
    ChainAnchorHead: (["id", "anchor", "case", "seq"], []),
    ViewLog: (["id", "at", "user", "role", "what"], ["user"]),
    TallyDraft: (["id", "dossier", "revision", "saved_by", "saved_at"], ["saved_by"]),
}

for model, (columns, joins) in LISTS.items():
    admin.site.register(model, type(f"{model.__name__}Admin", (RecordAdmin,), {
        "list_display": columns, "list_select_related": joins, "raw_id_fields": [],
    }))
