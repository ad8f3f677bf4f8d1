#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the peak memory of a module process goes: run an AnsiballZ payload and sample it.

``python memory_probe.py REPORT.json PAYLOAD [--tracemalloc]`` runs the payload in this process
(exactly as ``python PAYLOAD`` would: its stdout is the module's result) while a thread samples,
every 2 ms, the process's RSS (and with --tracemalloc the bytes Python has allocated) together with
the phase the main thread is in, read from its stack:

  start       interpreter, the payload's imports, AnsibleModule(...)
  listing     the collection's client.run(): the tasks being built (the module's own memory)
  exit_json   ansible-core: exit_json before the copy
  copy        ansible-core: remove_values() copying every dict and list of the result
  dumps       ansible-core: json.dumps() of the result
  print       ansible-core: print('\\n%s' % text): a second copy of the text and its UTF-8 bytes
  end         after the module exited (sys.exit unwinding)

It writes, per phase, the highest RSS and traced bytes seen, the process's high-water mark (VmHWM,
which catches a peak shorter than the sampling interval) and the samples taken, to REPORT.json.
run_bench.py starts it from a small helper process (so ru_maxrss is the payload's own).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import threading
import time

PHASES = ('start', 'listing', 'exit_json', 'copy', 'dumps', 'print', 'end')


def rss_bytes():
    """(RSS now, the highest RSS so far): the kernel keeps the latter exactly, so no peak between two samples is lost."""
    rss = hwm = 0
    with open('/proc/self/status', 'rb') as handle:
        for line in handle:
            if line.startswith(b'VmRSS:'):
                rss = int(line.split()[1]) * 1024
            elif line.startswith(b'VmHWM:'):
                hwm = int(line.split()[1]) * 1024
    return rss, hwm


def phase_of(frame):
    """The phase of the main thread, from the names on its stack (innermost first)."""
    names = []
    while frame is not None:
        code = frame.f_code
        names.append((code.co_name, code.co_filename))
        frame = frame.f_back
    for name, filename in names:
        if name == 'remove_values':
            return 'copy'
        if name in ('dumps', 'encode', 'iterencode') and 'json' in filename:
            return 'dumps'
        if name == '_record_module_result':
            return 'print'
        if name in ('exit_json', '_return_formatted'):
            return 'exit_json'
        if name == 'run' and filename.endswith(os.path.join('module_utils', 'client.py')):
            return 'listing'
    return 'start'


def main():
    report_path, payload = sys.argv[1], sys.argv[2]
    traced = '--tracemalloc' in sys.argv[3:]
    if traced:
        import tracemalloc  # pylint: disable=import-outside-toplevel
        tracemalloc.start()
    main_id = threading.get_ident()
    peaks = {p: {'rss': 0, 'hwm': 0, 'traced': 0, 'samples': 0} for p in PHASES}
    stop = threading.Event()

    def current_phase():
        # No frame may outlive this call: a frame object that is still referenced when its function
        # returns keeps that function's locals (e.g. json's list of chunks) alive.
        frames = sys._current_frames()  # pylint: disable=protected-access
        try:
            return phase_of(frames.get(main_id))
        finally:
            frames.clear()

    seen = set()

    def sample():
        while not stop.is_set():
            phase = current_phase()
            if phase == 'start' and len(seen) > 1:
                phase = 'end'
            seen.add(phase)
            entry = peaks[phase]
            entry['samples'] += 1
            rss, hwm = rss_bytes()
            entry['rss'] = max(entry['rss'], rss)
            entry['hwm'] = max(entry['hwm'], hwm)
            if traced:
                entry['traced'] = max(entry['traced'], tracemalloc.get_traced_memory()[0])
            time.sleep(0.002)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    sys.argv = [payload]
    status = 0
    try:
        runpy.run_path(payload, run_name='__main__')
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        stop.set()
        thread.join()
        with open(report_path, 'w', encoding='utf-8') as handle:
            json.dump({'phases': peaks, 'tracemalloc': traced}, handle)
    sys.stdout.flush()
    os._exit(status)  # pylint: disable=protected-access


if __name__ == '__main__':
    main()
