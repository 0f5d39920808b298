"""The pluggy contract: every hook documented and exercised; third-party packs load by entry point."""
import inspect
import sys
import textwrap

from conftest import register

from core import hookspecs
from core.policy.plugins import PackManager, manager

HOOKS = sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if name.startswith("shouwen_"))


def test_every_hook_is_documented():
    assert HOOKS, "no hooks found"
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "Called by" in doc and "Returns" in doc, f"{name} lacks who/when/returns"


def _assess(slug):
    """The month's assessment of the tenant (asks the score hook per department)."""
    from datetime import date

    from sqlalchemy import select

    from core.extensions import db
    from core.supervision import assessments, periods
    from core.tenancy.models import Tenant
    from core.tenancy.scoping import tenant_scope, unscoped
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    with tenant_scope(tenant.id):
        return assessments.compute(tenant, periods.containing("month", date(2026, 11, 2)))


def test_every_hook_is_exercised_by_a_real_flow(login, frozen):
    called = set()
    undo = manager().pm.add_hookcall_monitoring(lambda name, impls, kw: called.add(name),
                                                lambda *a: None)
    try:
        security = login("demo-hotel", "security")
        front = login("demo-hotel", "front-office")
        with frozen("2026-11-02T10:00:00+08:00"):
            c = register(security, matter_type="complaint", co_receivers=["security-lead"])
            ref = c["ref"]
            lead = login("demo-hotel", "security-lead")
            tid = lead.post(f"/contacts/{ref}/transfers",
                            json={"to_department": "front_office"}).get_json()["id"]
            front.post(f"/contacts/{ref}/transfers/{tid}/accept")
            front.post(f"/contacts/{ref}/replies", json={"text": "不知道"})
            lead.post(f"/contacts/{ref}/escalations", json={"reason": "客人要求"})
            # a complaint about the owner: routed by the pack (shouwen_complaint_route)
            lead.post(f"/contacts/{ref}/complaints", json={"person": "security-lead",
                                                           "text": "态度生硬"})
        _assess("demo-hotel")
    finally:
        undo()
    # pack discovery runs when a manager is built and a pack is added
    import policy_packs.bank
    fresh = PackManager(load_entry_points=False)
    undo = fresh.pm.add_hookcall_monitoring(lambda name, impls, kw: called.add(name),
                                            lambda *a: None)
    fresh.add(policy_packs.bank)
    undo()
    assert "bank" in fresh.packs
    assert called >= set(HOOKS), f"not exercised: {set(HOOKS) - called}"


def _write_pack_distribution(root):
    """A pack installed only as its own distribution: a module and its .dist-info."""
    (root / "shouwen_clinic.py").write_text(textwrap.dedent('''
        from core.hookspecs import hookimpl
        from core.rules import Pack, text
        import copy
        from policy_packs.hotel.policy import POLICY as BASE

        POLICY = copy.deepcopy(BASE)
        POLICY["calendar"] = {"kind": "statutory"}
        POLICY["deadlines"]["on_site"] = {"default": {"amount": 10, "unit": "minutes"}}

        @hookimpl
        def shouwen_pack():
            return Pack(key="clinic", sector="hospital", name=text("诊所", "Clinic"),
                        summary=text("值班人员10分钟内到场。", "Duty officer on site in 10 minutes."),
                        policy=POLICY)

        @hookimpl
        def shouwen_lint_reply(policy, text):
            return None
    '''))
    info = root / "shouwen_clinic-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shouwen-clinic\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[shouwen.policy_packs]\nclinic = shouwen_clinic\n")


def test_a_separately_installed_pack_is_found_through_its_entry_point(tmp_path):
    _write_pack_distribution(tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        fresh = PackManager()
        assert "clinic" in fresh.packs
        pack = fresh.get("clinic")
        assert pack.sector == "hospital"
        rule = fresh.hooks_for("clinic").shouwen_deadline_rule(
            policy=pack.policy, kind="on_site", matter_type="complaint", category=None,
            stage="register")
        assert rule == {"amount": 10, "unit": "minutes"}
        # one pack's hooks are not asked for another pack's tenants
        hotel = fresh.hooks_for("hotel")
        assert hotel.shouwen_deadline_rule(policy=fresh.get("hotel").policy, kind="on_site",
                                           matter_type="complaint", category=None,
                                           stage="register") is False
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("shouwen_clinic", None)


def test_builtin_packs_are_registered_through_entry_points():
    names = {name for name, _ in manager().pm.list_name_plugin()}
    for key in ("hotel", "property", "government", "bank"):
        assert f"shouwen.policy_packs:{key}" in names
