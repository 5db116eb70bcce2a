"""The whole annual Cultural Family cycle of the bench district(s), and its raw SQL twin."""

import datetime
import multiprocessing
import os
import random
import traceback
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from viewflow.workflow.models import Process, Task

from directory.models import Level, Role, Unit
from notifications.models import Delivery, Notification
from titles.models import Award, RuleSet
from workflows import services
from workflows.flows import DossierFlow
from workflows.models import AuditEvent, Case, Decision, Dossier, Meeting, Nomination, Posting, VotingMethod
from titles.calendar import add_days

from . import baselines as raw
from .scales import cycle_year
from .seeding import ensure_role, family_title, purge_dossiers

# The tables a cycle writes and its purge empties again.
SETTLED_MODELS = [Case, Dossier, Nomination, AuditEvent, Notification, Delivery, Award, Meeting, Posting, Decision,
                  Process, Task]

SELF_ASSESSMENT = "Gia đình chấp hành tốt chủ trương, pháp luật; đoàn kết, tương trợ; giữ gìn vệ sinh môi trường."


def d(month, day):
    return datetime.date(cycle_year(), month, day)


def send(head, dossier):
    """Post the list (when the rule set has that step) and submit it on the first allowed day."""
    dossier.refresh_from_db()
    if dossier.rule_set.has_step("posting"):
        posting = services.post_list(actor=head, dossier=dossier, starts_on=d(11, 3), place="Nhà văn hóa ấp")
        return services.submit_dossier(actor=head, dossier=dossier, submitted_on=posting.sendable_from)
    return services.submit_dossier(actor=head, dossier=dossier, submitted_on=d(11, 6))


def in_processes(work, groups):
    """Run work(group) for each group in its own forked process, all at once.

    The communes of a district act at the same time, each through its own web
    worker; one process per core is the closest the bench gets to that. Each child
    opens its own database connection (the parent's are closed before forking).
    """
    if len(groups) == 1:
        return work(groups[0])
    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_child, args=(work, group)) for group in groups]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [p.exitcode for p in processes if p.exitcode]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(processes)} cycle processes failed (exit codes {failed})")
    return None


def _child(work, group):
    try:
        work(group)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    finally:
        connections.close_all()
    os._exit(0)


@dataclass
class CyclePlan:
    scale: object
    communes: list = field(default_factory=list)   # [(commune, officer, chair, [(hamlet, head, [hh ids])])]
    households: int = 0
    workers: int = 1   # processes the communes are shared out to
    settled: str = ""  # what settle() did before the current run

    def _groups(self):
        workers = max(1, min(self.workers, len(self.communes)))
        return [self.communes[i::workers] for i in range(workers)]

    @classmethod
    def build(cls, scale, log):
        plan = cls(scale)
        districts = Unit.objects.filter(level=Level.DISTRICT, code__startswith=f"{scale.prefix}-D").order_by("code")
        for district in districts[: scale.cycle_districts]:
            for commune in Unit.objects.filter(parent=district).order_by("code"):
                officer = ensure_role(f"bench_{scale.name}_officer_{commune.code}", commune, Role.COMMUNE_OFFICER)
                chair = ensure_role(f"bench_{scale.name}_chair_{commune.code}", commune, Role.COMMUNE_CHAIR)
                hamlets = []
                for hamlet in Unit.objects.filter(parent=commune).order_by("code"):
                    head = ensure_role(f"bench_{scale.name}_head_{hamlet.code}", hamlet, Role.HAMLET_HEAD)
                    ids = list(hamlet.households.filter(active=True).values_list("pk", flat=True))
                    plan.households += len(ids)
                    hamlets.append((hamlet, head, ids))
                plan.communes.append((commune, officer, chair, hamlets))
        log(f"  cycle plan: {len(plan.communes)} communes, {plan.households} households")
        # A web worker loads its URLconf (~0.7 s of imports) before its first request;
        # so does the bench, before the clock starts and before forking.
        reverse("workflows:home")
        return plan

    def _units(self):
        return [h.pk for _c, _o, _ch, hamlets in self.communes for h, _hd, _ids in hamlets]

    def clean(self):
        purge_dossiers(Dossier.objects.filter(unit_id__in=self._units(), year=cycle_year()))

    def settle(self):
        """Remove the last run's year, then bring the database to the same state before every run.

        Each run writes and deletes ~500 MB of WAL. Without this, where the server's
        next checkpoint falls and how many dead rows the last purge left decided the
        figure (the same code measured 29.6 s and 55.6 s in two runs of one session):
        VACUUM reclaims what the purge left, as autovacuum would in production (this
        machine runs PostgreSQL with it off), and CHECKPOINT flushes the dirty pages
        now rather than during the clock. Engine and raw SQL get the same treatment.
        Returns what was done, for the results' note."""
        self.clean()
        if connection.vendor != "postgresql":
            return "clean"
        done = ["clean"]
        with connection.cursor() as cursor:
            for model in SETTLED_MODELS:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
            done.append("vacuum")
            try:
                cursor.execute("CHECKPOINT")
                done.append("checkpoint")
            except DatabaseError:  # needs superuser or pg_checkpoint (PostgreSQL 15+)
                pass
        self.settled = "+".join(done)

    # ------------------------------------------------------------ through the services

    def run_engine(self):
        in_processes(self._engine_communes, self._groups())
        return {"service_calls": sum(8 * len(hamlets) for _c, _o, _ch, hamlets in self.communes),
                "processes": len(self._groups()), "settled": self.settled}

    def _engine_communes(self, communes):
        title, year = family_title(), cycle_year()
        for commune, officer, chair, hamlets in communes:
            rng = random.Random(f"45000-{commune.code}")
            dossiers = []
            for hamlet, head, ids in hamlets:
                dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=year)
                services.register_households(actor=head, dossier=dossier, household_ids=ids,
                                             registered_on=d(3, 1))
                nominations = list(dossier.nominations.order_by("pk").values_list("pk", flat=True))
                services.record_self_assessments(actor=head, dossier=dossier, assessed_on=d(3, 5),
                                                 assessments={pk: SELF_ASSESSMENT for pk in nominations})
                votes = {pk: (rng.randint(26, 40), 0) if rng.random() > 0.05 else (10, 25) for pk in nominations}
                votes = {pk: (f, 40 - f if not a else a) for pk, (f, a) in votes.items()}
                services.record_meeting(actor=head, dossier=dossier, held_on=d(11, 2), invited=50, present=40,
                                        method=VotingMethod.SHOW_OF_HANDS, votes=votes)
                send(head, dossier)
                dossiers.append(dossier)
            for dossier in dossiers:
                proposed = list(dossier.nominations.filter(state="proposed").order_by("pk").values_list("pk", flat=True))
                strikes = {pk: "Chưa đạt tiêu chí vệ sinh môi trường" for pk in proposed if rng.random() < 0.01}
                services.appraise_dossier(actor=officer, dossier=dossier, strikes=strikes)
                services.decide(actor=chair, dossier=dossier, number=f"{dossier.unit.code}/QĐ-UBND",
                                signed_on=d(11, 20), signer="Chủ tịch UBND xã")

    # ------------------------------------------------------------ the same writes in raw SQL

    def run_raw(self):
        in_processes(self._raw_communes, self._groups())
        return {"processes": len(self._groups()), "settled": self.settled}

    def _raw_communes(self, communes):
        title, year = family_title(), cycle_year()
        rule_set = RuleSet.objects.in_force_for(title, year)
        unit_ct = ContentType.objects.get_for_model(Unit).pk
        for commune, officer, chair, hamlets in communes:
            rng = random.Random(f"45000-{commune.code}")
            opened = []
            for hamlet, head, ids in hamlets:
                opened.append(self._raw_hamlet(title, rule_set, commune, hamlet, head, ids, rng, unit_ct))
            for dossier_id, process_id in opened:
                self._raw_appraise(officer, commune, dossier_id, process_id, rng, unit_ct)
                dossier = Dossier.objects.get(pk=dossier_id)
                raw.raw_decide(actor=chair, dossier=dossier, number=f"{dossier_id}/QĐ-UBND-RAW",
                               signed_on=d(11, 20), signer="Chủ tịch UBND xã",
                               recipients=raw._recipients(dossier.unit_id, "view_unit_dossiers"))

    def _raw_hamlet(self, title, rule_set, commune, hamlet, head, ids, rng, unit_ct):
        now = raw._dt(timezone.now())
        with transaction.atomic(), connection.cursor() as c:
            raw.insert_rows(c, Process._meta.db_table,
                            *raw.model_rows(Process, [{"flow_class": DossierFlow, "status": "NEW"}]))
            c.execute(f"SELECT max(id) FROM {Process._meta.db_table}")
            process_id = c.fetchone()[0]
            # The case first (it owns the chain and the revision), then the dossier pointing at it.
            c.execute(f"INSERT INTO {raw.T_CASE} (kind, revision, audit_seq, audit_head, created_at) "
                      f"VALUES (%s, 0, 0, %s, %s) RETURNING id", ["dossier", "0" * 64, now])
            case_id = c.fetchone()[0]
            raw.insert_rows(c, raw.T_DOSSIER, [
                "title_type_id", "rule_set_id", "unit_id", "unit_path", "appraising_unit_id", "deciding_unit_id",
                "year", "state", "process_id", "case_id", "created_at", "return_reason"],
                [(title.pk, rule_set.pk, hamlet.pk, hamlet.path, commune.pk, commune.pk, cycle_year(), "open",
                  process_id, case_id, now, "")])
            c.execute(f"SELECT id FROM {raw.T_DOSSIER} WHERE process_id = %s", [process_id])
            dossier_id = c.fetchone()[0]
            raw.raw_complete_task(c, process_id, (DossierFlow.hamlet_review, "directory.prepare_dossier",
                                                  str(hamlet.pk), unit_ct))
            chain = raw.RawChain(c, dossier_id, actor=head, role="hamlet_head", unit_id=hamlet.pk)
            chain.add("open_round", "dossier", dossier_id, "", "open", rule_set=rule_set.code)
            chain.flush()
        with transaction.atomic(), connection.cursor() as c:
            chain = raw.RawChain(c, dossier_id, actor=head, role="hamlet_head", unit_id=hamlet.pk)
            raw.insert_rows(c, raw.T_NOM, ["dossier_id", "title_type_id", "year", "household_id", "state",
                                           "registered_on", "self_assessment", "exclusion", "reason", "streak"],
                            [(dossier_id, title.pk, cycle_year(), pk, "registered", d(3, 1), "", "", "", "{}")
                             for pk in ids])
            c.execute(f"SELECT id, household_id FROM {raw.T_NOM} WHERE dossier_id = %s", [dossier_id])
            nominations = c.fetchall()
            for pk, hh in nominations:
                chain.add("register", "nomination", pk, "", "registered", household=str(hh), registered_on=d(3, 1))
            chain.flush()
            raw.raw_notify(c, chain, raw._recipients(hamlet.pk, "view_unit_dossiers"), "registered")
            c.execute(f"SELECT id, phone, head_name FROM {raw.T_HH} WHERE id IN (SELECT household_id FROM "
                      f"{raw.T_NOM} WHERE dossier_id = %s)", [dossier_id])
            raw.raw_notify_households(c, chain, "registered", [
                (hh, phone, f"The household of {name} is registered.") for hh, phone, name in c.fetchall()])
        with transaction.atomic(), connection.cursor() as c:
            chain = raw.RawChain(c, dossier_id, actor=head, role="hamlet_head", unit_id=hamlet.pk)
            raw.update_from_values(c, raw.T_NOM, ["self_assessment", "self_assessed_on"],
                                   [(pk, SELF_ASSESSMENT, d(3, 5)) for pk, _hh in nominations])
            for pk, _hh in nominations:
                chain.add("self_assessment", "nomination", pk, assessed_on=d(3, 5), text=SELF_ASSESSMENT)
            chain.flush()
        votes = {pk: (rng.randint(26, 40), 0) if rng.random() > 0.05 else (10, 25) for pk, _hh in nominations}
        votes = {pk: (f, 40 - f if not a else a) for pk, (f, a) in votes.items()}
        raw.raw_meeting(actor=head, dossier_id=dossier_id, unit_id=hamlet.pk, held_on=d(11, 2), invited=50,
                        present=40, votes=votes, submission_due=None)
        ends = add_days(d(11, 3), 10, "calendar")
        with transaction.atomic(), connection.cursor() as c:
            chain = raw.RawChain(c, dossier_id, actor=head, role="hamlet_head", unit_id=hamlet.pk)
            raw.insert_rows(c, "workflows_posting", ["dossier_id", "starts_on", "ends_on", "place",
                                                     "recorded_by_id", "recorded_at"],
                            [(dossier_id, d(11, 3), ends, "Nhà văn hóa ấp", head.pk, raw._dt(timezone.now()))])
            chain.add("post_list", "dossier", dossier_id, "reviewed", "posting", starts_on=d(11, 3), ends_on=ends)
            chain.flush("state = %s", ["posting"])
        with transaction.atomic(), connection.cursor() as c:
            chain = raw.RawChain(c, dossier_id, actor=head, role="hamlet_head", unit_id=hamlet.pk)
            chain.add("submit", "dossier", dossier_id, "posting", "submitted", submitted_on=ends)
            chain.flush("state = %s, submitted_on = %s, decision_due = %s",
                        ["submitted", ends, add_days(ends, 10, "calendar")])
            raw.raw_complete_task(c, process_id, (DossierFlow.appraisal, "directory.appraise_dossier",
                                                  str(commune.pk), unit_ct))
            raw.raw_notify(c, chain, raw._recipients(commune.pk, "appraise_dossier"), "submitted")
        return dossier_id, process_id

    def _raw_appraise(self, officer, commune, dossier_id, process_id, rng, unit_ct):
        with transaction.atomic(), connection.cursor() as c:
            chain = raw.RawChain(c, dossier_id, actor=officer, role="commune_officer", unit_id=commune.pk)
            proposed = list(Nomination.objects.filter(dossier_id=dossier_id, state="proposed")
                            .values_list("pk", flat=True))
            rows = []
            for pk in proposed:
                struck = rng.random() < 0.01
                reason = "Chưa đạt tiêu chí vệ sinh môi trường" if struck else ""
                rows.append((pk, "struck" if struck else "accepted", reason))
                chain.add("appraise", "nomination", pk, "proposed", rows[-1][1], reason=reason)
            raw.update_from_values(c, raw.T_NOM, ["state", "reason"], rows)
            chain.add("accept", "dossier", dossier_id, "submitted", "appraised")
            chain.flush("state = %s", ["appraised"])
            raw.raw_complete_task(c, process_id, (DossierFlow.decision, "directory.decide_title",
                                                  str(commune.pk), unit_ct))
            raw.raw_notify(c, chain, raw._recipients(commune.pk, "decide_title"), "appraised")
