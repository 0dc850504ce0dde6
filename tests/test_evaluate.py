"""Evaluation: metrics equal scikit-learn's, cells map exactly to faces, cached predictions
are invalidated when the model or the data set changes, comparisons add up."""

import json

import numpy as np
import pytest
import torch
from safetensors import safe_open
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from fer_core.cli import main
from fer_core.data import load_dataset, save_dataset
from fer_core.data.synth import synth_dataset
from fer_core.evaluate import Predictions, compare, confused_pairs, report
from fer_core.handle.predictions import cache_path, predict_split
from fer_core.handle.store import load_model, model_choices
from fer_core.labels import CLASSES
from fer_core.models import build_model
from fer_core.precision import cpu_has_native_bf16
from tests.fixtures import untrained_run


@pytest.fixture
def demo(data_dir):
    save_dataset(synth_dataset("demo", n=350))
    return load_dataset("demo")


def _fixed_predictions(n=500, seed=3) -> Predictions:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 7, n)
    probs = rng.dirichlet(np.ones(7) * 0.5, n).astype(np.float32)
    return Predictions("r", "d", "h", "PublicTest", False, np.arange(n) * 2, labels, probs)


def test_metrics_equal_scikit_learns():
    p = _fixed_predictions()
    rep = report(p.labels, p.pred)
    ks = list(range(7))
    assert rep["accuracy"] == pytest.approx(accuracy_score(p.labels, p.pred))
    assert rep["macro_f1"] == pytest.approx(f1_score(p.labels, p.pred, average="macro"))
    assert rep["confusion_matrix"] == confusion_matrix(p.labels, p.pred, labels=ks).tolist()
    prec, rec, f1, sup = precision_recall_fscore_support(p.labels, p.pred, labels=ks)
    for k, name in enumerate(CLASSES):
        got = rep["per_class"][name]
        assert (got["precision"], got["recall"], got["f1"], got["support"]) == pytest.approx((prec[k], rec[k], f1[k], sup[k]))


def test_each_cell_holds_exactly_its_faces_most_confident_first():
    p = _fixed_predictions()
    cm = np.array(report(p.labels, p.pred)["confusion_matrix"])
    seen = []
    for t in range(7):
        for q in range(7):
            pos = p.cell(t, q)
            assert len(pos) == cm[t, q]
            assert set(pos) == {i for i in range(len(p.labels)) if p.labels[i] == t and p.pred[i] == q}
            assert np.all(np.diff(p.probs[pos, q]) <= 0)  # the model's confidence in that answer, falling
            seen.extend(pos)
    assert sorted(seen) == list(range(len(p.labels)))  # every face in exactly one cell


def test_confused_pairs_say_the_largest_row_shares_in_words():
    cm = np.diag([50] * 7)
    cm[2, 4], cm[2, 2] = 15, 85  # fear -> sad: 15 of 100
    cm[6, 4] = 5  # neutral -> sad: 5 of 55
    pairs = confused_pairs(cm, top=2)
    assert [(x.true, x.pred) for x in pairs] == [(2, 4), (6, 4)]
    assert pairs[0].sentence() == "fear is taken for sad in 15% of cases (15 of 100)"


def test_predictions_match_the_model_and_are_cached(demo):
    run = untrained_run("demo")
    model = load_model(run.id, precision="fp32")  # the unfused fp32 network below is the reference
    calls = []
    p = predict_split(model, demo, "PublicTest", progress=calls.append)
    rows = demo.split_indices("PublicTest")
    assert np.array_equal(p.indices, rows) and np.array_equal(p.labels, demo.labels[rows])
    net = build_model(run.config().model)
    net.load_state_dict(run.load_weights()), net.eval()
    x = torch.from_numpy(demo.pixels[rows]).unsqueeze(1).float() / 255
    x = (x - x.mean((-2, -1), keepdim=True)) / (x.std((-2, -1), keepdim=True) + 1e-6)
    with torch.no_grad():
        expected = torch.softmax(net(x), 1).numpy()
    assert np.allclose(p.probs, expected, atol=1e-5)
    assert calls[-1] == 1.0 and cache_path(model, "demo", "PublicTest", "none").exists()
    again = predict_split(model, demo, "PublicTest", progress=calls.append)
    assert np.array_equal(again.probs, p.probs)
    flipped = predict_split(model, demo, "PublicTest", tta="flip")
    assert not np.allclose(flipped.probs, p.probs)  # TTA is its own cache entry and a different answer


def test_precision_is_the_cpus_own_and_a_cache_serves_only_its_arithmetic(demo):
    """`auto` predicts in bf16 exactly where the CPU has it natively; bf16 moves probabilities by
    rounding only, and a split cached in one arithmetic is recomputed, not served, in the other."""
    run = untrained_run("demo")
    auto = load_model(run.id)
    assert auto.arithmetic == ("bf16" if cpu_has_native_bf16() else "fp32")
    exact = predict_split(load_model(run.id, precision="fp32"), demo, "PublicTest")
    rounded = predict_split(load_model(run.id, precision="bf16"), demo, "PublicTest")
    assert not np.array_equal(rounded.probs, exact.probs) and np.allclose(rounded.probs, exact.probs, atol=0.05)
    path = cache_path(auto, "demo", "PublicTest", "none")
    with safe_open(str(path), "pt") as f:
        assert f.metadata()["precision"] == "bf16"  # the last one computed
    assert np.array_equal(predict_split(load_model(run.id, precision="fp32"), demo, "PublicTest").probs, exact.probs)


def test_cache_is_invalidated_when_the_weights_or_the_data_change(demo):
    run = untrained_run("demo")
    first = predict_split(load_model(run.id), demo, "PublicTest")
    torch.manual_seed(99)
    run.save_weights("best", build_model(run.config().model))  # new weights, same run
    second = predict_split(load_model(run.id), demo, "PublicTest")
    assert not np.allclose(first.probs, second.probs)
    save_dataset(synth_dataset("demo", n=280, seed=5), replace=True)  # re-imported under the same name
    changed = load_dataset("demo")
    third = predict_split(load_model(run.id), changed, "PublicTest")
    assert third.data_hash == changed.hash and len(third.labels) == len(changed.split_indices("PublicTest"))


def test_damaged_cache_is_recomputed(demo):
    run = untrained_run("demo")
    model = load_model(run.id)
    good = predict_split(model, demo, "PublicTest")
    cache_path(model, "demo", "PublicTest", "none").write_bytes(b"not a safetensors file")
    assert np.array_equal(predict_split(model, demo, "PublicTest").probs, good.probs)


def test_compare_counts_add_up(demo):
    a = predict_split(load_model(untrained_run("demo", seed=1).id), demo, "PublicTest")
    b = predict_split(load_model(untrained_run("demo", seed=2).id), demo, "PublicTest")
    c = compare(a, b)
    assert c.agreement.sum() == len(a.labels)
    assert c.agreement[0, 1] == len(c.a_only) and c.agreement[1, 0] == len(c.b_only)
    assert np.all(a.correct[c.a_only] & ~b.correct[c.a_only])
    assert c.changes.sum() == np.sum(a.pred != b.pred) and np.trace(c.changes) == 0


def test_model_choices_list_finished_runs_only(demo):
    done = untrained_run("demo", seed=1)
    pending = untrained_run("demo", seed=2)
    pending.set_status("stopped")
    assert model_choices() == [done.id]


def test_fer_eval_json(demo, capsys):
    run = untrained_run("demo")
    assert main(["eval", run.id, "--data", "demo", "--split", "PublicTest", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "per_class", "confusion_matrix"} <= out.keys()
    assert sum(map(sum, out["confusion_matrix"])) == len(load_dataset("demo").split_indices("PublicTest"))


def test_fer_eval_errors_name_the_problem(demo, capsys):
    assert main(["eval", "no-such-run", "--data", "demo"]) == 2
    assert "no run 'no-such-run'" in capsys.readouterr().err
    assert main(["eval", "--data", "demo"]) == 2  # no shipped default in the test's dirs
    assert "no default model" in capsys.readouterr().err
    assert main(["eval", "../../etc", "--data", "demo"]) == 2
