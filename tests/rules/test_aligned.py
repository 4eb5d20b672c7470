from builders import codes, kr, kr_codes, obj_codes, objective, okr_set, run

from assistant.config import Config, default_thresholds
from assistant.findings import Severity
from assistant.rules.aligned import parse_ref, shingle_nodes
from assistant.rules.similarity import similar_groups

COMPANY = okr_set(
    objective(
        "成为中小商家首选的电商 SaaS",
        "付费商家数从 1.2 万增长到 2 万",
        "商家月流失率从 3% 降到 1.5% 以下",
        "数据中台覆盖全部业务线",
    ),
    team="星河科技",
    level="公司",
    owner="周航",
)


def _department(team: str, text: str, aligned_to, **fields):
    return okr_set(
        objective(
            text,
            kr("新商家首周激活率从 35% 提升到 55%", owner="马骁"),
            "NPS 从 20 提升到 35",
            aligned_to=aligned_to,
            owner="马骁",
        ),
        team=team,
        level="部门",
        **fields,
    )


def test_parse_ref_forms():
    assert parse_ref("O1.KR2") == (None, "O1.KR2")
    assert parse_ref("o1-kr2") == (None, "O1.KR2")
    assert parse_ref("星河科技/O2.KR1") == ("星河科技", "O2.KR1")
    assert parse_ref("Company: O3 KR4") == ("Company", "O3.KR4")
    assert parse_ref("客户增长") is None


def test_department_objective_without_alignment():
    found = run(COMPANY, _department("增长部", "让新商家第一周就离不开我们", [], parent="星河科技"))
    hit = next(f for f in found if f.code == "ALI001")
    assert hit.set_key == "增长部 2025Q3" and hit.objective == "O1"
    # The company's own objectives need no parent.
    assert not [f for f in found if f.code == "ALI001" and f.set_key.startswith("星河科技")]


def test_team_without_level_or_parent_is_not_asked_to_align():
    lone = okr_set(objective("让客户愿意长期留下来", "续约率从 80% 提升到 90%"))
    assert "ALI001" not in codes(run(lone))


def test_reference_that_does_not_exist():
    found = run(COMPANY, _department("增长部", "让新商家第一周就离不开我们", ["O1.KR1", "O3.KR1"], parent="星河科技"))
    bad = [f for f in found if f.code == "ALI002"]
    assert len(bad) == 1
    assert bad[0].evidence == "O3.KR1" and bad[0].severity is Severity.error
    assert "星河科技" in bad[0].message


def test_reference_to_a_parent_outside_the_batch_is_not_judged():
    found = run(_department("增长部", "让新商家第一周就离不开我们", ["O9.KR9"], parent="不在这里的公司"))
    assert "ALI002" not in codes(found)


def test_parent_found_by_level_when_not_named():
    found = run(COMPANY, _department("增长部", "让新商家第一周就离不开我们", ["O1.KR7"]))
    assert "ALI002" in codes(found)


def test_unsupported_parent_key_results_are_dropped_balls():
    found = run(
        COMPANY,
        _department("增长部", "让新商家第一周就离不开我们", ["O1.KR1"], parent="星河科技"),
        _department("产品部", "让商家愿意一直用下去", ["星河科技/O1.KR2"], parent="星河科技"),
    )
    gaps = {f.key_result for f in found if f.code == "ALI003"}
    assert gaps == {"O1.KR3"}
    hit = next(f for f in found if f.code == "ALI003")
    assert hit.set_key.startswith("星河科技") and hit.evidence == "数据中台覆盖全部业务线"


def test_no_dropped_balls_without_children():
    assert "ALI003" not in codes(run(COMPANY))


def test_duplicate_objectives_across_teams():
    found = run(
        COMPANY,
        _department("增长部", "让新商家第一周就离不开我们", ["O1.KR1"], parent="星河科技"),
        _department("产品部", "让新商家第一周就离不开我们的产品", ["O1.KR2"], parent="星河科技"),
    )
    hits = {f.set_key: f for f in found if f.code == "ALI004"}
    assert set(hits) == {"增长部 2025Q3", "产品部 2025Q3"}  # both teams hear of the overlap
    assert "产品部" in hits["增长部 2025Q3"].message and "增长部" in hits["产品部 2025Q3"].message
    assert "≈" in hits["产品部 2025Q3"].evidence


def test_similar_objectives_in_one_team_and_different_ones_are_not_duplicates():
    same_team = okr_set(
        objective("让新商家第一周就离不开我们", "激活率从 35% 提升到 55%"),
        objective("让新商家第一周就离不开我们", "NPS 从 20 提升到 35"),
    )
    assert "ALI004" not in codes(run(same_team))
    found = run(
        _department("增长部", "让新商家第一周就离不开我们", []),
        _department("财务部", "把月度结账从十天缩短到五天", []),
    )
    assert "ALI004" not in codes(found)


def test_english_duplicates():
    a = okr_set(objective("Make onboarding effortless for new customers", "Activation from 30% to 45%"), team="Growth")
    b = okr_set(
        objective("Make onboarding effortless for every new customer", "Time to value under 1 day"),
        team="Product",
    )
    assert "ALI004" in codes(run(a, b))


def _with_dependency(**dependency):
    return run(
        okr_set(
            objective(
                "让客户愿意长期留下来",
                kr("续约率从 80% 提升到 90%", owner="张三", dependencies=[dependency]),
                owner="李四",
            )
        )
    )


def test_dependency_without_handshake_point_or_status():
    found = _with_dependency(team="运维部")
    assert {"ALI005", "ALI006"} <= kr_codes(found, "O1.KR1")
    complete = _with_dependency(team="运维部", point="扩容演练支持", status="认同")
    assert not kr_codes(complete, "O1.KR1") & {"ALI005", "ALI006", "ALI007"}


def test_rejected_and_questioned_handshakes():
    rejected = _with_dependency(team="运维部", point="扩容演练支持", status="不认同")
    hit = next(f for f in rejected if f.code == "ALI007")
    assert "不认同" in hit.message
    questioned = run(
        okr_set(
            objective(
                "Keep customers",
                kr(
                    "Renewal from 80% to 90%",
                    owner="Ann",
                    dependencies=[{"team": "Ops", "point": "capacity drill", "status": "questioned"}],
                ),
                owner="Bo",
            )
        )
    )
    hit = next(f for f in questioned if f.code == "ALI007")
    assert "questioned" in hit.message


def test_alignment_objective_codes_are_on_the_objective():
    found = run(COMPANY, _department("增长部", "让新商家第一周就离不开我们", ["O8.KR1"], parent="星河科技"))
    assert "ALI002" in obj_codes([f for f in found if f.set_key.startswith("增长部")], "O1")


def test_a_pair_reads_as_one_team_against_the_other():
    found = run(
        COMPANY,
        _department("增长部", "让新商家第一周就离不开我们", ["O1.KR1"], parent="星河科技"),
        _department("产品部", "让新商家第一周就离不开我们的产品", ["O1.KR2"], parent="星河科技"),
    )
    hit = next(f for f in found if f.code == "ALI004" and f.set_key == "增长部 2025Q3")
    assert hit.message == "目标 O1 与 产品部 2025Q3 的 O1 高度相似（相似度 89%），可能在重复造轮子。"
    assert hit.fix.startswith("两个团队明确各自的定位与分工")


def _template_teams(count: int, template: str, name: str = "团队{n}：{t}", **fields) -> list:
    return [
        okr_set(objective(name.format(n=n, t=template), "满意度从 80% 提升到 90%"), team=f"团队{n}", **fields)
        for n in range(1, count + 1)
    ]


def test_teams_sharing_a_template_are_one_grouped_finding():
    found = run(*_template_teams(8, "打造一流的客户满意度体验"))
    hits = [f for f in found if f.code == "ALI004"]
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.set_key, hit.objective) == ("团队1 2025Q3", "O1")  # on the first objective of the group
    assert "与 7 个团队的目标（团队2 2025Q3 的 O1、" in hit.message and "团队6 2025Q3 的 O1 等）" in hit.message
    assert "团队7" not in hit.message  # names are capped (duplicate-max-names)
    assert "这 8 个团队可能在重复造轮子" in hit.message and hit.fix.startswith("这些团队")
    assert hit.evidence.startswith("团队1：打造一流的客户满意度体验 ≈ 团队2：打造一流的客户满意度体验")


def test_grouped_finding_in_english_and_identical_copies_are_100_percent():
    teams = [
        okr_set(objective("Make onboarding effortless for new customers", "Activation from 30% to 45%"), team=name)
        for name in ("Growth", "Product", "Support")
    ]
    hit = next(f for f in run(*teams) if f.code == "ALI004")
    assert hit.set_key == "Growth 2025Q3"
    assert "closely matches the objectives of 2 other team(s) (O1 of Product 2025Q3; O1 of Support 2025Q3)" in (
        hit.message
    )
    assert "(100% similar): 3 teams may be building the same thing" in hit.message


def test_two_templates_make_two_groups_and_unrelated_objectives_stay_out():
    sets = _template_teams(5, "打造一流的客户满意度体验") + _template_teams(5, "让复购率成为行业标杆", "团队{n} Q3 {t}")
    sets.append(okr_set(objective("把月度结账从十天缩短到五天", "结账天数从 10 天降到 5 天"), team="财务部"))
    hits = [f for f in run(*sets) if f.code == "ALI004"]
    assert len(hits) == 2
    assert all("与 4 个团队的目标" in f.message for f in hits)
    assert not any("财务部" in f.message or f.set_key.startswith("财务部") for f in hits)


def _only_ali004(sets: list, **thresholds) -> list:
    config = Config(select=("ALI004",)).with_options(thresholds={**default_thresholds(), **thresholds})
    return [f for f in run(*sets, config=config) if f.code == "ALI004"]


def test_twenty_thousand_copies_of_two_templates_are_two_findings():
    identical = _template_teams(10_000, "打造一流的客户满意度体验", "{t}") + _template_teams(
        10_000, "让复购率成为行业标杆", "{t}"
    )
    hits = _only_ali004(identical)
    assert len(hits) == 2 and all("与 9999 个团队的目标" in f.message for f in hits)
    near = _template_teams(10_000, "打造一流的客户满意度体验") + _template_teams(
        10_000, "让复购率成为行业标杆", "团队{n} Q3 {t}"
    )
    hits = _only_ali004(near)
    assert len(hits) == 2 and all("与 9999 个团队的目标" in f.message for f in hits)


def test_near_copies_cost_about_one_comparison_each_and_the_work_limit_keeps_the_group():
    texts = [f"团队{n}：打造一流的客户满意度体验" for n in range(20_000)]
    nodes, _ = shingle_nodes(texts)
    found = similar_groups(nodes, 0.6, per_set=300, work=10**12)
    assert found.complete and len(found.groups()) == 1
    assert found.comparisons < 3 * len(nodes)
    # Past the work limit the index stops growing; the rest still join the group at a glance.
    limited = similar_groups(nodes, 0.6, per_set=300, work=20_000)
    assert not limited.complete and limited.work < 20_000 + 20 * len(nodes)
    assert list(limited.groups().values()) == [list(range(len(nodes)))]
