"""``rewrite``, ``questions``, ``retro`` and ``check --suggest`` end to end: offline and over HTTP to a test server."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from llm_server import Reply, chat_server, system_prompt
from typer.testing import CliRunner

from assistant.cli import app

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "report.schema.json").read_text("utf-8"))
SECRET = "sk-cli-secret-0123456789"
runner = CliRunner()

GOOD_REWRITE = {
    "candidates": [
        {
            "text": "12月31日前，新用户 7 日留存率从 20% 提升到〔目标值〕",
            "metric": "新用户 7 日留存率",
            "baseline": "20%",
            "target": "〔目标值〕",
            "unit": "%",
            "deadline": "12月31日",
            "rationale": "把“优化引导”落到留存这一结果上。",
            "note_ids": ["measurable-kr"],
            "assumptions": [],
        }
    ]
}
QUESTIONS = {
    "questions": [
        {
            "question": "客户为什么会离开？哪一类客户最先流失？",
            "dimension": "outcome",
            "why": "找准结果",
            "note_ids": [],
        },
        {"question": "哪一个指标最能说明客户离不开我们？", "dimension": "measurable", "why": "找指标", "note_ids": []},
        {"question": "要做成这件事，需要哪些团队配合？", "dimension": "aligned", "why": "找协作", "note_ids": []},
    ]
}


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def endpoint(server, tmp_path: Path) -> dict[str, str]:
    return {
        "OKR_REVIEW_LLM_BASE_URL": server.base_url,
        "OKR_REVIEW_LLM_MODEL": "test-model",
        "OPENAI_API_KEY": SECRET,
        "OKR_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
    }


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def vague_csv(tmp_path) -> Path:
    return write(
        tmp_path / "okrs.csv",
        "team,cycle,objective,key_result,owner,due\n"
        "增长组,2026Q4,让新用户第一周就爱上产品,优化新手引导流程,张三,2026-12-31\n"
        "增长组,2026Q4,让新用户第一周就爱上产品,新用户 7 日留存率从 20% 提升到 30%,李四,\n",
    )


@pytest.fixture
def scores_csv(tmp_path) -> Path:
    return write(
        tmp_path / "scores.csv",
        "team,cycle,objective,key_result,owner,score\n"
        "增长部,2026Q3,让客户离不开我们,季度末 NPS 从 30 提升到 45,张三,1.0\n"
        "增长部,2026Q3,让客户离不开我们,客户续约率从 70% 提升到 85%,李四,0.3\n"
        "增长部,2026Q3,让客户离不开我们,客服首次响应时间从 4 小时缩短到 1 小时,王五,0.65\n",
    )


def test_rewrite_offline_says_so_and_keeps_placeholders():
    result = invoke("rewrite", "优化新手引导流程", "-O", "让新用户第一周就爱上产品")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("离线模式")
    assert "〔目标值〕" in result.stdout and "〔截止日期〕" in result.stdout
    assert "LLM 调用" not in result.output  # no usage line when nothing was called


def test_rewrite_offline_english_json():
    result = invoke("rewrite", "Improve the onboarding flow", "-O", "New users love us from week one", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["mode"] == "offline" and payload["candidates"]
    assert all("[target]" in c["text"] for c in payload["candidates"])
    assert "usage" not in payload


def test_rewrite_online_reports_pass_rate_tokens_and_cache_hits(tmp_path):
    with chat_server(lambda request: Reply(GOOD_REWRITE, prompt_tokens=300, completion_tokens=90)) as server:
        env = endpoint(server, tmp_path)
        args = (
            "rewrite",
            "优化新手引导流程",
            "-O",
            "让新用户第一周就爱上产品",
            "--context",
            "7 日留存目前 20%；本季度 12月31日 结束",
        )
        first = invoke(*args, env=env)
        assert first.exit_code == 0, first.output
        assert "新用户 7 日留存率从 20% 提升到〔目标值〕" in first.stdout
        assert "1/1" in first.stdout  # candidates that passed the checks
        assert "LLM 调用 1 次（缓存命中 0" in first.stderr and "输入 300" in first.stderr
        second = invoke(*args, "--json", env=env)
        assert len(server.chat_requests()) == 1  # the rerun came from the disk cache
    payload = json.loads(second.stdout)
    assert payload["mode"] == "llm" and payload["passed"] == 1
    assert payload["usage"]["cache_hits"] == 1 and payload["usage"]["prompt_tokens"] == 0
    assert SECRET not in first.output + second.output


def test_rewrite_falls_back_offline_when_the_endpoint_fails_and_never_shows_the_key(tmp_path):
    with chat_server(lambda request: Reply(status=500)) as server:
        env = {**endpoint(server, tmp_path), "OKR_REVIEW_LLM_TIMEOUT": "5"}
        (tmp_path / "pyproject.toml").write_text("[tool.okr-review.llm]\nmax-retries = 0\n", encoding="utf-8")
        result = invoke("rewrite", "优化新手引导流程", "--config", str(tmp_path / "pyproject.toml"), env=env)
        assert server.chat_requests(), "the endpoint was asked"
    assert result.exit_code == 0, result.output
    assert "〔目标值〕" in result.stdout  # the templates still come
    assert "失败 1" in result.stderr
    assert SECRET not in result.output


def test_offline_flag_never_calls_the_endpoint(tmp_path):
    with chat_server() as server:
        result = invoke("rewrite", "优化新手引导流程", "--offline", env=endpoint(server, tmp_path))
        assert server.chat_requests() == []
    assert result.exit_code == 0 and result.stdout.startswith("离线模式")


def test_broken_llm_settings_stop_with_status_2():
    result = invoke("rewrite", "优化新手引导流程", env={"OKR_REVIEW_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert result.exit_code == 2
    assert "model" in result.output.lower()


def test_questions_offline_and_online(tmp_path):
    offline = invoke("questions", "让客户离不开我们", "--stage", "发展", "--count", "4")
    assert offline.exit_code == 0, offline.output
    assert offline.stdout.startswith("离线模式") and "4. " in offline.stdout and "5. " not in offline.stdout
    with chat_server(lambda request: Reply(QUESTIONS)) as server:
        online = invoke("questions", "让客户离不开我们", "--count", "3", "--json", env=endpoint(server, tmp_path))
        sent = system_prompt(server.chat_requests()[0]) + json.dumps(
            server.chat_requests()[0]["body"], ensure_ascii=False
        )
    assert online.exit_code == 0, online.output
    payload = json.loads(online.stdout)
    assert [q["question"] for q in payload["questions"]] == [q["question"] for q in QUESTIONS["questions"]]
    assert "让客户离不开我们" in sent and SECRET not in sent + online.output


@pytest.mark.parametrize(("kind", "stage"), [("team", None), ("kr", "Series A")])
def test_questions_refuses_bad_options(kind, stage):
    args = ["questions", "让客户离不开我们", "--kind", kind] + (["--stage", stage] if stage else [])
    result = invoke(*args)
    assert result.exit_code == 2


def test_retro_offline_markdown_to_file(tmp_path, scores_csv):
    notes = write(tmp_path / "notes.csv", "kr,note\nO1.KR2,续约谈判依赖销售团队，人手不足\n")
    out = tmp_path / "retro.md"
    result = invoke("retro", str(scores_csv), "--checkins", str(notes), "-o", str(out))
    assert result.exit_code == 0, result.output
    draft = out.read_text("utf-8")
    assert draft.startswith("离线模式") and "# 复盘草稿：增长部 2026Q3" in draft
    missed = draft.split("## 未达成的关键结果")[1].split("##")[0]
    assert "O1.KR2" in missed and "续约谈判依赖销售团队" in missed and "O1.KR1" not in missed
    assert "O1.KR1 拿了满分" in draft


def test_retro_online_json_has_usage(tmp_path, scores_csv):
    reply = {
        "achieved": [{"kr": "O1.KR1", "text": "NPS", "actions": ["每周回访客户"]}],
        "missed": [{"kr": "O1.KR2", "text": "续约率", "obstacle": "resources", "analysis": "销售人手不足"}],
        "calibration": [],
        "next_cycle": ["续约目标先和销售对齐"],
        "note_ids": [],
    }
    with chat_server(lambda request: Reply(reply)) as server:
        result = invoke("retro", str(scores_csv), "--json", env=endpoint(server, tmp_path))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    (draft,) = payload["retrospectives"]
    assert draft["mode"] == "llm" and payload["usage"]["calls"] == 1
    assert "续约目标先和销售对齐" in json.dumps(draft, ensure_ascii=False)


def test_retro_without_scores_is_an_input_error(vague_csv):
    result = invoke("retro", str(vague_csv))
    assert result.exit_code == 2
    assert "no set has scores" in result.stderr


def test_check_suggest_offline_adds_valid_suggestions(vague_csv):
    result = invoke("check", str(vague_csv), "--suggest", "-f", "json")
    assert result.exit_code == 1, result.output  # MEA002 is an error
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    (suggestion,) = report["suggestions"]  # only the vague KR; the measured one needs no rewrite
    assert suggestion["key_result"].endswith("O1.KR1") or suggestion["key_result"] == "O1.KR1"
    assert suggestion["mode"] == "offline"
    assert "改写建议：1 条 KR（LLM 0 条，离线模板 1 条）" in result.stderr


def test_check_suggest_online_goes_through_the_llm(tmp_path, vague_csv):
    with chat_server(lambda request: Reply(GOOD_REWRITE)) as server:
        result = invoke("check", str(vague_csv), "--suggest", "-f", "json", env=endpoint(server, tmp_path))
        asked = len(server.chat_requests())
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    (suggestion,) = report["suggestions"]
    assert suggestion["mode"] == "llm" and asked == 1
    assert "LLM 1 条" in result.stderr and "LLM 调用 1 次" in result.stderr
    assert SECRET not in result.output


def test_check_without_suggest_has_no_suggestions(vague_csv):
    report = json.loads(invoke("check", str(vague_csv), "-f", "json").stdout)
    assert "suggestions" not in report


def test_draft_offline_conversation_writes_a_checkable_file(tmp_path):
    out = tmp_path / "draft.json"
    lines = "让新用户第一周就爱上产品\n优化新手引导流程\n\n/draft\n/quit\n这一行不会被读到\n"
    result = runner.invoke(app, ["draft", "--team", "增长组", "-o", str(out)], input=lines)
    assert result.exit_code == 0, result.output
    assert "离线模式" in result.stdout and "- O1.KR1：" in result.stdout and "〔目标值〕" in result.stdout
    assert "这一行不会被读到" not in result.stdout
    document = json.loads(out.read_text("utf-8"))
    assert document["team"] == "增长组"
    assert [kr["text"] for kr in document["objectives"][0]["key_results"]] == ["优化新手引导流程"]
    checked = invoke("check", str(out), "-f", "json")
    assert "MEA002" in {f["code"] for f in json.loads(checked.stdout)["findings"]}


def test_draft_online_streams_and_keeps_the_extracted_draft(tmp_path):
    extracted = {"objectives": [{"text": "Customers cannot do without us", "key_results": []}]}

    def answer(request):
        if request["body"].get("stream"):
            return Reply("Good start. Let us settle the objective first: Customers cannot do without us.")
        return Reply(extracted)

    out = tmp_path / "draft.json"
    with chat_server(answer) as server:
        result = runner.invoke(
            app,
            ["draft", "--lang", "en", "-o", str(out)],
            input="We want customers to stay with us\n",
            env=endpoint(server, tmp_path),
        )
    assert result.exit_code == 0, result.output
    assert "Good start." in result.stdout and "LLM calls 2" in result.stderr
    assert json.loads(out.read_text("utf-8"))["objectives"][0]["text"] == "Customers cannot do without us"
    assert SECRET not in result.output


def test_a_failed_batch_resumes_from_the_cache(tmp_path):
    sheet = write(
        tmp_path / "two.csv",
        "team,cycle,objective,key_result,owner,due\n"
        "增长组,2026Q4,让新用户第一周就爱上产品,优化新手引导流程,张三,2026-12-31\n"
        "增长组,2026Q4,让新用户第一周就爱上产品,完善新用户激活流程,李四,2026-12-31\n"
        "增长组,2026Q4,让新用户第一周就爱上产品,新用户 7 日留存率从 20% 提升到 30%,王五,2026-12-31\n",
    )
    down = {"on": True}

    def answer(request):
        kr = request["body"]["messages"][-1]["content"].split("<key_result>")[1].split("</key_result>")[0]
        return Reply(status=503) if down["on"] and "激活" in kr else Reply(GOOD_REWRITE)

    with chat_server(answer) as server:
        env = endpoint(server, tmp_path)
        config = write(tmp_path / ".okr-review.toml", "[llm]\nmax-retries = 0\n")
        args = ("check", str(sheet), "--suggest", "-f", "json", "--config", str(config))
        first = invoke(*args, env=env)
        modes = [s["mode"] for s in json.loads(first.stdout)["suggestions"]]
        assert modes == ["llm", "offline"]  # the failed KR still gets templates
        down["on"] = False
        second = invoke(*args, env=env)
    assert [s["mode"] for s in json.loads(second.stdout)["suggestions"]] == ["llm", "llm"]
    assert "缓存命中 1" in second.stderr  # the KR that worked was not asked again
