"""Word lists for demo households (pure): Chinese names, streets, landmarks, phones."""

from __future__ import annotations

import random

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
            "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷"
            "侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_SINGLE = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华红梅燕东峰鹏辉斌琳颖玲婷雪慧"
GIVEN_DOUBLE = ("建国", "淑珍", "春梅", "晓东", "子涵", "浩然", "欣怡", "雨桐", "宇轩", "梓萱",
                "一诺", "思远", "佳怡", "俊杰", "丹丹", "云峰", "德明", "立新", "凤英", "永华",
                "秀英", "桂英", "玉兰", "海燕", "志强", "文华", "建华", "国庆", "秀兰", "红霞",
                "丽娟", "金凤", "振华", "春生", "建军", "卫东", "海涛", "晓燕", "美玲", "家豪")

STREET_SUFFIXES = ("路", "街", "大道", "巷")
LANDMARKS = ("人民医院对面", "第三中学旁", "农贸市场北门", "工商银行斜对面", "公交总站旁",
             "社区卫生服务中心后", "邮政局隔壁", "新华书店对面", "实验小学东侧", "加油站往北50米",
             "菜市场南口", "派出所西侧", "体育馆后门", "超市楼上", "老电影院旁", "")
COMPOUNDS = ("幸福小区", "阳光花园", "锦绣家园", "翠苑", "和平新村", "滨江花园", "金色家园",
             "书香苑", "铁路宿舍", "自来水公司宿舍", "东方明珠苑", "绿洲小区")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "157", "158", "159", "186", "187", "188", "189")


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_DOUBLE) if rng.random() < 0.55 else rng.choice(GIVEN_SINGLE)
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def address(rng: random.Random, streets: tuple[str, ...]) -> tuple[str, str, str]:
    """(street, house number, landmark)"""
    street = rng.choice(streets)
    if rng.random() < 0.6:
        house = (f"{rng.randint(1, 400)}号{rng.choice(COMPOUNDS)}{rng.randint(1, 24)}栋"
                 f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室")
    else:
        house = f"{rng.randint(1, 888)}号"
    return street, house, rng.choice(LANDMARKS)
