"""The dashboard and its Excel export: thin; the figures come from figures.selectors, picked and laid out
in tables after the title's subject kind by figures.kinds."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import exports, selectors
from .forms import FiguresForm
from .kinds import figures_kind_of

YEARS_SHOWN = 6


def _figures(request):
    units = selectors.dashboard_units(request.user)
    if not units.exists():
        raise Http404(_("No figures to show for your roles."))
    form = FiguresForm(request.GET or None, units=units)
    root, title_type, year = form.choice()
    kind = figures_kind_of(title_type)
    figures = kind.rates(root=root, year=year, title_type=title_type)
    years = kind.years_of(root=root, title_type=title_type, years=range(year - YEARS_SHOWN + 1, year + 1))
    return form, root, title_type, year, kind, figures, years


@login_required
def dashboard(request):
    form, root, title_type, year, kind, figures, years = _figures(request)
    progress = selectors.round_progress(root=root, year=year, title_type=title_type)
    main = kind.main_table(figures)
    return render(request, "figures/dashboard.html", {
        "form": form, "root": root, "title_type": title_type, "year": year, "figures": figures,
        "years": years, "progress": progress, "query": request.GET.urlencode(),
        "recognized_of": kind.recognized_of(figures["total"]), "main_table": main,
        "years_table": kind.years_table(years),
        "chart": {"labels": [r.name for r in main.rows], "rates": [r.rate for r in main.rows],
                  "years": [y for y, *_rest in years], "year_rates": [rate for *_rest, rate in years]},
    })


@login_required
def export(request):
    form, root, title_type, year, kind, figures, years = _figures(request)
    content = exports.summary_workbook(root=root, title_type=title_type, year=year, tables=kind.tables(figures, years))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="tong-hop-{slugify(root.name) or root.pk}-{year}.xlsx"'
    return response
