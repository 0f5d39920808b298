"""The roll-ups behind the supervision figures equal a recomputation from the raw rows.

Hypothesis draws random sequences of what happens in an organisation (registrations,
any step the screen would offer to anyone, time passing, sweeps, violation decisions);
after each sequence the stored roll-up must equal ``rollup.recompute``, which sums the same
contributions over every raw row afresh.  So the incremental path (subtract the old
contribution, add the new, in the same flush) loses and double-counts nothing, whatever
the order of steps, savepoints and sweeps.
"""
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from core import clock
from core.contacts import actions, context, lifecycle, references, violations
from core.contacts.models import Contact, Violation
from core.deadlines.sweep import sweep_tenant
from core.errors import DomainError
from core.extensions import db
from core.policy import versions as policies
from core.supervision import periods, rollup, spot_checks
from core.voice import complaints
from core.voice.complaint_models import Complaint
from core.supervision.models import FigureCount, FigureCountMonth
from core.tenancy.models import Department, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from core.voice import ratings, rectifications

START = datetime.fromisoformat("2026-11-26T09:00:00+08:00")   # sequences cross a month
TEXT = "您好，已为您处理完毕，谢谢您的耐心等待。"

step = st.one_of(
    st.tuples(st.just("register"), st.integers(0, 50), st.integers(0, 3)),
    st.tuples(st.just("act"), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("wait"), st.sampled_from([5, 30, 61, 240, 1440, 4320])),
    st.tuples(st.just("sweep")),
    st.tuples(st.just("decide"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("spot_check"), st.integers(0, 50), st.integers(0, 7)),
    # the customer's own rating, and the bad-review loop (core.voice)
    st.tuples(st.just("rate"), st.integers(0, 50), st.integers(1, 5)),
    st.tuples(st.just("rating_step"), st.integers(0, 50), st.integers(0, 50),
              st.integers(0, 3)),
    st.tuples(st.just("complain"), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("handle_complaint"), st.integers(0, 50), st.booleans()),
)


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _inputs(name, options, departments):
    if name == "transfer":
        approvers = options.get("approvers") or [None]
        return {"to_department": options["targets"][0].code,
                "approved_by": approvers[0].username if approvers[0] else None,
                "opinion": "请贵部门办理。"}
    return {"coordinate": {"lead_department": departments[0].code,
                           "departments": [departments[-1].code]},
            "refer": {"body": "市市场监督管理局"},
            "escalate": {"reason": "请上级决定"},
            "callback": {"satisfaction": 4},
            "reply": {"text": TEXT}, "feedback": {"text": TEXT}, "decide": {"text": TEXT},
            }.get(name, {})


class World:
    def __init__(self, tenant):
        self.tenant, self.at = tenant, START
        self.policy = policies.load(policies.current_version_id(tenant))[1]
        self.staff = db.session.scalars(select(Staff).where(Staff.active)
                                        .order_by(Staff.id)).all()
        self.departments = db.session.scalars(select(Department).order_by(Department.id)).all()
        self.contacts = []

    def run(self, op):
        with clock.frozen(self.at.isoformat()):
            getattr(self, op[0])(*op[1:])

    def register(self, person, matter):
        person = self.staff[person % len(self.staff)]
        types = list(self.policy["matter_types"])
        ctx = lifecycle.register(self.tenant, person, {
            "channel": self.policy["channels"][matter % len(self.policy["channels"])],
            "matter_type": types[matter % len(types)], "summary": "客人反映的问题",
            "customer": {"name": "赵先生"}}, self.at)
        db.session.flush()
        self.contacts.append(ctx.contact.id)

    def act(self, which, person, choice):
        if not self.contacts:
            return
        contact = db.session.get(Contact, self.contacts[which % len(self.contacts)])
        person = self.staff[person % len(self.staff)]
        ctx = context.for_contact(self.tenant, contact, at=self.at, evaluate=True)
        offered = actions.offers(ctx, person)
        if not offered:
            return
        name = sorted(offered)[choice % len(offered)]
        action = actions.BY_NAME[name]
        savepoint = db.session.begin_nested()
        try:
            data = action.schema().load(_inputs(name, offered[name], self.departments))
            actions.perform(action, ctx, person, data, references.resolve(action.refs, data))
            db.session.flush()
            savepoint.commit()
        except DomainError:
            savepoint.rollback()          # a refusal leaves nothing behind, figures included

    def wait(self, minutes):
        self.at += timedelta(minutes=minutes)

    def sweep(self):
        # The sweep commits per batch; here a flush, so each example stays in its savepoint
        # and a failure shrinks to the steps that cause it.
        db.session.commit = db.session.flush
        try:
            sweep_tenant(self.tenant.id, self.at)
        finally:
            del db.session.commit

    def decide(self, which, confirm):
        pending = db.session.scalars(select(Violation).where(Violation.status == "proposed")
                                     .order_by(Violation.id)).all()
        if pending:
            judge = next(s for s in self.staff if s.role in ("inspector", "admin"))
            violations.decide(pending[which % len(pending)], judge,
                              "confirm" if confirm else "waive", "核实", self.at)
            db.session.flush()


    def _savepoint(self, step):
        savepoint = db.session.begin_nested()
        try:
            step()
            db.session.flush()
            savepoint.commit()
        except DomainError:
            savepoint.rollback()          # a refusal leaves nothing behind, figures included

    def rate(self, which, grade):
        """The customer rates (or changes, or rates again) when the rules let them."""
        if not self.contacts:
            return
        contact = db.session.get(Contact, self.contacts[which % len(self.contacts)])
        ctx = context.for_contact(self.tenant, contact, at=self.at, evaluate=True)
        self._savepoint(lambda: ratings.rate(ctx, grade, "评价"))

    def rating_step(self, which, person, choice):
        """Rectify, appeal, or decide an appeal (upheld or overturned), if offered."""
        if not self.contacts:
            return
        contact = db.session.get(Contact, self.contacts[which % len(self.contacts)])
        person = self.staff[person % len(self.staff)]
        ctx = context.for_contact(self.tenant, contact, at=self.at, evaluate=True)
        offered = rectifications.staff_offers(ctx, person)
        steps = {"rectify": lambda: rectifications.complete(ctx, person, "已整改"),
                 "appeal": lambda: rectifications.appeal(ctx, person, "误评"),
                 "decide_appeal": lambda: rectifications.decide(
                     ctx, person, rectifications.OUTCOMES[choice % 2], "复核")}
        name = sorted(steps)[choice % 3]
        if name in offered:
            self._savepoint(steps[name])
    def complain(self, which, person):
        """A complaint about one of the people involved in a contact (core.voice)."""
        if not self.contacts:
            return
        contact = db.session.get(Contact, self.contacts[which % len(self.contacts)])
        people = sorted(complaints.involved(contact))
        ctx = complaints.Context(tenant=self.tenant, actor=self.staff[person % len(self.staff)],
                                 at=self.at)
        complaints.register_for_customer(ctx, contact, people[person % len(people)], "态度生硬")
        db.session.flush()

    def handle_complaint(self, which, substantiated):
        """The receiving body's finding on an open complaint (moves its count by finding)."""
        pending = db.session.scalars(select(Complaint).where(Complaint.status == "open")
                                     .order_by(Complaint.id)).all()
        if not pending:
            return
        row = pending[which % len(pending)]
        handler = next((s for s in self.staff if complaints.may_handle(s, row)), None)
        if handler is None:
            return
        ctx = complaints.Context(tenant=self.tenant, actor=handler, at=self.at)
        complaints.record_handling(ctx, row, "substantiated" if substantiated
                                   else "not_substantiated", "已核实", substantiated)
        db.session.flush()

    def spot_check(self, seed, answers):
        """Draw every contact closed so far and record a call for each (spot checks)."""
        inspector = next(s for s in self.staff if s.role in ("inspector", "admin"))
        ctx = spot_checks.Context(tenant=self.tenant, actor=inspector, at=self.at)
        period = periods.Period(START.date() - timedelta(days=1), self.at.date() + timedelta(days=1))
        draw = spot_checks.draw(ctx, period, share=1, seed=seed)
        for item in db.session.scalars(select(spot_checks.SpotCheckItem).where(
                spot_checks.SpotCheckItem.draw_id == draw.id)):
            spot_checks.record(ctx, item, reached=bool(answers & 1),
                               satisfaction=seed % 5 + 1,
                               handling_confirmed=bool(answers & 2),
                               callback_confirmed=bool(answers & 4), findings="回访核实")
        db.session.flush()


def _nonzero(tables):
    return tuple({k: v for k, v in t.items() if v not in ((0, 0), 0)} for t in tables)


def _differences(stored, recomputed):
    """(key, stored, recomputed) of every roll-up entry that differs."""
    out = []
    for mine, theirs in zip(stored, recomputed, strict=True):
        for key in sorted(set(mine) | set(theirs), key=str):
            if mine.get(key) != theirs.get(key):
                out.append((key, mine.get(key), theirs.get(key)))
    return out


@pytest.mark.parametrize("slug", ["demo-hotel", "demo-government"])
def test_roll_up_equals_recomputation_after_random_steps(app, slug):
    tenant = _tenant(slug)

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(st.lists(step, min_size=3, max_size=14))
    def check(ops):
        with tenant_scope(tenant.id):
            savepoint = db.session.begin_nested()
            try:
                world = World(tenant)
                for op in [("register", 0, 0)] + ops:
                    world.run(op)
                rollup.write_held(db.session)        # what the commit would write
                recomputed = rollup.recompute(tenant.id)
                assert _differences(rollup.stored(tenant.id), recomputed) == []
                assert _differences(rollup.stored(tenant.id, "month"),
                                    _nonzero(rollup.monthly(*recomputed))) == []
            finally:
                if savepoint.is_active:       # a sweep commits (and so ends it) per batch
                    savepoint.rollback()
    check()


def test_a_rebuild_restores_a_damaged_roll_up(app, login, frozen):
    tenant = _tenant("demo-hotel")
    with tenant_scope(tenant.id), frozen("2026-11-02T10:00:00+08:00"):
        World(tenant).register(0, 0)
        rollup.write_held(db.session)
        expected = rollup.recompute(tenant.id)
        db.session.execute(update(FigureCount).values(n=7))
        db.session.execute(update(FigureCountMonth).values(n=7))
        assert rollup.stored(tenant.id) != expected
        rollup.rebuild(tenant.id)
        assert rollup.stored(tenant.id) == expected
        assert rollup.stored(tenant.id, "month") == _nonzero(rollup.monthly(*expected))
