"""Everything visible is translated: each package's zh_CN catalog covers its messages."""


import pytest
from babel.messages.pofile import read_po
from pathlib import Path

from hotline.app import PACKAGES
from hotline.i18n import extract


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_catalog_translates_every_message(package):
    package_dir = Path(package.__file__).parent
    # A msgid with a context (pgettext) is its own entry: "Active" outage ≠ "Active" rule.
    wanted = {(m.id, m.context) for m in extract(package_dir) if m.id}
    if not wanted:
        return
    po_path = package_dir / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
    assert po_path.exists(), f"{package} has messages but no zh_CN catalog (run make i18n)"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale="zh_CN")
    translated = {(m.id, m.context) for m in catalog if m.id and m.string}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"{package}: untranslated messages: {missing}"
