"""The built-in questions of the Study page (the homework's), each a set of factors."""

from dataclasses import dataclass

STUDY_EPOCHS = 5  # the default for studies: the homework study (2 x 2, 2 seeds) of seed-4conv fits 30 CPU minutes on FER2013


@dataclass(frozen=True)
class Question:
    title: str
    varies: tuple[str, ...]  # `FACTOR=V1,V2` as `fer study --vary` takes them
    explain: str

    def command(self, data: str, seeds: int, epochs: int, arch: str) -> str:
        vary = " ".join(f"--vary {v}" for v in self.varies)
        return f"fer study --data {data} --arch {arch} --epochs {epochs} {vary} --seeds {seeds}"


QUESTIONS: tuple[Question, ...] = (
    Question("Does augmentation help?", ("augment=off,on",), "The same CNN trained with and without shifts, flips, rotations and zooms."),
    Question(
        "Does normalisation help?",
        ("normalization=none,per_image",),
        "Raw pixels in [0, 1] against each face scaled to zero mean, unit std.",
    ),
    Question(
        "Normalisation x augmentation (the homework)",
        ("normalization=none,per_image", "augment=off,on"),
        "Both questions at once, 2 x 2: does each help, and do they add up?",
    ),
    Question(
        "Does equalisation help?",
        ("equalize=off,on",),
        "Each face as it is against each face histogram-equalised first (its grey levels spread to a flat histogram).",
    ),
    Question(
        "Do cleaner labels help?",
        ("labels=fer2013,majority,votes",),
        "FER2013's labels against FER+'s: the majority of ten annotators, or their vote distribution (needs a data set with FER+ votes).",
    ),
    Question("Which transform matters most?", ("augment=off,shift,flip,rotate",), "One augmentation at a time against none."),
    Question(
        "How much does weight averaging buy?", ("ema=0,0.998",), "Validating the running average of the weights (EMA) or the last weights."
    ),
)
