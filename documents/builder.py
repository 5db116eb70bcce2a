"""Builds the .docx templates in titles/documents/ (manage.py build_document_templates).

The templates are data: each is a Word file in the official layout of an
administrative document (Decree 30/2020/NĐ-CP, appendix I: A4, Times New Roman,
the issuing body on the left, the national heading on the right, number, place
and date, title, body, signature block), with docxtpl placeholders where the
recorded facts go. Building them from this script keeps them reproducible and
reviewable; an office may still replace a file by its own version of the form.
The wording is the law's, in Vietnamese whatever the interface language.
"""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import registry

FONT = "Times New Roman"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
VERIFY_LINE = "Mã xác minh hồ sơ: {{ code }}. Kiểm tra bản in tại {{ verify_url }}"


def _document():
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    # Word takes the East-Asian font from its own attribute; without it Vietnamese
    # text may fall back to another face.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(3)
    return doc


def _para(container, text="", *, bold=False, italic=False, align=None, size=None, before=None):
    paragraph = container.add_paragraph()
    if align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "justify":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    elif align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return paragraph


def _cell_lines(cell, lines, *, left=False, size=None):
    """Fill a layout cell with lines, (text, bold, italic) each: centred, or left-aligned (Nơi nhận)."""
    cell.paragraphs[0].text = ""
    first = True
    for text, bold, italic in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        if text:
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)


def _widths(table, widths_mm):
    """Fixed column widths (Word reads the cells', LibreOffice the grid's: both are set)."""
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)


def _heading(doc, issuer_lines, number_line):
    """The issuing body (left) and the national heading with place and date (right)."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [62, 103])
    left, right = table.rows[0].cells
    # 12 pt: the national heading holds on one line in its column (Decree 30/2020 allows 12–13).
    _cell_lines(left, [*((line, True, False) for line in issuer_lines), ("———", False, False),
                       (number_line, False, False)], size=12)
    _cell_lines(right, [(NATION, True, False), (MOTTO, True, False), ("———", False, False),
                        ("{{ place_date }}", False, True)], size=12)


# Column widths (mm) of the subject tables, by the field each column prints; 165 mm of text width.
_COLUMN_MM = {"index": 13, "name": 38, "code": 24, "hamlet": 28, "votes_for": 18, "votes_against": 18,
              "result": 26, "kind": 20, "title": 34}
TABLE_PT = 11


def _grid(doc, headers, cells, loop="rows"):
    """A bordered table whose body row repeats for each item of `loop` (docxtpl {%tr %})."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    table.rows[1].cells[0].text = "{%tr for row in " + loop + " %}"
    for cell, tag in zip(table.rows[2].cells, cells):
        cell.text = ""
        cell.paragraphs[0].add_run("{{ row." + tag + " }}").font.size = Pt(TABLE_PT)
    table.rows[3].cells[0].text = "{%tr endfor %}"
    widths = [_COLUMN_MM[tag] for tag in cells]
    spare = 165 - sum(widths)
    widths[cells.index("name")] += spare  # the name takes what the other columns leave
    _widths(table, widths)
    return table


def _signatures(doc, left_lines, right_lines, *, recipients=False):
    """Recipients (Nơi nhận, left-aligned, smaller) or a second signer on the left; the signer on the right."""
    table = doc.add_table(rows=1, cols=2)
    _widths(table, [75, 90])
    left, right = table.rows[0].cells
    if recipients:
        _cell_lines(left, left_lines, left=True, size=11)
    else:
        _cell_lines(left, left_lines)
    _cell_lines(right, right_lines)


def _sign(role_lines, name_tag):
    return [*((line, True, False) for line in role_lines), ("(Ký, ghi rõ họ tên)", False, True),
            ("", False, False), ("", False, False), ("", False, False), (name_tag, True, False)]


def _verify(doc):
    _para(doc, VERIFY_LINE, italic=True, size=10, before=12)


def _form_line(doc, form):
    if form.form:
        _para(doc, f"{form.form} ({form.basis})", italic=True, size=11, align="right")


def _page_break(doc):
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# The runs every document of a kind shares; each builder below states only its own wording.

MINUTES_CLOSING = ("Cuộc họp kết thúc vào hồi ..... giờ ..... cùng ngày. Biên bản được lập thành 02 bản, "
                   "đã đọc lại cho các thành viên dự họp cùng nghe và nhất trí.")
POSTING_LINE = ("Niêm yết tại {{ posting_place }} từ ngày {{ posting_starts }} đến ngày {{ posting_ends }} "
                "({{ posting_days }} ngày) để Nhân dân góp ý.")
# The minutes a proposal or a decision rests on, then the posting if the rule set has one.
HOUSEHOLD_MEETING = "Căn cứ Biên bản họp bình xét ngày {{ held_on }} của {{ unit }}"
HAMLET_MEETING = "Căn cứ Biên bản họp ngày {{ held_on }} tại {{ unit }}"
PROPOSAL_POSTING = ("{% if posting_place %} và kết quả niêm yết công khai tại {{ posting_place }} từ ngày "
                    "{{ posting_starts }} đến ngày {{ posting_ends }}{% endif %};")
DECISION_POSTING = ("{% if posting_place %} và kết quả niêm yết công khai từ ngày {{ posting_starts }} đến ngày "
                    "{{ posting_ends }}{% endif %};")
DECISION_ANNEXED_TO = "Quyết định số {{ number }} ngày {{ signed_on }} của Chủ tịch Ủy ban nhân dân {{ issuer }}"
DECISION_RECIPIENTS = [("Nơi nhận:", True, True), ("- Như Điều 3;", False, False),
                       ("- Ủy ban Mặt trận Tổ quốc Việt Nam cùng cấp;", False, False), ("- Lưu: VT.", False, False)]
CHAIR_SIGNS = [("TM. ỦY BAN NHÂN DÂN", True, False), ("CHỦ TỊCH", True, False), ("", False, False),
               ("", False, False), ("", False, False), ("{{ signer }}", True, False)]


def _opening(form, issuer_lines, number_line, kind, subject):
    """A new document down to its title: form line, heading, the kind of document and what it is about."""
    doc = _document()
    _form_line(doc, form)
    _heading(doc, issuer_lines, number_line)
    _para(doc, kind, bold=True, align="center", size=14, before=12)
    _para(doc, subject, bold=True, align="center")
    return doc


def _annex(doc, subject, annexed_to, table, closing=None):
    """The list on its own page after the document it goes with, then the verification line."""
    _page_break(doc)
    _para(doc, "DANH SÁCH", bold=True, align="center", size=14)
    _para(doc, subject, bold=True, align="center")
    _para(doc, f"(Kèm theo {annexed_to})", italic=True, align="center")
    _grid(doc, *table)
    if closing:
        _para(doc, closing, italic=True, before=6)
    _verify(doc)


def _minutes(form, issuer_lines, subject, *, place, attendance, counts, table):
    doc = _opening(form, issuer_lines, "", "BIÊN BẢN", subject)
    for text in ["Thời gian: ngày {{ held_on }}.", f"Địa điểm: {place}.", "Chủ trì: {{ chair }}.", *attendance,
                 "Số người được mời: {{ invited }}; số người có mặt: {{ present }} ({{ present_pct }}%).",
                 "Hình thức biểu quyết: {{ method }}.", *counts]:
        _para(doc, text, align="justify")
    _grid(doc, *table)
    _para(doc, MINUTES_CLOSING, align="justify", before=6)
    _signatures(doc, _sign(["THƯ KÝ"], "{{ secretary }}"), _sign(["CHỦ TRÌ"], "{{ chair }}"))
    _verify(doc)
    return doc


def _posting_list(form, issuer_lines, subject, *, table, comments_to, signer):
    doc = _opening(form, issuer_lines, "", "DANH SÁCH NIÊM YẾT CÔNG KHAI", subject)
    _para(doc, POSTING_LINE, align="justify")
    _grid(doc, *table)
    _para(doc, f"Ý kiến góp ý xin gửi về {comments_to} trong thời gian niêm yết.", align="justify", before=6)
    _signatures(doc, [("", False, False)], signer)
    _verify(doc)
    return doc


def _proposal(form, rule_set, issuer_lines, subject, *, addressee, meeting, proposer, request, recipients,
              signer, annex_subject, table):
    doc = _opening(form, issuer_lines, "Số: ....../TTr", "TỜ TRÌNH", subject)
    _para(doc, f"Kính gửi: {addressee}.", align="center", before=6)
    _para(doc, f"Căn cứ {form.basis or rule_set.code};", align="justify")
    _para(doc, meeting + PROPOSAL_POSTING, align="justify")
    _para(doc, f"{proposer} kính trình {addressee} xem xét, công nhận danh hiệu {request}", align="justify")
    _para(doc, f"Kính trình {addressee} xem xét, quyết định./.", align="justify")
    _signatures(doc, recipients, signer, recipients=True)
    _annex(doc, annex_subject, f"Tờ trình của {proposer}", table)
    return doc


def _decision(form, rule_set, subject, *, meeting, proposed_by, article_1, article_3, annex_subject, table,
              closing):
    doc = _opening(form, ["ỦY BAN NHÂN DÂN", "{{ issuer_upper }}"], "Số: {{ number }}", "QUYẾT ĐỊNH", subject)
    _para(doc, "CHỦ TỊCH ỦY BAN NHÂN DÂN {{ issuer_upper }}", bold=True, align="center", before=6)
    for line in [*rule_set.decision_basis, meeting + DECISION_POSTING, proposed_by]:
        _para(doc, line, italic=True, align="justify")
    _para(doc, "QUYẾT ĐỊNH:", bold=True, align="center", before=6)
    for line in [f"Điều 1. {article_1}", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.", f"Điều 3. {article_3}"]:
        _para(doc, line, align="justify")
    _signatures(doc, DECISION_RECIPIENTS, CHAIR_SIGNS, recipients=True)
    _annex(doc, annex_subject, DECISION_ANNEXED_TO, table, closing)
    return doc


# ---------------------------------------------------------------- the household titles

HOUSEHOLD_ISSUER = ["{{ commune_upper }}", "{{ unit_upper }}"]
HOUSEHOLD_VOTES = (["STT", "Họ và tên chủ hộ", "Mã hộ", "Ấp, khu phố", "Đồng ý", "Không đồng ý"],
                   ["index", "name", "code", "hamlet", "votes_for", "votes_against"])
HEAD_SIGNS = _sign(["TRƯỞNG {{ unit_kind_upper }}"], "{{ head }}")


def minutes(form, rule_set):
    return _minutes(
        form, HOUSEHOLD_ISSUER, "Họp bình xét danh hiệu “{{ title }}” năm {{ year }}",
        place="{{ unit }}, {{ commune }}", attendance=[],
        counts=["Số hộ đăng ký: {{ registered_count }}; số hộ được đề nghị công nhận: {{ proposed_count }}; "
                "số hộ không được đề nghị: {{ not_proposed_count }}.", "Kết quả bình xét từng hộ như sau:"],
        table=([*HOUSEHOLD_VOTES[0], "Kết quả"], [*HOUSEHOLD_VOTES[1], "result"]))


def posting_list(form, rule_set):
    return _posting_list(
        form, HOUSEHOLD_ISSUER, "Hộ gia đình được đề nghị công nhận danh hiệu “{{ title }}” năm {{ year }}",
        table=HOUSEHOLD_VOTES, comments_to="Trưởng {{ unit }} hoặc Ban công tác Mặt trận {{ unit }}",
        signer=HEAD_SIGNS)


def proposal(form, rule_set):
    return _proposal(
        form, rule_set, HOUSEHOLD_ISSUER, "Về việc đề nghị công nhận danh hiệu “{{ title }}” năm {{ year }}",
        addressee="Ủy ban nhân dân {{ commune }}", meeting=HOUSEHOLD_MEETING, proposer="{{ unit }}",
        request="“{{ title }}” năm {{ year }} cho {{ proposed_count }} hộ gia đình (có danh sách kèm theo), "
                "trên tổng số {{ registered_count }} hộ đăng ký.",
        recipients=[("Nơi nhận:", True, True), ("- Như trên;", False, False), ("- Lưu.", False, False)],
        signer=HEAD_SIGNS,
        annex_subject="Hộ gia đình đề nghị công nhận danh hiệu “{{ title }}” năm {{ year }}", table=HOUSEHOLD_VOTES)


def decision(form, rule_set):
    return _decision(
        form, rule_set, "Về việc công nhận danh hiệu “{{ title }}” năm {{ year }}",
        meeting=HOUSEHOLD_MEETING, proposed_by="Theo đề nghị của {{ unit }} và kết quả thẩm định của {{ appraiser }}.",
        article_1="Công nhận danh hiệu “{{ title }}” năm {{ year }} cho {{ recognized_count }} hộ gia đình "
                  "thuộc {{ unit }} (có danh sách kèm theo).",
        article_3="Văn phòng Hội đồng nhân dân và Ủy ban nhân dân, công chức Văn hóa - Xã hội, Trưởng "
                  "{{ unit }} và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
        annex_subject="Hộ gia đình được công nhận danh hiệu “{{ title }}” năm {{ year }}",
        table=(["STT", "Họ và tên chủ hộ", "Mã hộ", "Ấp, khu phố", "Số phiếu đồng ý"],
               ["index", "name", "code", "hamlet", "votes_for"]),
        closing="Danh sách có {{ recognized_count }} hộ gia đình.")


def published_list(form, rule_set):
    doc = _opening(form, ["ỦY BAN NHÂN DÂN", "{{ issuer_upper }}"], "Số: ....../TB-UBND", "THÔNG BÁO",
                   "Công khai danh sách hộ gia đình được công nhận danh hiệu “{{ title }}” năm {{ year }}")
    _para(doc, "Thực hiện Quyết định số {{ number }} ngày {{ signed_on }} của Chủ tịch Ủy ban nhân dân "
               "{{ issuer }}, Ủy ban nhân dân {{ issuer }} thông báo công khai danh sách {{ recognized_count }} "
               "hộ gia đình thuộc {{ unit }} được công nhận danh hiệu “{{ title }}” năm {{ year }} như sau:",
          align="justify")
    _grid(doc, ["STT", "Họ và tên chủ hộ", "Ấp, khu phố"], ["index", "name", "hamlet"], loop="public_rows")
    _para(doc, "Danh sách được niêm yết tại trụ sở Ủy ban nhân dân, nhà văn hóa {{ unit }} và đăng trên trang "
               "thông tin điện tử tại {{ public_url }}.", align="justify", before=6)
    _signatures(doc, [("", False, False)], CHAIR_SIGNS)
    _verify(doc)
    return doc


# ---------------------------------------------------------------- the hamlet title (a commune lists its hamlets)
#
# The commune's documents list hamlets (name, kind, votes) instead of households; what the
# rule set words its own way (who issues, who attends, to whom it goes, who signs, who
# carries the decision out) is the form's "text" in the rule set's data.

HAMLET_TABLE = (["STT", "Tên ấp, khu phố", "Loại", "Đồng ý", "Không đồng ý"],
                ["index", "name", "kind", "votes_for", "votes_against"])


def _text(form, name, default=""):
    return form.text.get(name, default)


def _hamlet_issuer(form):
    return _text(form, "issuer", ["ỦY BAN NHÂN DÂN", "{{ unit_upper }}"])


def _hamlet_signer(form):
    return _sign(_text(form, "signer", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]), "")


def hamlet_minutes(form, rule_set):
    return _minutes(
        form, _hamlet_issuer(form), _text(form, "purpose", "Họp bình xét danh hiệu {{ title_names }} năm {{ year }}"),
        place="{{ unit }}", attendance=[f"Thành phần: {_text(form, 'participants', 'đại diện các ấp, khu phố.')}"],
        counts=["Số ấp, khu phố đăng ký: {{ registered_count }}; số ấp, khu phố được đề nghị công nhận: "
                "{{ proposed_count }}; số ấp, khu phố không được đề nghị: {{ not_proposed_count }}.",
                "Kết quả bình xét từng ấp, khu phố như sau:"],
        table=([*HAMLET_TABLE[0], "Kết quả"], [*HAMLET_TABLE[1], "result"]))


def hamlet_posting_list(form, rule_set):
    return _posting_list(
        form, _hamlet_issuer(form), "Ấp, khu phố được đề nghị công nhận danh hiệu {{ title_names }} năm {{ year }}",
        table=HAMLET_TABLE, comments_to=_text(form, "comments_to", "Ủy ban nhân dân {{ unit }}"),
        signer=_hamlet_signer(form))


def hamlet_proposal(form, rule_set):
    return _proposal(
        form, rule_set, _hamlet_issuer(form), "Về việc đề nghị công nhận danh hiệu {{ title_names }} năm {{ year }}",
        addressee=_text(form, "addressee", "Ủy ban nhân dân {{ issuer }}"), meeting=HAMLET_MEETING,
        proposer=_text(form, "proposer", "Ủy ban nhân dân {{ unit }}"),
        request="{{ title_names }} năm {{ year }} cho {{ proposed_count }} ấp, khu phố (có danh sách kèm theo), "
                "trên tổng số {{ registered_count }} ấp, khu phố đăng ký.",
        recipients=[("Nơi nhận:", True, True), ("- Như trên;", False, False), ("- Lưu: VT.", False, False)],
        signer=_hamlet_signer(form),
        annex_subject="Ấp, khu phố đề nghị công nhận danh hiệu {{ title_names }} năm {{ year }}", table=HAMLET_TABLE)


def hamlet_decision(form, rule_set):
    return _decision(
        form, rule_set, "Về việc công nhận danh hiệu {{ title_names }} năm {{ year }}",
        meeting=HAMLET_MEETING, proposed_by=_text(form, "proposed_by", "Theo đề nghị của Ủy ban nhân dân {{ unit }}."),
        article_1="Công nhận {{ recognized_count }} ấp, khu phố thuộc {{ unit }} đạt danh hiệu "
                  "{{ title_names }} năm {{ year }} (có danh sách kèm theo).",
        article_3=_text(form, "executors", "Trưởng các ấp, khu phố có tên tại Điều 1 chịu trách nhiệm "
                                           "thi hành Quyết định này./."),
        annex_subject="Ấp, khu phố được công nhận danh hiệu {{ title_names }} năm {{ year }}",
        table=(["STT", "Tên ấp, khu phố", "Loại", "Danh hiệu", "Số phiếu đồng ý"],
               ["index", "name", "kind", "title", "votes_for"]),
        closing="Danh sách có {{ recognized_count }} ấp, khu phố.")


# The layout of each document, by the subject kind of the rule set's title (registry.RuleSetDocuments).
BUILDERS = {
    "household": {"minutes": minutes, "posting_list": posting_list, "proposal": proposal, "decision": decision,
                  "published_list": published_list},
    "hamlet": {"minutes": hamlet_minutes, "posting_list": hamlet_posting_list, "proposal": hamlet_proposal,
               "decision": hamlet_decision},
}


def build(form, rule_set):
    """The template of `form` for `rule_set`, as a python-docx Document."""
    return BUILDERS[rule_set.subject_kind][form.kind](form, rule_set)


def build_all(codes=None):
    """Write every template the rule sets name (or those of the rule sets `codes`). Returns the paths written."""
    written = []
    for rule_set in registry.all_rule_sets().values():
        if codes and rule_set.code not in codes:
            continue
        for kind, form in rule_set.forms.items():
            form.template.parent.mkdir(parents=True, exist_ok=True)
            doc = build(form, rule_set)
            doc.core_properties.author = "thidua"
            doc.save(form.template)
            written.append(form.template)
    return written
