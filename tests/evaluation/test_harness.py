"""Whole runs: offline, and against the tests' OpenAI-compatible server over real HTTP (columns side by side)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fake_model import respond
from llm_server import TEST_KEY, chat_server
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Config
from assistant.evaluation import (
    Environment,
    EvalOptions,
    compare,
    load_labels,
    load_suite,
    read_run,
    render_html,
    run_evaluation,
    run_judge,
    subjects_for,
    thresholds_met,
    write_run,
)
from assistant.llm import llm_settings

CASES = Path(__file__).resolve().parent / "cases"
ROOT = Path(__file__).resolve().parents[2]
THRESHOLDS = {
    "engine": {"rules.micro_recall": {"min": 0.9}},
    "models": {"rewrite.invented_rate": {"max": 0.0}, "beat_offline": ["rewrite.case_pass"]},
}


def environment(retriever, server=None, tmp_path: Path | None = None, prompts_dir: Path | None = None) -> Environment:
    settings = None
    if server is not None:
        environ = {
            "OKR_REVIEW_LLM_BASE_URL": server.base_url,
            "OKR_REVIEW_LLM_MODEL": "good-model",
            "OPENAI_API_KEY": TEST_KEY,
            "OKR_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
        }
        settings = llm_settings({"max-retries": 0, "timeout": 10}, environ=environ)
    return Environment(Config(), retriever, retriever.index.notebook, llm_settings=settings, prompts_dir=prompts_dir)


def options(subjects, **fields) -> EvalOptions:
    return EvalOptions(cases_dir=CASES, subjects=subjects, thresholds=THRESHOLDS, **fields)


def by_model(request: dict):
    return respond(request, sloppy=request["body"]["model"] == "sloppy-model")


def test_offline_run_measures_rules_tasks_and_retrieval(retriever):
    record = run_evaluation(
        options(subjects_for([], []), retrieval_cases=ROOT / "evals" / "retrieval" / "queries.yaml"),
        environment(retriever),
    )
    assert [s["name"] for s in record["settings"]["subjects"]] == ["offline"]
    rules = record["engine"]["rules"]
    assert rules["cases"] == 3 and rules["micro_recall"] == 1.0
    retrieval = record["engine"]["retrieval"]
    assert retrieval["cases"] >= 100 and retrieval["hit_at_3"] > 0.8
    assert retrieval["section_cases"] == retrieval["cases"] and 0.5 < retrieval["section_hit_at_3"] <= 1.0
    assert retrieval["section_hit_at_1"] <= retrieval["section_hit_at_3"] and "section_misses" in retrieval
    assert "per section" in render_html(record)
    offline = record["columns"]["offline"]
    assert set(offline) == {"rewrite", "questions", "retrospective", "adversarial"}
    assert offline["rewrite"]["invented_rate"] == 0.0 and offline["rewrite"]["tokens_per_case"] == 0
    empty = next(r for r in record["results"] if r["case"] == "a-en-empty")
    assert empty["passed"] and empty["checks"] == {"refuses with a clear error": True}
    retro = next(r for r in record["results"] if r["case"] == "t-zh-1")
    assert retro["passed"], retro["failed_checks"]
    assert "calibration mean band" in retro["checks"] and "obstacle O1.KR2" in retro["checks"]
    assert thresholds_met(record)


def test_model_columns_side_by_side_catch_the_sloppy_model(retriever, tmp_path):
    with chat_server(by_model) as server:
        env = environment(retriever, server, tmp_path)
        record = run_evaluation(options(subjects_for(["good-model", "sloppy-model"], [])), env)
    columns = record["columns"]
    good, sloppy = columns["good-model · latest prompts"], columns["sloppy-model · latest prompts"]
    assert good["rewrite"]["checks"]["answered"] == 1.0 and good["rewrite"]["case_pass"] == 1.0
    assert good["rewrite"]["tokens_per_case"] > 0 and good["rewrite"]["calls"] >= 2
    assert sloppy["rewrite"]["invented_rate"] == 1.0  # every candidate it wrote made figures up
    assert sloppy["rewrite"]["case_pass"] == 0.0  # nothing it invented reached a user
    failed = {(v["scope"], v["metric"]) for v in record["verdicts"] if not v["ok"]}
    assert ("sloppy-model · latest prompts", "rewrite.case_pass") in failed  # does not beat offline
    assert ("sloppy-model · latest prompts", "rewrite.invented_rate") in failed
    assert not any(scope.startswith("good-model") for scope, _ in failed)
    assert not thresholds_met(record)
    # The key never lands in the run record.
    assert TEST_KEY not in json.dumps(record, ensure_ascii=False)


def test_two_prompt_versions_compared_and_reruns_come_from_the_cache(retriever, tmp_path):
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    v2 = (prompts / "rewrite-kr.v1.toml").read_text("utf-8").replace("version = 1", "version = 2")
    v2 = v2.replace('zh = """', 'zh = """SINGLE-CANDIDATE\n', 1).replace('en = """', 'en = """SINGLE-CANDIDATE\n', 1)
    (prompts / "rewrite-kr.v2.toml").write_text(v2, "utf-8")
    subjects = subjects_for(["good-model"], ["rewrite-kr@1", "rewrite-kr@2"])
    assert [s.name for s in subjects] == [
        "offline",
        "good-model · rewrite-kr@v1",
        "good-model · rewrite-kr@v2",
    ]
    with chat_server(by_model) as server:
        env = environment(retriever, server, tmp_path, prompts_dir=prompts)
        first = run_evaluation(options(subjects, kinds=("rewrite",)), env)
        calls = len(server.chat_requests())
        again = run_evaluation(options(subjects, kinds=("rewrite",)), env)
        assert len(server.chat_requests()) == calls  # the second run cost nothing
    v1_col, v2_col = first["columns"]["good-model · rewrite-kr@v1"], first["columns"]["good-model · rewrite-kr@v2"]
    assert v1_col["rewrite"]["candidate_pass"] == 1.0
    assert v2_col["rewrite"]["candidate_pass"] == 1.0
    assert again["columns"]["good-model · rewrite-kr@v1"]["rewrite"]["cache_hits"] == 2
    assert again["columns"]["good-model · rewrite-kr@v1"]["rewrite"]["calls"] == 0
    diffs = compare(first, "good-model · rewrite-kr@v1", first, "good-model · rewrite-kr@v2")
    changed = {d.case: d.change for d in diffs}
    assert changed["w-zh-1"] == "output changed"  # v2 gives one candidate where v1 gave two
    html = render_html(first, diffs, "v1 → v2")
    assert "output changed" in html and "<del>" in html
    assert "rewrite-kr@v2" in json.dumps(first["settings"]["subjects"])


def test_repeats_sample_again_and_report_spread(retriever, tmp_path):
    conversations = {"count": 0, "sloppy": False}

    def flaky(request: dict):
        # Every third conversation is sloppy from its first request to its last feedback round.
        if len(request["body"]["messages"]) <= 2:
            conversations["sloppy"] = conversations["count"] % 3 == 2
            conversations["count"] += 1
        return respond(request, sloppy=conversations["sloppy"])

    with chat_server(flaky) as server:
        record = run_evaluation(
            options(subjects_for(["good-model"], []), kinds=("rewrite",), repeats=3, concurrency=1),
            environment(retriever, server, tmp_path),
        )
    column = record["columns"]["good-model · latest prompts"]["rewrite"]
    assert column["runs"] == 6 and column["cases"] == 2
    assert 0 < column["case_pass"] < 1 and column["case_pass_spread"] > 0


def test_judge_scores_columns_and_is_checked_against_human_labels(retriever, tmp_path):
    labels = load_labels(ROOT / "evals" / "judge" / "labels.jsonl")
    assert len(labels) >= 10 and {label.language for label in labels} == {"zh", "en"}
    suite = load_suite(CASES, kinds=("rewrite",))
    with chat_server(by_model) as server:
        env = environment(retriever, server, tmp_path)
        subjects = subjects_for(["good-model"], [])
        judge_llm = env.llm(subjects[1], 0)

        def judge(results):
            return run_judge(judge_llm, {c.id: c for c in suite.cases}, results, labels)

        record = run_evaluation(
            EvalOptions(
                cases_dir=CASES,
                subjects=subjects,
                thresholds={"judge": {"within_one": {"min": 0.5}}},
                kinds=("rewrite",),
            ),
            env,
            suite=suite,
            judge=judge,
        )
    judged = record["judge"]
    assert judged["graded"] > 0 and judged["agreement"]["labels"] == len(labels)
    assert 0 <= judged["agreement"]["within_one"] <= 1
    assert record["columns"]["offline"]["rewrite"]["judge_score"] >= 3
    assert any(v["scope"] == "judge" for v in record["verdicts"])


def test_cli_eval_offline_writes_reports_and_gates_on_thresholds(tmp_path):
    runner = CliRunner()
    out = tmp_path / "runs"
    args = ["eval", "--cases", str(CASES), "--offline", "--no-retrieval", "--out", str(out)]
    loose = tmp_path / "loose.toml"
    loose.write_text('[engine]\n"rules.micro_recall" = { min = 0.5 }\n', "utf-8")
    result = runner.invoke(app, [*args, "--thresholds", str(loose)])
    assert result.exit_code == 0, result.output
    assert "Rule engine" in result.output and "offline" in result.output
    runs = sorted(out.glob("eval-*.json"))
    assert len(runs) == 1 and runs[0].with_suffix(".html").exists()
    record = read_run(runs[0])
    assert record["settings"]["thresholds_file"] == str(loose)
    strict = tmp_path / "strict.toml"
    strict.write_text('[offline]\n"rewrite.case_pass" = { min = 1.01 }\n', "utf-8")
    result = runner.invoke(app, [*args, "--thresholds", str(strict)])
    assert result.exit_code == 1
    assert "missed offline: rewrite.case_pass" in result.output
    second = sorted(set(out.glob("eval-*.json")) - set(runs))
    assert len(second) == 1  # runs never overwrite each other
    diff = tmp_path / "diff.html"
    result = runner.invoke(app, ["eval-compare", str(runs[0]), str(second[0]), "-o", str(diff)])
    assert result.exit_code == 0, result.output
    assert "fixed 0 · broken 0" in result.output and diff.exists()


def test_cli_eval_bad_case_file_exits_2_after_running_the_rest(tmp_path):
    cases = tmp_path / "cases"
    shutil.copytree(CASES, cases)
    with (cases / "rules.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{broken\n")
    result = CliRunner().invoke(
        app, ["eval", "--cases", str(cases), "--offline", "--no-retrieval", "--kind", "rules", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "rules.jsonl:4: not JSON" in result.output
    assert "Rule engine: 3 cases" in result.output


def test_write_run_is_readable_back(tmp_path, retriever):
    record = run_evaluation(options(subjects_for([], []), kinds=("rules",)), environment(retriever))
    path = write_run(record, tmp_path)
    assert read_run(path)["engine"]["rules"]["cases"] == 3
    (tmp_path / "junk.json").write_text("[]", "utf-8")
    with pytest.raises(ValueError, match="not an evaluation run"):
        read_run(tmp_path / "junk.json")


def test_shipped_suite_runs_offline_and_meets_its_thresholds(tmp_path):
    """What CI gates on: the whole suite, offline, against evals/thresholds.toml."""
    result = CliRunner().invoke(app, ["eval", "--offline", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    record = read_run(next(tmp_path.glob("eval-*.json")))
    assert record["engine"]["rules"]["cases"] >= 100 and record["engine"]["retrieval"]["cases"] >= 100
    assert sum(record["suite"]["counts"].values()) >= 200
    assert all(v["ok"] for v in record["verdicts"]) and len(record["verdicts"]) >= 10


def test_a_case_expecting_refusal_passes_when_its_sets_cannot_be_read(retriever):
    from assistant.evaluation.cases import parse_case
    from assistant.evaluation.runner import run_case
    from assistant.rules.catalogue import rules

    raw = {"id": "e1", "lang": "zh", "task": "retrospective", "attack": "empty", "expect_error": True, "set": {}}
    case = parse_case(raw, "adversarial", "adversarial.jsonl:1", frozenset(rules()))
    assert case.sets == () and case.input_error
    result = run_case(case, subjects_for([], [])[0], environment(retriever))
    assert result.passed and result.checks == {"refuses with a clear error": True}
    assert result.output == case.input_error
