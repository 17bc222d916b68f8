"""Every package's loggers write JSON lines with phone numbers masked."""

import json
import logging

import pytest

from hotline.app import PACKAGE_NAMES
from hotline.logging import JsonFormatter, configure


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
