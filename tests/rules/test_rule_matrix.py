"""Every rule, in both languages, on text that must make it fire and on a near miss that must not.

The table below holds four cases per rule code: Chinese / English × fires / stays quiet. A quiet
case is a near miss of the same rule (the figure is there, the owner is one person, the count is
at the limit), not an unrelated text. ``test_every_rule_has_four_bilingual_cases`` makes a new rule
without its four cases fail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from builders import kr, objective, okr_set, run

from assistant.analysis.language import detect_language
from assistant.model import OKRSet
from assistant.rules import REGISTRY

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


def on_kr(lang: str, text: str, *, goal: str | None = None, cycle: str | None = "2025Q3", **fields) -> Setup:
    """One key result (O1.KR1) under a well-formed, owned objective, next to a good second key result."""
    fields.setdefault("owner", OWNERS[lang][1])

    def build() -> list[OKRSet]:
        second = kr(GOOD_KRS[lang][0], owner=OWNERS[lang][1])
        o = objective(goal or GOAL[lang], kr(text, **fields), second, owner=OWNERS[lang][0])
        return [okr_set(o, team=TEAM[lang], cycle=cycle)]

    return Setup(build, At("O1", "O1.KR1"))


def on_objective(lang: str, text: str, *krs: str, set_owner: str | None = None, **fields) -> Setup:
    """One objective (O1) with the given key results (two good ones by default)."""
    fields.setdefault("owner", OWNERS[lang][0])
    krs = krs or GOOD_KRS[lang][:2]

    def build() -> list[OKRSet]:
        o = objective(text, *(kr(k, owner=OWNERS[lang][1]) for k in krs), **fields)
        return [okr_set(o, team=TEAM[lang], owner=set_owner)]

    return Setup(build, At("O1"))


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


def with_dependency(lang: str, **dependency) -> Setup:
    text = {ZH: "电子发票开具成功率从 92% 提升到 99%", EN: "E-invoice acceptance rate from 92% to 99%"}[lang]
    return on_kr(lang, text, dependencies=[dependency])


# ---------------------------------------------------------------- the table

ZH_TAX, EN_TAX = "税务合规部", "Tax Compliance"
ZH_POINT, EN_POINT = "10月15日前完成新版税控接口联调", "New tax API sandbox by Oct 15"
ZH_CHECKOUT = "让新商家开店当天就能顺利收款"
EN_CHECKOUT = "Get new retailers taking payments on day one"
EN_SHOPPERS = "Make checkout effortless for returning shoppers"

ZH_LONG_GOAL = (
    "通过重构开店流程、打通银行开户接口并简化资质审核规则，让新商家从注册到收到第一笔款的全过程都能在一天之内顺利完成"
)
ZH_SHORT_ENOUGH = "让每个新商家从注册到收到第一笔款都在一天之内完成，全程不用打一个客服电话或跑银行"  # 39 characters
EN_LONG_GOAL = (
    "Make sure that every new retailer who signs up with us, whatever country or payment provider they come from, "
    "can take their first card payment on the very same day"
)
EN_SHORT_ENOUGH = (
    "Every new retailer who signs up with us, whatever country or payment provider they come from, "
    "takes their first card payment on the same day"
)

CASES = [
    # ---------------------------------------------------------------- challenging
    Case("CHA001", ZH, FIRE, on_kr(ZH, "华东区新签门店从 120 家增长到 150 家", confidence=95)),
    Case("CHA001", ZH, QUIET, on_kr(ZH, "华东区新签门店从 120 家增长到 150 家", confidence="89%")),
    Case("CHA001", EN, FIRE, on_objective(EN, "Win the mid-market in the Nordics", confidence="90%")),
    Case("CHA001", EN, QUIET, on_objective(EN, "Win the mid-market in the Nordics", confidence=0.7)),
    Case("CHA002", ZH, FIRE, on_kr(ZH, "支付成功率稳定在 99.5% 以上")),
    Case("CHA002", ZH, QUIET, on_kr(ZH, "支付稳定性从 99.5% 提升到 99.8%")),
    Case("CHA002", EN, FIRE, on_kr(EN, "Keeping monthly logo churn under 2%")),
    Case("CHA002", EN, QUIET, on_kr(EN, "Cut upkeep cost of the legacy billing stack from $12k to $5k a month")),
    Case("CHA003", ZH, FIRE, on_kr(ZH, "客服满意度达到 4.6 分（当前 4.6 分）")),
    Case("CHA003", ZH, QUIET, on_kr(ZH, "退款处理时长从 3 天缩短到 3 小时")),  # equal numbers, different units
    Case("CHA003", EN, FIRE, on_kr(EN, "Trial-to-paid conversion reaches 40%", baseline=40, target=40)),
    Case("CHA003", EN, QUIET, on_kr(EN, "Average order value from $50, up 50%")),  # an amount, then a change
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
        "FOC002",
        ZH,
        FIRE,
        on_objective(
            ZH,
            GOALS[ZH][0],
            "新商家首笔交易平均用时从 3 天缩短到 1 天",
            "开户资料一次通过率从 60% 提升到 85%",
            "开店首周收款成功率达到 99%",
            "开店相关客诉从每月 300 单降到 100 单以内",
            "新商家 30 天留存率从 55% 提升到 70%",
        ),
    ),
    Case(
        "FOC002",
        ZH,
        QUIET,
        on_objective(
            ZH,
            GOALS[ZH][0],
            "新商家首笔交易平均用时从 3 天缩短到 1 天",
            "开户资料一次通过率从 60% 提升到 85%",
            "开店首周收款成功率达到 99%",
            "开店相关客诉从每月 300 单降到 100 单以内",
        ),
    ),
    Case(
        "FOC002",
        EN,
        FIRE,
        on_objective(
            EN,
            GOALS[EN][0],
            "Median time to first payment from 3 days to 1 day",
            "KYC first-pass approval from 60% to 85%",
            "Day-one payment success rate at 99% or above",
            "Onboarding tickets from 300 to under 100 a month",
            "30-day retention of new retailers from 55% to 70%",
        ),
    ),
    Case(
        "FOC002",
        EN,
        QUIET,
        on_objective(
            EN,
            GOALS[EN][0],
            "Median time to first payment from 3 days to 1 day",
            "KYC first-pass approval from 60% to 85%",
            "Day-one payment success rate at 99% or above",
            "Onboarding tickets from 300 to under 100 a month",
        ),
    ),
    Case(
        "FOC003",
        ZH,
        FIRE,
        one_set(lambda: okr_set(objective("让门店经营数据一眼看清", owner="周敏"), team=TEAM[ZH]), At("O1")),
    ),
    Case("FOC003", ZH, QUIET, on_objective(ZH, "让门店经营数据一眼看清", "经营看板周活跃门店占比从 35% 提升到 60%")),
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
        "FOC003",
        EN,
        QUIET,
        on_objective(EN, "Give store managers a live view of their numbers", "Weekly active stores from 35% to 60%"),
    ),
    Case("FOC004", ZH, FIRE, on_objective(ZH, "让财务对账不再需要加班", "月结对账用时从 5 天缩短到 2 天")),
    Case(
        "FOC004",
        ZH,
        QUIET,
        one_set(lambda: okr_set(objective("让财务对账不再需要加班", owner="周敏"), team=TEAM[ZH]), At("O1")),
    ),  # no key result at all is FOC003's finding
    Case(
        "FOC004",
        EN,
        FIRE,
        on_objective(EN, "Make reconciliation a non-event for finance", "Month-end close from 5 days to 2"),
    ),
    Case(
        "FOC004",
        EN,
        QUIET,
        on_objective(
            EN,
            "Make reconciliation a non-event for finance",
            "Month-end close from 5 days to 2",
            "Unmatched items under 50 at close",
        ),
    ),
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
    Case("ALI005", ZH, FIRE, with_dependency(ZH, team=ZH_TAX)),
    Case("ALI005", ZH, QUIET, with_dependency(ZH, team=ZH_TAX, point=ZH_POINT)),
    Case("ALI005", EN, FIRE, with_dependency(EN, team=EN_TAX, status="agreed")),
    Case("ALI005", EN, QUIET, with_dependency(EN, team=EN_TAX, point=EN_POINT, status="agreed")),
    Case("ALI006", ZH, FIRE, with_dependency(ZH, team=ZH_TAX, point=ZH_POINT)),
    Case("ALI006", ZH, QUIET, with_dependency(ZH, team=ZH_TAX, point=ZH_POINT, status="有疑问")),
    Case("ALI006", EN, FIRE, with_dependency(EN, team=EN_TAX, point=EN_POINT)),
    Case("ALI006", EN, QUIET, with_dependency(EN, team=EN_TAX, point=EN_POINT, status="agreed")),
    Case("ALI007", ZH, FIRE, with_dependency(ZH, team=ZH_TAX, point=ZH_POINT, status="不认同")),
    Case("ALI007", ZH, QUIET, with_dependency(ZH, team=ZH_TAX, point=ZH_POINT, status="已确认")),
    Case("ALI007", EN, FIRE, with_dependency(EN, team=EN_TAX, point=EN_POINT, status="declined")),
    Case("ALI007", EN, QUIET, with_dependency(EN, team=EN_TAX, point=EN_POINT, status="OK")),
    # ---------------------------------------------------------------- measurable
    Case("MEA001", ZH, FIRE, on_kr(ZH, "支付链路稳定可靠")),
    Case("MEA001", ZH, QUIET, on_kr(ZH, "支付链路全年零故障")),
    Case("MEA001", EN, FIRE, on_kr(EN, "Smooth hand-offs between sales and support")),
    Case("MEA001", EN, QUIET, on_kr(EN, "Zero dropped hand-offs between sales and support")),
    Case("MEA002", ZH, FIRE, on_kr(ZH, "提升新用户次日留存")),
    Case("MEA002", ZH, QUIET, on_kr(ZH, "新用户次日留存从 32% 提升到 40%")),
    Case("MEA002", EN, FIRE, on_kr(EN, "Reduced time to first invoice")),
    Case("MEA002", EN, QUIET, on_kr(EN, "Time to first invoice reduced from 3 days to 1 day")),
    Case("MEA003", ZH, FIRE, on_kr(ZH, "活动页转化率提升 15%")),
    Case("MEA003", ZH, QUIET, on_kr(ZH, "活动页转化率提升 15%（基线 4%）")),
    Case("MEA003", EN, FIRE, on_kr(EN, "Self-serve ARR up 30%")),
    Case("MEA003", EN, QUIET, on_kr(EN, "Self-serve ARR up from $2M to $2.6M")),
    Case("MEA004", ZH, FIRE, on_kr(ZH, "发票开具时长从 2 天缩短到 4 小时", cycle=None)),
    Case("MEA004", ZH, QUIET, on_kr(ZH, "11月15日前发票开具时长从 2 天缩短到 4 小时", cycle=None)),
    Case("MEA004", EN, FIRE, on_kr(EN, "Invoice turnaround from 2 days to 4 hours", cycle=None)),
    Case("MEA004", EN, QUIET, on_kr(EN, "Invoice turnaround from 2 days to 4 hours by end of November", cycle=None)),
    Case("MEA005", ZH, FIRE, on_kr(ZH, "退货率降到 3% 以下，好评率达到 98%")),
    Case("MEA005", ZH, QUIET, on_kr(ZH, "退货率从 5% 降到 3% 以下，覆盖全部自营品类")),
    Case("MEA005", EN, FIRE, on_kr(EN, "Sign 40 new resellers; partner NPS above 50")),
    Case("MEA005", EN, QUIET, on_kr(EN, "Sign 40 new resellers, up from 25 last year")),  # a result and its baseline
    # ---------------------------------------------------------------- owned
    Case("OWN001", ZH, FIRE, on_objective(ZH, GOAL[ZH], owner=None)),
    Case("OWN001", ZH, QUIET, on_objective(ZH, GOAL[ZH], owner=None, set_owner="陈静")),  # the team lead stands in
    Case("OWN001", EN, FIRE, on_objective(EN, GOAL[EN], owner="TBD")),
    Case("OWN001", EN, QUIET, on_objective(EN, GOAL[EN], owner="Priya Nair")),
    Case("OWN002", ZH, FIRE, on_kr(ZH, GOOD_KRS[ZH][1], owner="待定")),
    Case("OWN002", ZH, QUIET, on_kr(ZH, GOOD_KRS[ZH][1], owner="刘洋")),
    Case("OWN002", EN, FIRE, on_kr(EN, GOOD_KRS[EN][1], owner=None)),
    Case("OWN002", EN, QUIET, on_kr(EN, GOOD_KRS[EN][1], owner="Ana")),
    Case("OWN003", ZH, FIRE, on_kr(ZH, GOOD_KRS[ZH][1], owner="张伟/李娜")),
    Case("OWN003", ZH, QUIET, on_kr(ZH, GOOD_KRS[ZH][1], owner="张伟", members="李娜、王强")),
    Case("OWN003", EN, FIRE, on_objective(EN, GOAL[EN], owner="Maria Lopez & Tom Reed")),
    Case("OWN003", EN, QUIET, on_objective(EN, GOAL[EN], owner="Sandra Andersen")),
    Case("OWN004", ZH, FIRE, on_kr(ZH, GOOD_KRS[ZH][1], owner="市场部")),
    Case("OWN004", ZH, QUIET, on_kr(ZH, GOOD_KRS[ZH][1], owner="团队负责人王磊")),
    Case("OWN004", EN, FIRE, on_kr(EN, GOOD_KRS[EN][1], owner="Sales Ops")),
    Case("OWN004", EN, QUIET, on_kr(EN, GOOD_KRS[EN][1], owner="Jordan Kim (Payments team)")),
    # ---------------------------------------------------------------- inspiring
    Case("INS001", ZH, FIRE, on_objective(ZH, "季度 GMV 突破 5000 万")),
    Case("INS001", ZH, QUIET, on_objective(ZH, "2026 年成为中小商家首选的收银系统")),
    Case("INS001", EN, FIRE, on_objective(EN, "Reach 50,000 weekly active teams")),
    Case("INS001", EN, QUIET, on_objective(EN, "Win the mid-market in 2026")),
    Case("INS002", ZH, FIRE, on_objective(ZH, "搭建全渠道会员体系")),
    Case("INS002", ZH, QUIET, on_objective(ZH, "让新门店一周内完成开业筹备")),
    Case("INS002", EN, FIRE, on_objective(EN, "Roll out SSO for all enterprise customers")),
    Case("INS002", EN, QUIET, on_objective(EN, "Shipping teams trust our tracking data")),
    Case("INS003", ZH, FIRE, on_objective(ZH, "全力以赴，再创佳绩")),
    Case("INS003", ZH, QUIET, on_objective(ZH, "成为客户最信赖的伙伴")),
    Case("INS003", EN, FIRE, on_objective(EN, "Strive for excellence in everything we do")),
    Case("INS003", EN, QUIET, on_objective(EN, "Achieve greater success with mid-market retailers")),
    Case("INS004", ZH, FIRE, on_objective(ZH, ZH_LONG_GOAL)),
    Case("INS004", ZH, QUIET, on_objective(ZH, ZH_SHORT_ENOUGH)),
    Case("INS004", EN, FIRE, on_objective(EN, EN_LONG_GOAL)),
    Case("INS004", EN, QUIET, on_objective(EN, EN_SHORT_ENOUGH)),
    # ---------------------------------------------------------------- outcome
    Case("INS005", ZH, FIRE, on_objective(ZH, "财务合规")),
    Case("INS005", ZH, QUIET, on_objective(ZH, "让财务合规不再拖慢结账")),
    Case("INS005", EN, FIRE, on_objective(EN, "Compliance")),
    Case("INS005", EN, QUIET, on_objective(EN, "Make compliance painless for finance teams")),
    Case("OUT001", ZH, FIRE, on_kr(ZH, "搭建渠道商自助对账平台")),
    Case("OUT001", ZH, QUIET, on_kr(ZH, "上线渠道商自助对账平台，自助对账占比达到 60%")),
    Case("OUT001", EN, FIRE, on_kr(EN, "Migrate billing to Stripe")),
    Case("OUT001", EN, QUIET, on_kr(EN, "Migrate billing to Stripe with failed payments below 1%")),
    Case("OUT002", ZH, FIRE, on_kr(ZH, "举办 6 场渠道商培训")),
    Case("OUT002", ZH, QUIET, on_kr(ZH, "发布 6 款收银机新皮肤")),
    Case("OUT002", EN, FIRE, on_kr(EN, "Host 8 customer webinars")),
    Case("OUT002", EN, QUIET, on_kr(EN, "Publish 4 customer case studies")),
    Case("OUT003", ZH, FIRE, on_kr(ZH, "让商家在十分钟内完成开店", goal="让商家十分钟内完成开店")),
    Case("OUT003", ZH, QUIET, on_kr(ZH, "新商家开店平均用时从 45 分钟缩短到 10 分钟", goal="让商家十分钟内完成开店")),
    Case("OUT003", EN, FIRE, on_kr(EN, "Checkout is effortless for returning shoppers", goal=EN_SHOPPERS)),
    Case("OUT003", EN, QUIET, on_kr(EN, "Returning shoppers check out in under 30 seconds", goal=EN_SHOPPERS)),
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


def test_every_rule_has_four_bilingual_cases():
    table = Counter((case.code, case.lang, case.fire) for case in CASES)
    assert {code for code, _, _ in table} == set(REGISTRY)
    for code in REGISTRY:
        for lang in (ZH, EN):
            for fire in (FIRE, QUIET):
                assert table[code, lang, fire] == 1, (code, lang, "fire" if fire else "quiet", table[code, lang, fire])
