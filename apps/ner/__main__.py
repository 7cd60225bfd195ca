from apps.console import debug_requested, send_native_stderr_away
from apps.harness.commands import run_script
from apps.ner.app import NER

send_native_stderr_away(debug_requested())
run_script(NER())
