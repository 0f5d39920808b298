"""Public rule types for policy packs: what a pack hands to the core.

A pack imports :mod:`core.hookspecs` (``hookimpl``) and this module, nothing
else of the core.  The shape of a policy document is defined (and validated)
by :mod:`core.policy.schema`; the vocabulary below is the public one that
packs may extend but never rename.
"""
from dataclasses import dataclass, field

CHANNELS = ("visit", "phone", "letter", "email", "online", "hotline", "chat", "meeting")
MATTER_TYPES = ("consultation", "inquiry", "complaint", "help", "business",
                "report", "repair", "suggestion")
# "escalation": the clock of the level a matter was escalated to (stage "escalation").
# "rectification": the duty a bad customer rating opens (整改, stage "rating"; core.voice).
DEADLINE_KINDS = ("transfer", "accept", "reply", "on_site", "feedback", "callback", "final",
                  "escalation", "rectification")
UNITS = ("minutes", "hours", "working_hours", "working_days")
TRANSFER_MODES = ("handover", "accompany", "guide")
# "wrong_transfer": a handover the receiving department signed for as not its duty (charged
# to whoever made the transfer, e.g. the first unit under the government three-part form).
TRIGGERS = ("banned_phrase", "forbidden_transfer", "wrong_transfer",  # plus "deadline.<kind>"
            "spot_check_failed",    # an inspector's call contradicts the record
            "complaint_substantiated")   # a complaint about staff found true (core.voice)
# Lifecycle steps that start clocks; a deadline selector "@<stage>" picks a rule by stage.
STAGES = ("register", "handle", "handover", "coordination", "agreement", "referral",
          "feedback", "reply", "escalation", "decision", "rating")
# What a staff member may do (core permission roles; a pack's org roles map onto these).
PERMISSIONS = ("staff", "dept_supervisor", "cr_supervisor", "inspector", "leader", "admin")
# Courteous phrases that contain a banned one ("如有不清楚的地方…" holds 不清楚): matched first
# and left out of the banned-phrase check.  Packs list them under wording.allowed_phrases.
COMMON_ALLOWED_PHRASES = ("如有不清楚", "若有不清楚", "如果有不清楚", "还有不清楚", "有什么不清楚",
                          "哪里不清楚", "不清楚的地方", "不知道您", "不知道是否")


@dataclass(frozen=True)
class Pack:
    """A sector policy pack as returned by ``shouwen_pack``."""
    key: str
    sector: str
    name: dict            # {"zh": ..., "en": ...}
    summary: dict         # plain-language summary, {"zh": ..., "en": ...}
    policy: dict          # the default policy document (see core.policy.schema)
    sources: tuple = ()   # where the rules come from, for people reading the pack


@dataclass(frozen=True)
class Decision:
    """The answer to a yes/no policy question, with a reason people can read."""
    allowed: bool
    code: str = ""
    message: dict = field(default_factory=dict)   # {"zh": ..., "en": ...}
    suggest: str = ""                             # e.g. "coordination"


@dataclass(frozen=True)
class Finding:
    """One wording finding on a reply: a banned phrase (error) or a hint."""
    level: str            # "error" blocks the reply; "hint" is advice
    phrase: str
    message: dict = field(default_factory=dict)


def rule(amount, unit):
    """A deadline rule as written everywhere: ``{"amount": N, "unit": ...}``."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    return {"amount": int(amount), "unit": unit}


def text(zh, en):
    """A bilingual text."""
    return {"zh": zh, "en": en}
