from builders import codes, kr, kr_codes, obj_codes, objective, okr_set, run

from assistant.findings import Severity
from assistant.rules.aligned import parse_ref

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


def test_similarity_join_matches_brute_force():
    import random

    from assistant.rules.aligned import similar_pairs
    from assistant.rules.similarity import dice, shingles

    rng = random.Random(3)
    words = ["让", "新", "商家", "第一周", "离不开", "我们", "产品", "体验", "客户", "增长", "数据", "可信"]
    texts = ["".join(rng.choice(words) for _ in range(rng.randint(2, 7))) for _ in range(150)]
    sets = [shingles(t) for t in texts]
    fast = {(i, j) for i, pairs in enumerate(similar_pairs(sets, 0.6)) for j, _ in pairs}
    slow = {(i, j) for i in range(len(sets)) for j in range(len(sets)) if i != j and dice(sets[i], sets[j]) >= 0.6}
    assert fast == slow and slow
