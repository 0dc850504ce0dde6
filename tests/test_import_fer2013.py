"""Real FER2013 fixtures written by ../shared/fer2013/fer2013.py (skips without it)."""

import json

import numpy as np
import pytest

from fer_core.cli import main
from fer_core.data import load_dataset
from fer_core.data.importer import import_source

pytestmark = pytest.mark.shared


def test_challenge_csv_imports_with_exact_counts(fer_fixtures):
    rep = import_source(fer_fixtures["csv"], "fer")
    assert rep.skipped == 0 and rep.format == "challenge-csv"
    for split in ("Training", "PublicTest"):
        assert rep.counts[split] == dict.fromkeys(rep.counts[split], 12)
    assert "PrivateTest" not in rep.counts  # held back


@pytest.mark.parametrize("fmt", ["zip", "folder"])
def test_image_formats_give_identical_pixels_to_the_csv(fer_fixtures, fmt):
    a = import_source(fer_fixtures["csv"], "from_csv")
    b = import_source(fer_fixtures[fmt], "from_img")
    assert a.hash == b.hash
    da, db = load_dataset("from_csv"), load_dataset("from_img")
    assert np.array_equal(da.pixels, db.pixels) and np.array_equal(da.labels, db.labels)
    assert np.array_equal(da.splits, db.splits)


def test_jpeg_zip_imports_close_to_the_originals(fer_fixtures):
    rep = import_source(fer_fixtures["jpgzip"], "jpg")
    assert rep.n == 70 and rep.converted == 0


def test_cli_import_then_list(fer_fixtures, capsys):
    assert main(["data", "import", str(fer_fixtures["csv"]), "--name", "fer2013"]) == 0
    capsys.readouterr()
    main(["data", "list", "--json"])
    (d,) = json.loads(capsys.readouterr().out)
    assert d["name"] == "fer2013" and d["splits"] == {"Training": 84, "PublicTest": 84}
