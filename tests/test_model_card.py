"""Shipping a run as the default model: the files, the card, and `fer eval default` reproducing it."""

import json
import re

import numpy as np
import pytest

from fer_core.cli import main
from fer_core.data import load_dataset, save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.handle.loaded import LoadedModel
from fer_core.handle.ship import ship
from fer_core.handle.store import DEFAULT, face_model, load_model, model_choices
from fer_core.train import RunError
from tests.fixtures import save_voted_demo, untrained_run


def _face():
    return np.full((48, 48), 128, np.uint8)


def test_ship_then_eval_default_reproduces_the_card(data_dir, tmp_path, monkeypatch, capsys):
    save_dataset(synth_dataset("demo", n=350))
    run = untrained_run("demo")
    dest = tmp_path / "shipped" / "default"
    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(dest))
    selection = "The better of two seeds on PublicTest."
    argv = ["runs", "ship", run.id, "--data", "demo", "--command", "fer train --data demo --arch small", "--hardware", "test"]
    assert main([*argv, "--selection", selection]) == 0
    rep = json.loads((dest / "metrics_publictest.json").read_text())
    capsys.readouterr()
    assert {"MODEL_CARD.md", "best.safetensors", "config.json", "confusion_matrix.png", "metrics_publictest.json"} <= {
        p.name for p in dest.iterdir()
    }
    assert (dest / "best.safetensors").stat().st_size <= 20 * 2**20
    card = (dest / "MODEL_CARD.md").read_text()
    assert f"{rep['accuracy']:.2%}" in card and "fer train --data demo --arch small" in card and "Known weaknesses" in card
    pixels = f"Trained and measured on: data set `demo` (from `synthetic (seed 0)`, synthetic), content hash `{load_dataset('demo').hash}`"
    assert f"{pixels}; each face as it is (no histogram equalisation)" in card
    assert f"{selection}\n\nPer class" in card and "equalizeHist" not in card and "Labels:" not in card  # FER2013's own go without saying
    assert model_choices()[0] == DEFAULT and load_model().run_id == DEFAULT
    assert main(["eval", "--data", "demo", "--split", "PublicTest", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    card_figures = json.loads((dest / "metrics_publictest.json").read_text())
    assert out["accuracy"] == pytest.approx(card_figures["accuracy"])
    assert out["arithmetic"] == card_figures["arithmetic"] and f"Computed in **{out['arithmetic']}**" in card
    assert card_figures["recommended_tta"] == "10crop" and set(card_figures["tta"]) == {"flip", "10crop"}
    assert main(["eval", "--data", "demo", "--split", "PublicTest", "--tta", "10crop", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == pytest.approx(card_figures["tta"]["10crop"]["accuracy"])
    assert f"{card_figures['tta']['10crop']['accuracy']:.2%}" in card and "10-crop TTA (recommended)" in card
    import fer_core.handle.loaded as handle_module

    shipped = load_model()
    layer = shipped.conv_layers()[-1]  # the Filters page's default: its images ship with the model
    with monkeypatch.context() as patch:
        patch.setattr(handle_module, "gradient_ascent", lambda *a, **k: pytest.fail("computed again"))
        assert shipped.gradient_ascent(layer).images.shape == (shipped.feature_maps(layer, _face()).shape[0], 48, 48)
    with monkeypatch.context() as patch:
        _no_filters(patch)  # computed and checked above
        ship(run.id, "demo")  # shipping again replaces the directory whole: the card without the selection
    assert not (dest.parent / "default.old").exists() and selection not in (dest / "MODEL_CARD.md").read_text()


def test_only_a_finished_run_ships(data_dir, tmp_path, monkeypatch):
    save_dataset(synth_dataset("demo", n=140))
    run = untrained_run("demo")
    run.set_status("stopped")
    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(tmp_path / "default"))
    with pytest.raises(RunError, match="not finished"):
        ship(run.id, "demo")
    assert not (tmp_path / "default").exists()


def _no_filters(monkeypatch) -> None:
    """Shipping computes the last layer's filters for the Filters page (the first test checks them);
    the tests of the card's words skip that half of the work."""
    monkeypatch.setattr(LoadedModel, "gradient_ascent", lambda self, layer, **options: None)


def test_the_card_states_equalisation_when_the_run_used_it(data_dir, tmp_path, monkeypatch):
    _no_filters(monkeypatch)
    save_dataset(synth_dataset("demo", n=140))
    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(tmp_path / "default"))
    ship(untrained_run("demo", equalize=True).id, "demo")  # (a card without it: the test above)
    card = (tmp_path / "default" / "MODEL_CARD.md").read_text()
    assert "each face histogram-equalised (`cv2.equalizeHist`) first" in card and "mixup" not in card
    assert "Labels:" not in card  # FER2013's own labels go without saying


def test_a_fer_plus_model_ships_as_ferplus_and_its_command_reproduces_its_card(data_dir, tmp_path, monkeypatch, capsys):
    _no_filters(monkeypatch)
    save_voted_demo(210, least=3)
    monkeypatch.setenv("FER_DEFAULT_MODEL_DIR", str(tmp_path / "default"))
    run = untrained_run("voted", labels="votes")
    assert face_model() == DEFAULT
    assert main(["runs", "ship", run.id, "--as", "ferplus", "--data", "voted", "--tta", "flip"]) == 0
    assert "against the FER+ majority" in capsys.readouterr().out
    card = (tmp_path / "ferplus" / "MODEL_CARD.md").read_text()
    assert card.startswith("# FER Lab FER+ model") and "over 8 emotions" in card and "| contempt |" in card
    assert "- Labels: the FER+ vote distribution; validated against the FER+ majority." in card
    assert "one annotator agrees with the majority of the others" in card
    pattern = r"`(fer eval ferplus --data voted --split PublicTest --labels ferplus(?: --tta flip)? --json)` \(accuracy ([\d.]+)\)"
    single, flip = re.findall(pattern, card)
    for command, accuracy in (single, flip):
        assert main(command.split()[1:]) == 0
        rep = json.loads(capsys.readouterr().out)
        assert f"{rep['accuracy']:.4f}" == accuracy and rep["run"] == "ferplus" and len(rep["per_class"]) == 8
    assert model_choices()[:1] == ["ferplus"] and face_model() == "ferplus"  # no FER2013 default shipped here
    assert load_model("ferplus").classes[-1] == "contempt"


def test_the_committed_default_model_carries_its_filters_for_todays_ascent_options(monkeypatch):
    """The Filters page opens at once on a fresh clone only while the shipped cache's key (weights
    and every ascent option) matches today's options: a changed option must come with a new cache."""
    from fer_core.explain.filters import ascent_key, load_ascent
    from fer_core.paths import PROJECT_ROOT

    monkeypatch.delenv("FER_DEFAULT_MODEL_DIR", raising=False)
    model = load_model(DEFAULT)
    layer = model.conv_layers()[-1]
    path = model.run.filters_cache_path(layer)
    assert path.is_relative_to(PROJECT_ROOT / "checkpoints" / "default") and path.exists()
    assert load_ascent(path, ascent_key(model.digest, layer)) is not None
