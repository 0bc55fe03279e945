"""The fictional county of the demo: its townships, villages, communities and units.

Every name here is invented for the demo (澄原县 does not exist). Uyghur names are written
in Uyghur Latin script (ULY) below and converted to the Arabic script residents read by
``uly_to_arabic``, which keeps the spellings easy to check and correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- Uyghur Latin → Uyghur Arabic script -----------------------------------------------

_DIGRAPHS = {"ch": "چ", "gh": "غ", "ng": "ڭ", "sh": "ش", "zh": "ژ"}
_LETTERS = {
    "a": "ا", "b": "ب", "d": "د", "e": "ە", "ë": "ې", "f": "ف", "g": "گ", "h": "ھ",
    "i": "ى", "j": "ج", "k": "ك", "l": "ل", "m": "م", "n": "ن", "o": "و", "ö": "ۆ",
    "p": "پ", "q": "ق", "r": "ر", "s": "س", "t": "ت", "u": "ۇ", "ü": "ۈ", "w": "ۋ",
    "x": "خ", "y": "ي", "z": "ز",
}  # fmt: skip
_VOWELS = set("aeëioöuü")


def uly_to_arabic(text: str) -> str:
    """Uyghur Latin script to Uyghur Arabic script; a word-initial vowel takes a hamza seat.

    As in ULY, an apostrophe keeps two letters apart (n'g is n + g, not ng).
    """
    out: list[str] = []
    for word in text.lower().split(" "):
        letters: list[str] = []
        i = 0
        while i < len(word):
            pair = word[i : i + 2]
            if word[i] == "'":  # separates letters that would otherwise read as a digraph
                i += 1
                continue
            if pair in _DIGRAPHS:
                letters.append(_DIGRAPHS[pair])
                i += 2
                continue
            ch = word[i]
            if ch in _VOWELS and (i == 0 or word[i - 1] == "-"):
                letters.append("ئ")
            letters.append(_LETTERS.get(ch, ch))
            i += 1
        out.append("".join(letters))
    return " ".join(out)


# --- the county ----------------------------------------------------------------------

# A made-up county seat; villages lie within ~25 km of it.
CENTRE = (40.152, 84.347)

COUNTY = {
    "name": "澄原县",
    "name_en": "Chengyuan County",
    "uly": "Chëngyüen nahiyisi",
    "code": "CY",
}


@dataclass(frozen=True)
class Place:
    """A village or community: Chinese name, English (pinyin) name, ULY name, login name."""

    name: str
    en: str
    uly: str
    login: str
    kind: str = "village"  # or "community"


@dataclass(frozen=True)
class Township:
    name: str
    en: str
    uly: str
    login: str
    kind: str  # "town" (镇), "township" (乡) or "street" (街道)
    offset: tuple[float, float]  # from CENTRE, in degrees
    places: list[Place] = field(default_factory=list)

    @property
    def office_name(self) -> str:
        return f"{self.name}办事处" if self.kind == "street" else f"{self.name}人民政府"

    @property
    def has_judicial_office(self) -> bool:
        return self.kind != "street"


def _v(name: str, en: str, uly: str, login: str) -> Place:
    return Place(name=name, en=en, uly=uly, login=login, kind="village")


def _c(name: str, en: str, uly: str, login: str) -> Place:
    return Place(name=name, en=en, uly=uly, login=login, kind="community")


TOWNSHIPS: list[Township] = [
    Township("城关街道", "Chengguan Subdistrict", "Chëngguen kocha bashqarmisi", "chengguan",
             "street", (0.0, 0.0), [
        _c("文化路社区", "Wenhualu Community", "Wenxualu mehellisi", "wenhualu"),
        _c("人民路社区", "Renminlu Community", "Rënminlu mehellisi", "renminlu"),
        _c("东关社区", "Dongguan Community", "Dungguen mehellisi", "dongguan"),
        _c("西关社区", "Xiguan Community", "Shiguen mehellisi", "xiguan"),
        _c("新华社区", "Xinhua Community", "Shinxua mehellisi", "xinhua"),
        _c("幸福里社区", "Xingfuli Community", "Shingfuli mehellisi", "xingfuli"),
    ]),
    Township("河滨街道", "Hebin Subdistrict", "Xëbin kocha bashqarmisi", "hebin",
             "street", (-0.018, 0.031), [
        _c("滨河社区", "Binhe Community", "Binxë mehellisi", "binhe"),
        _c("育才社区", "Yucai Community", "Yütsëy mehellisi", "yucai"),
        _c("阳光社区", "Yangguang Community", "Yangguang mehellisi", "yangguang"),
        _c("康宁社区", "Kangning Community", "Kangning mehellisi", "kangning"),
        _c("绿洲社区", "Lüzhou Community", "Lüjow mehellisi", "lvzhou"),
        _v("园艺村", "Yuanyi Village", "Yüenyi kenti", "yuanyi"),
    ]),
    Township("东湖镇", "Donghu Town", "Dungxu baziri", "donghu", "town", (0.071, 0.094), [
        _v("柳树村", "Liushu Village", "Liyushu kenti", "liushu"),
        _v("东湖村", "Donghu Village", "Dungxu kenti", "donghucun"),
        _v("王家庄村", "Wangjiazhuang Village", "Wangjyajuang kenti", "wangjiazhuang"),
        _v("杏花村", "Xinghua Village", "Shingxua kenti", "xinghua"),
        _v("新河村", "Xinhe Village", "Shinxë kenti", "xinhe"),
        _v("三合村", "Sanhe Village", "Sanxë kenti", "sanhe"),
    ]),
    Township("石桥镇", "Shiqiao Town", "Shichyaw baziri", "shiqiao", "town", (-0.112, -0.064), [
        _c("石桥社区", "Shiqiao Community", "Shichyaw mehellisi", "shiqiaosq"),
        _v("石桥村", "Shiqiao Village", "Shichyaw kenti", "shiqiaocun"),
        _v("李家湾村", "Lijiawan Village", "Lijyawen kenti", "lijiawan"),
        _v("前进村", "Qianjin Village", "Chyenjin kenti", "qianjin"),
        _v("红星村", "Hongxing Village", "Xungshing kenti", "hongxing"),
        _v("南坡村", "Nanpo Village", "Nenpo kenti", "nanpo"),
        _v("枣林村", "Zaolin Village", "Zawlin kenti", "zaolin"),
    ]),
    Township("柳河镇", "Liuhe Town", "Liyuxë baziri", "liuhe", "town", (0.138, -0.121), [
        _v("柳河村", "Liuhe Village", "Liyuxë kenti", "liuhecun"),
        _v("马家堡村", "Majiabu Village", "Majyabu kenti", "majiabu"),
        _v("黄土坡村", "Huangtupo Village", "Xuangtupo kenti", "huangtupo"),
        _v("沙河村", "Shahe Village", "Shaxë kenti", "shahe"),
        _v("永丰村", "Yongfeng Village", "Yungfëng kenti", "yongfeng"),
        _v("团结村", "Ittipaq Village", "Ittipaq kenti", "tuanjie"),
    ]),
    Township("西山乡", "Xishan Township", "Shishen yëzisi", "xishan", "township",
             (0.046, -0.213), [
        _v("石门村", "Shimen Village", "Shimën kenti", "shimen"),
        _v("青松村", "Qingsong Village", "Chingsung kenti", "qingsong"),
        _v("上庄村", "Shangzhuang Village", "Shangjuang kenti", "shangzhuang"),
        _v("下庄村", "Xiazhuang Village", "Shyajuang kenti", "xiazhuang"),
        _v("羊圈沟村", "Yangjuangou Village", "Yangjüen'gow kenti", "yangjuangou"),
        _v("大湾村", "Dawan Village", "Dawen kenti", "dawan"),
    ]),
    Township("白杨乡", "Baiyang Township", "Bëyyang yëzisi", "baiyang", "township",
             (-0.087, 0.192), [
        _v("白杨村", "Baiyang Village", "Bëyyang kenti", "baiyangcun"),
        _v("托格拉克村", "Toghraq Village", "Toghraq kenti", "toghraq"),
        _v("阿热勒村", "Aral Village", "Aral kenti", "aral"),
        _v("库木村", "Qum Village", "Qum kenti", "qum"),
        _v("博斯坦村", "Bostan Village", "Bostan kenti", "bostan"),
        _v("喀拉苏村", "Qarasu Village", "Qarasu kenti", "qarasu"),
        _v("英买里村", "Yengimehelle Village", "Yëngimehelle kenti", "yengimehelle"),
    ]),
]  # fmt: skip

GRID_NUMERALS = ["一", "二", "三", "四"]


@dataclass(frozen=True)
class Department:
    """A county department (level 3): the unit a category climbs to or is routed to."""

    key: str
    name: str
    login: str
    categories: tuple[str, ...]
    phone: str


# The county's hotline office is the top of every ladder; departments escalate to it.
TOP_OFFICE = Department("top", "县政府办公室（12345热线）", "rexian", ("other",), "12345")

DEPARTMENTS: list[Department] = [
    Department("water", "县水利局", "shuili", ("water",), "6012301"),
    Department("transport", "县交通运输局", "jiaotong", ("roads",), "6012302"),
    Department("health", "县卫生健康委员会", "weijian", ("health",), "6012303"),
    Department("education", "县教育局", "jiaoyu", ("education",), "6012304"),
    Department("housing", "县住房和城乡建设局", "zhujian", ("housing", "property"),
               "6012305"),
    Department("power", "县供电公司", "gongdian", ("energy",), "6012306"),
    Department("ecology", "县生态环境局", "huanbao", ("environment",), "6012307"),
    Department("hr", "县人力资源和社会保障局", "renshe", ("employment",), "6012308"),
    Department("agriculture", "县农业农村局", "nongye", ("agriculture",), "6012309"),
    Department("emergency", "县应急管理局", "yingji", ("disaster",), "6012310"),
    Department("justice", "县司法局", "sifa", ("disputes",), "6012311"),
]  # fmt: skip

# Staff given names for display names (Chinese), and a few Uyghur ones written in Chinese
# as colleagues would write them in a staff list.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN_NAMES = [
    "建国", "秀兰", "志强", "海燕", "国华", "丽娟", "建军", "春梅", "文斌", "晓东", "玉珍", "红霞",
    "德明", "桂英", "永刚", "淑芬", "立新", "雪梅", "振华", "慧敏", "俊杰", "晓燕", "宏伟", "婷婷",
    "海涛", "金凤", "子豪", "艳红", "光明", "卫东",
]  # fmt: skip
UYGHUR_STAFF_NAMES = ["艾尔肯", "古丽娜尔", "买买提江", "阿依努尔", "努尔买买提", "热依拉"]
