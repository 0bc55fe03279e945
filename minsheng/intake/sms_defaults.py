"""The SMS texts a fresh installation starts with, in each language a resident may use.

Administrators edit them in the admin (SmsTemplate); these are seeded by a data migration
and used when a language has no template row. Kept short: one SMS holds 70 Chinese
characters. A rating reply "<tracking code> <1-5>" is what minsheng.intake.sms
understands, since no register links a phone number to a case.
"""

from __future__ import annotations

DEFAULT_TEMPLATES: dict[tuple[str, str], str] = {
    ("dispatched", "zh-hans"): (
        "【民生】您反映的问题（编号{code}）已交承办单位办理，可拨打{hotline}凭编号查询进度。"
    ),
    ("resolved", "zh-hans"): (
        "【民生】您反映的问题（编号{code}）已办理完毕。请评价：回复“{code} 5”"
        "（1很不满意～5很满意），或打开{url}"
    ),
    ("closed", "zh-hans"): (
        "【民生】您反映的问题（编号{code}）已办结，感谢您的支持。如有疑问请拨打{hotline}。"
    ),
    ("dispatched", "en"): (
        "Minsheng: your request {code} is now with the unit that will handle it. "
        "Call {hotline} with the code to ask about progress."
    ),
    ("resolved", "en"): (
        "Minsheng: your request {code} is reported solved. Please rate it: reply "
        '"{code} 5" (1 very unhappy to 5 very happy) or open {url}'
    ),
    ("closed", "en"): (
        "Minsheng: your request {code} is closed. Thank you. Questions: call {hotline}."
    ),
    ("dispatched", "ug"): (
        "{code} نومۇرلۇق مەسىلىڭىز بىر تەرەپ قىلىدىغان ئورۇنغا يوللاندى. "
        "ئەھۋالىنى سوراش ئۈچۈن {hotline} غا تېلېفون قىلىڭ."
    ),
    ("resolved", "ug"): (
        "{code} نومۇرلۇق مەسىلىڭىز ھەل قىلىندى. باھا بېرىڭ: «{code} 5» دەپ جاۋاب "
        "قايتۇرۇڭ (1 بەك نارازى … 5 بەك رازى) ياكى {url} نى ئېچىڭ."
    ),
    ("closed", "ug"): (
        "{code} نومۇرلۇق مەسىلىڭىز ئاخىرلاشتى، رەھمەت. سوئالىڭىز بولسا {hotline} غا تېلېفون قىلىڭ."
    ),
}
