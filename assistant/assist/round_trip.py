"""The doctor's rewrite round-trip: one real rewrite through the LLM, its candidates checked by the rules.

``okr-review doctor`` and the app's settings tab both pass :func:`rewrite_round_trip` to
:func:`assistant.llm.doctor.diagnose`, which cannot import the tasks (they sit above the LLM layer).
"""

from __future__ import annotations

import time

from ..llm import LLM
from ..llm.doctor import Check, sample_rewrite
from ..texts import words
from .rewrite import rewrite_kr


def rewrite_round_trip(llm: LLM, language: str) -> Check:
    """One real rewrite of the sample KR (doctor.toml) through ``llm``, its candidates checked by the rules."""
    sample = sample_rewrite(language)
    started = time.perf_counter()
    outcome = rewrite_kr(
        sample["key_result"],
        objective=sample["objective"],
        context=sample["context"],
        language="en" if language == "en" else "zh",
        llm=llm,
        retriever=None,
        notebook=None,
        count=2,
        max_feedback_rounds=1,
    )
    seconds = time.perf_counter() - started
    say = words("doctor").get
    usage = {"requests": llm.usage.calls, "tokens": llm.usage.total_tokens}
    if outcome.mode != "llm":
        return Check("rewrite", "degraded", say(language, "rewrite_fallback", error=outcome.error), seconds)
    if outcome.passed_count:
        best = outcome.candidates[0].candidate.text
        passed = {"passed": outcome.passed_count, "checked": outcome.checked_count, "best": best}
        return Check("rewrite", "ok", say(language, "rewrite_passed", **passed, **usage), seconds)
    why = outcome.rejected[0].reasons(language)[:200] if outcome.rejected else ""
    detail = say(language, "rewrite_none", rounds=outcome.rounds, **usage)
    return Check("rewrite", "degraded", detail + (f" — {why}" if why else ""), seconds)
