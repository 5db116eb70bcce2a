"""The office's measurements (issue 19): a household list imported from Excel, and the dashboard."""

import io

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from directory import services as directory_services
from directory import spreadsheets
from directory.models import Household, Level, Role, Unit, UnitKind

from . import rollup_sql
from .harness import Measurement, Variant
from .scales import history_years
from .seeding import _unit, ensure_role, family_title, lab_units


def _sheet(rows):
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([str(heading) for heading in spreadsheets.COLUMNS.values()])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def household_import(scale, ctx, log):
    """A new hamlet's list of `decision_size` households, from the .xlsx bytes to the rows written: read,
    dry run, apply (each run rolled back). Baseline: the same rows by one bulk insert, nothing checked."""
    lab = ctx.setdefault("lab", lab_units(scale))
    hamlet = _unit(f"{scale.prefix}-LAB-IMP", "Ấp nhập danh sách", Level.HAMLET, UnitKind.AP, lab["commune"])
    head = ensure_role(f"bench_{scale.name}_head_import", hamlet, Role.HAMLET_HEAD)
    size = scale.decision_size
    rows = [(f"{scale.prefix}-IMP-{i:06d}", f"Nguyễn Văn {i}", f"Tổ {i % 40 + 1}", 1 + i % 7, f"09{i:08d}")
            for i in range(size)]
    content = _sheet(rows)
    log(f"  household import: {size} rows, {len(content) // 1024} KiB of .xlsx")

    def engine(_):
        parsed = spreadsheets.read_household_rows(io.BytesIO(content), max_rows=size)
        plan = directory_services.plan_household_import(actor=head, hamlet=hamlet, rows=parsed)
        result = directory_services.import_households(actor=head, hamlet=hamlet, rows=parsed, source="bench.xlsx")
        return {"added": result["added"], "dry_run_refused": sum(row.outcome == "refused" for row in plan)}

    def bulk_insert(_):
        Household.objects.bulk_create([
            Household(hamlet=hamlet, code=code, head_name=name, address=address, members=members, phone=phone)
            for code, name, address, members, phone in rows], batch_size=2000)

    return Measurement(
        name="household_import", title=f"import {size} households from .xlsx (read, dry run, apply)", size=size,
        engine=Variant("engine", engine), baselines=[Variant("bulk_insert", bulk_insert)],
        target="queries bounded per 2,000-row batch; peak memory <= 1 GiB",
        note="engine = parse the workbook + dry run + re-check and apply with change records; baseline = one "
             "bulk insert of the same rows without parsing or checks",
    )


def dashboard(scale, ctx, log):
    """GET /dashboard/ for the whole bench province, as its superuser would read it, beside the raw-SQL roll-up."""
    province = Unit.objects.get(code=scale.prefix)
    title, year = family_title(), history_years(scale)[-1]
    viewer, _ = get_user_model().objects.get_or_create(username=f"bench_{scale.name}_dashboard",
                                                       defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(viewer)
    url = reverse("figures:dashboard")
    params = {"unit": province.pk, "title_type": title.pk, "year": year}
    if client.get(url, params).status_code != 200:
        raise RuntimeError("the dashboard did not answer 200")

    def engine(_):
        return {"bytes": len(client.get(url, params).content)}

    def raw(_):
        rollup_sql.rates(province.path, year, title.pk)

    return Measurement(
        name="dashboard", title=f"GET figures:dashboard for the bench province, {year}", size=0,
        engine=Variant("engine", engine, rollback=False), baselines=[Variant("raw_sql_rollup", raw, rollback=False)],
        target="median <= 150 ms (province)",
        check=(lambda r: r["engine"]["median_s"] <= 0.150) if scale.name == "province" else None,
        note="engine = the whole page (rates, rounds by stage, six years, render) through the Django test client",
    )
