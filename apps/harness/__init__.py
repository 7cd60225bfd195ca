"""The harness every application shares: its contract, config flags, training and commands.

See `apps/harness/contract.py` for what an app implements. The harness imports no app.
"""

from apps.harness.commands import PREDICT, main
from apps.harness.config import TrainConfig, at_least_one, flag, in_unit_interval, new_default
from apps.harness.contract import App, AppData, Endpoints, Trained, UseCommand
from apps.harness.training import train

__all__ = ["PREDICT", "App", "AppData", "Endpoints", "TrainConfig", "Trained", "UseCommand",
           "at_least_one", "flag", "in_unit_interval", "main", "new_default", "train"]
