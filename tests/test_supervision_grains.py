"""Whole months are read from the monthly roll-up, the other days from the daily one: any
period reads the same figures as summing its days one by one, and the two tables stay equal.

The rows are written through ``rollup.write`` (the path every step's commit takes) on random
days of 2027, where the demo tenants have no figures, so every number is the test's own.
"""
from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.extensions import db
from core.supervision import figures, periods, rollup
from core.supervision.models import ALL_STAFF
from core.tenancy.models import Tenant
from core.tenancy.scoping import tenant_scope, unscoped

YEAR_START = date(2027, 1, 1)
day_in_2027 = st.integers(0, 364).map(lambda n: YEAR_START + timedelta(days=n))


def test_spans_split_a_period_into_whole_months_and_loose_days():
    d = date
    assert figures.spans(d(2027, 3, 1), d(2027, 3, 31)) == ([], (d(2027, 3, 1), d(2027, 3, 1)))
    assert figures.spans(d(2027, 1, 1), d(2027, 12, 31)) == ([], (d(2027, 1, 1), d(2027, 12, 1)))
    assert figures.spans(d(2027, 2, 27), d(2027, 4, 2)) == (
        [(d(2027, 2, 27), d(2027, 2, 28)), (d(2027, 4, 1), d(2027, 4, 2))],
        (d(2027, 3, 1), d(2027, 3, 1)))
    assert figures.spans(d(2027, 3, 2), d(2027, 3, 31)) == ([(d(2027, 3, 2), d(2027, 3, 31))],
                                                            None)
    assert figures.spans(d(2027, 5, 30), d(2027, 6, 2)) == ([(d(2027, 5, 30), d(2027, 6, 2))],
                                                            None)
    assert figures.spans(d(2028, 2, 1), d(2028, 2, 29)) == ([], (d(2028, 2, 1), d(2028, 2, 1)))


def _daily_only(period, **kwargs):
    """The same read with every day from the daily table (what ``read`` did before)."""
    saved = figures.spans
    figures.spans = lambda first, last: ([(first, last)], None)
    try:
        return figures.read(period, **kwargs)
    finally:
        figures.spans = saved


def _as_plain(groups):
    return {g: (f.counts, {k: dict(v) for k, v in f.durations.items()})
            for g, f in groups.items()}


entry = st.tuples(day_in_2027, st.sampled_from([1, 2, 3]), st.sampled_from([7, 8]),
                  st.sampled_from(["contacts", "clocks.met", "clocks_x.met", "satisfaction"]),
                  st.integers(1, 5))
a_period = st.one_of(
    st.tuples(day_in_2027, st.integers(0, 200)).map(
        lambda t: periods.Period(t[0], t[0] + timedelta(days=t[1]))),
    st.tuples(st.sampled_from(["week", "month", "quarter", "year"]), day_in_2027).map(
        lambda t: periods.containing(t[0], t[1])))


def test_any_period_reads_the_same_from_both_grains(app):
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "demo-bank")).one()

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(entry, min_size=1, max_size=40), st.lists(a_period, min_size=1, max_size=4))
    def check(entries, asked):
        with tenant_scope(tenant.id):
            savepoint = db.session.begin_nested()
            try:
                counts, durations = Counter(), Counter()
                for day, department, person, metric, value in entries:
                    for staff in (person, ALL_STAFF):
                        key = (tenant.id, day, department, staff, metric, str(value % 2))
                        n, total = counts.get(key, (0, 0))
                        counts[key] = (n + 1, total + value)
                        durations[(tenant.id, day, department, staff, "reply", "hours",
                                   value * 500)] += 1
                rollup.write(db.session, counts, durations)
                assert rollup.stored(tenant.id, "month") == rollup.monthly(
                    *rollup.stored(tenant.id))
                for period in asked:
                    for kwargs in ({}, {"by": "department"}, {"by": "staff"},
                                   {"department_id": 2}):
                        assert _as_plain(figures.read(period, **kwargs)) == \
                            _as_plain(_daily_only(period, **kwargs)), (period, kwargs)
                    whole = figures.read(period).get(None, figures.Figures())
                    summed = figures.total(figures.read(period, by="department"))
                    assert _as_plain({0: summed}) == _as_plain({0: whole})
                    counts_only = figures.read(period, by="staff", durations=False)
                    assert {g: (f.counts, f.durations) for g, f in counts_only.items()} == {
                        g: (f.counts, {}) for g, f in figures.read(period, by="staff").items()}
                    only = figures.read(period, by="staff", family="clocks")
                    full = figures.read(period, by="staff")
                    assert {g: f.counts for g, f in only.items()} == {
                        g: {k: v for k, v in f.counts.items() if k[0].startswith("clocks.")}
                        for g, f in full.items() if any(k[0].startswith("clocks.")
                                                        for k in f.counts)}
                    trend = figures.trend(period, 3)
                    for p, f in trend:
                        whole = _daily_only(p).get(None, figures.Figures())
                        assert f.counts == {k: v for k, v in whole.counts.items()}, p
            finally:
                savepoint.rollback()
    check()
