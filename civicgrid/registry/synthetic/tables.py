"""Tables behind the synthetic city (:mod:`civicgrid.registry.synthetic`).

Written by hand for test and demo data; none of it describes a real person or organisation.

* Surnames with weights per 10,000 people: the common national surnames, shifted towards the
  Guangdong mix of a Zhuhai population (陈, 黄, 梁, 林, 何, 罗 … more frequent).
* Given-name characters by sex and birth era (names change with the generations: 建国, 秀英
  before 1965; 伟, 丽 around 1970-85; 浩, 婷 around 1990; 子涵, 梓萱 after 2005).
* Origin counties of migrants to Zhuhai (real county-level division codes as they appear in ID
  numbers, with the names of the time), weighted: other Guangdong cities, 湖南, 广西, 四川,
  重庆, 江西, 河南, 湖北, 贵州, 安徽.
* Road names by district (Zhuhai roads as people write them; the demo grids are generated,
  so a road does not lie where the real one does). Every name ends in 路, 道, 街 or 巷, as the
  address parser of the registry expects; a house number is unique on its road in a district.
* Foreign residents: where they live (weights by district and street), the nationality codes
  of their permanent residence ID cards and romanised names by naming custom.
* Simplified → traditional characters and same-sound characters (同音字) for noisy copies.
"""

from __future__ import annotations

# ---------------------------------------------------------------- names

SURNAME_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("陈", 780), ("李", 620), ("黄", 520), ("张", 500), ("王", 480), ("刘", 420),
    ("梁", 260), ("林", 250), ("杨", 240), ("吴", 220), ("何", 200), ("周", 170),
    ("罗", 160), ("郑", 150), ("谢", 140), ("邓", 140), ("赵", 130), ("徐", 120),
    ("曾", 120), ("冯", 115), ("钟", 110), ("朱", 110), ("胡", 105), ("叶", 100),
    ("蔡", 95), ("卢", 95), ("彭", 90), ("许", 90), ("孙", 90), ("郭", 90),
    ("苏", 80), ("唐", 80), ("余", 75), ("潘", 75), ("马", 70), ("赖", 70),
    ("黎", 70), ("莫", 65), ("廖", 65), ("高", 65), ("谭", 65), ("江", 55),
    ("邹", 55), ("龙", 50), ("韦", 50), ("宋", 50), ("蒋", 50), ("曹", 45),
    ("袁", 45), ("姚", 45), ("沈", 40), ("方", 40), ("杜", 40), ("严", 40),
    ("关", 40), ("麦", 35), ("邱", 35), ("古", 30), ("欧阳", 30), ("温", 30),
    ("丘", 25), ("凌", 25), ("田", 30), ("魏", 30), ("陆", 30), ("汤", 25),
    ("范", 30), ("石", 30), ("汪", 25), ("熊", 30), ("文", 25), ("易", 25),
    ("贺", 20), ("毛", 20), ("万", 20), ("覃", 30), ("容", 15), ("钱", 15),
    ("吕", 25), ("丁", 25), ("任", 25), ("姜", 20), ("崔", 15), ("孔", 15),
    ("白", 15), ("康", 15), ("秦", 15), ("史", 15), ("侯", 15), ("邵", 15),
    ("孟", 15), ("段", 15), ("雷", 20), ("尹", 15), ("董", 30), ("程", 30),
    ("萧", 25), ("韩", 30), ("肖", 40), ("戴", 25), ("夏", 20), ("傅", 20),
    ("阮", 15), ("区", 10), ("司徒", 8), ("上官", 3),
)  # fmt: skip

# Given-name characters by sex and era: (first characters, second characters, single-character
# given-name share, whole popular given names). Era keys are the birth year they start at.
GIVEN_NAMES: dict[str, dict[int, tuple[str, str, float, tuple[str, ...]]]] = {
    "M": {
        1900: (
            "建国志德振永明华文金福荣炳锦耀树家国伟庆汉",
            "国华明生林强民才德昌荣发新忠平全贵祥成辉",
            0.20,
            ("建国", "国强", "志明", "德华", "永强", "金福", "炳坤", "锦荣", "国平", "卫东"),
        ),
        1965: (
            "伟建志俊国永海文晓明立小红家卫少振东剑",
            "强军平华明勇斌涛刚峰辉东林波锋亮兵杰新宏雄彪武庆超洪坚锐毅",
            0.35,
            ("伟", "强", "军", "勇", "斌", "涛", "志强", "海波", "建华", "永辉", "文华"),
        ),
        1985: (
            "俊家志浩嘉晓子文伟宇建明振思海嘉天梓健",
            "杰浩鹏宇豪超斌健辉峰龙俊伟锋磊阳鑫飞帆凯翔坤琦晖聪锦晟彬",
            0.25,
            ("杰", "浩", "鹏", "磊", "超", "俊杰", "家豪", "志伟", "嘉豪", "浩然", "宇航"),
        ),
        2005: (
            "子梓浩宇俊睿一嘉铭沐皓博逸奕宇锦家晨",
            "轩睿涵宇泽辰浩然诺阳航铭逸博昊霖杰楷源",
            0.08,
            ("子轩", "梓睿", "浩宇", "宇泽", "一诺", "俊熙", "梓轩", "睿泽", "铭轩", "沐阳"),
        ),
    },
    "F": {
        1900: (
            "秀桂玉淑凤美金月丽素惠翠彩银亚少瑞",
            "英兰珍芳华贞娥梅琴芬凤莲霞娟容香仙珠",
            0.20,
            ("秀英", "桂英", "玉兰", "淑珍", "凤英", "秀珍", "玉梅", "桂芳", "美玲", "丽珍"),
        ),
        1965: (
            "丽秀晓小红海美玉春少慧燕雪桂艳素文",
            "芳娟红霞艳玲燕萍丽敏华梅琴芬静英兰云洁虹媛慧莉莲珊丹",
            0.40,
            ("芳", "敏", "静", "丽", "艳", "娟", "霞", "丽华", "晓燕", "美玲", "秀梅"),
        ),
        1985: (
            "婷晓思佳雅嘉雪慧丽诗欣梦美紫玉静文",
            "婷雯琳颖倩洁丹莹璐瑶怡敏琪慧妍佳娜雪蕾薇晶菲璇蓉婕楠",
            0.22,
            ("婷", "丹", "琳", "倩", "颖", "婷婷", "嘉欣", "思敏", "晓琳", "雅婷", "佳怡"),
        ),
        2005: (
            "梓欣子诗可思雨紫嘉语芷依一若佳晨心",
            "萱涵怡彤琪琳悦晴妍希然瑶淇桐馨菲琪诺",
            0.06,
            ("梓萱", "子涵", "欣怡", "诗涵", "可馨", "语桐", "雨彤", "一诺", "思琪", "芷晴"),
        ),
    },
}

# ---------------------------------------------------------------- places

ZHUHAI_CITY = "珠海市"
ZHUHAI_PROVINCE = "广东省"
ZHUHAI_DISTRICTS: dict[str, str] = {"440402": "香洲区", "440403": "斗门区", "440404": "金湾区"}
# Resident population share of the districts (roughly the census split).
DISTRICT_SHARES: dict[str, float] = {"440402": 0.58, "440403": 0.24, "440404": 0.18}
# Old code of 斗门县 (before it became a district in 2001): kept in older ID numbers.
DOUMEN_COUNTY_CODE = "440421"
# Streets with few homes (islands, industrial or logistics zones): their weight is reduced.
SPARSE_STREETS: dict[str, float] = {
    "440402104": 0.5,  # 横琴镇
    "440402105": 0.05,  # 桂山镇
    "440402106": 0.05,  # 万山镇
    "440402107": 0.02,  # 担杆镇
    "440402401": 0.3,  # 南屏科技园
    "440402402": 0.2,  # 保税区
    "440402403": 0.3,  # 三溪科创小镇发展中心
    "440402404": 0.2,  # 洪湾商贸物流中心
    "440404400": 0.3,  # 联港工业区
    "440404401": 0.3,  # 航空产业园
}

ROADS: dict[str, tuple[str, ...]] = {
    "440402": (
        "凤凰北路",
        "凤凰南路",
        "人民东路",
        "人民西路",
        "迎宾南路",
        "迎宾北路",
        "九洲大道",
        "香洲大道",
        "梅华东路",
        "梅华西路",
        "紫荆路",
        "柠溪路",
        "前山路",
        "吉大路",
        "情侣中路",
        "情侣南路",
        "银桦路",
        "兴业路",
        "海滨南路",
        "景山路",
        "石花东路",
        "石花西路",
        "粤海东路",
        "粤海中路",
        "昌盛路",
        "康宁路",
        "翠香路",
        "明珠南路",
        "明珠北路",
        "翠微路",
        "翠前南路",
        "南屏大道",
        "白石路",
        "园林路",
        "水湾路",
        "联安路",
        "侨光路",
        "夏湾路",
        "华子石路",
        "港昌路",
        "红山路",
        "前河西路",
        "港湾大道",
        "金凤路",
        "大学路",
        "情侣北路",
        "环岛东路",
        "港澳大道",
        "宝华路",
        "洪湾路",
        "南湾南路",
        "兰埔路",
        "岭南路",
        "狮山路",
        "东风路",
        "健民路",
        "教育路",
        "新村路",
    ),
    "440403": (
        "珠峰大道",
        "井湾路",
        "尖峰路",
        "西埔路",
        "港霞路",
        "湖心路",
        "白藤一路",
        "白藤二路",
        "白藤三路",
        "白藤四路",
        "白藤五路",
        "白藤六路",
        "白蕉路",
        "斗门大道",
        "新青路",
        "中兴路",
        "江湾路",
        "乾务大道",
        "莲江路",
        "黄杨大道",
        "朝阳路",
        "环城东路",
        "环城西路",
        "桥东路",
        "沿江路",
        "新港路",
        "金坑路",
        "南门路",
    ),
    "440404": (
        "金湾路",
        "金海岸大道",
        "机场东路",
        "机场北路",
        "海澄路",
        "三灶大道",
        "平沙大道",
        "美平路",
        "南港大道",
        "红旗路",
        "藤山路",
        "金河路",
        "金鑫路",
        "湖滨路",
        "宝龙路",
        "琴石路",
        "鱼林路",
        "中心路",
        "安基路",
        "虹晖路",
        "广安路",
        "金湖大道",
    ),
}
VILLAGE_LANES = ("大街", "一巷", "二巷", "三巷", "四巷", "五巷", "新村路", "南街", "北街", "东路")

# (division code, province, prefecture, county, weight): origin counties of migrants.
ORIGIN_COUNTIES: tuple[tuple[str, str, str, str, int], ...] = (
    ("440881", "广东省", "湛江市", "廉江市", 30),
    ("440882", "广东省", "湛江市", "雷州市", 20),
    ("440883", "广东省", "湛江市", "吴川市", 18),
    ("440981", "广东省", "茂名市", "高州市", 30),
    ("440982", "广东省", "茂名市", "化州市", 22),
    ("440983", "广东省", "茂名市", "信宜市", 18),
    ("441424", "广东省", "梅州市", "五华县", 15),
    ("441481", "广东省", "梅州市", "兴宁市", 10),
    ("445281", "广东省", "揭阳市", "普宁市", 14),
    ("445222", "广东省", "揭阳市", "揭西县", 8),
    ("441781", "广东省", "阳江市", "阳春市", 16),
    ("440781", "广东省", "江门市", "台山市", 10),
    ("442000", "广东省", "中山市", "", 10),
    ("440514", "广东省", "汕头市", "潮南区", 8),
    ("430521", "湖南省", "邵阳市", "邵东县", 16),
    ("430523", "湖南省", "邵阳市", "邵阳县", 10),
    ("430524", "湖南省", "邵阳市", "隆回县", 10),
    ("430525", "湖南省", "邵阳市", "洞口县", 6),
    ("430421", "湖南省", "衡阳市", "衡阳县", 10),
    ("430422", "湖南省", "衡阳市", "衡南县", 10),
    ("430426", "湖南省", "衡阳市", "祁东县", 10),
    ("430481", "湖南省", "衡阳市", "耒阳市", 12),
    ("431121", "湖南省", "永州市", "祁阳县", 10),
    ("431124", "湖南省", "永州市", "道县", 6),
    ("431021", "湖南省", "郴州市", "桂阳县", 6),
    ("431022", "湖南省", "郴州市", "宜章县", 6),
    ("431321", "湖南省", "娄底市", "双峰县", 6),
    ("431382", "湖南省", "娄底市", "涟源市", 6),
    ("450881", "广西壮族自治区", "贵港市", "桂平市", 18),
    ("450821", "广西壮族自治区", "贵港市", "平南县", 12),
    ("450921", "广西壮族自治区", "玉林市", "容县", 12),
    ("450922", "广西壮族自治区", "玉林市", "陆川县", 12),
    ("450923", "广西壮族自治区", "玉林市", "博白县", 18),
    ("450981", "广西壮族自治区", "玉林市", "北流市", 12),
    ("450422", "广西壮族自治区", "梧州市", "藤县", 10),
    ("450481", "广西壮族自治区", "梧州市", "岑溪市", 6),
    ("450721", "广西壮族自治区", "钦州市", "灵山县", 10),
    ("450722", "广西壮族自治区", "钦州市", "浦北县", 6),
    ("511321", "四川省", "南充市", "南部县", 8),
    ("511322", "四川省", "南充市", "营山县", 5),
    ("511324", "四川省", "南充市", "仪陇县", 5),
    ("511621", "四川省", "广安市", "岳池县", 5),
    ("511921", "四川省", "巴中市", "通江县", 4),
    ("511923", "四川省", "巴中市", "平昌县", 4),
    ("512021", "四川省", "资阳市", "安岳县", 5),
    ("510722", "四川省", "绵阳市", "三台县", 4),
    ("500235", "重庆市", "", "云阳县", 5),
    ("500236", "重庆市", "", "奉节县", 4),
    ("500228", "重庆市", "", "梁平县", 3),
    ("500233", "重庆市", "", "忠县", 3),
    ("360731", "江西省", "赣州市", "于都县", 10),
    ("360730", "江西省", "赣州市", "宁都县", 6),
    ("360732", "江西省", "赣州市", "兴国县", 6),
    ("360722", "江西省", "赣州市", "信丰县", 5),
    ("360781", "江西省", "赣州市", "瑞金市", 5),
    ("360424", "江西省", "九江市", "修水县", 4),
    ("411525", "河南省", "信阳市", "固始县", 8),
    ("411528", "河南省", "信阳市", "息县", 4),
    ("411627", "河南省", "周口市", "太康县", 4),
    ("411628", "河南省", "周口市", "鹿邑县", 4),
    ("411722", "河南省", "驻马店市", "上蔡县", 4),
    ("411729", "河南省", "驻马店市", "新蔡县", 4),
    ("421125", "湖北省", "黄冈市", "浠水县", 5),
    ("421126", "湖北省", "黄冈市", "蕲春县", 4),
    ("421181", "湖北省", "黄冈市", "麻城市", 5),
    ("421023", "湖北省", "荆州市", "监利县", 5),
    ("420984", "湖北省", "孝感市", "汉川市", 4),
    ("522427", "贵州省", "毕节地区", "威宁彝族回族苗族自治县", 4),
    ("522422", "贵州省", "毕节地区", "大方县", 3),
    ("341221", "安徽省", "阜阳市", "临泉县", 3),
    ("341222", "安徽省", "阜阳市", "太和县", 3),
)
# Hong Kong, Macao and Taiwan residents (their residence permit numbers start 810000/820000/
# 830000): code, place, weight.
HMT_REGIONS: tuple[tuple[str, str, int], ...] = (
    ("820000", "澳门特别行政区", 55),
    ("810000", "香港特别行政区", 35),
    ("830000", "台湾地区", 10),
)
PLACE_CHARACTERS = (
    "新东西南北石桥岭塘坪田山江河湖水龙凤金银大小上下高黄白青马杨柳安平和兴福寿太长永丰"
    "乐富民花竹松梅林沙泉源口洲湾滩岗坡冲铺集庄屯"
)

# Mobile number prefixes of the three carriers (and the virtual operators' 170/171).
MOBILE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("134", 4), ("135", 8), ("136", 8), ("137", 8), ("138", 10), ("139", 10), ("147", 2),
    ("150", 5), ("151", 4), ("152", 4), ("157", 2), ("158", 5), ("159", 5), ("178", 3),
    ("182", 4), ("183", 3), ("184", 1), ("187", 4), ("188", 4), ("198", 3), ("195", 1),
    ("130", 4), ("131", 4), ("132", 4), ("145", 1), ("155", 3), ("156", 4), ("166", 2),
    ("175", 2), ("176", 3), ("185", 3), ("186", 5), ("196", 1),
    ("133", 3), ("149", 1), ("153", 3), ("173", 2), ("177", 3), ("180", 3), ("181", 3),
    ("189", 4), ("191", 2), ("199", 3), ("190", 1), ("170", 1), ("171", 1),
)  # fmt: skip

# ---------------------------------------------------------------- foreign residents

# Foreign residents (境外人员) live mostly in 香洲: relative weight of a home by district and, on
# top of it, by street (横琴, 拱北 and 吉大 by the border with Macao, 唐家湾 with its campuses
# and high-tech zone). See civicgrid.registry.synthetic.foreigners.
FOREIGN_DISTRICT_WEIGHTS: dict[str, float] = {"440402": 1.0, "440403": 0.15, "440404": 0.3}
FOREIGN_STREET_WEIGHTS: dict[str, float] = {
    "440402104": 6.0,  # 横琴镇
    "440402005": 3.0,  # 拱北街道
    "440402004": 3.0,  # 吉大街道
    "440402100": 2.0,  # 唐家湾镇
}
# Issuing province of a foreigner's permanent residence ID card (9 + province + nationality …):
# mostly 广东; some cards were issued where the holder lived before.
FOREIGN_CARD_PROVINCES: tuple[tuple[str, int], ...] = (("44", 90), ("31", 5), ("11", 5))
# (nationality code as the 2023 card carries it, ISO 3166-1 numeric; country; naming; weight).
FOREIGN_NATIONALITIES: tuple[tuple[str, str, str, int], ...] = (
    ("410", "韩国", "korean", 16),
    ("392", "日本", "japanese", 8),
    ("840", "美国", "english", 10),
    ("124", "加拿大", "english", 6),
    ("826", "英国", "english", 5),
    ("036", "澳大利亚", "english", 5),
    ("620", "葡萄牙", "portuguese", 8),
    ("276", "德国", "german", 4),
    ("250", "法国", "french", 3),
    ("643", "俄罗斯", "russian", 4),
    ("704", "越南", "vietnamese", 8),
    ("608", "菲律宾", "filipino", 6),
    ("458", "马来西亚", "malaysian_chinese", 8),
    ("702", "新加坡", "malaysian_chinese", 5),
    ("356", "印度", "indian", 4),
)
# Romanised names as a passport (and so the registry) writes them, family name first:
# naming → (family names, men's given names, women's given names, does a wife take the
# husband's family name). Russian women's family names take the feminine ending (-A).
FOREIGN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = {
    "korean": (
        ("KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM", "HAN"),
        ("MINJUN", "JIHOON", "SEUNGHYUN", "DONGHYUN", "JAEWON", "SUNGMIN", "HYUNWOO", "JUNHO"),
        ("JIYEON", "SOYEON", "MINJI", "HYEJIN", "EUNJI", "SUJIN", "YUNA", "SEOYEON"),
        False,
    ),
    "japanese": (
        ("SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO", "YAMAMOTO", "NAKAMURA"),
        ("HIROSHI", "TAKESHI", "KENJI", "DAISUKE", "SHOTA", "YUTO", "KAZUKI", "RYO"),
        ("YUKI", "AYAKA", "MISAKI", "HARUKA", "NAOKO", "EMI", "SAKURA", "YUI"),
        True,
    ),
    "english": (
        (
            "SMITH",
            "JOHNSON",
            "WILLIAMS",
            "BROWN",
            "JONES",
            "MILLER",
            "DAVIS",
            "WILSON",
            "TAYLOR",
            "ANDERSON",
            "THOMAS",
            "MOORE",
            "CLARK",
            "WALKER",
            "WHITE",
            "MARTIN",
        ),
        (
            "JOHN",
            "MICHAEL",
            "DAVID",
            "JAMES",
            "ROBERT",
            "DANIEL",
            "PETER",
            "MARK",
            "ANDREW",
            "RICHARD",
            "PAUL",
            "CHRISTOPHER",
            "MATTHEW",
            "THOMAS",
        ),
        (
            "MARY",
            "SARAH",
            "JENNIFER",
            "EMILY",
            "JESSICA",
            "ELIZABETH",
            "LAURA",
            "RACHEL",
            "EMMA",
            "KATHERINE",
            "OLIVIA",
            "SUSAN",
        ),
        True,
    ),
    "portuguese": (
        ("SILVA", "SANTOS", "FERREIRA", "PEREIRA", "OLIVEIRA", "COSTA", "RODRIGUES", "MARTINS"),
        ("JOAO", "ANTONIO", "JOSE", "MANUEL", "PEDRO", "RUI", "CARLOS", "MIGUEL"),
        ("MARIA", "ANA", "SOFIA", "BEATRIZ", "INES", "CATARINA", "TERESA", "RITA"),
        False,
    ),
    "german": (
        ("MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER"),
        ("THOMAS", "ANDREAS", "STEFAN", "MICHAEL", "MARKUS", "JAN", "TOBIAS", "FLORIAN"),
        ("ANNA", "JULIA", "SABINE", "KATHARINA", "LENA", "CLAUDIA", "LAURA", "MONIKA"),
        True,
    ),
    "french": (
        ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT", "DURAND", "LEROY"),
        ("PIERRE", "NICOLAS", "JULIEN", "LUC", "ANTOINE", "PHILIPPE", "OLIVIER", "THOMAS"),
        ("MARIE", "CLAIRE", "SOPHIE", "CAMILLE", "JULIE", "ISABELLE", "CELINE", "LEA"),
        True,
    ),
    "russian": (
        ("IVANOV", "SMIRNOV", "KUZNETSOV", "POPOV", "VASILYEV", "PETROV", "SOKOLOV", "VOLKOV"),
        ("ALEXANDER", "DMITRY", "SERGEY", "ANDREY", "ALEXEY", "MAXIM", "IVAN", "NIKOLAY"),
        ("ANNA", "ELENA", "OLGA", "NATALIA", "TATIANA", "IRINA", "EKATERINA", "MARIA"),
        True,
    ),
    "vietnamese": (
        ("NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "VU", "DANG", "BUI", "DO"),
        ("VAN AN", "VAN HUNG", "MINH TUAN", "DUC ANH", "VAN THANH", "QUANG HUY", "HOANG NAM"),
        ("THI HOA", "THI LAN", "THU HUONG", "NGOC ANH", "THI MAI", "THANH HA", "THI THUY"),
        False,
    ),
    "filipino": (
        ("SANTOS", "REYES", "CRUZ", "BAUTISTA", "GARCIA", "MENDOZA", "RAMOS", "AQUINO"),
        ("JOSE", "MARK", "JOHN PAUL", "RONALDO", "MICHAEL", "JERIC", "ARIEL"),
        ("MARIA", "ANGELICA", "KRISTINE", "JOY", "MARY GRACE", "ROSALIE", "JENNY"),
        True,
    ),
    "malaysian_chinese": (
        ("TAN", "LIM", "LEE", "NG", "ONG", "WONG", "CHAN", "GOH", "CHONG", "TEO"),
        ("WEI MING", "KAH HOE", "CHEE KEONG", "JUN HAO", "BOON HUAT", "ZHI WEI", "KOK LEONG"),
        ("MEI LING", "HUI MIN", "SIEW LING", "LI TING", "PEI SHAN", "XIN YI", "YEE LING"),
        False,
    ),
    "indian": (
        ("SHARMA", "PATEL", "SINGH", "KUMAR", "GUPTA", "REDDY", "IYER", "NAIR"),
        ("RAHUL", "AMIT", "VIKRAM", "ARJUN", "SANJAY", "RAJESH", "KARAN", "ANIL"),
        ("PRIYA", "ANJALI", "NEHA", "DEEPA", "KAVITA", "POOJA", "SUNITA", "ANITA"),
        True,
    ),
}

# ---------------------------------------------------------------- legal entities

BRAND_CHARACTERS = (
    "华金鑫盛泰恒信达丰源宏远海天成明德昌隆兴发荣顺利安祥和嘉新锦鸿运通宇宝力佳美"
    "诚志伟创优博科瑞航星辰蓝光汇众联合优品正道中南粤港澳湾岸珠江香洲斗金琴桂"
)
COMPANY_TRADES = (
    "科技", "电子", "贸易", "实业", "投资", "物业管理", "建筑工程", "餐饮管理", "信息技术",
    "装饰工程", "房地产开发", "物流", "酒店管理", "教育咨询", "医疗器械", "生物科技", "电器",
    "塑胶制品", "五金制品", "模具", "服装", "食品", "汽车服务", "文化传媒", "商贸",
    "企业管理咨询", "人力资源", "环保科技", "新能源", "游艇", "海洋工程", "航空科技",
    "供应链管理", "网络科技", "广告", "旅游", "精密机械", "半导体", "智能装备", "家具",
)  # fmt: skip
SHOP_TRADES = (
    "士多店", "五金店", "便利店", "餐厅", "烧腊店", "理发店", "美容店", "水果店", "茶餐厅",
    "粉店", "服装店", "手机维修店", "快餐店", "糖水店", "干洗店", "文具店", "汽车维修部",
    "海鲜档", "杂货店", "肠粉店", "面包店", "花店", "眼镜店", "建材店",
)  # fmt: skip
ASSOCIATION_TRADES = (
    "物流", "餐饮", "旅游", "软件", "游艇", "建筑", "家具", "电子商务", "美容美发",
    "物业管理", "装饰", "会计", "中医药", "书法", "摄影", "足球", "象棋", "登山", "游泳",
)  # fmt: skip
CROPS = ("水稻", "蔬菜", "荔枝", "龙眼", "花卉", "水产养殖", "禾虫", "白蕉海鲈", "生蚝")

# ---------------------------------------------------------------- noise for linkage tests

# Simplified → traditional (only characters that differ).
TRADITIONAL: dict[str, str] = dict(
    zip(
        "陈刘张杨黄赵吴孙马郑谢罗邓萧韩冯叶钟卢苏龙华伟红丽军国辉凤东兰庆云纪邹许韦"
        "汤贺钱孙郭严刘丽娟玲艳涛鹏强杰敏静霞凤兴荣宝伦让贞义亚晓华梦颖莹锦鸿运达",
        "陳劉張楊黃趙吳孫馬鄭謝羅鄧蕭韓馮葉鍾盧蘇龍華偉紅麗軍國輝鳳東蘭慶雲紀鄒許韋"
        "湯賀錢孫郭嚴劉麗娟玲艷濤鵬強傑敏靜霞鳳興榮寶倫讓貞義亞曉華夢穎瑩錦鴻運達",
        strict=True,
    )
)
# Characters people mix up by sound (同音字 / 近音字), both in surnames and given names.
HOMOPHONES: dict[str, str] = {
    "张": "章", "章": "张", "王": "汪", "汪": "王", "李": "黎", "黎": "李", "刘": "柳",
    "杨": "阳", "吴": "伍", "伍": "吴", "徐": "许", "许": "徐", "陈": "程", "程": "陈",
    "黄": "王", "林": "凌", "周": "邹", "邹": "周", "肖": "萧", "萧": "肖", "何": "贺",
    "伟": "玮炜维", "丽": "莉俐", "明": "铭鸣", "华": "桦骅", "静": "婧晶", "杰": "洁捷",
    "峰": "锋丰", "军": "君钧", "敏": "民闽", "芳": "方舫", "娟": "鹃", "燕": "艳雁",
    "红": "虹宏鸿", "玲": "铃龄", "平": "萍苹", "英": "瑛莹", "强": "蔷", "磊": "蕾雷",
    "涛": "滔韬", "斌": "彬宾", "勇": "涌永", "刚": "钢纲", "辉": "晖徽", "鹏": "朋彭",
    "婷": "亭庭", "建": "剑健", "志": "智芝", "文": "雯闻", "俊": "骏峻", "梅": "玫媚",
    "霞": "侠", "云": "芸韵", "春": "纯", "秀": "绣", "琳": "林霖", "宇": "雨羽",
    "浩": "皓昊", "轩": "萱宣", "涵": "寒晗", "欣": "馨昕", "怡": "宜仪", "萱": "轩暄",
    "睿": "锐瑞", "晨": "辰宸", "泽": "则", "嘉": "佳家", "佳": "嘉家", "思": "斯丝",
    "雪": "学", "慧": "惠蕙", "颖": "莹盈", "倩": "茜", "洁": "杰", "丹": "单",
    "国": "郭", "荣": "容蓉", "海": "亥", "东": "冬", "彤": "桐", "琪": "琦淇", "诺": "娜",
}  # fmt: skip
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
