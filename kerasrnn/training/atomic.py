"""Writing files so that a crash at any moment leaves the old file or the new one, whole.

Each file is written under a temporary name in its own folder and then renamed
over the target with `os.replace`, which is atomic on POSIX and Windows when both
names are on one file system (hence the same folder).
"""

import contextlib
import json
import os
import pathlib
import secrets


def atomic_write(path, write):
    """Calls `write(tmp)` with a temporary path (a str) next to `path`, then renames it.

    The temporary name ends with `path`'s name, so writers that check the suffix
    (Keras' `save_weights` wants `.weights.h5`) accept it, and carries the process
    id and a random part, so two processes writing one file don't share it. If
    `write` (or the rename) raises, the temporary file is removed and `path` is
    left as it was. Returns `path` as a `pathlib.Path`.
    """
    path = pathlib.Path(path)
    tmp = path.with_name(f"tmp-{os.getpid()}-{secrets.token_hex(3)}-{path.name}")
    try:
        write(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return path


def write_json(path, data):
    """Writes `data` as UTF-8 JSON (indented, sorted keys, newline at the end), atomically.

    Values JSON has no type for (a `pathlib.Path`, a date) are written as `str(value)`.
    """
    text = json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n"
    return atomic_write(path, lambda tmp: pathlib.Path(tmp).write_text(text, encoding="utf-8"))
