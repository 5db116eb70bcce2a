"""Demo accounts: one or more per role, all with the same known password.

Current-era memberships start on 2025-07-01 on the merged units. The people who
acted in 2021 also held roles on the old units (`former`); those memberships
are granted, used by the 2021 stories, then ended on 2025-06-30 (see
rounds.former_roles). The officers of the former communes that left no current
role (FORMER_ACCOUNTS) have only those.
District accounts stay active on the historical district: permission checks
read today's memberships, and someone must still be able to read the former
district's 2021 dossiers (in practice, its archive and the Front's auditors).
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from directory.models import Membership, Role
from directory.services import grant_membership

from .geography import DISTRICT_CODE, NEW_FROM, OLD_FROM, PROVINCE_CODE, new_commune_code, old_commune_code

DEMO_PASSWORD = "thidua@demo"

NEW_DAUGIAY = new_commune_code("DAUGIAY")
OLD_DAUGIAY = old_commune_code("DAUGIAY")
OFFICER = Role.COMMUNE_OFFICER


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    role: str = ""
    unit: str = ""  # the unit code of the current membership, unless `stage` names it
    stage: str = ""  # the current-year Cultural Family stage whose hamlet this account holds its role in
    since: object = NEW_FROM
    former: tuple = field(default=())  # ((unit code, role), ...) held 2019-07-01 .. 2025-06-30
    hint: object = ""


# Hamlet heads: one per hamlet that holds a current-year dossier, so every stage
# has someone who can move it on. The hamlet is found through `stage`.
ACCOUNTS = (
    Account("truongap.trancaovan", "Nguyễn Văn Thắng", Role.HAMLET_HEAD, stage="open",
            former=(("TN19-DAUGIAY-02", Role.HAMLET_HEAD),),
            hint=_("register the remaining households, then record the review meeting of dossier %(open)s")),
    Account("truongbanmt.trancaovan", "Trần Thị Hồng Nhung", Role.HAMLET_FRONT_HEAD, stage="open",
            hint=_("record self-assessments and the meeting tally of dossier %(open)s")),
    Account("truongap.lapthanh", "Phạm Văn Lộc", Role.HAMLET_HEAD, stage="reviewed",
            former=(("TN19-DAUGIAY-01", Role.HAMLET_HEAD),),
            hint=_("post the proposed list of dossier %(reviewed)s publicly")),
    Account("truongap.tranhungdao", "Lê Quang Vinh", Role.HAMLET_HEAD, stage="posting",
            former=(("TN19-DAUGIAY-03", Role.HAMLET_HEAD),),
            hint=_("record a resident's comment on dossier %(posting)s; send it once the posting ends "
                   "(%(posting_ends)s)")),
    Account("truongap.phanboichau", "Đỗ Thị Thu Hà", Role.HAMLET_HEAD, stage="submitted",
            hint=_("follow dossier %(submitted)s, waiting for the commune's appraisal")),
    Account("truongap.hungnhon", "Vũ Đức Thịnh", Role.HAMLET_HEAD, stage="returned",
            hint=_("read why dossier %(returned)s was returned, correct it and send it again")),
    Account("truongap.ngoquyen", "Hoàng Văn Sơn", Role.HAMLET_HEAD, stage="appraised",
            hint=_("see which households the commune struck in dossier %(appraised)s")),
    Account("truongap.lacson", "Bùi Thị Mai", Role.HAMLET_HEAD, stage="decided",
            hint=_("see the decision and the recognized households of dossier %(decided)s")),
    Account("canbo.daugiay", "Đặng Thị Thanh Hương", Role.COMMUNE_OFFICER, unit=NEW_DAUGIAY,
            former=((OLD_DAUGIAY, Role.COMMUNE_OFFICER),),
            hint=_("appraise dossier %(submitted)s: accept it, strike a household or return it; record the "
                   "commune meeting of hamlets of dossier %(h_registered)s")),
    Account("chutich.daugiay", "Nguyễn Hữu Phước", Role.COMMUNE_CHAIR, unit=NEW_DAUGIAY,
            former=((OLD_DAUGIAY, Role.COMMUNE_CHAIR),),
            hint=_("sign the recognition decision of dossier %(appraised)s")),
    Account("mttq.daugiay", "Phan Thị Kim Loan", Role.COMMUNE_FRONT_CHAIR, unit=NEW_DAUGIAY,
            hint=_("supervise: read the full history of dossier %(decided)s")),
    # The cultural hamlet title: one commune per current-year stage (hamlets.STAGE_COMMUNES).
    Account("canbo.xathongnhat", "Lâm Thị Bích Ngọc", OFFICER, unit=new_commune_code("THONGNHAT"),
            former=((old_commune_code("GIATAN1"), OFFICER),),
            hint=_("register the commune's hamlets in dossier %(h_open)s and record their self-assessments")),
    Account("canbo.giakiem", "Trịnh Văn Khoa", OFFICER, unit=new_commune_code("GIAKIEM"),
            former=((old_commune_code("GIAKIEM"), OFFICER),),
            hint=_("post the proposed list of hamlets of dossier %(h_reviewed)s publicly")),
    Account("canbo.trangbom", "Cao Thị Diễm", OFFICER, unit=new_commune_code("TRANGBOM"),
            hint=_("record a resident's comment on the hamlets of dossier %(h_posting)s; send it once the "
                   "posting ends (%(h_posting_ends)s)")),
    Account("canbo.binhminh", "Mai Xuân Trường", OFFICER, unit=new_commune_code("BINHMINH"),
            hint=_("appraise dossier %(h_submitted)s: accept it, strike a hamlet or return it")),
    Account("canbo.hungthinh", "Lý Thị Thu Trang", OFFICER, unit=new_commune_code("HUNGTHINH"),
            hint=_("read why dossier %(h_returned)s was returned, correct it and send it again")),
    Account("canbo.anvien", "Nguyễn Thành Đạt", OFFICER, unit=new_commune_code("ANVIEN"),
            hint=_("see which hamlet was struck at the appraisal of dossier %(h_appraised)s")),
    Account("chutich.anvien", "Võ Minh Quang", Role.COMMUNE_CHAIR, unit=new_commune_code("ANVIEN"),
            hint=_("sign the recognition decision of the hamlets of dossier %(h_appraised)s")),
    Account("canbo.xuanloc", "Đinh Thị Hạnh", OFFICER, unit=new_commune_code("XUANLOC"),
            hint=_("see the recognized hamlets of dossier %(h_decided)s and their certificates")),
    Account("chutich.xuanloc", "Phùng Văn Hiếu", Role.COMMUNE_CHAIR, unit=new_commune_code("XUANLOC"),
            hint=_("read the decision recognizing the hamlets of dossier %(h_decided)s")),
    Account("giamsat.dongnai", "Lương Văn Minh", Role.SUPERVISOR, unit=PROVINCE_CODE,
            hint=_("compare the 2021 dossier %(y2021)s with this year's %(decided)s")),
    Account("mttq.dongnai", "Nguyễn Thị Thanh Xuân", Role.PROVINCE_FRONT_BOARD, unit=PROVINCE_CODE,
            hint=_("the Front's evaluation: see the communes' roll-up and inspect a commune (/evaluations/)")),
    Account("thiduakt.dongnai", "Tạ Quang Vinh", Role.PROVINCE_OFFICE, unit=PROVINCE_CODE,
            hint=_("give and end roles in the communes and hamlets: People and roles (/people/)")),
    Account("phongvh.thongnhat", "Huỳnh Thị Ngọc Ánh", Role.DISTRICT_OFFICE, unit=DISTRICT_CODE, since=OLD_FROM,
            hint=_("read the 2021 dossiers of the former district, e.g. %(y2021)s, and the hamlet title "
                   "dossiers it appraised, e.g. %(h2021)s")),
    Account("chutich.thongnhat", "Trần Minh Tuấn", Role.DISTRICT_CHAIR, unit=DISTRICT_CODE, since=OLD_FROM,
            hint=_("read the 2021 decisions recognizing the district's cultural hamlets, e.g. %(h2021)s")),
    Account("mttq.thongnhat", "Dương Văn Hải", Role.DISTRICT_FRONT_BOARD, unit=DISTRICT_CODE, since=OLD_FROM,
            hint=_("audit the 2021 review of dossier %(y2021)s")),
)

# Officers of the 2019-2025 communes who prepared the 2021 hamlet title rounds and hold no role
# since: their memberships ended with their communes (the other communes' officers are above).
FORMER_ACCOUNTS = tuple(
    Account(f"canbo.{slug.lower()}", name, former=((old_commune_code(slug), OFFICER),))
    for slug, name in (
        ("BAUHAM2", "Tô Văn Nghĩa"), ("GIATAN2", "Hà Thị Lệ"), ("GIATAN3", "Kiều Văn Bảo"),
        ("HUNGLOC", "Chu Thị Yến"), ("LO25", "Ninh Văn Phúc"), ("QUANGTRUNG", "Âu Thị Hoa"),
        ("XUANTHIEN", "Giang Văn Tài"),
    )
)

ADMIN = Account("admin", "Quản trị hệ thống", hint=_("the Django admin at /admin/"))


def by_username(username):
    return next(a for a in ACCOUNTS if a.username == username)


def unit_code_of(account, stage_hamlets):
    return stage_hamlets[account.stage] if account.stage else account.unit


def ensure_accounts(units, stage_hamlets):
    """Create missing users and their current memberships; return users by username.

    The password is hashed once and the hash shared: hashing it per account
    would cost most of the seed's time, and these are demo accounts.
    """
    User = get_user_model()
    wanted = (*ACCOUNTS, *FORMER_ACCOUNTS, ADMIN)
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in wanted])}
    password = None
    for account in wanted:
        if account.username in users:
            continue
        password = password or make_password(DEMO_PASSWORD)
        is_admin = account is ADMIN
        users[account.username] = User.objects.create(
            username=account.username, first_name=account.full_name, password=password,
            is_staff=is_admin, is_superuser=is_admin,
        )
    held = set(Membership.objects.filter(user__in=users.values()).values_list("user__username", "unit__code", "role"))
    for account in ACCOUNTS:
        code = unit_code_of(account, stage_hamlets)
        if (account.username, code, account.role) not in held:
            grant_membership(user=users[account.username], unit=units[code], role=account.role,
                             since=account.since)
    return users
