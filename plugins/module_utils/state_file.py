# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small JSON file that outlives a process: read it back, replace it atomically.

The event source keeps what it has seen in one (its ``state_file`` option), so that a restart
carries on where the last run stopped. What the document means is decided in events.py; here
only the file: every error names the path.
"""

from __future__ import annotations

import json
import os
import tempfile

from .errors import OptionError


def read(path):
    """The JSON document in ``path``, or None when there is no such file (a first run)."""
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OptionError('state_file %s cannot be read: %s' % (path, exc.strerror or exc)) from None
    try:
        return json.loads(raw.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OptionError('state_file %s is not a JSON document (%s): not a state file of this event source; '
                          'move it away or give another path' % (path, exc)) from None


def check_writable(path):
    """OptionError, naming the path, if a file cannot be written there (checked at start, before any event)."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise OptionError('state_file %s is a directory; give the path of a file' % path)
    if not os.path.isdir(directory):
        raise OptionError('state_file %s cannot be written: the directory %s does not exist' % (path, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OptionError('state_file %s cannot be written: the directory %s is not writable' % (path, directory))


def write(path, document):
    """Replace ``path`` with the JSON ``document`` atomically (a temporary file in the same directory, then a
    rename): a reader sees the old file or the new one, never a half-written one. OSError on failure."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as out:
            json.dump(document, out, separators=(',', ':'))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
