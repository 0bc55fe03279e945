"""The API's endpoints, one module per audience: tokens, reference data, staff cases,
residents."""

from __future__ import annotations

from minsheng.api.schemas import ErrorOut, ValidationErrorOut

# Documented error responses; the bodies come from the handlers in minsheng.api.api.
ERRORS_PUBLIC = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}
ERRORS_STAFF = {401: ErrorOut, 403: ErrorOut, **ERRORS_PUBLIC}
