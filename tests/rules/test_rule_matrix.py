"""The set and batch rules, in both languages, on sets that must make them fire and near misses that must not.

Rules about one item keep their bad and good examples in data/rules.toml (test_rule_examples.py runs
them); the rules here look at a whole set or organisation, so their cases are built in code. Each
case names where its finding belongs. A quiet case is a near miss of the same rule (the count is at
the limit, the parent KR exists), not an unrelated set. test_rule_examples.py checks that every rule
has a case of each kind in each language, here or in the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from builders import kr, objective, okr_set, run

from assistant.analysis.language import detect_language
from assistant.model import OKRSet

ZH, EN = "zh", "en"
FIRE, QUIET = True, False


@dataclass(frozen=True)
class At:
    """Where a finding belongs: a set (both ids None), an objective, or a key result."""

    objective: str | None = None
    kr: str | None = None
    team: str | None = None  # the set's team; None: the first set of the batch


@dataclass(frozen=True)
class Setup:
    build: Callable[[], list[OKRSet]]
    at: At


@dataclass(frozen=True)
class Case:
    code: str
    lang: str
    fire: bool
    setup: Setup

    def __str__(self) -> str:
        return f"{self.code}-{self.lang}-{'fire' if self.fire else 'quiet'}"


# ---------------------------------------------------------------- building blocks

TEAM = {ZH: "财务共享中心", EN: "Finance Ops"}
OWNERS = {ZH: ("周敏", "陈立"), EN: ("Priya Nair", "Tom Reed")}
GOAL = {ZH: "让中小商家愿意把每一笔账都交给我们", EN: "Make month-end close painless for finance teams"}
GOOD_KRS = {
    ZH: (
        "月活跃商家从 1.2 万增长到 1.8 万",
        "自动对账覆盖率从 40% 提升到 75%",
        "对账差错工单从每月 120 单降到 30 单以内",
    ),
    EN: (
        "Close time from 8 days to 4 days",
        "Auto-matched transactions from 40% to 75%",
        "Reconciliation tickets under 30 a month",
    ),
}
# Objectives a team might really hold side by side (for the counting rules).
GOALS = {
    ZH: (
        "让新商家开店当天就能顺利收款",
        "让老商家愿意续费并加购增值服务",
        "让门店经营数据一眼看清",
        "让财务对账不再需要加班",
        "让客服成为商家最信任的帮手",
        "让收银系统在大促期间稳如磐石",
    ),
    EN: (
        "Get new retailers taking payments on day one",
        "Turn existing retailers into expansion revenue",
        "Give store managers a live view of their numbers",
        "Make reconciliation a non-event for finance",
        "Make support the reason retailers stay",
        "Checkout that never blinks on Black Friday",
    ),
}


def on_set(lang: str, count: int, *, level: str | None = None) -> Setup:
    """A set of ``count`` realistic objectives, two good key results each."""

    def build() -> list[OKRSet]:
        objectives = [
            objective(text, *(kr(k, owner=OWNERS[lang][1]) for k in GOOD_KRS[lang][:2]), owner=OWNERS[lang][0])
            for text in GOALS[lang][:count]
        ]
        return [okr_set(*objectives, team=TEAM[lang], level=level)]

    return Setup(build, At())


def scored(lang: str, *scores: float) -> Setup:
    """Cycle end: the key results of one objective with final scores; the first one is looked at."""
    texts = GOOD_KRS[lang]

    def build() -> list[OKRSet]:
        krs = [kr(text, owner=OWNERS[lang][1], score=s) for text, s in zip(texts, scores, strict=True)]
        return [okr_set(objective(GOAL[lang], *krs, owner=OWNERS[lang][0]), team=TEAM[lang])]

    return Setup(build, At("O1", "O1.KR1"))


def one_set(build: Callable[[], OKRSet], at: At) -> Setup:
    return Setup(lambda: [build()], at)


# ---------------------------------------------------------------- batches for the cross-set rules

ZH_COMPANY = "云帆科技"
EN_COMPANY = "Northwind"


def zh_company() -> OKRSet:
    return okr_set(
        objective(
            "成为中小商家首选的收银与账务平台",
            kr("付费商家从 3 万增长到 5 万", owner="林涛"),
            kr("商家年流失率从 18% 降到 12% 以内", owner="林涛"),
            kr("账务自动化覆盖率达到 90%", owner="林涛"),
            owner="林涛",
        ),
        objective(
            "让每个门店都能实时看清经营数据",
            kr("经营看板周活跃门店占比从 35% 提升到 60%", owner="许晴"),
            kr("数据延迟不超过 5 分钟", owner="许晴"),
            owner="许晴",
        ),
        team=ZH_COMPANY,
        level="公司",
        owner="林涛",
    )


def zh_department(team: str, goal: str, aligned_to: list[str] | str, alignment: str | None = None, **fields) -> OKRSet:
    return okr_set(
        objective(
            goal,
            kr("新商家首笔交易平均用时从 3 天缩短到 1 天", owner="何佳"),
            kr("开户资料一次通过率从 60% 提升到 85%", owner="何佳"),
            aligned_to=aligned_to,
            alignment=alignment,
            owner="何佳",
        ),
        team=team,
        level="部门",
        **fields,
    )


def en_company() -> OKRSet:
    return okr_set(
        objective(
            "Become the default finance stack for small retailers",
            kr("Paying retailers from 8,000 to 12,000", owner="Dana Wu"),
            kr("Annual logo churn from 14% to under 10%", owner="Dana Wu"),
            kr("Net revenue retention above 110%", owner="Dana Wu"),
            owner="Dana Wu",
        ),
        team=EN_COMPANY,
        level="company",
        owner="Dana Wu",
    )


def en_team(team: str, goal: str, aligned_to: list[str] | str, alignment: str | None = None, **fields) -> OKRSet:
    return okr_set(
        objective(
            goal,
            kr("Median time to first payment from 3 days to 1 day", owner="Sam Ortiz"),
            kr("KYC first-pass approval from 60% to 85%", owner="Sam Ortiz"),
            aligned_to=aligned_to,
            alignment=alignment,
            owner="Sam Ortiz",
        ),
        team=team,
        level="team",
        **fields,
    )


def batch(*builders: Callable[[], OKRSet], at: At) -> Setup:
    return Setup(lambda: [b() for b in builders], at)


# ---------------------------------------------------------------- the table

ZH_CHECKOUT = "让新商家开店当天就能顺利收款"
EN_CHECKOUT = "Get new retailers taking payments on day one"
CASES = [
    # ---------------------------------------------------------------- challenging
    Case("CHA004", ZH, FIRE, scored(ZH, 5, 3.5, 4)),  # 1–5 scale: 5 is full marks
    Case("CHA004", ZH, QUIET, scored(ZH, 0.95, 0.6, 0.7)),
    Case("CHA004", EN, FIRE, scored(EN, 100, 65, 60)),
    Case("CHA004", EN, QUIET, scored(EN, 95, 65, 60)),
    Case("CHA005", ZH, FIRE, scored(ZH, 0.4, 0.65, 0.7)),
    Case("CHA005", ZH, QUIET, scored(ZH, 0.5, 0.65, 0.7)),  # exactly at the mark
    Case("CHA005", EN, FIRE, scored(EN, 2.5, 3.5, 4)),  # 1–5 scale: 2.5 is 37.5%
    Case("CHA005", EN, QUIET, scored(EN, 3, 3.5, 4)),  # 1–5 scale: 3 is 50%
    # ---------------------------------------------------------------- focused
    Case("FOC001", ZH, FIRE, on_set(ZH, 6)),
    Case("FOC001", ZH, QUIET, on_set(ZH, 5)),
    Case("FOC001", EN, FIRE, on_set(EN, 6)),
    Case("FOC001", EN, QUIET, on_set(EN, 5)),
    Case(
        "FOC003",
        ZH,
        FIRE,
        one_set(lambda: okr_set(objective("让门店经营数据一眼看清", owner="周敏"), team=TEAM[ZH]), At("O1")),
    ),
    Case(
        "FOC003",
        EN,
        FIRE,
        one_set(
            lambda: okr_set(
                objective(GOALS[EN][0], *(kr(k, owner="Tom Reed") for k in GOOD_KRS[EN][:2]), owner="Priya Nair"),
                objective("Give store managers a live view of their numbers", owner="Priya Nair"),
                team=TEAM[EN],
            ),
            At("O2"),
        ),
    ),
    Case(
        "FOC004",
        ZH,
        QUIET,
        one_set(lambda: okr_set(objective("让财务对账不再需要加班", owner="周敏"), team=TEAM[ZH]), At("O1")),
    ),  # no key result at all is FOC003's finding
    Case("FOC005", ZH, FIRE, on_set(ZH, 5, level="个人")),
    Case("FOC005", ZH, QUIET, on_set(ZH, 4, level="个人")),
    Case("FOC005", EN, FIRE, on_set(EN, 5, level="individual")),
    Case("FOC005", EN, QUIET, on_set(EN, 5, level="department")),
    Case("FOC006", ZH, FIRE, one_set(lambda: okr_set(team="支付风控组"), At())),
    Case(
        "FOC006",
        ZH,
        QUIET,
        one_set(lambda: okr_set(objective("让商家不再担心被盗刷", owner="周敏"), team="支付风控组"), At()),
    ),  # an objective without key results is FOC003's finding
    Case("FOC006", EN, FIRE, one_set(lambda: okr_set(team="Risk Ops"), At())),
    Case(
        "FOC006",
        EN,
        QUIET,
        one_set(
            lambda: okr_set(objective("Retailers stop worrying about card fraud", owner="Priya Nair"), team="Risk Ops"),
            At(),
        ),
    ),
    # ---------------------------------------------------------------- aligned
    Case(
        "ALI001",
        ZH,
        FIRE,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, [], parent=ZH_COMPANY),
            at=At("O1", team="收银产品部"),
        ),
    ),
    Case(
        "ALI001",
        ZH,
        QUIET,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["O1.KR1"], parent=ZH_COMPANY),
            at=At("O1", team="收银产品部"),
        ),
    ),
    Case(
        "ALI001",
        EN,
        FIRE,
        batch(lambda: en_team("Payments", EN_CHECKOUT, []), at=At("O1", team="Payments")),
    ),  # a team-level set is expected to support a parent even when the parent is not in the run
    Case("ALI001", EN, QUIET, batch(en_company, at=At("O1", team=EN_COMPANY))),  # the company supports nobody
    Case(
        "ALI002",
        ZH,
        FIRE,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["O2.KR3"], parent=ZH_COMPANY),
            at=At("O1", team="收银产品部"),
        ),
    ),
    Case(
        "ALI002",
        ZH,
        QUIET,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["云帆科技/O2.KR2"]),
            at=At("O1", team="收银产品部"),
        ),
    ),
    Case(
        "ALI002",
        EN,
        FIRE,
        batch(
            en_company,
            lambda: en_team("Payments", EN_CHECKOUT, ["Grow paying retailers"], parent=EN_COMPANY),
            at=At("O1", team="Payments"),
        ),
    ),  # the parent KR's words instead of its id cannot be checked
    Case(
        "ALI002",
        EN,
        QUIET,
        batch(
            en_company, lambda: en_team("Payments", EN_CHECKOUT, ["Northwind: O1 KR1"]), at=At("O1", team="Payments")
        ),
    ),
    Case(
        "ALI003",
        ZH,
        FIRE,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["O1.KR1"], parent=ZH_COMPANY),
            lambda: zh_department("客户成功部", "让老商家用得顺手、舍不得走", ["O1.KR2"], parent=ZH_COMPANY),
            at=At("O1", "O1.KR3", team=ZH_COMPANY),
        ),
    ),
    Case(
        "ALI003",
        ZH,
        QUIET,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["O1.KR1"], parent=ZH_COMPANY),
            lambda: zh_department("客户成功部", "让老商家用得顺手、舍不得走", ["O1.KR2"], parent=ZH_COMPANY),
            lambda: zh_department("财务产品部", "让商家的账自己对上", ["O1.KR3"], parent=ZH_COMPANY, alignment="等式"),
            at=At("O1", "O1.KR3", team=ZH_COMPANY),
        ),
    ),
    Case(
        "ALI003",
        EN,
        FIRE,
        batch(
            en_company,
            lambda: en_team("Retention", "Make retailers too happy to leave", "O1.KR2, O1.KR3", alignment="polynomial"),
            at=At("O1", "O1.KR1", team=EN_COMPANY),
        ),
    ),
    Case(
        "ALI003",
        EN,
        QUIET,
        batch(
            en_company,
            lambda: en_team("Retention", "Make retailers too happy to leave", "O1.KR2, O1.KR3", alignment="polynomial"),
            lambda: en_team("Payments", EN_CHECKOUT, "O1.KR1"),
            at=At("O1", "O1.KR1", team=EN_COMPANY),
        ),
    ),
    Case(
        "ALI004",
        ZH,
        FIRE,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["O1.KR1"], parent=ZH_COMPANY),
            lambda: zh_department("商家运营部", "让新商家开店当天就顺利收到款", ["O1.KR1"], parent=ZH_COMPANY),
            at=At("O1", team="商家运营部"),
        ),
    ),
    Case(
        "ALI004",
        ZH,
        QUIET,
        batch(
            zh_company,
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["O1.KR1"], cycle="2025Q3"),
            lambda: zh_department("收银产品部", ZH_CHECKOUT, ["O1.KR1"], cycle="2025Q4"),
            at=At("O1", team="收银产品部"),
        ),
    ),  # the same team carrying its objective into the next quarter is not a second team
    Case(
        "ALI004",
        EN,
        FIRE,
        batch(
            en_company,
            lambda: en_team("Payments", EN_CHECKOUT, "O1.KR1"),
            lambda: en_team("Onboarding", "Get every new retailer taking payments on day one", "O1.KR1"),
            at=At("O1", team="Onboarding"),
        ),
    ),
    Case(
        "ALI004",
        EN,
        QUIET,
        batch(
            en_company,
            lambda: en_team("Payments", EN_CHECKOUT, "O1.KR1"),
            lambda: en_team("Lending", "Offer working capital to new retailers in their first month", "O1.KR3"),
            at=At("O1", team="Lending"),
        ),
    ),
    # ---------------------------------------------------------------- measurable
    # ---------------------------------------------------------------- owned
    # ---------------------------------------------------------------- inspiring
    # ---------------------------------------------------------------- outcome
]


# ---------------------------------------------------------------- the tests


def _place(sets: list[OKRSet], at: At) -> str:
    """The key of the set the case looks at, after checking that the item is really in the input."""
    okr = next(s for s in sets if s.team == at.team) if at.team else sets[0]
    if at.objective is not None:
        obj = next(o for o in okr.objectives if o.id == at.objective)
        if at.kr is not None:
            assert at.kr in {obj.kr_ref(k) for k in obj.key_results}
    return okr.key


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_on_bilingual_case(case: Case):
    sets = case.setup.build()
    at = case.setup.at
    set_key = _place(sets, at)
    found = run(*sets)
    here = [
        f
        for f in found
        if f.code == case.code and f.set_key == set_key and f.objective == at.objective and f.key_result == at.kr
    ]
    if case.fire:
        assert here, f"{case.code} should fire at {set_key} {at}; found {sorted({(f.code, f.item) for f in found})}"
        assert all(detect_language(f.message) == case.lang for f in here), [f.message for f in here]
    else:
        assert not here, [f.message for f in here]
