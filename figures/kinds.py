"""What the dashboard reads and says for a title, after the title's subject kind (titles.subjects): the
Cultural Family counts the households of hamlets, the cultural hamlet the hamlets of communes.

Each kind names its functions of figures.selectors and the tables its figures make, with headings that
name the subject; the page and the Excel export render those tables without knowing the kind, so adding
a kind of subject to the dashboard is a class here."""

from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, Callable

from django.utils.translation import gettext as _

from titles.subjects import HamletSubject, HouseholdSubject, subject_kind_of

from . import selectors


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Any], Any]
    width: int = 12
    # The page leaves out what its heading already says (the commune of a commune's hamlets).
    on_page: bool = True


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple
    rows: list

    @property
    def headings(self):
        return [column.heading for column in self.columns]

    @property
    def values(self):
        """Every column of every row, as the export writes them."""
        return [[column.value(row) for column in self.columns] for row in self.rows]

    @property
    def page_headings(self):
        return [column.heading for column in self.columns if column.on_page]

    @property
    def page_rows(self):
        """[(heading, value)] per row, for the page's columns: the heading labels the cell of a stacked row."""
        return [[(column.heading, column.value(row)) for column in self.columns if column.on_page]
                for row in self.rows]

    @property
    def widths(self):
        return [column.width for column in self.columns]


NAME = attrgetter("name")
RECOGNIZED = attrgetter("recognized")
RATE = attrgetter("rate")


class FiguresKind:
    code = ""

    def roll_heading(self):
        """The column of subjects on the roll."""
        raise NotImplementedError

    def recognized_of(self, row):
        """The total in words: "3 recognized of 4 households"."""
        raise NotImplementedError

    def rates(self, *, root, year, title_type):
        raise NotImplementedError

    def years_of(self, *, root, title_type, years):
        raise NotImplementedError

    def detail_table(self, figures):
        """A table finer than the communes' (a commune's hamlets), or None."""
        return None

    def _rates_table(self, title, unit_heading, rows):
        return Table(title, (Column(unit_heading, NAME, 28), Column(self.roll_heading(), attrgetter("roll")),
                             Column(_("Recognized"), RECOGNIZED), Column(_("Rate (per cent)"), RATE, 10)), rows)

    def main_table(self, figures):
        """The table the page shows under the rate, and its chart."""
        return self.detail_table(figures) or self._rates_table(_("By commune"), _("Commune"), figures["communes"])

    def years_table(self, years):
        return Table(_("Over the years"), (
            Column(_("Year"), itemgetter(0), 28), Column(self.roll_heading(), itemgetter(1)),
            Column(_("Recognized"), itemgetter(2)), Column(_("Rate (per cent)"), itemgetter(3), 10)), years)

    def tables(self, figures, years):
        """Every table of the export, finest first."""
        tables = [self.detail_table(figures), self._rates_table(_("By commune"), _("Commune"), figures["communes"])]
        if figures["districts"]:
            tables.append(self._rates_table(_("By district"), _("District"), figures["districts"]))
        tables.append(self._rates_table(_("Total"), _("Unit"), [figures["total"]]))
        tables.append(self.years_table(years))
        return [table for table in tables if table is not None]


class HouseholdFigures(FiguresKind):
    code = HouseholdSubject.code

    def roll_heading(self):
        return _("Households")

    def recognized_of(self, row):
        return _("%(recognized)s recognized of %(roll)s households") % {"recognized": row.recognized,
                                                                        "roll": row.roll}

    def rates(self, *, root, year, title_type):
        return selectors.household_rates(root=root, year=year, title_type=title_type)

    def years_of(self, *, root, title_type, years):
        return selectors.household_years(root=root, title_type=title_type, years=years)

    def detail_table(self, figures):
        if not figures["hamlets"]:
            return None
        return Table(_("By hamlet"), (
            Column(_("Hamlet"), NAME, 28), Column(_("Commune"), attrgetter("commune"), 22, on_page=False),
            Column(_("Registered"), attrgetter("registered")), Column(_("Households"), attrgetter("roll")),
            Column(_("Recognized"), RECOGNIZED), Column(_("Rate (per cent)"), RATE, 10)), figures["hamlets"])


class HamletFigures(FiguresKind):
    code = HamletSubject.code

    def roll_heading(self):
        return _("Hamlets")

    def recognized_of(self, row):
        return _("%(recognized)s recognized of %(roll)s hamlets") % {"recognized": row.recognized, "roll": row.roll}

    def rates(self, *, root, year, title_type):
        return selectors.hamlet_rates(root=root, year=year, title_type=title_type)

    def years_of(self, *, root, title_type, years):
        return selectors.hamlet_years(root=root, title_type=title_type, years=years)


FIGURES_KINDS = {kind.code: kind for kind in (HouseholdFigures(), HamletFigures())}


def figures_kind_of(title_type):
    return FIGURES_KINDS[subject_kind_of(title_type).code]
