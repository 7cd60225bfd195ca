"""The confusion matrix as a picture, classes named on both axes."""


def plot_confusion_matrix(labels, matrix, path, title=""):
    """Writes `matrix` (rows: true label, columns: predicted label) as a PNG at `path`.

    Each row is shaded by its share of the row's examples (so small classes show);
    the counts are written in the cells when there are at most 20 classes.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    import numpy as np

    counts = np.asarray(matrix, dtype=np.int64)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = max(4.0, 0.35 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size + 1, size))
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(labels)), labels, rotation=90)
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted label")
    axes.set_ylabel("true label")
    axes.set_title(f"{title} confusion matrix (test)".strip())
    if len(labels) <= 20:
        for row in range(len(labels)):
            for column in range(len(labels)):
                if counts[row, column]:
                    axes.text(column, row, str(counts[row, column]), ha="center", va="center",
                              color="white" if shares[row, column] > 0.5 else "black",
                              fontsize=8)
    figure.colorbar(image, ax=axes, label="share of the true label's examples")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
