"""The pluggy contract between the Shouwen core and policy packs.

A policy pack is a module (or any object) with functions marked ``@hookimpl``,
registered under the entry-point group ``shouwen.policy_packs``.  Packs import
only this module and :mod:`core.rules` (rule types and helpers).

Packs are all loaded into one plugin manager, but the *decision* hooks are
called for one tenant at a time, on a caller that holds only the tenant's pack
plus the core default plugin (``core.policy.default_rules``), so a pack never has to
check "is this call for me?".  Decision hooks are ``firstresult``: the first
non-``None`` answer wins; the pack's answer comes before the core default,
which is registered ``trylast``.

Every hook is documented with who calls it, when, and what it returns; a test
checks that each hook has a docstring and is exercised by the test suite.
"""
import pluggy

hookspec = pluggy.HookspecMarker("shouwen")
hookimpl = pluggy.HookimplMarker("shouwen")


@hookspec
def shouwen_pack():
    """Describe the pack.

    Called by: ``core.policy.plugins.PackRegistry`` once, when the plugin manager is
    built (application start).  Called on every registered plugin.

    Returns: a :class:`core.rules.Pack` (key, sector, names and summaries in
    zh/en, and the default policy document), or ``None`` for plugins that are
    not packs (such as the core default plugin).  The summary is the
    plain-language description the sign-up page shows beside the pack; it may
    be empty (``{}``), the page then shows the name only.
    """


@hookspec(firstresult=True)
def shouwen_deadline_rule(policy, kind, matter_type, category, stage):
    """Choose the deadline rule for one clock.

    Called by: ``core.deadlines.clocks.start_clock`` whenever a stage starts a clock
    (registration, handover, coordination, feedback ...).

    ``policy`` is the effective policy document of the contact's policy
    version; ``kind`` is a deadline kind (``transfer``, ``reply`` ...);
    ``stage`` names the lifecycle step starting it (``register``,
    ``handover``, ``coordination``, ``agreement``, ``feedback``, ``escalation``,
    ``decision`` ...: ``core.rules.STAGES``).

    Returns: a rule dict ``{"amount": N, "unit": "..."}``, ``False`` when this
    kind has no clock in this case, or ``None`` to let the next implementation
    decide.  The core default looks the rule up in ``policy["deadlines"]``:
    ``"<matter_type>.<category>"``, then ``"<matter_type>"``, then
    ``"default"``.
    """


@hookspec(firstresult=True)
def shouwen_transfer_decision(policy, contact, transfer):
    """Decide whether a transfer may be made.

    Called by: ``core.contacts.lifecycle.transfer`` before a transfer is recorded.

    ``contact`` is the :class:`core.contacts.models.Contact`; ``transfer`` is a dict
    with ``mode`` (``handover``/``accompany``/``guide``/``return``),
    ``from_department_id``, ``to_department_id``, ``by_owner`` (the actor is
    the first-inquiry owner) and ``is_return`` (it goes back to the department
    that issued it).

    Returns: a :class:`core.rules.Decision` (``allowed``, ``code``, message in
    zh/en, and ``suggest`` such as ``"coordination"``), or ``None``.  The core
    default applies ``policy["transfer"]``: a receiving department may pass a
    matter on only if ``receiver_may_pass_on``, and may return it to the
    issuing department only if ``receiver_may_return`` (with a written opinion
    when ``return_requires_opinion``).
    """


@hookspec
def shouwen_lint_reply(policy, text):
    """Check the wording of a reply before it reaches the customer.

    Called by: ``core.contacts.wording.lint`` for every reply, feedback and callback
    note (API, web preview and web submit).  Called on the tenant's pack and
    the core default; all answers are combined.

    Returns: a list of :class:`core.rules.Finding` (``level`` "error" for a
    banned phrase, which blocks the reply, or "hint" for a courtesy
    suggestion), or ``None``.
    """


@hookspec(firstresult=True)
def shouwen_choose_owner(policy, candidates):
    """Choose the first-inquiry owner among the staff who received a contact.

    Called by: ``core.contacts.lifecycle.register`` when co-receivers are given.

    ``candidates`` is a list of staff, the registering staff member first.

    Returns: the staff member who owns the contact, or ``None``.  The core
    default applies the rank rule: the highest rank owns; on a tie, the
    registering staff member.
    """


@hookspec(firstresult=True)
def shouwen_next_escalation(policy, contact, level):
    """Name the next level of the escalation chain.

    Called by: ``core.contacts.lifecycle.escalate`` (a person escalates) and by the
    sweep when a breached deadline escalates automatically.

    ``level`` is the contact's current level (0 = not escalated).

    Returns: a dict ``{"level": n, "key": ..., "name": {...},
    "department": code|None, "role": key|None, "conflict": bool}`` for the
    next level, ``False`` when the chain is exhausted, or ``None``.
    """


@hookspec(firstresult=True)
def shouwen_penalty(policy, trigger, staff, previous_count):
    """Propose the sanction for a violation.

    Called by: ``core.contacts.violations.propose`` when a deadline is breached, a
    banned phrase is attempted, a forbidden transfer is attempted or a
    transfer is signed for as wrong.

    ``trigger`` is ``"deadline.<kind>"``, ``"banned_phrase"``,
    ``"forbidden_transfer"`` or ``"wrong_transfer"`` (the receiving department
    signed for a handover as not its duty; proposed against whoever made it) or ``"spot_check_failed"`` (an inspector's verification call contradicts the handling or the owner's callback: ``core.supervision.spot_checks``) or ``"complaint_substantiated"`` (the receiving body found a complaint about the person true and chose to propose a violation: ``core.voice.complaints.record_handling``); ``previous_count`` is how many confirmed
    violations of the same rule the staff member already has (graded
    sanctions).

    Returns: a dict ``{"rule": key, "rule_text": {zh, en},
    "sanction": {zh, en, "amount": yuan|None}}``, ``False`` for "this is not
    a violation under this policy", or ``None``.
    """


@hookspec
def shouwen_contact_event(policy, contact, event):
    """React to a lifecycle event.

    Called by: ``core.contacts.events.record`` after each event is added to a
    contact's log (in the same transaction).  Called on the tenant's pack
    and the core default; all answers are combined.

    ``event`` is the :class:`core.contacts.models.ContactEvent` just recorded.

    Returns: a list of department codes to send a copy to (for example the
    hotel copies every transfer to Quality Inspection), or ``None``.  Each copied
    department's staff are told (notification reason ``copy``) and the copy is listed on
    the department's "copied to us" page (``core.contacts.copies``).
    """


@hookspec(firstresult=True)
def shouwen_assessment_score(policy, department, figures, components):
    """Compute one department's assessment score for a period.

    Called by: ``core.supervision.assessments.score`` for every assessed department when
    an assessment run is computed (and again when a component score is entered during
    review), never for a published run.

    ``policy`` is the effective policy document the run is computed under; ``department``
    is ``{"id", "code"}``; ``figures`` is the department's
    :class:`core.supervision.figures.Figures` for the run's period (empty when it had
    nothing); ``components`` is a list of ``{"key", "weight", "value"}`` in the pack's
    order, ``value`` the normalised component score 0-100 or ``None`` (no data, or not
    entered yet).

    Returns: the score (a number 0-100, rounded by the caller to 2 places), ``False`` for
    "no score", or ``None`` to let the next implementation decide.  The core default
    combines the components that have a value by weight, the others' weights left out;
    with no value at all it answers ``False``.
    """


@hookspec(firstresult=True)
def shouwen_complaint_route(policy, contact, person):
    """Name the body that receives a complaint about a member of staff.

    Called by: ``core.voice.complaints.route`` when a customer complains from the progress
    page or staff register a complaint on a customer's behalf (web page and API), before the
    complaint is recorded.

    ``contact`` is the :class:`core.contacts.models.Contact` complained about; ``person`` is a
    dict ``{"id", "title" (the pack's org role key), "role" (permission role), "rank",
    "department" (department code or None)}`` of the person complained about, as they are
    now.

    Returns: a list of department codes, the preferred receiving body first, or ``None``.
    The caller takes the first code that names an active department of the tenant and is
    not the person's own department (a complaint is never routed to the person complained
    about: the next body receives it), then falls back to the core default's list.  The core
    default answers a company's general office (``general_office``, ``office``,
    ``management``), then the pack's supervising department (``assessment.supervisor`` /
    ``assessment.department``).
    """
