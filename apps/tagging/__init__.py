"""What the NER and POS apps share: a word tagger on the application contract."""

from apps.tagging.word_tagger import TaggerConfig, WordTagger

__all__ = ["TaggerConfig", "WordTagger"]
