"""The office's measurements (issue 19): a household list imported from Excel (a hamlet's, and a district's
45,000 rows with a Hamlet column), and the dashboard."""

import io
import random
import re
import zipfile

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from directory import services as directory_services
from directory import spreadsheets

from directory.models import Household, Level, Role, Unit, UnitKind

from . import rollup_sql
from .baselines import insert_rows, update_from_values
from .harness import Measurement, Variant
from .scales import history_years
from .seeding import GIVEN, MIDDLE, STREETS, SURNAMES, _bulk_units, _unit, ensure_role, family_title, lab_units

HOUSEHOLD_COLUMNS = ("code", "head_name", "address", "members", "phone")
DISTRICT_COLUMNS = ("hamlet", *HOUSEHOLD_COLUMNS, "active")


def _sheet(rows, columns=HOUSEHOLD_COLUMNS):
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([str(spreadsheets.COLUMNS[key]) for key in columns])
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
        plan = plan.rows
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


_INLINE_CELL = re.compile(rb'<c r="([A-Z]+\d+)" t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
                          re.S)
_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _as_excel_saves_it(content):
    """The workbook as Excel or LibreOffice save it: its strings in the shared-strings table and the sheet's
    dimension at the top. openpyxl writes each string inline and, write-only, no dimension, which makes its
    own reader parse the sheet twice: the same 45,000 rows read in about 1.8 times as long."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                strings, index = [], {}

                def shared(match):
                    if match.group(2) not in index:
                        index[match.group(2)] = len(strings)
                        strings.append(match.group(2))
                    return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), index[match.group(2)])

                data = _INLINE_CELL.sub(shared, data)
                last_row = data[data.rfind(b"<row "):]
                corner = re.findall(rb'<c r="([A-Z]+\d+)"', last_row)[-1]
                data = data.replace(b"<sheetViews>", b'<dimension ref="A1:%s"/><sheetViews>' % corner, 1)
                target.writestr("xl/sharedStrings.xml", b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
                    _MAIN, len(strings), len(strings), b"".join(b"<si><t>%s</t></si>" % text for text in strings)))
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            target.writestr(info, data)
    return out.getvalue()


def _new_district(scale, ctx, log):
    """A district of the scale's shape with no households yet, its communes' officer (one account holding the
    officer's role in each commune, so the whole district is theirs to import), and its list as a .xlsx of
    one row per household with the Hamlet column: what a district sends when it first joins."""
    if "new_district" in ctx:
        return ctx["new_district"]
    p = scale.prefix
    province = Unit.objects.get(code=p)
    district = _unit(f"{p}-LAB-DI", "Huyện nhập danh sách", Level.DISTRICT, UnitKind.HUYEN, province)
    communes = _bulk_units(district, [(f"{p}-LAB-DI-C{c:02d}", f"Xã nhập {c}", Level.COMMUNE, UnitKind.XA)
                                      for c in range(1, scale.communes + 1)])
    hamlets = []
    for commune in communes:
        hamlets += _bulk_units(commune, [(f"{commune.code}-H{h:02d}", f"Ấp {h} ({commune.name})", Level.HAMLET,
                                          UnitKind.AP) for h in range(1, scale.hamlets + 1)])
    officer = None
    for commune in communes:
        officer = ensure_role(f"bench_{scale.name}_officer_district_import", commune, Role.COMMUNE_OFFICER)
    rng = random.Random(45000)
    rows = []
    for hamlet in hamlets:
        for i in range(scale.households):
            rows.append((hamlet.code, f"{hamlet.code}-{i + 1:04d}",
                         f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                         f"Tổ {i // 40 + 1}, {rng.choice(STREETS)}", rng.choice([2, 3, 4, 4, 5, 5, 6, 7]),
                         f"09{rng.randrange(10**8):08d}", ""))
    content = _as_excel_saves_it(_sheet(rows, DISTRICT_COLUMNS))
    log(f"  district import: {len(rows)} rows over {len(hamlets)} hamlets of {len(communes)} communes, "
        f"{len(content) // 1024} KiB of .xlsx")
    ctx["new_district"] = {"officer": officer, "rows": rows, "content": content,
                           "hamlet_ids": {h.code: h.pk for h in hamlets}}
    return ctx["new_district"]


def _raw_insert(data):
    """The baseline: the file's households written with COPY (PostgreSQL; multi-row INSERT elsewhere), from rows
    already in memory: no workbook, no check, no change record."""
    columns = ["hamlet_id", *HOUSEHOLD_COLUMNS, "active"]
    with connection.cursor() as cursor:
        insert_rows(cursor, Household._meta.db_table, columns,
                    [(data["hamlet_ids"][hamlet], code, name, address, members, phone, True)
                     for hamlet, code, name, address, members, phone, _active in data["rows"]])


def district_import_dry_run(scale, ctx, log):
    """What the officer waits for after choosing a district's first list: the upload page's whole dry run
    (multipart upload, read the 45,000-row workbook, plan every row, keep the file for the confirmation, render
    the hamlet-by-hamlet table); nothing written but the waiting file, deleted after each run."""
    data = _new_district(scale, ctx, log)
    size = len(data["rows"])
    client = Client()
    client.force_login(data["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the figures are read back from the English page
    url = reverse("directory:household_import")

    def engine(_):
        upload = io.BytesIO(data["content"])
        upload.name = "huyen.xlsx"
        response = client.post(url, {"hamlet": "", "sheet": upload})
        page = response.content.decode()
        counts = re.search(r"(\d+) to add, .* (\d+) refused\.", page)
        token = re.search(r'name="token" value="([0-9a-f]+)"', page)
        if response.status_code != 200 or counts is None or token is None:
            raise RuntimeError("the dry run did not answer with a plan to confirm")
        default_storage.delete(f"household-imports/{token.group(1)}.xlsx")
        return {"dry_run_added": int(counts.group(1)), "dry_run_refused": int(counts.group(2)),
                "page_bytes": len(response.content)}

    return Measurement(
        name="district_import_dry_run", title=f"dry run of a district's {size}-row household file (upload page)",
        size=size, engine=Variant("engine", engine), baselines=[Variant("raw_copy", lambda _: _raw_insert(data))],
        target="queries bounded (a few per 5,000 rows); peak memory <= 1 GiB",
        note="engine = POST of the .xlsx to the import page: parse + plan every row (Hamlet column matched among "
             "the officer's hamlets) + page; baseline = COPY of the same households from memory, no parsing or "
             "checks",
    )


def district_import(scale, ctx, log):
    """What the worker does with the confirmed file: read it again, re-check every row, write 45,000 households
    and 45,000 dated change records (each run rolled back)."""
    data = _new_district(scale, ctx, log)
    size = len(data["rows"])

    def engine(_):
        parsed = spreadsheets.read_household_rows(io.BytesIO(data["content"]), max_rows=size)
        result = directory_services.import_households(actor=data["officer"], rows=parsed, source="huyen.xlsx")
        return {"added": result["added"]}

    return Measurement(
        name="district_import", title=f"apply a district's {size}-row household file (read, re-check, write)",
        size=size, engine=Variant("engine", engine), baselines=[Variant("raw_copy", lambda _: _raw_insert(data))],
        target="queries bounded (a few per 2,000-row batch); peak memory <= 1 GiB",
        note="engine = parse + re-check + bulk insert of households and one HouseholdChange each; baseline = "
             "COPY of the same households from memory, no parsing, checks or change records",
    )


def district_reimport(scale, ctx, log):
    """The seeded district's 45,000 households sent again a year later: 5 % changed (members), 1 % moved to the
    next hamlet of their commune, 0.5 % deactivated, the rest as they are. Engine: read, plan, apply.
    Baseline: the same updates written raw (COPY into a temporary table and one UPDATE ... FROM)."""
    p = scale.prefix
    district = Unit.objects.get(code=f"{p}-D01")
    communes = list(Unit.objects.filter(parent=district).order_by("code"))
    officer = None
    for commune in communes:
        officer = ensure_role(f"bench_{scale.name}_officer_district_reimport", commune, Role.COMMUNE_OFFICER)
    hamlets = list(Unit.objects.filter(parent__in=communes).order_by("code"))
    by_commune = {}
    for hamlet in hamlets:
        by_commune.setdefault(hamlet.parent_id, []).append(hamlet)
    next_hamlet = {}
    for siblings in by_commune.values():
        for i, hamlet in enumerate(siblings):
            next_hamlet[hamlet.pk] = siblings[(i + 1) % len(siblings)]
    code_of = {h.pk: h.code for h in hamlets}
    rng = random.Random(2026)
    rows, updates = [], []
    for pk, hamlet_id, code, name, address, members, phone, active in (
            Household.objects.filter(hamlet__in=hamlets).order_by("hamlet_id", "code")
            .values_list("pk", "hamlet_id", "code", "head_name", "address", "members", "phone", "active")):
        draw = rng.random()
        target, state = hamlet_id, ""
        if draw < 0.05:
            members = members % 7 + 1
            updates.append((pk, members, hamlet_id, active))
        elif draw < 0.06 and len(by_commune[next_hamlet[hamlet_id].parent_id]) > 1:
            target = next_hamlet[hamlet_id].pk
            updates.append((pk, members, target, active))
        elif draw < 0.065 and active:
            state = "no"
            updates.append((pk, members, hamlet_id, False))
        rows.append((code_of[target], code, name, address, members, phone, state))
    content = _as_excel_saves_it(_sheet(rows, DISTRICT_COLUMNS))
    log(f"  district re-import: {len(rows)} rows, {len(updates)} to write, {len(content) // 1024} KiB of .xlsx")

    def engine(_):
        parsed = spreadsheets.read_household_rows(io.BytesIO(content), max_rows=len(rows))
        result = directory_services.import_households(actor=officer, rows=parsed, source="huyen-2.xlsx")
        return {"written": len(rows) - result["unchanged"]}

    def raw(_):
        with connection.cursor() as cursor:
            update_from_values(cursor, Household._meta.db_table, ["members", "hamlet_id", "active"], updates)

    return Measurement(
        name="district_reimport", title=f"re-import a district's {len(rows)} households ({len(updates)} changed)",
        size=len(rows), engine=Variant("engine", engine), baselines=[Variant("raw_update", raw)],
        target="queries bounded (a few per 2,000-row batch); peak memory <= 1 GiB",
        note="engine = parse + re-check every row + write the changed ones with a HouseholdChange each; baseline = "
             "the same updates by COPY and one UPDATE ... FROM, nothing read or checked",
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
