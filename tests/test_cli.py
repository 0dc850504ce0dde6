import json
import subprocess
import sys
from pathlib import Path

from fer_core.cli import main
from tests.fixtures import challenge_csv_text, write_text


def test_synth_then_list_json(capsys):
    assert main(["data", "synth", "--n", "140", "--name", "mini"]) == 0
    capsys.readouterr()
    assert main(["data", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in listing] == ["mini"]
    d = listing[0]
    assert sum(d["splits"].values()) == d["n"] == sum(sum(c.values()) for c in d["counts"].values())
    assert set(d["counts"]["Training"]) == {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}


def test_import_reports_counts_and_refuses_bad_rows_with_exit_2(tmp_path, faces, capsys):
    good = write_text(tmp_path / "good.csv", challenge_csv_text(*faces))
    assert main(["data", "import", str(good)]) == 0
    out = capsys.readouterr().out
    assert "imported 42 faces as 'good'" in out and "PublicTest" in out
    bad = write_text(tmp_path / "bad.csv", "emotion,pixels,Usage\n3,1 2 3,Training\n" + challenge_csv_text(*faces).split("\n", 1)[1])
    assert main(["data", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 2" in err and "--skip-bad" in err


def test_rm_and_errors_are_messages_not_tracebacks(capsys):
    assert main(["data", "rm", "ghost"]) == 2
    assert "no data set named 'ghost'" in capsys.readouterr().err
    assert main(["data", "synth", "--n", "140", "--name", "bad/name"]) == 2
    assert "invalid data-set name" in capsys.readouterr().err


def test_console_script_is_installed(tmp_path):
    fer = Path(sys.executable).parent / "fer"
    res = subprocess.run([str(fer), "data", "list"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "no data sets yet" in res.stdout


def test_train_then_runs_list_json_then_the_cache(capsys):
    assert main(["data", "synth", "--n", "700"]) == 0
    args = ["train", "--data", "demo", "--arch", "small", "--epochs", "1", "--no", "erase"]
    assert main(args) == 0
    assert "finished: best PublicTest accuracy" in capsys.readouterr().out
    assert main(["runs", "list", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["status"] == "finished" and run["best"]["epoch"] == 1 and run["id"].startswith("small-demo-")
    assert run["config"]["augment"]["erase_p"] == 0.0 and run["config"]["model"]["name"] == "small"
    assert main(args) == 0
    assert f"cached: run {run['id']} already finished" in capsys.readouterr().out
    assert main(["runs", "stop", run["id"]]) == 2
    assert "is not training" in capsys.readouterr().err
    assert main(["runs", "show", "nope"]) == 2
