"""The service taxonomy every installation starts with (DESIGN.md, Domain → Category).

Names in Chinese, English and Uyghur; keywords seed the suggestion model before an
installation has history of its own. Administrators edit all of it in the admin.
"""

from __future__ import annotations

CATEGORIES: list[dict] = [
    {
        "code": "water",
        "name": "供水",
        "name_en": "Water supply",
        "name_ug": "سۇ تەمىنلەش",
        "keywords": "停水\n水管\n自来水\n水压\n水质\n漏水",
    },
    {
        "code": "roads",
        "name": "道路交通",
        "name_en": "Roads and transport",
        "name_ug": "يول ۋە قاتناش",
        "keywords": "道路\n坑洼\n路灯\n公交\n桥\n硬化",
    },
    {
        "code": "health",
        "name": "医疗卫生",
        "name_en": "Health care",
        "name_ug": "داۋالاش ۋە ساغلاملىق",
        "keywords": "卫生室\n医生\n药\n看病\n医保",
    },
    {
        "code": "education",
        "name": "教育与校车",
        "name_en": "Education and school transport",
        "name_ug": "مائارىپ ۋە مەكتەپ ماشىنىسى",
        "keywords": "学校\n校车\n上学\n老师\n幼儿园",
    },
    {
        "code": "housing",
        "name": "住房与维修",
        "name_en": "Housing and repairs",
        "name_ug": "تۇرالغۇ ۋە رېمونت",
        "keywords": "危房\n漏雨\n维修\n墙体\n改造",
    },
    {
        "code": "energy",
        "name": "电力供暖燃气",
        "name_en": "Electricity, heating and gas",
        "name_ug": "توك، ئىسسىتىش ۋە گاز",
        "keywords": "停电\n暖气\n供暖\n燃气\n电压",
    },
    {
        "code": "environment",
        "name": "环境卫生",
        "name_en": "Environment and sanitation",
        "name_ug": "مۇھىت ۋە تازىلىق",
        "keywords": "垃圾\n污水\n噪音\n厕所\n臭味",
    },
    {
        "code": "employment",
        "name": "就业与社会保障",
        "name_en": "Employment and social security",
        "name_ug": "ئىشقا ئورۇنلىشىش ۋە ئىجتىمائىي كاپالەت",
        "keywords": "工资\n社保\n养老金\n低保\n就业",
    },
    {
        "code": "agriculture",
        "name": "农业与畜牧",
        "name_en": "Agriculture and livestock",
        "name_ug": "يېزا ئىگىلىكى ۋە چارۋىچىلىق",
        "keywords": "灌溉\n种子\n牲畜\n兽医\n农机",
    },
    {
        "code": "disaster",
        "name": "灾害救助",
        "name_en": "Disaster relief",
        "name_ug": "ئاپەت قۇتقۇزۇش",
        "keywords": "洪水\n受灾\n冰雹\n地震\n被淹",
    },
    {
        "code": "disputes",
        "name": "纠纷调解",
        "name_en": "Disputes and mediation",
        "name_ug": "ماجىرا ۋە ياراشتۇرۇش",
        "keywords": "纠纷\n调解\n边界\n欠款",
    },
    {
        "code": "property",
        "name": "物业管理",
        "name_en": "Property management",
        "name_ug": "مۈلۈك باشقۇرۇش",
        "keywords": "物业\n电梯\n小区\n停车",
    },
    {"code": "other", "name": "其他", "name_en": "Other", "name_ug": "باشقا", "keywords": ""},
]
