"""Logs carry no phone number in any encoding and no query string (where names and numbers
travel): the app's JSON logs, the development server's request lines and the Procfile's
gunicorn access log. (tests/scenarios/test_logs_keep_no_personal_data.py runs a whole call.)"""

import json
import logging
import shlex
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from hotline.app import PACKAGE_NAMES
from hotline.logging import JsonFormatter, RequestLogFilter, configure, mask_phone, strip_queries

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", [
    "+8613800138000", "%2B8613800138000", "%2b8613800138000", "8613800138000", "13800138000",
    "+86 138 0013 8000", "+86-138-0013-8000", "138-0013-8000", "138 0013 8000",
    "138.0013.8000", "+86 (138) 0013 8000", "+86%20138%200013%208000", "0086 138 0013 8000",
])
def test_every_encoding_of_a_mobile_number_is_masked(text):
    masked = mask_phone(f"caller={text}&next=1")
    assert "0013" not in masked and "00138" not in masked and "1380013" not in masked
    assert masked.startswith("caller=") and masked.endswith("00&next=1")


@pytest.mark.parametrize("text", [
    "WO-20261124-0042", "2026-11-24 10:00:30", "203.0.113.9", "took 0.012345 s",
    "CA0123456789abcdef0123456789abcdef", "clock job watch: {'breached': 12}",
])
def test_what_is_not_a_phone_number_stays_readable(text):
    assert mask_phone(text) == text


def test_landline_numbers_are_masked():
    line = mask_phone("call from +8613912345678 to 010-12345678 and (021) 6212-3456")
    assert "13912345678" not in line and "12345678" not in line and "6212" not in line


def test_json_formatter_masks_messages_fields_and_tracebacks():
    try:
        raise ValueError("no account for 13912345678")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("hotline.x", logging.ERROR, __file__, 1, "from %s", (
        "%2B8613912345678",), exc_info)
    record.fields = {"to": "+86 139 1234 5678"}
    line = JsonFormatter().format(record)
    assert "1234" not in line and "13912345678" not in line


def test_request_lines_lose_their_query_strings():
    line = ('127.0.0.1 - - [24/Nov/2026 10:00:00] "GET /customers?q=%E7%8E%8B&phone=138 HTTP/1.1"'
            ' 200 - "https://hotline.example/workorders/new?from=%2B8613912345678"')
    assert strip_queries(line) == ('127.0.0.1 - - [24/Nov/2026 10:00:00] "GET /customers '
                                   'HTTP/1.1" 200 - "https://hotline.example/workorders/new"')
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s', (
        "GET /api/v1/customers?phone=%2B8613912345678 HTTP/1.1", "200", "-"), None)
    RequestLogFilter().filter(record)
    assert record.getMessage() == '"GET /api/v1/customers HTTP/1.1" 200 -'


def procfile_access_format() -> str:
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    args = shlex.split(web[len("web:"):])
    return args[args.index("--access-logformat") + 1]


def test_the_procfile_access_log_has_paths_without_query_strings():
    """gunicorn renders the Procfile's own format for a search by phone number."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", procfile_access_format())
    gunicorn_log = Logger(cfg)
    lines = []
    capture = logging.Handler()
    capture.emit = lambda record: lines.append(record.getMessage())
    gunicorn_log.access_log.addHandler(capture)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/customers?phone=%2B8613800138000",
               "PATH_INFO": "/api/v1/customers", "QUERY_STRING": "phone=%2B8613800138000",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.8",
               "HTTP_REFERER": "https://hotline.example/customers?q=%E7%8E%8B%E5%BB%BA%E5%9B%BD"}
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    gunicorn_log.access(response, SimpleNamespace(headers=[]), environ,
                        timedelta(milliseconds=12))
    assert len(lines) == 1
    assert '"GET /api/v1/customers HTTP/1.1" 200 512 12ms' in lines[0]
    assert "?" not in lines[0] and "8613800138000" not in lines[0] and "%E7" not in lines[0]


@pytest.mark.parametrize("package", PACKAGE_NAMES)
def test_each_package_logs_json_with_phones_masked(package):
    configure("INFO", PACKAGE_NAMES)
    logger = logging.getLogger(f"{package}.some.module")
    handlers = logging.getLogger(package).handlers
    json_handlers = [h for h in handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(json_handlers) == 1
    record = logger.makeRecord(logger.name, logging.WARNING, __file__, 1,
                               "call from %s", ("+8613912345678",), None)
    line = json.loads(json_handlers[0].format(record))
    assert line["logger"] == f"{package}.some.module"
    assert "13912345678" not in line["msg"]
    assert not logging.getLogger(package).propagate
