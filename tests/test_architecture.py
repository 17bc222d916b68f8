"""The architecture as a test: the import-linter contracts in setup.cfg (packages import only
those to their right, webhooks > ivr > workorders > sla > hotline; the pure rule modules
import no framework). An upward import fails `make test` here, naming the import chain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept():
    run = subprocess.run([str(LINT_IMPORTS), str(ROOT / "setup.cfg"), "--no-cache", "--no-logo"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout and "2 kept" in run.stdout, run.stdout
