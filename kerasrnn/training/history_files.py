"""history.csv and training.png from a run's per-epoch history."""

import csv
import pathlib


def write_history_csv(history, path):
    """One row per epoch: `epoch` then every logged value, in a stable column order."""
    keys = sorted(history)
    epochs = len(next(iter(history.values()), []))
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["epoch", *keys])
        for i in range(epochs):
            writer.writerow([i + 1, *(f"{history[k][i]:.6g}" for k in keys)])


def plot_history(history, path, title, best_epoch=None):
    """Loss curves (left) and the other metrics (right), train solid, validation dashed."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    names = sorted({k.removeprefix("val_") for k in history})
    losses = [n for n in names if n.endswith("loss")]
    metrics = [n for n in names if not n.endswith("loss")]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, group, label in ((axes[0], losses, "loss"), (axes[1], metrics, "metric")):
        for name in group:
            for key, style in ((name, "-"), (f"val_{name}", "--")):
                if key in history:
                    values = history[key]
                    axis.plot(range(1, len(values) + 1), values, style, label=key)
        if best_epoch:
            axis.axvline(best_epoch, color="grey", linewidth=0.8, label=f"best epoch {best_epoch}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        if axis.lines:
            axis.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(pathlib.Path(path), dpi=110)
    plt.close(figure)
