"""The attention of one translation as a heatmap, source words across, output words down."""


def plot_attention(weights, source_words, output_words, path):
    """Writes `weights` (`[output words, source words]`, rows summing to 1) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    width = max(4.0, 0.5 * len(source_words) + 2)
    height = max(3.0, 0.4 * len(output_words) + 1.5)
    figure, axes = plt.subplots(figsize=(width, height))
    image = axes.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(len(source_words)), source_words, rotation=90)
    axes.set_yticks(range(len(output_words)), output_words)
    axes.set_xlabel("source words")
    axes.set_ylabel("output words")
    figure.colorbar(image, ax=axes, label="attention weight")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
