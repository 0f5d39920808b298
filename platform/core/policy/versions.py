"""Each tenant's effective policy: its pack's defaults merged with its overrides, versioned.

Versions are immutable, so documents are cached by version id for the life of
the process.
"""
from marshmallow import ValidationError
from sqlalchemy import func, select

from core import validation
from core.extensions import db
from core.policy import config_stamp
from core.policy.plugins import manager
from core.policy.schema import effective_policy
from core.tenancy import locks
from core.tenancy.models import PolicyVersion

_documents = {}
_numbers = {}


def latest_version(tenant_id=None):
    """The tenant's current policy version (the one new contacts get)."""
    return db.session.scalars(
        select(PolicyVersion).order_by(PolicyVersion.number.desc()).limit(1)).first()


def latest_for_change(tenant):
    """The current version, read under the tenant's row lock: the start of every policy change,
    so concurrent saves run one after the other, each on its predecessor's result (no
    duplicate number, no change lost by merging onto a version already superseded)."""
    locks.tenant_row(tenant)
    return latest_version()


def latest_version_id():
    return db.session.scalar(
        select(PolicyVersion.id).order_by(PolicyVersion.number.desc()).limit(1))


def current_version_id(tenant):
    """:func:`latest_version_id` of ``tenant`` (the tenant in scope), without a query while
    the tenant's configuration stamp is unchanged (``core.policy.config_stamp``)."""
    return config_stamp.cached(tenant, "policy_version", None, latest_version_id)


def load(version_id):
    """``(pack_key, document)`` of a version (cached: versions never change)."""
    found = _documents.get(version_id)
    if found is None:
        row = db.session.execute(select(PolicyVersion.pack_key, PolicyVersion.document,
                                        PolicyVersion.number)
                                 .where(PolicyVersion.id == version_id)).first()
        if row is None:
            raise LookupError(version_id)
        found = _documents[version_id] = (row[0], row[1])
        _numbers[version_id] = row[2]
    return found


def version_number(version_id):
    """The tenant-facing number of a version (cached like :func:`load`)."""
    found = _numbers.get(version_id)
    if found is None:
        found = _numbers[version_id] = db.session.scalar(
            select(PolicyVersion.number).where(PolicyVersion.id == version_id))
    return found


def create_version(tenant, overrides, by=None, note="", pack_key=None):
    """Validate ``overrides`` against the pack and store them as a new version.

    Raises marshmallow.ValidationError (field messages) and leaves nothing behind.
    """
    # Every string of the document, recursively, before the schema: a NUL or a lone surrogate
    # in a banned phrase would break every reply under the version, on every database.
    problems = validation.strings_problems(overrides)
    if problems:
        raise ValidationError(problems)
    pack = manager().get(pack_key or tenant.pack_key)
    doc = effective_policy(pack.policy, overrides)
    locks.tenant_row(tenant)     # held already by a caller of latest_for_change
    number = (db.session.scalar(select(func.max(PolicyVersion.number))) or 0) + 1
    version = PolicyVersion(tenant_id=tenant.id, number=number, pack_key=pack.key,
                            overrides=overrides, document=doc, note=note,
                            created_by_id=by.id if by else None)
    db.session.add(version)
    if pack_key:
        tenant.pack_key = pack_key
    db.session.flush()
    return version


def clear_cache():
    """Forget cached documents (tests that recreate the database)."""
    _documents.clear()
    _numbers.clear()
    config_stamp.clear()
