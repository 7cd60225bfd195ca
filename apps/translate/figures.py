"""The attention of one translation as a heatmap, source words across, output words down."""


MAX_INCHES = 40  # a 200-word sentence still gives a PNG of at most 4,000 pixels a side
# The PNG's "Software" text chunk: how `written_here` tells our heatmaps from a user's file.
SOFTWARE = "kerasrnn apps.translate attention heatmap"


def plot_attention(weights, source_words, output_words, path, units="words"):
    """Writes `weights` (`[output words, source words]`, rows summing to 1) as a PNG.

    `units` names what the axes hold ("words", or "pieces" for WordPiece models).

    Half an inch a word, up to `MAX_INCHES` a side (at 100 dpi); beyond that the
    words get narrower and their labels smaller.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    across = min(0.5, (MAX_INCHES - 2) / max(len(source_words), 1))  # inches a word
    down = min(0.4, (MAX_INCHES - 1.5) / max(len(output_words), 1))
    width = max(4.0, across * len(source_words) + 2)
    height = max(3.0, down * len(output_words) + 1.5)
    figure, axes = plt.subplots(figsize=(width, height))
    image = axes.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    # a label at most as tall as its word's share of the side (72 points an inch)
    axes.set_xticks(range(len(source_words)), source_words, rotation=90,
                    fontsize=min(10.0, 0.8 * 72 * across))
    axes.set_yticks(range(len(output_words)), output_words, fontsize=min(10.0, 0.8 * 72 * down))
    axes.set_xlabel(f"source {units}")
    axes.set_ylabel(f"output {units}")
    figure.colorbar(image, ax=axes, label="attention weight")
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Software": SOFTWARE})
    plt.close(figure)


def written_here(path):
    """Whether `path` is a PNG that `plot_attention` wrote (so it may be replaced)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.format == "PNG" and image.info.get("Software") == SOFTWARE
    except (OSError, ValueError):  # not an image, unreadable
        return False
