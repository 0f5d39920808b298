"""Tenant scoping has no side doors (issue #12, item 10).

``core.tenancy.scoping`` already filters every ORM select by the tenant in scope; these tests
close the ways around it: raw SQL, statements that write another tenant's id, the identity
map, models defined late, and ``aliased()``.  Each test is one hole that was open before.
"""
import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, aliased, mapped_column

from core.contacts.models import Customer
from core.extensions import db
from core.tenancy.models import Department, Staff, Tenant
from core.tenancy.scoping import TenantScoped, TenantScopeError, tenant_scope, unscoped


@pytest.fixture
def tenants(app):
    """Tenant ids by slug, and a hotel customer (a row the bank must never see or write)."""
    with unscoped():
        ids = dict(db.session.execute(select(Tenant.slug, Tenant.id)).all())
    with tenant_scope(ids["demo-hotel"]):
        customer = Customer(name="赵先生", phone="13800000000")
        db.session.add(customer)
        db.session.flush()
        ids["hotel_customer"] = customer.id
    db.session.expunge_all()
    return {"hotel": ids["demo-hotel"], "bank": ids["demo-bank"],
            "hotel_customer": ids["hotel_customer"]}


def _customers(tenant_id):
    with unscoped():
        return db.session.scalar(select(func.count(Customer.id))
                                 .where(Customer.tenant_id == tenant_id))


# -- raw SQL -----------------------------------------------------------------------------------

RAW_READS = {
    "session text": lambda: db.session.execute(text("SELECT id, tenant_id FROM customers")).all(),
    "connection text": lambda: db.session.connection().execute(
        text("SELECT id, tenant_id FROM customers")).all(),
    "driver sql": lambda: db.session.connection().exec_driver_sql(
        'SELECT id, tenant_id FROM "customers"').all(),
    "text columns": lambda: db.session.execute(
        text("SELECT id, tenant_id FROM Customers").columns()).all(),
    "from_statement": lambda: db.session.scalars(
        select(Customer).from_statement(text("SELECT * FROM customers"))).all(),
    "text inside a select": lambda: db.session.scalars(select(Tenant.slug).where(
        text("EXISTS (SELECT 1 FROM customers WHERE customers.tenant_id = tenants.id)"))).all(),
}


@pytest.mark.parametrize("name", list(RAW_READS))
def test_raw_sql_on_tenant_tables_is_refused_in_a_tenant_scope(tenants, name):
    with tenant_scope(tenants["bank"]), pytest.raises(TenantScopeError, match="raw SQL"):
        RAW_READS[name]()


@pytest.mark.parametrize("name", ["session text", "connection text", "driver sql"])
def test_raw_sql_on_tenant_tables_is_refused_with_no_tenant_in_scope(tenants, name):
    with pytest.raises(TenantScopeError, match="raw SQL"):
        RAW_READS[name]()


def test_raw_sql_marked_cross_tenant_sees_every_tenant(tenants):
    query = "SELECT tenant_id FROM customers WHERE id = :id"
    with tenant_scope(tenants["bank"]):
        marked = db.session.execute(text(query).execution_options(cross_tenant=True),
                                    {"id": tenants["hotel_customer"]}).scalar()
        with unscoped():
            maintenance = db.session.execute(text(query),
                                             {"id": tenants["hotel_customer"]}).scalar()
    assert marked == maintenance == tenants["hotel"]


def test_raw_sql_that_touches_no_tenant_table_still_runs(tenants):
    with tenant_scope(tenants["bank"]):
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        slugs = db.session.execute(text("SELECT slug FROM tenants")).scalars().all()
    assert "demo-hotel" in slugs


def test_a_select_sent_round_the_session_is_refused(tenants):
    """``session.connection().execute(...)`` skips the session's hook, so no criteria."""
    with tenant_scope(tenants["bank"]):
        for statement in (select(Customer.__table__), select(Customer),
                          select(Customer.id).union(select(Customer.id))):
            with pytest.raises(TenantScopeError, match="through the session"):
                db.session.connection().execute(statement).all()
        assert db.session.connection().execute(select(Tenant.slug)).scalars().all()
        rows = db.session.connection().execute(
            select(Customer.tenant_id).where(Customer.id == tenants["hotel_customer"])
            .execution_options(cross_tenant=True)).scalars().all()
    assert rows == [tenants["hotel"]]


# -- writing another tenant's id -----------------------------------------------------------------

FOREIGN_WRITES = {
    "orm insert values": lambda t: db.session.execute(
        insert(Customer).values(tenant_id=t["hotel"], name="串户")),
    "orm bulk insert": lambda t: db.session.execute(
        insert(Customer), [{"tenant_id": t["bank"], "name": "本行"},
                           {"tenant_id": t["hotel"], "name": "串户"}]),
    "multi-row values": lambda t: db.session.execute(insert(Customer).values(
        [{"tenant_id": t["bank"], "name": "本行"}, {"tenant_id": t["hotel"], "name": "串户"}])),
    "core insert": lambda t: db.session.connection().execute(
        insert(Customer.__table__).values(tenant_id=t["hotel"], name="串户")),
    "core insert params": lambda t: db.session.connection().execute(
        insert(Customer.__table__), [{"tenant_id": t["hotel"], "name": "串户"}]),
    "insert from select": lambda t: db.session.execute(
        insert(Customer).from_select(["tenant_id", "name"],
                                     select(Tenant.id, Tenant.slug))),
}


@pytest.mark.parametrize("name", list(FOREIGN_WRITES))
def test_insert_of_another_tenants_id_is_refused(tenants, name):
    before = _customers(tenants["hotel"])
    with tenant_scope(tenants["bank"]), pytest.raises(TenantScopeError, match="another tenant"):
        FOREIGN_WRITES[name](tenants)
    assert _customers(tenants["hotel"]) == before


def test_update_that_moves_rows_to_another_tenant_is_refused(tenants):
    bank_customers = _customers(tenants["bank"])
    with tenant_scope(tenants["bank"]):
        db.session.add(Customer(name="本行客户"))
        db.session.flush()
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.execute(update(Customer).values(tenant_id=tenants["hotel"])
                               .execution_options(synchronize_session=False))
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.connection().execute(
                update(Customer.__table__).values(tenant_id=tenants["hotel"]))
    assert _customers(tenants["bank"]) == bank_customers + 1


def test_writes_of_the_own_tenant_and_maintenance_still_work(tenants):
    bank, hotel = _customers(tenants["bank"]), _customers(tenants["hotel"])
    with tenant_scope(tenants["bank"]):
        db.session.execute(insert(Customer).values(tenant_id=tenants["bank"], name="本行"))
        db.session.execute(insert(Customer), [{"tenant_id": tenants["bank"], "name": "本行三"}])
        db.session.execute(update(Customer).values(name="改名", tenant_id=tenants["bank"])
                           .execution_options(synchronize_session=False))
    with unscoped():
        db.session.execute(insert(Customer).values(tenant_id=tenants["hotel"], name="迁移"))
    with tenant_scope(tenants["bank"]):
        db.session.execute(insert(Customer).values(tenant_id=tenants["hotel"], name="迁移二")
                           .execution_options(cross_tenant=True))
    assert _customers(tenants["bank"]) == bank + 2
    assert _customers(tenants["hotel"]) == hotel + 2


# -- the identity map ----------------------------------------------------------------------------

def test_session_get_does_not_hand_over_an_object_of_the_previous_scope(tenants):
    with tenant_scope(tenants["hotel"]):
        customer = db.session.get(Customer, tenants["hotel_customer"])
        assert customer is not None and customer.name == "赵先生"
        hotel_staff = db.session.scalars(select(Staff)).first()
    with tenant_scope(tenants["bank"]):
        assert db.session.get(Customer, tenants["hotel_customer"]) is None
        assert db.session.get(Staff, hotel_staff.id) is None
        with pytest.raises(Exception, match="No row"):
            db.session.get_one(Customer, tenants["hotel_customer"])
    with pytest.raises(TenantScopeError):
        db.session.get(Customer, tenants["hotel_customer"])
    with tenant_scope(tenants["hotel"]):       # the owner still gets the very same object
        assert db.session.get(Customer, tenants["hotel_customer"]) is customer
    with unscoped():
        assert db.session.get(Customer, tenants["hotel_customer"]) is customer


# -- a tenant model defined after the first query --------------------------------------------------

def test_a_tenant_model_defined_after_the_first_query_is_scoped(tenants):
    with tenant_scope(tenants["bank"]):
        db.session.scalars(select(Department)).all()     # the tenant tables were looked at

    class _LateBase(DeclarativeBase):
        """A registry of its own: the late model stays out of the app's metadata."""

    class LateNote(TenantScoped, _LateBase):
        __tablename__ = "late_notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str] = mapped_column(default="")
        # no foreign key: the tenants table is not in this registry's metadata
        tenant_id: Mapped[int] = mapped_column(nullable=False)

    _LateBase.metadata.create_all(db.session.connection())     # rolled back with the test
    with unscoped():
        db.session.add_all([LateNote(tenant_id=tenants["hotel"], body="酒店"),
                            LateNote(tenant_id=tenants["bank"], body="银行")])
        db.session.flush()
    with pytest.raises(TenantScopeError, match="no tenant"):
        db.session.execute(select(LateNote))
    with tenant_scope(tenants["bank"]):
        assert db.session.scalars(select(LateNote.body)).all() == ["银行"]
        with pytest.raises(TenantScopeError, match="mapped classes"):
            db.session.execute(select(LateNote.__table__))
        with pytest.raises(TenantScopeError, match="raw SQL"):
            db.session.execute(text("SELECT * FROM late_notes"))
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.execute(insert(LateNote).values(tenant_id=tenants["hotel"]))


# -- aliased() -----------------------------------------------------------------------------------

def test_aliased_entities_are_scoped_not_refused(tenants):
    other = aliased(Customer)
    own = aliased(Customer, name="own")
    with tenant_scope(tenants["bank"]):
        assert tenants["hotel_customer"] not in db.session.scalars(select(other.id)).all()
        assert db.session.get(Customer, tenants["hotel_customer"]) is None
        joined = db.session.execute(
            select(Customer.id, own.id).join(own, own.phone == Customer.phone)
            .where(Customer.id == tenants["hotel_customer"])).all()
        assert joined == []
    with tenant_scope(tenants["hotel"]):
        assert tenants["hotel_customer"] in db.session.scalars(select(other.id)).all()
        rows = db.session.scalars(select(own).where(own.id == tenants["hotel_customer"])).all()
        assert [r.name for r in rows] == ["赵先生"]
    with pytest.raises(TenantScopeError, match="no tenant"):
        db.session.execute(select(other))


def test_a_core_alias_of_a_tenant_table_is_still_refused(tenants):
    with tenant_scope(tenants["bank"]), pytest.raises(TenantScopeError, match="mapped classes"):
        db.session.execute(select(Customer.__table__.alias("c")))
