"""The data directory: list, load, save and delete data sets by name."""

from dataclasses import dataclass
from pathlib import Path

from fer_core.data.photo_import import FORMAT as PHOTO_FOLDER
from fer_core.data.dataset import FaceDataset, read_dataset_file, read_meta, write_dataset_file
from fer_core.paths import DATASET_SUFFIX, data_dir, dataset_path

DEMO_NAME = "demo"


@dataclass(frozen=True)
class DatasetInfo:
    """What `fer data list` shows, read from the file header alone."""

    name: str
    path: Path
    n: int
    hash: str
    counts: dict  # split -> class -> count
    source: str
    format: str
    skipped: int
    created: str

    @property
    def trainable(self) -> bool:
        """It has Training faces (a photo set has none: it is a test set)."""
        return bool(sum(self.counts.get("Training", {}).values()))

    def to_json(self) -> dict:
        splits = {s: sum(c.values()) for s, c in self.counts.items()}
        return {
            "name": self.name,
            "path": str(self.path),
            "n": self.n,
            "hash": self.hash,
            "splits": splits,
            "counts": self.counts,
            "source": self.source,
            "format": self.format,
            "skipped": self.skipped,
            "created": self.created,
        }


def default_dataset(infos: list[DatasetInfo]) -> str | None:
    """The data set every page starts with: the most recently imported real one that can train (not
    the demo faces, not a photo set, which is for testing), else the first there is."""
    real = [d for d in infos if d.format not in ("synthetic", PHOTO_FOLDER)]
    return max(real, key=lambda d: d.created).name if real else (infos[0].name if infos else None)


def list_datasets() -> list[DatasetInfo]:
    """Every data set in the data dir, by name. Unreadable files are left out, not fatal."""
    out = []
    root = data_dir()
    if not root.is_dir():
        return out
    for path in sorted(root.glob(f"*{DATASET_SUFFIX}")):
        try:
            m = read_meta(path)
        except ValueError:
            continue
        out.append(
            DatasetInfo(
                name=path.name[: -len(DATASET_SUFFIX)],
                path=path,
                n=int(m.get("n", 0)),
                hash=m.get("hash", ""),
                counts=m.get("counts", {}),
                source=m.get("source", ""),
                format=m.get("format", ""),
                skipped=int(m.get("skipped", 0)),
                created=m.get("created", ""),
            )
        )
    return out


def load_dataset(name: str) -> FaceDataset:
    path = dataset_path(name)
    if not path.exists():
        known = ", ".join(d.name for d in list_datasets()) or "none"
        raise FileNotFoundError(f"no data set named {name!r} in {data_dir()} (have: {known})")
    ds = read_dataset_file(path)
    ds.name = name
    return ds


def save_dataset(ds: FaceDataset, replace: bool = False) -> Path:
    """Write `ds` under its name. Refuses to overwrite an existing one unless `replace`."""
    path = dataset_path(ds.name)
    if path.exists() and not replace:
        raise FileExistsError(f"a data set named {ds.name!r} already exists ({path}); choose another name or replace it")
    write_dataset_file(ds, path)
    return path


def delete_dataset(name: str) -> None:
    path = dataset_path(name)
    if not path.exists():
        raise FileNotFoundError(f"no data set named {name!r}")
    path.unlink()


def ensure_demo(n: int | None = None, progress=None) -> DatasetInfo | None:
    """On first launch (no data set at all) draw the offline demo faces. Returns it if made."""
    if list_datasets():
        return None
    from fer_core.data.synth import DEFAULT_N, synth_dataset

    save_dataset(synth_dataset(DEMO_NAME, n=n or DEFAULT_N, progress=progress))
    return next(d for d in list_datasets() if d.name == DEMO_NAME)
