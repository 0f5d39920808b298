"""Questionnaire scores: each department's score for a period from the answers about it.

The rule (issue 13, seed 000 Vanke): an answer's value is the mean of its scale answers,
normalised to 0-100 ((v − min) / (max − min) × 100, kept in hundredths); a group's value for
a department is the mean of its answers in the period; the department's score is the mean
of the groups' values weighted by the pack's ``questionnaire`` grouping, over the groups
that answered (the weights of the others are left out, as for assessment components).

An answer belongs to the period containing its ``day`` (``questionnaire_models``).  This is
a dedicated read over the answers (one grouped query), not a contribution family of the
roll-ups: the answers are few (one per respondent and round) and are never changed.

:func:`add_to` puts the sums into a department's ``Figures`` as the metric
``questionnaire`` (key: the group; n: answers; total: the sum of hundredths), so an
assessment run freezes them with its other figures and recomputes from them alone.
"""
from collections import defaultdict

from sqlalchemy import func, select

from core.extensions import db
from core.voice.questionnaire_models import QuestionnaireAnswer

METRIC = "questionnaire"


def normalised_centi(values, low, high):
    """An answer's mean normalised value in hundredths of a point (0-10000)."""
    points = [(v - low) * 10000 / (high - low) for v in values]
    return round(sum(points) / len(points))


def sums(period, questionnaire_id=None):
    """``{department id: {group key: (answers, sum of hundredths)}}`` of the period."""
    query = (select(QuestionnaireAnswer.department_id, QuestionnaireAnswer.group_key,
                    func.count(), func.sum(QuestionnaireAnswer.score_centi))
             .where(QuestionnaireAnswer.day >= period.first,
                    QuestionnaireAnswer.day <= period.last)
             .group_by(QuestionnaireAnswer.department_id, QuestionnaireAnswer.group_key))
    if questionnaire_id is not None:
        query = query.where(QuestionnaireAnswer.questionnaire_id == questionnaire_id)
    out = defaultdict(dict)
    for department_id, group, n, total in db.session.execute(query):
        out[department_id][group] = (int(n), int(total or 0))
    return dict(out)


def group_mean(n, total):
    """The mean 0-100 of ``n`` answers summing to ``total`` hundredths (None if none)."""
    return round(total / n / 100, 2) if n else None


def weighted(grouping, means):
    """The department's score: the groups' means weighted by the grouping (None if none)."""
    parts = [(g["weight"], means[g["key"]]) for g in grouping["groups"]
             if means.get(g["key"]) is not None]
    weight = sum(w for w, _ in parts)
    return round(sum(w * v for w, v in parts) / weight, 2) if weight else None


def department_scores(grouping, period, questionnaire_id=None):
    """``{department id: {"groups": {key: {"answers", "mean"}}, "score"}}`` of the period."""
    out = {}
    for department_id, groups in sums(period, questionnaire_id).items():
        means = {key: group_mean(n, t) for key, (n, t) in groups.items()}
        out[department_id] = {
            "groups": {key: {"answers": groups[key][0], "mean": means[key]} for key in groups},
            "score": weighted(grouping, means)}
    return out


def add_to(by_department, period, figures_class):
    """Add the period's questionnaire sums to ``{department id: Figures}`` (in place)."""
    for department_id, groups in sums(period).items():
        fig = by_department.setdefault(department_id, figures_class())
        for key, (n, total) in groups.items():
            fig.counts[(METRIC, key)] = (n, total)
    return by_department


def component_value(component, fig):
    """``(value 0-100 or None, inputs)`` of a ``questionnaire`` assessment component."""
    n, total = fig.counts.get((METRIC, component["group"]), (0, 0))
    return group_mean(n, total), {"group": component["group"], "answers": n,
                                  "mean": group_mean(n, total)}
