import sys

from apps.console import debug_requested, send_native_stderr_away
from apps.harness import main
from apps.translate.app import Translate

send_native_stderr_away(debug_requested())
sys.exit(main(Translate()))
