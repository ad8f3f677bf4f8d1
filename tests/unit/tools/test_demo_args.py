# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo ARGS=...` hands ansible-playbook its arguments as the README prints them (tests/tools/demo.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / 'tests' / 'tools'))

from split_args import split  # noqa: E402  pylint: disable=wrong-import-position


def demo_arguments(args):
    """What `make demo ARGS=<args>` would run ansible-playbook with (demo.sh prints them and stops)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(('MAKE', 'MFLAGS', 'ARGS', 'APPSTREAMING_DEMO'))}
    env['APPSTREAMING_DEMO_PRINT_ARGS'] = '1'
    proc = subprocess.run(['make', '-s', '-o', 'venv', 'demo', 'ARGS=' + args], cwd=str(ROOT), env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.mark.skipif(shutil.which('make') is None, reason='needs make')
def test_the_readme_demo_command_passes_the_json_as_one_argument():
    """Before: make put ARGS on a shell line, which cut the JSON at its spaces and dropped its quotes."""
    readme = (ROOT / 'README.md').read_text()
    assert '''make demo ARGS='-e {"demo_group_ids": ["aig-..."]}\'''' in readme
    assert demo_arguments('-e {"demo_group_ids": ["aig-1", "aig-2"]}') == ['-e', '{"demo_group_ids": ["aig-1", "aig-2"]}']
    assert demo_arguments("-v -e '{\"a\": 1}' --check") == ['-v', '-e', '{"a": 1}', '--check']


@pytest.mark.parametrize('text, args', [
    ('', []),
    ('-e {"demo_group_ids": ["aig-1"]} -vv', ['-e', '{"demo_group_ids": ["aig-1"]}', '-vv']),
    ('-e x=1 -e [1, 2]', ['-e', 'x=1', '-e', '[1, 2]']),
    ("-e 'x=a b' --check", ['-e', 'x=a b', '--check']),
    ('-e {not json} x', ['-e', '{not', 'json}', 'x']),   # not JSON: split as a shell would
])
def test_split_args(text, args):
    assert split(text) == args
