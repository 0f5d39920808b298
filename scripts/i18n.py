"""Keep the message catalogues in step with the code.

    python scripts/i18n.py update   # extract from code + templates (babel.cfg), merge into zh and en
    python scripts/i18n.py update --prune   # the same, dropping obsolete (#~) entries
    python scripts/i18n.py check    # exit 1 and list every message without a translation

``update`` is ``pybabel extract`` + ``pybabel update`` without fuzzy matching (a
fuzzy guess is not a translation): existing translations are kept, new messages
are added empty to the Chinese catalogue (translate them, then run ``check``)
and filled with the English message id in the English one; messages gone from
the code keep their translation in obsolete ``#~`` entries and are revived if
they return.  The
.po files are compiled when the application starts (core/i18n.py).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "platform"))

from core import i18n  # noqa: E402


def update(prune=False):
    template = i18n.extract_messages()
    print(f"{len(template)} messages extracted")
    for lang in i18n.LANGUAGES:
        added, obsolete, written = i18n.update_catalogue(lang, template, prune=prune)
        rel = os.path.relpath(i18n.catalogue_path(lang), i18n.ROOT)
        print(f"{rel}: {len(added)} new, {len(obsolete)} obsolete"
              f"{'' if written else ' (unchanged)'}")
        for msgid in added:
            print(f"  + {msgid!r}")
    check(template)
    return 0


def check(template=None):
    template = template if template is not None else i18n.extract_messages()
    failed = False
    for lang in i18n.LANGUAGES:
        found = i18n.problems(lang, template)
        for message, reason in found:
            locations = ", ".join(sorted({f for f, _ in message.locations}))
            print(f"{lang}: {reason}: {message.id!r} ({locations})")
        failed = failed or bool(found)
    if not failed:
        print(f"all {len(template)} messages translated in {', '.join(i18n.LANGUAGES)}")
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ["update"]:
        return update()
    if argv[1:] == ["update", "--prune"]:
        return update(prune=True)
    if argv[1:] == ["check"]:
        return check()
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
