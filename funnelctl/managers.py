"""Manager names across sources: one person written several ways is matched to one name.

Pure functions on a few names (no frames): the readers give each source's names with
their row counts, and this module says which name each one counts as.

- `name_key`: case, ё/е, accents on Latin letters (é/e), spaces and word order do not
  matter ("анна  СМИРНОВА", "Смирнова Анна" and "Анна Смирнова" have one key; "Émilie" is
  "Emilie"), nor Latin letters that look like
  Cyrillic ones inside a Cyrillic word ("Aнна" typed with a Latin A), or the reverse.
- Initials: "Смирнова А.", "А. Смирнова" and "Смирнова А.В." match "Анна Смирнова" /
  "Смирнова Анна Викторовна" when exactly one known full name fits; when two fit, the
  name is ambiguous: listed, never merged.
- A login e-mail in brackets after a name ("Иванов Иван (ivanov@firm.ru)") is left out,
  unless two different e-mails follow one name (namesakes are not merged).
- `aliases:` says the rest (Bitrix24 user ids, nicknames, another spelling), and
  `ignore:` names system users whose rows are never graded ("0" always is).

The known full names are the roster when there is one; without a roster they are the
names in the data that have no initials. A name that matches nothing stays itself (with a
roster: not graded) and is listed, so one person is never silently split in two.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

ALWAYS_IGNORED = ("0",)  # Bitrix24 and others write 0 for "nobody" / the system
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A user written with its login after the name: amoCRM's "Иванов Иван (ivanov@firm.ru)",
# a mail client's "Иванов Иван <ivanov@firm.ru>". The person is the name before it.
_WITH_EMAIL = re.compile(r"^(.*?\S)\s*[(<]\s*[^\s()<>@]+@[^\s()<>@]+\s*[)>]$")


@lru_cache(maxsize=4096)  # match_names asks for each name's key several times
def name_key(name: str) -> str:
    """Case-, ё/е-, space- and order-free key of a name: its words, sorted."""
    return " ".join(sorted(_words(name)))


def _words(name: str) -> list[str]:
    folded = _without_latin_accents(name.casefold().replace("ё", "е"))
    return [_one_script(w) for w in _WORD.findall(folded)]


def _without_latin_accents(text: str) -> str:
    """"émilie" as "emilie": an accent on a Latin letter is often left out when a name is
    typed (the same person twice in one export). Only Latin letters: Cyrillic й is not и."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    kept = [c for i, c in enumerate(decomposed)
            if not (unicodedata.combining(c) and i and "a" <= decomposed[i - 1] <= "z")]
    return unicodedata.normalize("NFC", "".join(kept))


# Lower-case Latin letters and the Cyrillic ones they look like (upper-case B, H, M, T, K
# fold to b, h, m, t, k): a keyboard layout switched mid-word, or a name pasted from a
# document, writes "Aнна" with a Latin A, which no reader can tell from "Анна".
_LATIN_LOOKALIKE = str.maketrans("abcehkmoptxy", "авсенкмортху")
_CYRILLIC_LOOKALIKE = str.maketrans("авсенкмортху", "abcehkmoptxy")


def _one_script(word: str) -> str:
    """A word that mixes Latin and Cyrillic letters, written in the script most of its
    letters are in (look-alike letters only; a word with letters of one script is kept)."""
    cyrillic = sum("а" <= c <= "я" for c in word)
    latin = sum("a" <= c <= "z" for c in word)
    if not cyrillic or not latin:
        return word
    return word.translate(_LATIN_LOOKALIKE if cyrillic >= latin else _CYRILLIC_LOOKALIKE)


def mixes_scripts(name: str) -> bool:
    """Whether a word of the name mixes Latin and Cyrillic letters (the report says so
    beside a name it matched that way, since the two spellings look the same)."""
    return any(_one_script(w) != w for w in _WORD.findall(name.casefold()))


def why_alike(name: str, manager: str) -> str | None:
    """Why a name matched to `manager` looks the same on screen, for the report to say:
    "mixed_script" (look-alike letters of another script), "other_spaces" (a
    non-breaking, double or trailing space), else None (the difference shows)."""
    if mixes_scripts(name):
        return "mixed_script"
    if " ".join(name.split()) == " ".join(manager.split()):
        return "other_spaces"
    return None


def without_email(name: str) -> str:
    """The name without a login e-mail in brackets after it (the name itself otherwise)."""
    found = _WITH_EMAIL.match(name)
    return found.group(1) if found else name


def _persons(names: Iterable[str]) -> dict[str, str]:
    """Each name as it is matched: without its e-mail, unless names with two different
    e-mails would then be one (namesakes may be two people: each stays whole, and is
    listed as unmatched or stays apart)."""
    persons = {n: without_email(n) for n in names}
    logins: dict[str, set[str]] = defaultdict(set)
    for name, person in persons.items():
        if person != name:
            logins[name_key(person)].add(name_key(name))
    return {n: p if len(logins[name_key(p)]) <= 1 else n for n, p in persons.items()}


@dataclass(frozen=True)
class _Parts:
    full: tuple[str, ...]  # words longer than one letter
    initials: tuple[str, ...]  # one-letter words ("А." or "А")


def _parts(name: str) -> _Parts:
    words = _words(name)
    return _Parts(tuple(w for w in words if len(w) > 1), tuple(w for w in words if len(w) == 1))


def _fits(short: _Parts, full: _Parts) -> bool:
    """Whether `short` can be an abbreviation of the full name `full`: each of its words
    is a word of `full`, each initial the first letter of another one of its words."""
    if full.initials or not short.full or (not short.initials and len(short.full) < 2):
        return False
    rest = list(full.full)
    for word in short.full:
        if word not in rest:
            return False
        rest.remove(word)
    for letter in short.initials:
        hit = next((w for w in rest if w[0] == letter), None)
        if hit is None:
            return False
        rest.remove(hit)
    return True


@dataclass
class NameMatch:
    """Which manager each name in the data counts as."""

    counts_as: dict[str, str] = field(default_factory=dict)  # name in data -> manager
    ignored: dict[str, int] = field(default_factory=dict)  # system users -> rows
    merged: dict[str, str] = field(default_factory=dict)  # name -> manager, where they differ
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # name -> the candidates
    unmatched: list[str] = field(default_factory=list)  # matched no known full name


def match_names(rows: Mapping[str, int], roster: Iterable[str] | None = None,
                aliases: Mapping[str, str] | None = None,
                ignore: Iterable[str] = ()) -> NameMatch:
    """`rows`: each distinct name of the data with its number of rows. `aliases` maps a
    name in the data (compared by `name_key`) to a manager's name; with a roster, alias
    targets are expected to be on it (the config checks that)."""
    alias = {name_key(k): v for k, v in (aliases or {}).items()}
    skip = {name_key(n) for n in (*ALWAYS_IGNORED, *ignore)}
    out = NameMatch()
    names: dict[str, int] = {}
    for name, n in rows.items():
        if name_key(name) in skip:
            out.ignored[name] = out.ignored.get(name, 0) + n
        else:
            names[name] = n
    persons = _persons(names)
    roster = list(roster) if roster is not None else None
    # The known full names, by key; with a roster its spelling is the one shown.
    if roster is not None:
        known = {name_key(n): n for n in roster}
    else:
        known = _spellings(
            {alias.get(name_key(n), persons[n]): n_rows for n, n_rows in names.items()
             if name_key(n) in alias or not _parts(alias.get(name_key(n), persons[n])).initials})
    by_parts = {k: _parts(v) for k, v in known.items()}
    for name in names:
        target = alias.get(name_key(name), persons[name])
        key = name_key(target)
        if key in known:
            manager = known[key]
        else:
            short = _parts(target)
            fits = sorted(known[k] for k, p in by_parts.items() if _fits(short, p))
            if len(fits) == 1:
                manager = fits[0]
            else:
                manager = target
                if len(fits) > 1:
                    out.ambiguous[name] = fits
                elif roster is not None or short.initials:
                    out.unmatched.append(name)
        out.counts_as[name] = manager
        if manager != name:
            out.merged[name] = manager
    out.unmatched.sort()
    return out


def _spellings(rows: Mapping[str, int]) -> dict[str, str]:
    """key -> the spelling with the most rows (ties: the first in sorted order)."""
    best: dict[str, tuple[int, str]] = {}
    for name, n in rows.items():
        key = name_key(name)
        if key not in best or (-n, name) < (-best[key][0], best[key][1]):
            best[key] = (n, name)
    return {k: name for k, (_, name) in best.items()}
