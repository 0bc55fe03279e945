"""Django's own messages that minsheng words differently in a language, so that
``makemessages`` puts them in minsheng's catalogs (which come before Django's).

Django's Uyghur catalog says "this district is required" (رايون) for "This field is
required."; a resident told that about the village list is misled.
"""

from django.utils.translation import gettext_noop

REWORDED = [
    gettext_noop("This field is required."),
]
