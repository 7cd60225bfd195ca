import sys

from apps.classify.app import Classify
from apps.console import debug_requested, send_native_stderr_away
from apps.harness import main

send_native_stderr_away(debug_requested())
sys.exit(main(Classify()))
