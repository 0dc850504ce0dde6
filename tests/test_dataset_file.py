import numpy as np
import pytest

from fer_core.atomic import atomic_path
from fer_core.data import list_datasets, load_dataset, save_dataset
from fer_core.data.dataset import make_dataset, read_dataset_file


def test_round_trip_keeps_arrays_meta_and_counts(faces, data_dir):
    ds = make_dataset("tiny", *faces, meta={"source": "gen", "format": "test"})
    path = save_dataset(ds)
    assert path.parent == data_dir
    back = load_dataset("tiny")
    assert np.array_equal(back.pixels, ds.pixels) and np.array_equal(back.labels, ds.labels)
    assert np.array_equal(back.splits, ds.splits)
    assert back.hash == ds.hash and back.meta["source"] == "gen"
    assert back.counts()["PublicTest"]["happy"] == 2


def test_canonical_order_makes_content_hash_independent_of_input_order(faces):
    pixels, labels, splits = faces
    perm = np.random.default_rng(1).permutation(len(labels))
    a = make_dataset("a", pixels, labels, splits)
    b = make_dataset("b", pixels[perm], labels[perm], splits[perm])
    assert a.hash == b.hash
    assert np.array_equal(a.pixels, b.pixels)


def test_content_hash_changes_with_one_pixel_or_label(faces):
    pixels, labels, splits = faces
    base = make_dataset("a", pixels, labels, splits).hash
    p2 = pixels.copy()
    p2[0, 0, 0] ^= 1
    l2 = labels.copy()
    l2[0] = (l2[0] + 1) % 7
    assert make_dataset("a", p2, labels, splits).hash != base
    assert make_dataset("a", pixels, l2, splits).hash != base


def test_listing_reads_headers_and_ignores_foreign_files(faces, data_dir):
    save_dataset(make_dataset("one", *faces))
    (data_dir / "junk.fer.safetensors").write_bytes(b"not a safetensors file at all")
    infos = list_datasets()
    assert [d.name for d in infos] == ["one"]
    js = infos[0].to_json()
    assert js["splits"] == {"Training": 14, "PublicTest": 14, "PrivateTest": 14}
    assert js["counts"]["Training"]["angry"] == 2


def test_save_refuses_to_overwrite_unless_replace(faces):
    save_dataset(make_dataset("x", *faces))
    with pytest.raises(FileExistsError, match="already exists"):
        save_dataset(make_dataset("x", *faces))
    save_dataset(make_dataset("x", faces[0][:7], faces[1][:7], faces[2][:7]), replace=True)
    assert len(load_dataset("x")) == 7


def test_atomic_write_leaves_old_file_when_writer_fails(tmp_path):
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "state.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert list(target.parent.iterdir()) == [target]  # no temp file left behind


def test_damaged_file_gives_clear_error(tmp_path):
    bad = tmp_path / "bad.fer.safetensors"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(ValueError, match="not a FER Lab data-set file"):
        read_dataset_file(bad)


def test_unknown_name_lists_what_exists(faces):
    save_dataset(make_dataset("present", *faces))
    with pytest.raises(FileNotFoundError, match="present"):
        load_dataset("absent")
