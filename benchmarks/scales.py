"""What each scale seeds and measures. Sizes of synthetic data, not law: no rule lives here."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    districts: int          # districts seeded with households and history
    communes: int           # communes per district
    hamlets: int            # hamlets per commune
    households: int         # households per hamlet
    cycle_districts: int    # districts whose whole annual cycle is run live (the first ones)
    meeting_size: int       # households in the one-meeting measurement
    decision_size: int      # nominations in the one-decision measurement
    inbox_big: int          # pending items in the large inbox
    inbox_small: int        # pending items in the comparison inbox
    hamlet_meeting_size: int = 10     # hamlets in the hamlet title's one commune meeting
    hamlet_decision_size: int = 100   # hamlets in the hamlet title's one district decision
    history_years: int = 3

    @property
    def prefix(self):
        # Own unit-code namespace per scale: bench data never mixes with demo data,
        # and scales can coexist in one database.
        return f"BENCH{self.name[0].upper()}"

    @property
    def total_households(self):
        return self.districts * self.communes * self.hamlets * self.households


SCALES = {
    "small": Scale("small", districts=1, communes=1, hamlets=3, households=40, cycle_districts=1,
                   meeting_size=60, decision_size=200, inbox_big=200, inbox_small=20),
    "district": Scale("district", districts=1, communes=10, hamlets=10, households=450, cycle_districts=1,
                      meeting_size=500, decision_size=5000, inbox_big=10000, inbox_small=1000,
                      hamlet_meeting_size=100, hamlet_decision_size=1000),
    "province": Scale("province", districts=20, communes=10, hamlets=10, households=450, cycle_districts=1,
                      meeting_size=500, decision_size=5000, inbox_big=10000, inbox_small=1000,
                      hamlet_meeting_size=100, hamlet_decision_size=1000),
}


def cycle_year():
    """The live year: the last complete one, so every date of the cycle is in the past."""
    return datetime.date.today().year - 1


def history_years(scale):
    year = cycle_year()
    return list(range(year - scale.history_years, year))
