"""`minsheng triage evaluate`, driven through the `minsheng` console entry point."""

from __future__ import annotations

import json
from pathlib import Path

from minsheng import cli
from tests.triage.conftest import labelled_rows, write_csv

PROMISED_KEYS = {
    "accuracy",
    "macro_f1",
    "confident_coverage",
    "confident_precision",
    "p50_ms",
    "p99_ms",
    "train_s",
    "n_train",
    "n_test",
    "threshold",
    "per_class",
}


def run(*argv: str) -> int:
    """Run the console script in this process; return its exit code as the shell would see it."""
    try:
        return cli.main(["triage", "evaluate", *argv])
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1


def test_json_output_is_one_object_with_the_promised_figures(train_csv, test_csv, capsys):
    code = run(
        "--train", str(train_csv), "--test", str(test_csv),
        "--text", "title,body", "--label", "label", "--json",
    )  # fmt: skip

    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert PROMISED_KEYS <= set(result)
    assert result["n_train"] == 180
    assert result["n_test"] == 30
    assert set(result["per_class"]) == {"water", "roads", "schools"}
    assert 0.0 <= result["confident_coverage"] <= 1.0
    assert result["p99_ms"] >= result["p50_ms"] > 0
    # The synthetic categories have disjoint vocabularies: the model must get them right.
    assert result["macro_f1"] == 1.0
    # Confidence is ranked by the calibrated probability (no margin cut), and on these easy
    # categories most cases clear the threshold that training chose.
    assert result["confidence_ranking"] == "probability"
    assert result["margin_threshold"] is None
    assert result["confident_coverage"] > 0.5


def test_plain_output_prints_each_figure_on_its_own_line(train_csv, test_csv, capsys):
    code = run(
        "--train", str(train_csv), "--test", str(test_csv), "--text", "title,body",
        "--label", "label",
    )  # fmt: skip

    out = capsys.readouterr().out
    assert code == 0
    for name in ("accuracy", "macro_f1", "confident_coverage", "confident_precision",
                 "p50_ms", "p99_ms", "train_s"):  # fmt: skip
        assert f"\n{name}: " in out
    assert "  water: " in out


def test_malformed_rows_are_reported_with_line_numbers_and_skipped(tmp_path, test_csv, capsys):
    rows = labelled_rows(60, seed=1)
    rows.insert(3, ["x1", "停水三天", "自来水停了", ""])  # line 4: no label
    rows.insert(5, ["x2", "", "", "water"])  # line 6: no text
    rows.insert(7, ["x3", "路灯坏了", "roads"])  # line 8: one field short
    rows.insert(9, ["", "", "", ""])  # line 10: blank
    train_csv = write_csv(tmp_path / "messy.csv", rows)

    code = run(
        "--train", str(train_csv), "--test", str(test_csv),
        "--text", "title,body", "--label", "label", "--json",
    )  # fmt: skip

    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["n_train"] == 180
    assert "skipped 4 malformed rows" in captured.err
    for line, reason in [(4, "no label"), (6, "no text"), (8, "3 fields"), (10, "blank row")]:
        assert f"line {line} ({reason}" in captured.err


def test_line_numbers_count_lines_of_the_file_not_rows(tmp_path, test_csv, capsys):
    rows = labelled_rows(60, seed=1)
    rows[1][2] = "第一行\n第二行\n第三行"  # a quoted body over three lines (lines 2-4)
    rows.insert(2, ["x", "没有类别", "正文", ""])  # so this row starts on line 5
    train_csv = write_csv(tmp_path / "multiline.csv", rows)

    run("--train", str(train_csv), "--test", str(test_csv), "--text", "title,body",
        "--label", "label", "--json")  # fmt: skip

    assert "line 5 (no label)" in capsys.readouterr().err


def test_missing_column_is_an_error_with_exit_code_2(train_csv, test_csv, capsys):
    code = run(
        "--train", str(train_csv), "--test", str(test_csv),
        "--text", "title,summary", "--label", "label", "--json",
    )  # fmt: skip

    captured = capsys.readouterr()
    assert code == 2
    assert "summary" in captured.err
    assert captured.out == ""


def test_missing_label_column_is_an_error_with_exit_code_2(train_csv, test_csv, capsys):
    code = run(
        "--train", str(train_csv), "--test", str(test_csv),
        "--text", "title,body", "--label", "category",
    )  # fmt: skip

    assert code == 2
    assert "category" in capsys.readouterr().err


def test_missing_file_is_an_error_with_exit_code_2(tmp_path, test_csv, capsys):
    code = run(
        "--train", str(tmp_path / "nowhere.csv"), "--test", str(test_csv),
        "--text", "title,body", "--label", "label",
    )  # fmt: skip

    assert code == 2
    assert "nowhere.csv" in capsys.readouterr().err


def test_file_that_is_not_utf8_is_an_error_with_exit_code_2(tmp_path, test_csv, capsys):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("id,title,body,label\n1,停水,自来水停了,water\n".encode("gbk"))

    code = run("--train", str(gbk), "--test", str(test_csv), "--text", "title,body",
               "--label", "label")  # fmt: skip

    assert code == 2
    assert "UTF-8" in capsys.readouterr().err


def test_utf8_bom_and_a_single_text_column_are_accepted(tmp_path, test_csv, capsys):
    rows = [[r[0], r[2], r[3]] for r in labelled_rows(60, seed=1)]  # id, body, label
    train_csv = write_csv(tmp_path / "bom.csv", rows, bom=True)
    test_rows = [[r[0], r[2], r[3]] for r in labelled_rows(10, seed=2)]
    test_csv = write_csv(tmp_path / "bom-test.csv", test_rows, bom=True)

    code = run("--train", str(train_csv), "--test", str(test_csv), "--text", "body",
               "--label", "label", "--json")  # fmt: skip

    assert code == 0
    assert json.loads(capsys.readouterr().out)["n_train"] == 180


def test_a_category_with_one_training_case_is_an_error_with_exit_code_2(
    tmp_path: Path, test_csv, capsys
):
    rows = labelled_rows(60, seed=1) + [["z", "垃圾", "垃圾没人收", "sanitation"]]
    train_csv = write_csv(tmp_path / "lonely.csv", rows)

    code = run("--train", str(train_csv), "--test", str(test_csv), "--text", "title,body",
               "--label", "label")  # fmt: skip

    assert code == 2
    assert "sanitation" in capsys.readouterr().err


def test_save_model_writes_a_model_that_loads(train_csv, test_csv, tmp_path, capsys):
    from minsheng.triage.model import CategoryModel

    path = tmp_path / "model.npz"
    run("--train", str(train_csv), "--test", str(test_csv), "--text", "title,body",
        "--label", "label", "--json", "--save-model", str(path))  # fmt: skip

    assert CategoryModel.load(path).classes == ["roads", "schools", "water"]
