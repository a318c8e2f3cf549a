"""TASK.owner / lead names and TASK.unit cells."""
import pytest

from normalize.names import SURNAMES, join_person_names, join_units


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("阿日\n古那", "阿日古那"),
        ("查汉\n苏布德", "查汉苏布德"),
        ("查 汉\n苏布德", "查汉苏布德"),
        ("张三\n李四", "张三、李四"),
        ("李伟春\n刘 甜", "李伟春、刘甜"),
        ("郝建丽\n珠 拉", "郝建丽、珠拉"),
        ("刘 甜", "刘甜"),
        ("邵 鑫", "邵鑫"),
        ("张三、李四", "张三、李四"),
        ("张三，李四,王五/赵六", "张三、李四、王五、赵六"),
        ("张三 李四", "张三、李四"),
        ("王帅\n赵慧\n阿日\n古那", "王帅、赵慧、阿日古那"),
        ("边海军", "边海军"),
        ("  王云飞 \n\n", "王云飞"),
        ("", None),
        (" \n ", None),
        (None, None),
    ],
)
def test_join_person_names(cell, expected):
    assert join_person_names(cell) == expected


def test_surname_set():
    assert 100 <= len(SURNAMES) <= 250
    assert {"王", "李", "张", "刘", "邵", "边"} <= SURNAMES
    assert not {"查", "阿", "珠"} & SURNAMES


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("服务\n中心", "服务中心"),
        ("综合股\n服务\n中心", "综合股、服务中心"),
        ("办公室", "办公室"),
        ("领导小组办\n公室", "领导小组办公室"),
        ("综合股、服务中心", "综合股、服务中心"),
        ("优抚\n安置股", "优抚安置股"),
        ("服务中心\n（牵头）", "服务中心（牵头）"),
        ("服务中心（站）", "服务中心（站）"),
        ("各股室\n相关单位", "各股室、相关单位"),
        ("", None),
        (None, None),
    ],
)
def test_join_units(cell, expected):
    assert join_units(cell) == expected


def test_single_character_line_is_the_start_of_a_wrapped_name():
    assert join_person_names("赵\n晓明") == "赵晓明"
    assert join_person_names("李伟春\n赵\n晓明") == "李伟春、赵晓明"
