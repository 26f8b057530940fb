"""``civicgrid appeals evaluate-routing`` on tiny synthetic CSVs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .test_routing_model import synthetic_appeals

REPO_ROOT = Path(__file__).resolve().parents[3]
KEYS = ["n_train", "n_test", "labels", "top1", "top3", "coverage_at_precision_0.97"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "asked_on", "title", "text", "department"])
        writer.writerows(rows)
    return path


def _train_csv(tmp_path: Path) -> Path:
    rows = [
        [a.identifier, a.asked_on.isoformat() if a.asked_on else "", a.title, a.text, a.department]
        for a in synthetic_appeals()
    ]
    return _write(tmp_path / "train.csv", rows)


def _run(*args: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("appeals", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_prints_exactly_one_json_line_and_counts_unknown_departments_wrong(
    tmp_path: Path,
) -> None:
    test = _write(
        tmp_path / "test.csv",
        [
            ["t1", "2025-01-01", "地铁站", "地铁站经常堵车", "交通运输局"],
            ["t2", "2025-01-02", "学位", "小学学位不够", "教育局"],
            ["t3", "2025-01-03", "社保", "社保卡报销太慢", "医疗保障局"],  # unknown
            ["t4", "2025-01-04", "", "", "教育局"],  # bad row
        ],
    )
    stdout, stderr = _run(
        "evaluate-routing", "--train", str(_train_csv(tmp_path)), "--test", str(test)
    )
    lines = stdout.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert list(result) == KEYS
    assert result["n_train"] == 30
    assert result["n_test"] == 3
    assert result["labels"] == 3
    assert result["top1"] == 0.6667
    assert result["top3"] == 0.6667
    assert stderr == f"Row left out: {test}, line 5: both the title and the text are empty.\n"


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    train = _train_csv(tmp_path)
    with pytest.raises(CommandError, match=r"Cannot read .*absent\.csv"):
        _run("evaluate-routing", "--train", str(train), "--test", str(tmp_path / "absent.csv"))


def test_a_missing_column_or_no_usable_rows_is_a_clear_error(tmp_path: Path) -> None:
    train = _train_csv(tmp_path)
    no_department = tmp_path / "no_department.csv"
    no_department.write_text("id,text\n1,路灯不亮\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"lacks the column\(s\) department"):
        _run("evaluate-routing", "--train", str(train), "--test", str(no_department))
    empty = _write(tmp_path / "empty.csv", [["1", "2025-01-01", "", "", "教育局"]])
    with pytest.raises(CommandError, match=r"empty\.csv has no usable rows"):
        _run("evaluate-routing", "--train", str(train), "--test", str(empty))


def test_the_console_script_exits_non_zero_on_a_missing_file(tmp_path: Path) -> None:
    completed = subprocess.run(  # noqa: S603 - our own console script
        [
            sys.executable,
            "-m",
            "civicgrid.cli",
            "appeals",
            "evaluate-routing",
            "--train",
            str(tmp_path / "absent.csv"),
            "--test",
            str(tmp_path / "absent.csv"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "absent.csv" in completed.stderr
