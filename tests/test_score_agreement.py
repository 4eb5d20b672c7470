"""One owner for the score bands: ``check``, ``okr-review score``, the app's retrospective tab and the offline
retrospective place every cycle-end score against the same configured marks (score-low, score-full, score-scale).

Before, ``score`` ignored the settings, the app applied only ``score-low`` and the offline draft both: with
``score-low = 20`` a 30% key result was quiet in ``check`` and "analyse" in ``score``.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from assistant import scoring
from assistant.app.retro import distribution
from assistant.app.texts import text
from assistant.assist.candidates import suggestions
from assistant.assist.offline import retrospective_skeleton
from assistant.cli import app
from assistant.config import Config
from assistant.configfile import load_config
from assistant.engine import check
from assistant.importers import load_paths

SCORES = (
    "团队,目标,关键结果,分数\n"
    "A,让客户满意,续约率达到 90%,1.0\nA,让客户满意,NPS 达到 40,0.3\nA,让客户满意,投诉量降到 10 单,0.65\n"
)
LOW_KR = "O1.KR2"  # scored 0.3: 30%


def _setup(tmp_path: Path, settings: str) -> tuple[Path, Path]:
    scores = tmp_path / "scores.csv"
    scores.write_text(SCORES, encoding="utf-8")
    config = tmp_path / "okr-review.toml"
    config.write_text(settings, encoding="utf-8")
    return scores, config


def _verdicts(scores: Path, config_path: Path) -> dict[str, bool]:
    """Whether each of the four places calls the 30% key result one to analyse."""
    config = load_config(config_path)
    okr_set = load_paths([str(scores)]).sets[0]
    marks = scoring.marks(config)

    in_check = any(f.code == "CHA005" and f.key_result == LOW_KR for f in check([okr_set], config))

    result = CliRunner().invoke(app, ["score", str(scores), "--json", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    bands = {row["id"]: row["band"] for row in json.loads(result.stdout)[0]["key_results"]}
    in_score = bands[LOW_KR] == scoring.Band.analyse.value

    spread = {row["kr"]: row["band"] for row in distribution([okr_set], SimpleNamespace(config=config), "en")}
    in_app = spread[LOW_KR] == text("en", "band_low", low=f"{marks.low:g}")

    draft = retrospective_skeleton(okr_set, checkins={}, language="en", config=config)
    some_low = suggestions()["retrospective"]["en"]["some_low"].format(refs=LOW_KR, low=f"{marks.low:g}")
    in_offline = some_low in draft.calibration
    return {"check": in_check, "score": in_score, "app": in_app, "offline": in_offline}


@pytest.mark.parametrize(("settings", "analyse"), [("", True), ("[thresholds]\nscore-low = 20\n", False)])
def test_every_place_agrees_with_check_on_the_low_mark(tmp_path: Path, settings: str, analyse: bool) -> None:
    scores, config = _setup(tmp_path, settings)
    assert _verdicts(scores, config) == dict.fromkeys(("check", "score", "app", "offline"), analyse)


def test_score_reads_the_full_mark_and_scale_from_the_settings(tmp_path: Path) -> None:
    scores, config = _setup(tmp_path, 'score-scale = "percent"\n[thresholds]\nscore-full = 60\nscore-low = 10\n')
    result = CliRunner().invoke(app, ["score", str(scores), "--json", "--config", str(config)])
    row = json.loads(result.stdout)[0]
    assert row["scale"] == "percent"  # 1.0 read as 1%, as check reads it with this setting
    assert row["bands"] == {"analyse": 3, "low": 0, "healthy": 0, "high": 0, "conservative": 0}
    findings = check(load_paths([str(scores)]).sets, load_config(config))
    assert sorted(f.key_result for f in findings if f.code == "CHA005") == ["O1.KR1", "O1.KR2", "O1.KR3"]


def test_the_score_table_names_the_configured_marks(tmp_path: Path) -> None:
    scores, config = _setup(tmp_path, "[thresholds]\nscore-low = 20\nscore-full = 95\n")
    result = CliRunner().invoke(app, ["score", str(scores), "--config", str(config)])
    assert result.exit_code == 0 and "<20%" in result.stdout and "≥95%" in result.stdout


def test_a_bad_settings_file_stops_score(tmp_path: Path) -> None:
    scores, config = _setup(tmp_path, 'score-scale = "tenths"\n')
    result = CliRunner().invoke(app, ["score", str(scores), "--config", str(config)])
    assert result.exit_code == 2 and "score-scale" in result.output


def test_marks_come_from_the_config() -> None:
    marks = scoring.marks(Config().with_options())
    assert (marks.low, marks.full) == (50.0, 100.0)
    assert marks.band(30) is scoring.Band.analyse and scoring.Marks(low=20).band(30) is scoring.Band.low
