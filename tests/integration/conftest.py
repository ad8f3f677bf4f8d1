# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the integration tests: the emulator on loopback and real ansible runs against it.

Every ansible process gets a private HOME, ALIBABA_CLOUD_ECS_METADATA_DISABLED=true and no
proxy variables, so nothing can reach a real Alibaba Cloud host or the ECS metadata address.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'emulator'))

from ota_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

AK = 'LTAI-it-0001-ak'
SECRET = 'it-secret-9f4c2a7d1e6b8035'   # long and unusual, so a leak is easy to grep for
ROLE_ARN = 'acs:ram::1234567890123456:role/ota-reader'


def collections_path():
    """Where ansible finds this collection: the staged tree, or the checkout when it is one."""
    if os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        return os.environ['ANSIBLE_COLLECTIONS_PATH']
    if ROOT.parent.name == 'alibabacloud' and ROOT.parent.parent.name == 'ansible_collections':
        return str(ROOT.parents[2])
    raise RuntimeError('set ANSIBLE_COLLECTIONS_PATH to a directory holding ansible_collections/alibabacloud/appstreaming')


def account(**extra):
    data = {'access_key_id': AK, 'access_key_secret': SECRET, 'roles': [ROLE_ARN]}
    data.update(extra)
    return data


def task(task_id, status='FINISHED', version='0.0.1-R-20220708.110604', start='2022-08-04T14:36:00+08:00', **extra):
    data = {'TaskId': task_id, 'OtaVersion': version, 'TaskStartTime': start, 'TaskDisplayStatus': status}
    data.update(extra)
    return data


@pytest.fixture
def emulator():
    """Start an emulator; call it with data (and Emulator kwargs) to get a started one."""
    started = []

    def start(groups=None, accounts=None, **kwargs):
        data = {'accounts': accounts or [account()], 'groups': groups or {}}
        server = Emulator(data=data, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class Ansible:
    """Runs ansible / ansible-playbook in a clean environment and keeps what they printed."""

    def __init__(self, home, workdir):
        self.home = home
        self.workdir = workdir
        self.outputs = []

    def env(self, extra=None):
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'ANSIBLE_')) and 'proxy' not in name.lower()}
        env.update({
            'HOME': str(self.home),
            'ALIBABA_CLOUD_ECS_METADATA_DISABLED': 'true',
            'ANSIBLE_COLLECTIONS_PATH': collections_path(),
            'ANSIBLE_LOCAL_TEMP': str(self.home / '.ansible-tmp'),
            'ANSIBLE_REMOTE_TEMP': str(self.home / '.ansible-remote'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_DEPRECATION_WARNINGS': 'false',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
        })
        env.update(extra or {})
        return env

    def run(self, argv, env=None, check=None):
        proc = subprocess.run(argv, cwd=str(self.workdir), env=self.env(env), capture_output=True, text=True, timeout=600, check=False)
        self.outputs.append(proc.stdout + proc.stderr)
        if check is not None:
            assert (proc.returncode == 0) == check, 'rc=%s\n%s\n%s' % (proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:])
        return proc

    def module(self, name, args, env=None, check=None, extra=()):
        """Ad hoc `ansible localhost -m NAME -a ARGS`; returns (proc, the task result as a dict)."""
        proc = self.run(['ansible', 'localhost', '-m', name, '-a', args if isinstance(args, str) else json.dumps(args)] + list(extra),
                        env=env, check=check)
        _head, sep, body = proc.stdout.partition(' => ')
        try:
            result = json.loads(body) if sep else None
        except ValueError:
            result = None
        assert result is not None, 'no result in:\n%s\n%s' % (proc.stdout[-3000:], proc.stderr[-3000:])
        return proc, result

    def playbook(self, text, env=None, check=None, extra=()):
        path = self.workdir / ('play%d.yml' % len(self.outputs))
        path.write_text(text)
        return self.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', str(path)] + list(extra), env=env, check=check)


@pytest.fixture
def ansible(tmp_path):
    home = tmp_path / 'home'
    home.mkdir()
    work = tmp_path / 'work'
    work.mkdir()
    return Ansible(home, work)


def play_with_defaults(server, tasks):
    """A localhost play whose module_defaults group points every plugin at the emulator."""
    return '''
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/alibabacloud.appstreaming.appstreaming:
      endpoint: %s
      access_key_id: %s
      access_key_secret: %s
  tasks:
%s''' % (server.endpoint, AK, SECRET, tasks)


def creds(server, **extra):
    """Module arguments for the emulator with the default account."""
    args = {'endpoint': server.endpoint, 'access_key_id': AK, 'access_key_secret': SECRET}
    args.update(extra)
    return args
