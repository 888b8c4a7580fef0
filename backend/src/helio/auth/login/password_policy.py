"""Password policy per NIST SP 800-63B: length, no composition rules, no guessable passwords.

A password is refused when it is shorter than 12 or longer than 128 code points
(after NFKC), when it is a common or breached password (bundled list, also
when merely padded with digits or symbols), when it leans on the user's name or
email or on the context words below, or when zxcvbn scores it below 3.
"""

from __future__ import annotations

import asyncio
import functools
import re
import string
import threading
import unicodedata
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

from zxcvbn import zxcvbn

from helio.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3

# ASVS V6.1.2: the company, product and trade words a password must not lean on.
CONTEXT_WORDS: tuple[str, ...] = (
    "helio",
    "solar",
    "panel",
    "photovoltaic",
    "inverter",
    "rooftop",
)

# zxcvbn's cost grows steeply with length (up to ~0.5 s for 64 random
# characters), so it scores 32-character chunks and the password counts as
# strong as its strongest chunk: worst case ~40 ms for 128 characters.
_CHUNK = 32
_PADDING = string.digits + string.punctuation + string.whitespace
# Cracking rules append or prepend a few digits and symbols to listed words first:
# up to 8 of them (~26 bits at best) do not make a listed password uncommon.
MAX_PADDING = 8
# One-to-one substitutions, so indices in the folded text match the password.
_LEET_I = str.maketrans("0134578@$!|", "oieastbasii")
_LEET_L = str.maketrans("0134578@$!|", "oleastbasll")
# zxcvbn keeps the user inputs in a module-level dict it rewrites on every call.
_ZXCVBN_LOCK = threading.Lock()

MSG_SHORT = f"Use at least {MIN_LENGTH} characters."
MSG_LONG = f"Use at most {MAX_LENGTH} characters."
MSG_COMMON = "This password is too common; choose one that is not on lists of leaked passwords."
MSG_CONTEXT = (
    "Don't use your name, your email or words like 'Helio' or 'solar'; add other, unrelated words."
)
MSG_WEAK = "This password is too easy to guess."


def normalise(pw: str) -> str:
    """Return the password in NFKC form, as it is hashed."""
    return unicodedata.normalize("NFKC", pw)


def is_within_length(pw: str) -> bool:
    """Return True when the password has 12 to 128 code points after NFKC."""
    return MIN_LENGTH <= len(normalise(pw)) <= MAX_LENGTH


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the bundled list of common and breached passwords (lowercase)."""
    text = files("helio.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _unpadded(folded: str) -> Iterator[str]:
    """Yield the password without i leading and j trailing padding characters, i + j <= 8."""
    n = len(folded)
    lead = n - len(folded.lstrip(_PADDING))
    trail = n - len(folded.rstrip(_PADDING))
    for i in range(min(lead, MAX_PADDING) + 1):
        for j in range(min(trail, MAX_PADDING - i) + 1):
            yield folded[i : n - j]


def is_common(pw: str) -> bool:
    """Return True for a listed password, also when padded with up to 8 digits or symbols."""
    listed = common_passwords()
    return any(form in listed for form in _unpadded(normalise(pw).casefold()))


def context_terms(email: str | None, name: str | None) -> list[str]:
    """Return the words a user's password must not rely on: context words, email, name parts."""
    terms = list(CONTEXT_WORDS)
    if email:
        local = email.split("@", 1)[0]
        terms += [email, local, *re.split(r"[._+\-]+", local)]
    if name:
        terms += re.split(r"[\s.,'\-]+", name)
    # lower(), not casefold() ("ß" stays "ß"), to match the password as strip_context folds it.
    folded = {normalise(t).lower() for t in terms}
    return sorted((t for t in folded if len(t) >= 3), key=len, reverse=True)


def strip_context(pw: str, terms: list[str]) -> str:
    """Return the password without the context terms it contains (case and l33t-insensitive)."""
    keep = [True] * len(pw)
    lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in pw)
    for table in (_LEET_I, _LEET_L):
        folded = lowered.translate(table)
        for term in terms:
            for found in re.finditer(re.escape(term.translate(table)), folded):
                keep[found.start() : found.end()] = [False] * len(term)
    return "".join(c for c, k in zip(pw, keep, strict=True) if k)


def _strength(pw: str, terms: list[str]) -> dict[str, Any]:
    """Return the zxcvbn result of the strongest 32-character chunk of the password."""
    best: dict[str, Any] = {"score": 0, "feedback": {"warning": "", "suggestions": []}}
    for start in range(0, len(pw), _CHUNK):
        with _ZXCVBN_LOCK:
            result: dict[str, Any] = zxcvbn(pw[start : start + _CHUNK], user_inputs=terms)
        if start == 0 or result["score"] > best["score"]:
            best = result
        if best["score"] >= MIN_SCORE:
            break
    return best


def _weak_message(result: dict[str, Any]) -> str:
    feedback = result["feedback"]
    parts = [MSG_WEAK, feedback.get("warning") or "", *feedback.get("suggestions", [])]
    return " ".join(p.strip() for p in parts if p and p.strip())


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="weak_password", fields={"password": message})


def check_password(pw: str, *, email: str | None, name: str | None) -> None:
    """Refuse a new password that breaks the policy; say what to fix.

    Args:
        pw: the new password as typed.
        email: the account's email, a context term.
        name: the account holder's full name, a context term.

    Raises:
        ValidationFailed: code `weak_password`, message and `fields["password"]` saying what
            to fix.
    """
    password = normalise(pw)
    if len(password) < MIN_LENGTH:
        raise _refuse(MSG_SHORT)
    if len(password) > MAX_LENGTH:
        raise _refuse(MSG_LONG)
    if is_common(password):
        raise _refuse(MSG_COMMON)
    terms = context_terms(email, name)
    rest = strip_context(password, terms)
    result = _strength(rest, terms)
    if result["score"] >= MIN_SCORE:
        return
    if rest != password:
        raise _refuse(MSG_CONTEXT)
    raise _refuse(_weak_message(result))


async def check_password_async(pw: str, *, email: str | None, name: str | None) -> None:
    """Run `check_password` in a worker thread (zxcvbn can take tens of ms of CPU)."""
    await asyncio.to_thread(check_password, pw, email=email, name=name)
