"""Training on FER+'s votes (issue 33): the majority or the vote distribution, validated against
the majority; the targets follow Barsoum et al.; a data set without votes is refused clearly."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from fer_core.data import load_dataset, save_dataset
from fer_core.data.ferplus import majority, vote_targets
from fer_core.handle.store import load_model
from fer_core.labels import CONTEMPT, FERPLUS_CLASSES
from fer_core.models import get_preset
from fer_core.train import TrainConfig, prepare_run, train_in_process
from fer_core.train.engine import Trainer, labelled_rows
from tests.fixtures import save_voted_demo


@pytest.fixture
def voted(data_dir):
    save_dataset(save_voted_demo(700, least=3))  # and the plain demo faces beside them
    return load_dataset("voted")


def test_vote_targets_drop_unknown_not_a_face_and_a_lone_stray_vote_and_keep_contempt_for_8_classes():
    votes = np.array([[6, 0, 0, 2, 0, 0, 0, 2, 1, 0], [0, 0, 0, 0, 0, 0, 0, 9, 1, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 9]], np.uint8)
    target, kept = vote_targets(votes)  # FER+'s eight classes: FER2013's seven, then contempt
    assert kept.tolist() == [True, True, False]  # one stray happiness vote: nothing left
    assert target[0].tolist() == pytest.approx([0, 0, 0, 0, 0.2, 0, 0.6, 0.2])  # 2 sadness, 6 neutral, 2 contempt; unknown dropped
    assert target[1].tolist() == pytest.approx([0] * 7 + [1])
    target7, kept7 = vote_targets(votes, 7)  # a FER2013-class model: contempt has no class
    assert kept7.tolist() == [True, False, False] and target7[0].tolist() == pytest.approx([0, 0, 0, 0, 0.25, 0, 0.75])


def test_each_label_mode_learns_fer_plus_eight_classes_and_validates_on_the_right_faces(voted):
    maj_va = majority(voted.votes[voted.split_indices("PublicTest")])
    assert (maj_va == CONTEMPT).any()  # the fixture has contempt faces: an 8-class model scores them
    for mode in ("majority", "votes"):
        cfg = TrainConfig(data="voted", arch="tiny", epochs=1, labels=mode, val_tta="none")
        assert cfg.resolved().model.num_classes == 8
        tr, y_tr, t_tr, va, y_va = labelled_rows(cfg, voted)
        assert len(va) == (maj_va >= 0).sum() and np.array_equal(y_va, maj_va[maj_va >= 0])
        assert (t_tr is None) == (mode == "majority") and len(tr) == len(y_tr)
        assert t_tr is None or t_tr.shape == (len(tr), 8)
        run, _ = prepare_run(cfg)
        assert train_in_process(run).best_val_acc > 0.2
        assert load_model(run.id).classes == FERPLUS_CLASSES
    # A run made before FER+ had its eighth class keeps its 7-class model, and its id
    old = TrainConfig(data="voted", arch="tiny", epochs=1, labels="majority", val_tta="none")
    old = replace(old, model=replace(get_preset("tiny"), num_classes=7))
    tr, y_tr, _, va, y_va = labelled_rows(old, voted)
    assert (y_tr < 7).all() and len(va) == ((maj_va >= 0) & (maj_va < 7)).sum()
    a, b = (prepare_run(TrainConfig(data="voted", arch="tiny", epochs=1, labels=m, val_tta="none"))[0] for m in ("majority", "votes"))
    assert a.id != b.id and not torch.equal(a.load_weights("last")["head.weight"], b.load_weights("last")["head.weight"])


def test_fer2013_labels_keep_old_run_ids_and_votes_need_a_data_set_with_them(voted):
    assert "labels" not in TrainConfig(data="demo").to_json() or TrainConfig(data="demo").to_json()["labels"] == "fer2013"
    run, _ = prepare_run(TrainConfig(data="demo", arch="tiny", epochs=1, labels="votes"))
    with pytest.raises(ValueError, match="need FER\\+ votes"):
        train_in_process(run)


def test_fine_tuning_starts_from_the_models_weights_and_refuses_another_architecture(voted):
    """`--init MODEL`: the run begins at that model's best weights (here, a learning rate too small
    to move them, so they come out as they went in); a model of another shape is refused by name."""
    from tests.fixtures import untrained_run

    source = untrained_run("voted", arch="tiny", seed=5, labels="votes")
    cfg = TrainConfig(data="voted", arch="tiny", epochs=1, labels="votes", init=source.id, lr=1e-5, ema=0, val_tta="none", seed=9)
    run, _ = prepare_run(cfg)
    train_in_process(run)
    start, end = source.load_weights("best"), run.load_weights("last")
    assert Trainer(run, cfg).fit(resume=True).epochs_done == 1  # a resumed fine-tune continues from its own state
    assert all(torch.allclose(start[k].float(), end[k].float(), atol=1e-3) for k in start if "running" not in k and "num_batches" not in k)
    fresh, _ = prepare_run(replace(cfg, init="", seed=9))
    train_in_process(fresh)
    assert not torch.allclose(fresh.load_weights("last")["head.weight"], end["head.weight"], atol=1e-2)  # random weights elsewhere
    other = untrained_run("voted", arch="tiny", seed=6)  # FER2013's seven classes
    bad, _ = prepare_run(replace(cfg, init=other.id))
    with pytest.raises(ValueError, match=f"cannot start from {other.id!r}: it is a tiny with 7 classes, this run a tiny with 8"):
        train_in_process(bad)
