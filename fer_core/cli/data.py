"""`fer data ...`: import, list, draw and remove data sets."""

import json
import sys

from fer_core.cli.progress import Bar
from fer_core.data import DataImportError, delete_dataset, list_datasets, save_dataset
from fer_core.labels import CLASSES


def _counts_table(counts: dict) -> str:
    classes = next(iter(counts.values()), {c: 0 for c in CLASSES})  # FaceDataset.counts: the data set's classes
    width = max(9, *(len(c) + 1 for c in classes))
    head = f"  {'split':<12}" + "".join(f"{c:>{width}}" for c in classes) + f"{'total':>9}"
    lines = [head]
    for split, per in counts.items():
        lines.append(f"  {split:<12}" + "".join(f"{per.get(c, 0):>{width}}" for c in classes) + f"{sum(per.values()):>9}")
    return "\n".join(lines)


def cmd_data_import(a) -> int:
    from fer_core.data.importer import import_source

    bar = Bar("import")
    try:
        rep = import_source(
            a.source,
            a.name,
            skip_bad=a.skip_bad,
            replace=a.replace,
            val_fraction=a.val_fraction,
            seed=a.seed,
            progress=bar,
            ferplus=a.ferplus,
        )
    except DataImportError as exc:
        bar.close()
        hint = "\n(use --skip-bad to import the valid rows and skip these)" if "nothing imported" in exc.summary else ""
        print(f"error: {exc}{hint}", file=sys.stderr)
        return 2
    bar.close()
    votes = ", each with its ten FER+ votes" if a.ferplus else ""
    print(f"imported {rep.n:,} faces as {rep.name!r} ({rep.format}{votes}, hash {rep.hash}) in {rep.seconds:.1f} s -> {rep.path}")
    if rep.skipped:
        print(f"skipped {rep.skipped_text}, {'first ones' if rep.skipped > 1 else 'it'}:")
        for p in rep.problems:
            print(f"  {p}")
    if rep.converted:
        print(f"converted {rep.converted:,} images to 48x48 grayscale")
    print(_counts_table(rep.counts))
    if rep.note:
        print(rep.note)
        for p in rep.unused:
            print(f"  {p}")
    for w in rep.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def cmd_data_list(a) -> int:
    infos = list_datasets()
    if a.json:
        print(json.dumps([d.to_json() for d in infos], indent=2))
        return 0
    if not infos:
        print("no data sets yet: `fer data import SOURCE` or `fer data synth`")
    for d in infos:
        print(f"{d.name}: {d.n:,} faces, {d.format}, hash {d.hash}, from {d.source}")
        print(_counts_table(d.counts))
    return 0


def cmd_data_synth(a) -> int:
    from fer_core.data.synth import synth_dataset

    bar = Bar("synth")
    ds = synth_dataset(a.name, n=a.n, seed=a.seed, progress=bar)
    bar.close()
    path = save_dataset(ds, replace=a.replace)
    print(f"drew {len(ds):,} demo faces as {a.name!r} -> {path}")
    print(_counts_table(ds.counts()))
    return 0


def cmd_data_rm(a) -> int:
    delete_dataset(a.name)
    print(f"removed {a.name!r}")
    return 0


def add_parser(sub) -> None:
    data = sub.add_parser("data", help="import, list and draw data sets").add_subparsers(dest="data_command", required=True)

    p = data.add_parser("import", help="import a CSV (plain/.gz/.xz/.zip) or a Kaggle-style image folder or zip")
    p.add_argument("source", help="file or folder")
    p.add_argument("--name", help="data-set name (default: from the file name)")
    p.add_argument("--ferplus", metavar="CSV", help="FER+ votes for the same rows (fer2013new.csv): every face keeps its ten votes")
    p.add_argument("--skip-bad", action="store_true", help="import the valid rows and report how many were skipped")
    p.add_argument("--replace", action="store_true", help="replace an existing data set of the same name")
    p.add_argument("--val-fraction", type=float, default=0.1, help="PublicTest share for sources without a split column")
    p.add_argument("--seed", type=int, default=0, help="seed of that split")
    p.set_defaults(func=cmd_data_import)

    p = data.add_parser("list", help="data sets with counts per split and class")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_data_list)

    p = data.add_parser("synth", help="draw the offline demo faces")
    p.add_argument("--name", default="demo")
    p.add_argument("--n", type=int, default=7000, help="number of faces over the three splits")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--replace", action="store_true")
    p.set_defaults(func=cmd_data_synth)

    p = data.add_parser("rm", help="delete a data set")
    p.add_argument("name")
    p.set_defaults(func=cmd_data_rm)
