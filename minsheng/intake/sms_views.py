"""``POST /sms/inbound``: the SMS gateway delivers a resident's text message here.

Fields ``from``, ``to``, ``text`` (and optionally ``id``, the gateway's message id) as a
form or as JSON. The gateway proves itself with the ``X-Minsheng-Sms-Token`` header, equal
to ``MINSHENG_SMS_INBOUND_TOKEN``; with no token configured the door does not exist (404).
The answer is ``{"reply": …, "kind": …}``, and the reply is also sent back to the sender
through the outbound backend.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from minsheng.intake.notify import send_reply
from minsheng.intake.sms import handle_inbound

TEXT_MAX = 2000  # a long concatenated SMS fits; anything longer is not a text message


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    expected = settings.MINSHENG_SMS_INBOUND_TOKEN
    if not expected:
        raise Http404
    given = request.headers.get("X-Minsheng-Sms-Token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JsonResponse({"error": "invalid token"}, status=403)
    fields = _fields(request)
    if fields is None:
        return JsonResponse({"error": "the body is not valid JSON"}, status=400)
    sender = str(fields.get("from") or "").strip()
    text = str(fields.get("text") or "")
    if not sender:
        return JsonResponse({"error": "'from' is required"}, status=400)
    if len(text) > TEXT_MAX:
        return JsonResponse({"error": f"'text' is longer than {TEXT_MAX} characters"}, status=400)
    answer = handle_inbound(sender=sender, text=text, message_id=str(fields.get("id") or ""))
    send_reply(to=sender, text=answer.reply, case=answer.case, language=answer.language)
    return JsonResponse({"reply": answer.reply, "kind": answer.kind})


def _fields(request: HttpRequest) -> dict | None:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None
    return request.POST.dict()
