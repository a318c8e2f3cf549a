"""Organisation names."""
import pytest

from normalize.orgs import ORG_RE, find_orgs, split_org


@pytest.mark.parametrize(
    "name, region, department",
    [
        ("孟津区退役军人事务局", "孟津区", "退役军人事务局"),
        ("乌审旗退役军人事务局", "乌审旗", "退役军人事务局"),
        ("岳阳县退役军人事务局", "岳阳县", "退役军人事务局"),
        ("湖南省岳阳市财政局", "岳阳市", "财政局"),
        ("鄂尔多斯市退役军人事务局", "鄂尔多斯市", "退役军人事务局"),
        ("岳麓区市场监督管理局", "岳麓区", "市场监督管理局"),
        ("湖南省岳阳市岳阳县退役军人事务局", "岳阳县", "退役军人事务局"),
        ("内蒙古自治区鄂尔多斯市乌审旗退役军人事务局", "乌审旗", "退役军人事务局"),
        ("渑源县退役军人事务局", "渑源县", "退役军人事务局"),
        ("岳阳县人力资源和社会保障局", "岳阳县", "人力资源和社会保障局"),
        ("岳阳县发展和改革委员会", "岳阳县", "发展和改革委员会"),
        ("岳麓区社区服务中心", "岳麓区", "社区服务中心"),
        ("退役军人事务局", None, "退役军人事务局"),
    ],
)
def test_split_org(name, region, department):
    assert split_org(name) == (region, department)


def test_org_re_region_group():
    m = ORG_RE.search("岳麓区市场监督管理局")
    assert m.group("region") == "岳麓区"
    assert m.group("department") == "市场监督管理局"


def test_find_orgs_in_prose():
    text = "我局是岳麓区市场监督管理局的下属，孟津区退役军人事务局2021年度部门整体绩效评价报告；乌审旗退役军人事务局关于印发"
    assert find_orgs(text) == ["岳麓区市场监督管理局", "孟津区退役军人事务局", "乌审旗退役军人事务局"]


def test_find_orgs_none():
    assert find_orgs("区退役军人事务局负责全区工作") == []
    assert find_orgs("") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("根据岳阳县财政局", ["岳阳县财政局"]),
        ("建议孟津区退役军人事务局加强管理", ["孟津区退役军人事务局"]),
        ("下辖岳阳县光荣院", ["岳阳县光荣院"]),
        ("先后召开县委常委会议", []),
        ("按照省市信访交办要求", []),
        ("给区级业务办", []),
        ("每月向市退役军人事务领导小组办公室报送", []),
        ("沛县财政局", ["沛县财政局"]),
        ("和平区财政局", ["和平区财政局"]),
        ("《鄂尔多斯市困难退役军人帮扶援助实施办法》", []),
    ],
)
def test_find_orgs_skips_prose(text, expected):
    assert find_orgs(text) == expected
