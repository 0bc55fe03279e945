"""The service taxonomy every installation starts with (DESIGN.md, Domain → Category).

Names in Chinese, English and Uyghur; keywords seed the suggestion model before an
installation has history of its own. Administrators edit all of it in the admin.
"""

from __future__ import annotations

# The keywords of the first seed (Chinese only), to recognise categories nobody edited.
CHINESE_ONLY_KEYWORDS: dict[str, str] = {
    "water": "停水\n水管\n自来水\n水压\n水质\n漏水",
    "roads": "道路\n坑洼\n路灯\n公交\n桥\n硬化",
    "health": "卫生室\n医生\n药\n看病\n医保",
    "education": "学校\n校车\n上学\n老师\n幼儿园",
    "housing": "危房\n漏雨\n维修\n墙体\n改造",
    "energy": "停电\n暖气\n供暖\n燃气\n电压",
    "environment": "垃圾\n污水\n噪音\n厕所\n臭味",
    "employment": "工资\n社保\n养老金\n低保\n就业",
    "agriculture": "灌溉\n种子\n牲畜\n兽医\n农机",
    "disaster": "洪水\n受灾\n冰雹\n地震\n被淹",
    "disputes": "纠纷\n调解\n边界\n欠款",
    "property": "物业\n电梯\n小区\n停车",
}


def _lines(*groups: str) -> str:
    """Keywords one per line (as the admin edits them), written here as "a|b|c" per language."""
    return "\n".join(word for group in groups for word in group.split("|"))


CATEGORIES: list[dict] = [
    {
        "code": "water",
        "name": "供水",
        "name_en": "Water supply",
        "name_ug": "سۇ تەمىنلەش",
        "keywords": _lines(
            "停水|水管|自来水|水压|水质|漏水",
            "tap water|water pipe|no water|water pressure|leak",
            "تۇرۇبا|سۇ يوق|ئىچىملىك سۇ|سۇ توختى|سۇ بېسىمى",
        ),
    },
    {
        "code": "roads",
        "name": "道路交通",
        "name_en": "Roads and transport",
        "name_ug": "يول ۋە قاتناش",
        "keywords": _lines(
            "道路|坑洼|路灯|公交|桥|硬化",
            "road|pothole|street light|bridge|bus stop",
            "كۆۋرۈك|ئاپتوبۇس|يول چىرىقى|ئازگال",
        ),
    },
    {
        "code": "health",
        "name": "医疗卫生",
        "name_en": "Health care",
        "name_ug": "داۋالاش ۋە ساغلاملىق",
        "keywords": _lines(
            "卫生室|医生|药|看病|医保",
            "clinic|doctor|medicine|hospital|medical insurance",
            "دوختۇر|دورا|داۋالاش",
        ),
    },
    {
        "code": "education",
        "name": "教育与校车",
        "name_en": "Education and school transport",
        "name_ug": "مائارىپ ۋە مەكتەپ ماشىنىسى",
        "keywords": _lines(
            "学校|校车|上学|老师|幼儿园",
            "school|teacher|kindergarten",
            "مەكتەپ|ئوقۇتقۇچى|يەسلى",
        ),
    },
    {
        "code": "housing",
        "name": "住房与维修",
        "name_en": "Housing and repairs",
        "name_ug": "تۇرالغۇ ۋە رېمونت",
        "keywords": _lines(
            "危房|漏雨|维修|墙体|改造",
            "roof|repair|crack|dilapidated",
            "ئۆگزە|رېمونت|يېرىق|خەتەرلىك ئۆي",
        ),
    },
    {
        "code": "energy",
        "name": "电力供暖燃气",
        "name_en": "Electricity, heating and gas",
        "name_ug": "توك، ئىسسىتىش ۋە گاز",
        "keywords": _lines(
            "停电|暖气|供暖|燃气|电压",
            "power cut|electricity|heating|gas|voltage",
            "توك|ئىسسىتىش|گاز",
        ),
    },
    {
        "code": "environment",
        "name": "环境卫生",
        "name_en": "Environment and sanitation",
        "name_ug": "مۇھىت ۋە تازىلىق",
        "keywords": _lines(
            "垃圾|污水|噪音|厕所|臭味",
            "garbage|rubbish|sewage|noise|smell|toilet",
            "ئەخلەت|شاۋقۇن|پاسكىنا سۇ|پۇراق|ھاجەتخانا",
        ),
    },
    {
        "code": "employment",
        "name": "就业与社会保障",
        "name_en": "Employment and social security",
        "name_ug": "ئىشقا ئورۇنلىشىش ۋە ئىجتىمائىي كاپالەت",
        "keywords": _lines(
            "工资|社保|养老金|低保|就业",
            "wage|salary|pension|social security|unemploy",
            "ئىش ھەققى|پېنسىيە|ئىجتىمائىي كاپالەت|تۆۋەن تۇرمۇش كاپالىتى",
        ),
    },
    {
        "code": "agriculture",
        "name": "农业与畜牧",
        "name_en": "Agriculture and livestock",
        "name_ug": "يېزا ئىگىلىكى ۋە چارۋىچىلىق",
        "keywords": _lines(
            "灌溉|种子|牲畜|兽医|农机",
            "irrigation|seed|livestock|veterinar|tractor|crop",
            "سۇغىرىش|ئۇرۇق|چارۋا|تىراكتور",
        ),
    },
    {
        "code": "disaster",
        "name": "灾害救助",
        "name_en": "Disaster relief",
        "name_ug": "ئاپەت قۇتقۇزۇش",
        "keywords": _lines(
            "洪水|受灾|冰雹|地震|被淹",
            "flood|hail|earthquake|storm",
            "كەلكۈن|مۆلدۈر|يەر تەۋرەش|ئاپەت",
        ),
    },
    {
        "code": "disputes",
        "name": "纠纷调解",
        "name_en": "Disputes and mediation",
        "name_ug": "ماجىرا ۋە ياراشتۇرۇش",
        "keywords": _lines(
            "纠纷|调解|边界|欠款",
            "dispute|mediation|boundary|debt",
            "جېدەل|ماجىرا|مۇرەسسە|قەرز",
        ),
    },
    {
        "code": "property",
        "name": "物业管理",
        "name_en": "Property management",
        "name_ug": "مۈلۈك باشقۇرۇش",
        "keywords": _lines(
            "物业|电梯|小区|停车",
            "property management|elevator|lift|parking",
            "مۈلۈك باشقۇرۇش|لىفت",
        ),
    },
    {"code": "other", "name": "其他", "name_en": "Other", "name_ug": "باشقا", "keywords": ""},
]
