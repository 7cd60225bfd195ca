"""Model builders assembled from kerasrnn layers, shared by the applications."""

from kerasrnn.models.joint_tagger import build_joint_tagger

__all__ = ["build_joint_tagger"]
