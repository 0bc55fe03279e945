"""The published OpenAPI document: valid, complete, with the bearer scheme."""

import pytest
from openapi_spec_validator import validate

STAFF_PATHS = {
    ("/api/auth/token", "post"),
    ("/api/me", "get"),
    ("/api/areas", "get"),
    ("/api/categories", "get"),
    ("/api/units", "get"),
    ("/api/cases", "get"),
    ("/api/cases", "post"),
    ("/api/cases/{case_id}", "get"),
    ("/api/cases/{case_id}/events", "get"),
    ("/api/cases/{case_id}/contact/reveal", "post"),
} | {
    (f"/api/cases/{{case_id}}/{action}", "post")
    for action in (
        "dispatch", "accept", "notes", "return", "escalate", "resolve", "rating", "merge",
        "decline", "withdraw",
    )
}  # fmt: skip
PUBLIC_PATHS = {
    ("/api/public/cases", "post"),
    ("/api/public/cases/{tracking_code}", "get"),
    ("/api/public/cases/{tracking_code}/rating", "post"),
    ("/api/public/cases/{tracking_code}/withdraw", "post"),
}


@pytest.fixture
def schema(client):  # type: ignore[no-untyped-def]
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_schema_lists_every_endpoint(schema):
    listed = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert STAFF_PATHS | PUBLIC_PATHS <= listed


def test_staff_endpoints_declare_the_bearer_scheme(schema):
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
    }
    open_paths = PUBLIC_PATHS | {
        ("/api/auth/token", "post"), ("/api/areas", "get"), ("/api/categories", "get"),
    }  # fmt: skip
    for path, method in STAFF_PATHS - open_paths:
        security = schema["paths"][path][method].get("security")
        assert {"BearerToken": []} in security, (path, method)
    for path, method in PUBLIC_PATHS:
        assert "security" not in schema["paths"][path][method]


def test_every_endpoint_documents_its_response_and_request_bodies(schema):
    for path, method in STAFF_PATHS | PUBLIC_PATHS:
        operation = schema["paths"][path][method]
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success, (path, method)
        if method == "post" and not path.endswith("/accept"):
            assert operation["requestBody"]["required"], (path, method)


def test_docs_page_is_served(client):
    assert client.get("/api/docs").status_code == 200
