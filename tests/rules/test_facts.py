"""``FactsMemo``: a text met several times in a run is read once, and forgotten after its last use."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assistant import engine
from assistant.config import Config
from assistant.engine import check
from assistant.importers import load_paths
from assistant.rules.facts import FactsMemo, TextFacts

ROOT = Path(__file__).resolve().parents[2]


def test_a_repeated_text_is_read_once_and_dropped_after_its_last_use():
    memo = FactsMemo(["完成 A", "TBD", "完成 A", "完成 A"])
    first = memo.facts("完成 A")
    assert first.targets == ()  # work it out once, then the next occurrence gets it for free
    assert memo.facts("完成 A") is first
    assert "完成 A" in memo.kept
    assert memo.facts("完成 A") is first  # the last occurrence takes it out of the memo
    assert memo.kept == {} and "完成 A" not in memo.remaining


def test_a_text_met_once_is_never_kept():
    memo = FactsMemo(["TBD", "上线新版"])
    once = memo.facts("TBD")
    assert isinstance(once, TextFacts) and memo.kept == {}
    assert memo.facts("TBD") is not once  # met more often than counted: still correct, just read again


def _generator():
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "benchmarks" / "bench_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Forgetful(FactsMemo):
    """Reads every text afresh: what the memo must never change."""

    def facts(self, text: str) -> TextFacts:
        return TextFacts(text)


@pytest.mark.parametrize("distinct", [False, True])
def test_the_memo_changes_no_finding(tmp_path, monkeypatch, distinct):
    path = tmp_path / "export.csv"
    _generator().generate(path, 600, seed=5, distinct=distinct)
    sets = load_paths([str(path)]).sets
    texts = [t for s in sets for o in s.objectives for t in (o.text, *(kr.text for kr in o.key_results))]
    repeated = len(texts) - len(set(texts))
    assert (repeated == 0) if distinct else (repeated > 100)  # the export repeats texts as real ones do
    remembered = check(sets, Config(language="zh"))
    monkeypatch.setattr(engine, "FactsMemo", _Forgetful)
    assert check(sets, Config(language="zh")) == remembered
