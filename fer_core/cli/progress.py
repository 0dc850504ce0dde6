"""tqdm adapters for the core's progress callbacks."""

from tqdm import tqdm


class Bar:
    """Adapts tqdm to the core's (fraction, message) progress callbacks."""

    def __init__(self, desc: str):
        self.bar = tqdm(total=100, desc=desc, unit="%", bar_format="{l_bar}{bar}| {elapsed}<{remaining} {postfix}")

    def __call__(self, fraction: float, message: str) -> None:
        self.bar.n = round(100 * fraction)
        self.bar.set_postfix_str(message, refresh=False)
        self.bar.refresh()

    def close(self):
        self.bar.close()


class TrainBar:
    """A trainer callback: one bar over all steps, with loss, accuracy and images/s."""

    def __init__(self, total_steps: int, done: int = 0):
        self.bar = tqdm(total=total_steps, initial=done, desc="train", unit="step")

    def __call__(self, event: str, rec: dict) -> None:
        self.bar.n = rec["step"]
        if event == "step":
            loss, acc, ips = rec["train_loss"], rec["train_acc"], rec["images_per_s"]
            self.bar.set_postfix(loss=f"{loss:.3f}", acc=f"{acc:.3f}", ips=f"{ips:.0f}", refresh=False)
        else:
            self.bar.write(
                f"epoch {rec['epoch']:>3}: train loss {rec['train_loss']:.4f} acc {rec['train_acc']:.4f} | "
                f"val loss {rec['val_loss']:.4f} acc {rec['val_acc']:.4f} | {rec['elapsed']:.0f} s"
            )
        self.bar.refresh()

    def close(self):
        self.bar.close()
