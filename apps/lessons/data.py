"""The lessons' data: Kafka's text and ATIS sentences, or built-in stand-ins without them."""

from kerasrnn.data.errors import DatasetNotFoundError
from kerasrnn.data.loading import load_dataset

# Written for kerasrnn (no copyright question): a stand-in when Kafka's text is absent.
BUILTIN_TEXT = """\
One morning the clerk woke up late and found the house very quiet. His sister had
gone to the market, his father sat by the window with the newspaper, and his mother
was standing in the kitchen, looking at the door as if she expected someone to knock.
He dressed slowly, because his back hurt, and he thought about the long day at the
office, the train, the letters he had to write and the manager who would ask again
why the work was not finished. When he opened his door the family turned to him at
once, and nobody said a word. The clock in the hall struck seven, then eight, and
still nobody moved. At last his father folded the newspaper and said that the rent
was due on Monday, and that the money from the office would not be enough this time.
"""


def kafka_text(settings):
    """Returns (train text, valid text, where it came from)."""
    try:
        corpus = load_dataset("kafka", data_root=settings.data_dir, use_tfds=False,
                              download=False)
    except DatasetNotFoundError:
        cut = BUILTIN_TEXT.rindex("\n", 0, int(0.85 * len(BUILTIN_TEXT))) + 1
        return (BUILTIN_TEXT[:cut], BUILTIN_TEXT[cut:],
                "the built-in stand-in text (Kafka's Metamorphosis not found under "
                "--data-dir or $KERASRNN_DATA)")
    return corpus.splits["train"], corpus.splits["valid"], "Kafka's Metamorphosis"


def slot_filling_data(settings):
    """Returns (ATIS or built-in flights `SequenceLabellingDataset`, where it came from)."""
    try:
        return (load_dataset("atis", data_root=settings.data_dir, use_tfds=False,
                             download=False), "ATIS")
    except DatasetNotFoundError:
        return (load_dataset("flights"),
                "the built-in flights data (ATIS not found under --data-dir or $KERASRNN_DATA)")
