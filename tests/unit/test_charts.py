"""Plotly figure builders (SPEC M4 4.7): data in, figure out."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from lib import charts
from lib.domain.kpi import sales_ranking, style_ranking
from lib.domain.ledger import Totals
from lib.i18n import LOCALES_DIR

D = dt.date
ZH = json.loads((LOCALES_DIR / "zh_CN" / "kpi.json").read_text(encoding="utf-8"))


def test_sales_ranking_marks_demoted_and_last_consultants():
    rows = sales_ranking({"张三": 12, "李四": 3, "王五": 7, "赵六": 3})
    fig = charts.sales_ranking_figure(rows, demoted={"李四"})
    bar = fig.data[0]
    assert list(bar.y) == ["张三", "王五", "李四", "赵六"]
    assert list(bar.x) == [12, 7, 3, 3]
    assert list(bar.marker.color) == [charts.COLOR_NORMAL, charts.COLOR_NORMAL, charts.COLOR_DEMOTED, charts.COLOR_LAST]
    assert list(bar.text) == ["12", "7", f"3 · {ZH['kpi.chart.demoted']}", f"3 · {ZH['kpi.chart.last']}"]
    assert fig.layout.title.text == ZH["kpi.chart.sales.title"]
    assert fig.layout.yaxis.autorange == "reversed"


def test_labels_override_the_catalog_and_lang_switches_it():
    rows = sales_ranking({"A": 1, "B": 2})
    assert charts.sales_ranking_figure(rows, labels={"kpi.chart.sales.title": "X"}).layout.title.text == "X"
    assert charts.sales_ranking_figure(rows, lang="en").layout.title.text == "Monthly sales ranking"


def test_monthly_trend_one_line_per_series_in_month_order():
    fig = charts.monthly_trend_figure({"张三": {D(2026, 5, 1): 4, D(2026, 4, 1): 6}, "李四": {D(2026, 4, 1): 2}})
    assert [t.name for t in fig.data] == ["张三", "李四"]
    assert list(fig.data[0].x) == ["2026-04", "2026-05"]
    assert list(fig.data[0].y) == [6, 4]


def test_satisfaction_over_time_with_target_line():
    fig = charts.satisfaction_figure(
        {D(2026, 1, 1): 93.5, D(2026, 2, 1): None, D(2026, 3, 1): 96.0},
        {D(2026, 1, 1): 95.0, D(2026, 3, 1): 95.0},
    )
    rate, target = fig.data
    assert list(rate.y) == [93.5, None, 96.0]
    assert list(target.y) == [95.0, 95.0]
    assert target.line.dash == "dash"
    assert target.name == ZH["kpi.chart.target"]
    assert tuple(fig.layout.yaxis.range) == (0, 100)


def test_sla_breaches_by_group_most_first():
    fig = charts.sla_breaches_figure({"客服组": 2, "投诉组": 5, "订单组": 2})
    assert list(fig.data[0].x) == ["投诉组", "客服组", "订单组"]
    assert list(fig.data[0].y) == [5, 2, 2]


def test_ledger_by_team_shows_points_and_fines_per_team_only():
    fig = charts.ledger_by_team_figure(
        {"T2": Totals(-5, Decimal("0"), Decimal("80")), "T1": Totals(-7, Decimal("11.5"), Decimal(0))}
    )
    points, fines = fig.data
    assert list(points.x) == ["T1", "T2"]
    assert list(points.y) == [-7, -5]
    assert list(fines.y) == [11.5, 0.0]
    assert fines.yaxis == "y2"
    assert fig.layout.yaxis.title.text == ZH["kpi.chart.team_points"]
    assert fig.layout.yaxis2.title.text == ZH["kpi.chart.fines"]


def test_team_style_best_team_first():
    fig = charts.team_style_figure(style_ranking({"T1": -7, "T2": -5}))
    assert list(fig.data[0].y) == ["T2", "T1"]
    assert list(fig.data[0].x) == [95, 93]


def test_every_chart_key_used_is_in_both_catalogs():
    used = set(re.findall(r'"(kpi\.chart\.[a-z_.]+)"', Path(charts.__file__).read_text(encoding="utf-8")))
    assert len(used) > 10
    for lang in ("zh_CN", "en"):
        texts = json.loads((LOCALES_DIR / lang / "kpi.json").read_text(encoding="utf-8"))
        assert used - set(texts) == set()


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.sales_ranking_figure([]),
        lambda: charts.monthly_trend_figure({}),
        lambda: charts.satisfaction_figure({}),
        lambda: charts.sla_breaches_figure({}),
        lambda: charts.ledger_by_team_figure({}),
        lambda: charts.team_style_figure([]),
    ],
)
def test_builders_accept_empty_data(build):
    fig = build()
    assert fig.layout.title.text


# --- T20: one month is a month, and its target shows ---------------------------------------------------------

def test_T20_one_month_satisfaction_chart_has_a_month_axis_and_a_visible_target():
    fig = charts.satisfaction_figure({D(2026, 11, 1): 96.0}, {D(2026, 11, 1): 95.0}, lang="zh_CN")
    assert fig.layout.xaxis.type == "category"
    rate, target = fig.data
    assert list(rate.x) == ["2026-11"]
    assert list(target.x) == ["2026-11"] and list(target.y) == [95.0]
    assert "markers" in target.mode  # a lone point of a "lines" trace draws nothing


def test_T20_trend_chart_uses_month_labels_on_a_category_axis():
    fig = charts.monthly_trend_figure({"张三": {D(2026, 11, 1): 4}})
    assert fig.layout.xaxis.type == "category"
    assert list(fig.data[0].x) == ["2026-11"]


def test_T20_sales_ranking_rank_column_is_one_type_for_arrow():
    import pyarrow as pa

    from lib.views.kpi.sales import ranking_values

    class Row:
        def __init__(self, rank, name, units):
            self.rank, self.name, self.units, self.demoted, self.is_last = rank, name, units, False, False

    values = ranking_values([Row(1, "张三", 9), Row(None, "李四", None)], demoted="降", last="末")
    ranks = [v[0] for v in values]
    assert ranks == ["1", ""]
    assert len({type(r) for r in ranks}) == 1
    pa.array(ranks)  # raises ArrowTypeError / ArrowInvalid for a mixed int/str column


def test_T20_sales_trend_table_columns_are_one_type_each():
    import pyarrow as pa

    from lib.views.kpi.sales import trend_values

    months = [D(2026, 10, 1), D(2026, 11, 1)]
    values = trend_values({"张三": {D(2026, 11, 1): 4}, "李四": {D(2026, 10, 1): 2, D(2026, 11, 1): 3}}, months)
    assert values == [["张三", "", "4"], ["李四", "2", "3"]]
    for column in zip(*values):
        pa.array(list(column))
