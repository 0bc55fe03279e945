"""Django's own messages that minsheng words differently in a language, so that
``makemessages`` puts them in minsheng's catalogs (which come before Django's).

Django's Uyghur catalog says "this district is required" (رايون) for "This field is
required."; a resident told that about the village list is misled. The task queue's
results ship with no Chinese at all, and Django's admin has a few strings its Chinese
catalog leaves in English.
"""

from django.utils.translation import gettext_noop

REWORDED = [
    gettext_noop("This field is required."),
    # django-tasks-db's model, listed on the administration site's index.
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    # The suffix of every form label: Django's Chinese catalog keeps the ASCII colon, which
    # sits oddly after Chinese ("类别:"); Chinese punctuation is full width ("类别：").
    gettext_noop(":"),
    # django.contrib.auth's add-user page.
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
]
