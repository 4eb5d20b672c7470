import pytest
from builders import codes, kr, kr_codes, obj_codes, objective, okr_set, run

from assistant.rules.owned import split_owners


def test_objective_without_owner_unless_set_has_one():
    found = run(okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%", owner="张三"))))
    assert "OWN001" in obj_codes(found, "O1")
    found = run(okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%", owner="张三")), owner="李四"))
    assert "OWN001" not in codes(found)


@pytest.mark.parametrize("owner", [None, "待定", "TBD", "-", "N/A"])
def test_key_result_without_owner(owner):
    found = run(okr_set(objective("Keep customers", kr("Renewal from 80% to 90%", owner=owner), owner="Ann")))
    assert "OWN002" in kr_codes(found, "O1.KR1")
    assert not kr_codes(found, "O1.KR1") & {"OWN003", "OWN004"}


@pytest.mark.parametrize("owner", ["张三、李四", "张三,李四", "Ann Lee and Bo Chen", "Ann / Bo", "王小明和李小红"])
def test_several_owners(owner):
    found = run(okr_set(objective("Keep customers", kr("Renewal from 80% to 90%", owner=owner), owner="Ann")))
    assert "OWN003" in kr_codes(found, "O1.KR1")


@pytest.mark.parametrize("owner", ["王和平", "Mary-Jane Watson", "欧阳娜娜"])
def test_single_names_stay_single(owner):
    assert split_owners(owner) == [owner]


@pytest.mark.parametrize(
    "owner",
    [
        *("全员", "研发团队", "大家", "研发部", "前端组", "客服中心", "everyone", "The team", "All", "All of us"),
        *("the engineering team", "Data squad", "Sales Ops"),
    ],
)
def test_collective_owner(owner):
    found = run(okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%", owner=owner), owner=owner)))
    assert "OWN004" in kr_codes(found, "O1.KR1")
    assert "OWN004" in obj_codes(found, "O1")


@pytest.mark.parametrize("owner", ["张三", "阿部", "Team lead Ann", "Allison Park", "QA team lead", "Teamson"])
def test_person_is_not_collective(owner):
    found = run(okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%", owner=owner), owner="李四")))
    assert "OWN004" not in codes(found)
