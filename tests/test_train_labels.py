"""Training on FER+'s votes (issue 33): the majority or the vote distribution, validated against
the majority; the targets follow Barsoum et al.; a data set without votes is refused clearly."""

import numpy as np
import pytest
import torch

from fer_core.data import load_dataset, save_dataset
from fer_core.data.ferplus import majority, vote_targets
from fer_core.train import TrainConfig, prepare_run, train_in_process
from fer_core.train.engine import labelled_rows
from tests.fixtures import save_voted_demo


@pytest.fixture
def voted(data_dir):
    save_dataset(save_voted_demo(700, least=3))  # and the plain demo faces beside them
    return load_dataset("voted")


def test_vote_targets_drop_unknown_not_a_face_contempt_and_a_lone_stray_vote():
    votes = np.array([[6, 0, 0, 2, 0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0, 9, 1, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 9]], np.uint8)
    target, kept = vote_targets(votes)
    assert kept.tolist() == [True, False, False]  # contempt only, or one stray happiness vote: nothing left
    assert target[0].tolist() == pytest.approx([0, 0, 0, 0, 0.25, 0, 0.75])  # 2 sadness, 6 neutral; contempt and unknown dropped


def test_each_label_mode_learns_and_validates_on_the_right_faces(voted):
    maj_va = majority(voted.votes[voted.split_indices("PublicTest")])
    for mode in ("majority", "votes"):
        cfg = TrainConfig(data="voted", arch="tiny", epochs=1, labels=mode, val_tta="none")
        tr, y_tr, t_tr, va, y_va = labelled_rows(cfg, voted)
        assert len(va) == (maj_va >= 0).sum() and np.array_equal(y_va, maj_va[maj_va >= 0])
        assert (t_tr is None) == (mode == "majority") and len(tr) == len(y_tr)
        run, _ = prepare_run(cfg)
        assert train_in_process(run).best_val_acc > 0.2
    a, b = (prepare_run(TrainConfig(data="voted", arch="tiny", epochs=1, labels=m, val_tta="none"))[0] for m in ("majority", "votes"))
    assert a.id != b.id and not torch.equal(a.load_weights("last")["head.weight"], b.load_weights("last")["head.weight"])


def test_fer2013_labels_keep_old_run_ids_and_votes_need_a_data_set_with_them(voted):
    assert "labels" not in TrainConfig(data="demo").to_json() or TrainConfig(data="demo").to_json()["labels"] == "fer2013"
    run, _ = prepare_run(TrainConfig(data="demo", arch="tiny", epochs=1, labels="votes"))
    with pytest.raises(ValueError, match="need FER\\+ votes"):
        train_in_process(run)
