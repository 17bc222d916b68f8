"""`hotline db backup` takes a consistent copy of a live SQLite database while another
process keeps writing, and `hotline db restore` brings it back: every row committed before
the backup began is there, nothing half-written is, and the counts match."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hotline.app import create_app
from hotline.migrate import upgrade

# Other connections, threads or processes see its rows: it commits for real.
pytestmark = pytest.mark.commits

HOTLINE = str(Path(sys.executable).parent / "hotline")


@pytest.fixture
def live_db(tmp_path):
    path = tmp_path / "live.sqlite3"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": f"sqlite:///{path}"})
    upgrade(app)
    return app, path


def cli(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    return result.exit_code, result.output


class Writer(threading.Thread):
    """Another process's connection: one area per transaction, as fast as it can."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.stop, self.committed = path, threading.Event(), 0

    def run(self):
        connection = sqlite3.connect(str(self.path), timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # as the app's connections
        while not self.stop.is_set():
            n = self.committed + 1
            connection.execute("INSERT INTO areas (id, code, name_zh, name_en, kind) "
                               "VALUES (?, ?, ?, ?, 'urban')", (n, f"A{n}", f"区{n}", f"A{n}"))
            connection.commit()
            self.committed = n
        connection.close()


def count(path: Path) -> tuple[int, int]:
    connection = sqlite3.connect(str(path))
    try:
        return connection.execute("SELECT count(*), coalesce(max(id), 0) FROM areas").fetchone()
    finally:
        connection.close()


def test_backup_under_writes_then_restore(live_db, tmp_path):
    app, path = live_db
    writer = Writer(path)
    writer.start()
    while writer.committed < 3000:  # a database with something in its WAL
        threading.Event().wait(0.01)
    before = writer.committed
    code, out = cli(app, "db", "backup", str(tmp_path / "copy.sqlite3"))
    after = writer.committed
    writer.stop.set()
    writer.join()
    assert code == 0, out
    rows, highest = count(tmp_path / "copy.sqlite3")
    # Everything committed before the backup began, nothing torn: ids 1..rows, all there.
    assert before <= rows <= after and highest == rows
    assert writer.committed > rows  # the writer went on during and after the backup

    code, out = cli(app, "db", "restore", str(tmp_path / "copy.sqlite3"), "--yes")
    assert code == 0 and "hotline db upgrade" in out, out
    assert count(path) == (rows, rows)
    # The restored database is a working one.
    done = subprocess.run([HOTLINE, "db", "upgrade"], capture_output=True, text=True,
                          env={"DATABASE_URL": f"sqlite:///{path}", "PATH": "/usr/bin:/bin",
                               "HOTLINE_INSTANCE_PATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr


def test_backup_refuses_to_overwrite_and_restore_checks_its_input(live_db, tmp_path):
    app, path = live_db
    target = tmp_path / "copy.sqlite3"
    assert cli(app, "db", "backup", str(target))[0] == 0
    code, out = cli(app, "db", "backup", str(target))
    assert code != 0 and "exists" in out
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    code, out = cli(app, "db", "restore", str(junk), "--yes")
    assert code != 0 and "not a SQLite database" in out
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(str(empty)).execute("CREATE TABLE t (x)").connection.close()
    code, out = cli(app, "db", "restore", str(empty), "--yes")
    assert code != 0 and "not a Hotline database" in out
    code, out = cli(app, "db", "restore", str(target), input="n\n")
    assert code != 0 and "Aborted" in out


def test_postgresql_gets_pg_dump_instructions(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"})
    result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 2
    assert "pg_dump --format=custom --file" in result.output
    assert not (tmp_path / "x.dump").exists()
