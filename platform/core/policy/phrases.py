"""Matching banned and allowed phrases the way staff might type around them.

A brush-off is a brush-off in any script or spacing, so a reply and the pack's phrases are
compared after the same normalisation:

* Unicode NFKC folds full-width letters, digits and symbols (ｎｏｔ → not);
* traditional characters read as simplified (OpenCC ``t2s``: 不歸我管 → 不归我管), since
  the sources themselves come in both scripts;
* spaces, zero-width characters and filler symbols *between two Chinese characters* are
  dropped (不 归 我 管, 不-归-我-管), while spaces between Latin words stay, so "know a
  way" does not become "no way".  Sentence punctuation (，。、！) is kept on purpose:
  dropping it would join clauses into false matches ("马上办，不了解的地方" is not 办不了);
* case is ignored.
"""
import functools
import re
import unicodedata

import opencc

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FILLER_BETWEEN_CJK = re.compile(
    rf"(?<=[{_CJK}])[\s\u200b-\u200f\u2060\ufeff\-_*·.~/\\|]+(?=[{_CJK}])")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")


@functools.lru_cache(maxsize=1)
def _to_simplified():
    return opencc.OpenCC("t2s").convert


def normalise(text):
    """The form phrases are matched in (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = _INVISIBLE.sub("", _to_simplified()(folded))
    return _FILLER_BETWEEN_CJK.sub("", folded).lower()


@functools.lru_cache(maxsize=4096)
def normalised_phrase(phrase):
    """A pack's phrase, normalised once per process (replies are not cached: rarely twice)."""
    return normalise(phrase)


def screen(text, allowed):
    """``text`` normalised, with every allowed phrase blanked out (longest first), so a
    courteous "如有不清楚的地方" does not trip the banned 不清楚."""
    screened = normalise(text)
    for phrase in sorted((normalised_phrase(p) for p in allowed), key=len, reverse=True):
        if phrase:
            screened = screened.replace(phrase, "\0" * len(phrase))
    return screened


def contains(screened, phrase):
    """Does the screened text contain ``phrase`` (normalised the same way)?"""
    needle = normalised_phrase(phrase)
    return bool(needle) and needle in screened
