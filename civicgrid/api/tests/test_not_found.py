import pytest
from django.utils import translation


@pytest.mark.django_db
def test_unknown_api_path_gets_the_json_error_body(client):
    response = client.get("/api/no-such-endpoint/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


@pytest.mark.django_db
def test_unknown_page_outside_the_api_is_html(client):
    with translation.override("en"):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
