"""The app's url-encoded form parsing gives what werkzeug's parser gives."""

import io

import pytest
from flask import Request

from hotline.web.request import HotlineRequest

BODIES = [
    b"",
    b"a=1&b=&c",
    b"Digits=12%23&SpeechResult=%E6%B0%B4%E7%AE%A1+%E7%88%86%E4%BA%86&Digits=3",
    b"x=%ZZ&y=%2",
    b"name=a+b%2Bc&&=&k=v=w",
    b"%E6%B0%B4=%E7%AE%A1%C3(&bad=%FF%FE+x&pct=%25%2&plus=++&=v&k=",
    b"From=%2B8613900001234&To=%2B861012345&CallSid=CA1&Digits=",
    b"&&&",
]


def _requests(body: bytes, content_type: str = "application/x-www-form-urlencoded"):
    environ = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": content_type,
               "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "h", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "PATH_INFO": "/"}
    return (HotlineRequest({**environ, "wsgi.input": io.BytesIO(body)}),
            Request({**environ, "wsgi.input": io.BytesIO(body)}))


@pytest.mark.parametrize("body", BODIES)
def test_urlencoded_forms_parse_as_werkzeug_parses_them(body):
    ours, theirs = _requests(body)
    assert list(ours.form.items(multi=True)) == list(theirs.form.items(multi=True))
    assert not ours.files


def test_a_body_that_is_not_utf8_gives_an_empty_form_like_werkzeug():
    ours, theirs = _requests(b"a=\xff\xfe")
    assert ours.form.to_dict() == theirs.form.to_dict() == {}


def test_the_body_is_still_readable_after_the_form():
    ours, _ = _requests(b"a=1")
    assert ours.form["a"] == "1"
    assert ours.get_data() == b"a=1"


def test_multipart_goes_to_werkzeug():
    body = (b"--xx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xx--\r\n")
    ours, _ = _requests(body, "multipart/form-data; boundary=xx")
    assert ours.form["a"] == "1"


def test_the_content_length_limit_still_holds():
    from werkzeug.exceptions import RequestEntityTooLarge

    ours, _ = _requests(b"a=" + b"1" * 100)
    ours.max_content_length = 10
    with pytest.raises(RequestEntityTooLarge):
        ours.form


def test_a_body_shorter_than_its_content_length_is_a_bad_request():
    from werkzeug.exceptions import BadRequest

    body = b"From=%2B8613900001234&To=1"
    environ = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded",
               "CONTENT_LENGTH": str(len(body) + 10), "SERVER_NAME": "h", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "PATH_INFO": "/", "wsgi.input": io.BytesIO(body)}
    with pytest.raises(BadRequest):
        HotlineRequest(environ).form


@pytest.mark.parametrize("extra", [{"HTTP_TRANSFER_ENCODING": "chunked",
                                    "wsgi.input_terminated": True},
                                   {"CONTENT_LENGTH": "not a number"}])
def test_bodies_without_a_plain_length_go_through_werkzeug(extra):
    body = b"a=1&b=2"
    environ = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded",
               "SERVER_NAME": "h", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
               "PATH_INFO": "/", **extra}
    ours = HotlineRequest({**environ, "wsgi.input": io.BytesIO(body)})
    theirs = Request({**environ, "wsgi.input": io.BytesIO(body)})
    assert ours.form.to_dict() == theirs.form.to_dict()
