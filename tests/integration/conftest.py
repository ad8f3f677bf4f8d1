# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the integration tests: the emulator on loopback and real ansible runs against it.

Every ansible process gets a private HOME, ALIBABA_CLOUD_ECS_METADATA_DISABLED=true and no
proxy variables, so nothing can reach a real Alibaba Cloud host or the ECS metadata address.
It runs at -vvvv with a log file, and after every test all it printed and logged, and the
emulator's stats, are searched for every secret and token the emulators know (see
``no_secret_in_any_output``).
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

from ota_emulator import Emulator, make_self_signed_cert  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import

AK = 'LTAI-it-0001-ak'
SECRET = 'it-secret-9f4c2a7d1e6b8035'   # long and unusual, so a leak is easy to grep for
ROLE_ARN = 'acs:ram::1234567890123456:role/ota-reader'
VERBOSITY = '4'   # every ansible run is at -vvvv: the secret scan must hold at the most verbose level
MIN_SECRET_LENGTH = 8

_STARTED = []     # emulators and Ansible runners of the current test, for the secret scan
_EXTRA_SECRETS = set()


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


class FirstRequestEmulator(Emulator):
    """Timelines start at the first API request after a load, not at the load itself.

    An ansible-playbook run takes seconds to start, more on a loaded machine; a timeline that
    starts when its first poll arrives is the same on every machine.
    """

    _clock_started = False

    def load(self, data):
        super().load(data)
        self._clock_started = False

    def handle_api(self, req):
        with self._lock:
            if not self._clock_started:
                self._clock_started = True
                self._t0 = self._now()
                self._advanced = 0.0
        return super().handle_api(req)


@pytest.fixture
def emulator():
    """Start an emulator; call it with data (and Emulator kwargs) to get a started one.

    ``clock_from_first_request=True``: status timelines start at the first API request (FirstRequestEmulator).
    """
    started = []

    def start(groups=None, accounts=None, clock_from_first_request=False, **kwargs):
        data = {'accounts': accounts or [account()], 'groups': groups or {}}
        server = (FirstRequestEmulator if clock_from_first_request else Emulator)(data=data, **kwargs).start()
        started.append(server)
        _STARTED.append(server)
        return server

    yield start
    for server in started:
        server.stop()


PLAY = """- hosts: localhost
  gather_facts: false
  vars_files: [%s]
  tasks:
%s"""

# Role and lookup snippets for Ansible.play(); the role's outcome is saved whatever it is.
ROLE_TASKS = """    - block:
        - ansible.builtin.include_role:
            name: alibabacloud.appstreaming.ota_wait
      always:
        - ansible.builtin.copy:
            content: "{{ ota_wait_result | default({}) | to_json }}"
            dest: "{{ out }}"
            mode: '0600'
"""
LOOKUP_TASKS = """    - ansible.builtin.copy:
        content: "{{ query('alibabacloud.appstreaming.ota_tasks', group_ids, **(lookup_options | default({}))) | to_json }}"
        dest: "{{ out }}"
        mode: '0600'
"""


class Ansible:
    """Runs ansible / ansible-playbook in a clean environment and keeps what they printed."""

    def __init__(self, home, workdir):
        self.home = home
        self.workdir = workdir
        self.outputs = []
        self.log_path = workdir / 'ansible.log'
        _STARTED.append(self)

    def everything_printed(self):
        """stdout and stderr of every run, and the ansible log file."""
        log = self.log_path.read_text(errors='replace') if self.log_path.exists() else ''
        return '\n'.join(self.outputs + [log])

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
            'ANSIBLE_VERBOSITY': VERBOSITY,
            'ANSIBLE_LOG_PATH': str(self.log_path),
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

    def play(self, tasks, variables=None, env=None, check=None):
        """Run TASKS (YAML, indented 4 spaces) on localhost with VARIABLES from a vars file (secrets never in the play).

        A task may save a value as JSON to the path in the variable ``out``; returns (proc, that value or None).
        """
        number = len(self.outputs)
        out = self.workdir / ('out%d.json' % number)
        vars_file = self.workdir / ('vars%d.json' % number)
        vars_file.write_text(json.dumps(dict(variables or {}, out=str(out))))
        proc = self.playbook(PLAY % (vars_file, tasks), env=env, check=check)
        return proc, json.loads(out.read_text()) if out.exists() else None


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


def add_secret(value):
    """A secret the emulators do not know (a wrong one a test passes on purpose) that must never be printed either."""
    _EXTRA_SECRETS.add(value)


def emulator_secrets(server):
    """Every secret and token an emulator knows: its accounts' and those AssumeRole issued."""
    # pylint: disable=protected-access
    accounts = list(server._scenario.accounts.values()) + list(server._issued.values())
    return {value for acct in accounts for value in (acct.secret, acct.token) if value}


@pytest.fixture(autouse=True)
def no_secret_in_any_output():
    """After each test: no secret or token in any ansible output, log or emulator stats."""
    del _STARTED[:]
    _EXTRA_SECRETS.clear()
    yield
    secrets = {SECRET} | _EXTRA_SECRETS
    texts = []
    for item in _STARTED:
        if isinstance(item, Ansible):
            texts.append(item.everything_printed())
        else:
            secrets |= emulator_secrets(item)
            texts.append(json.dumps(item.stats()))
    leaked = sorted({secret[:4] + '...' for secret in secrets if len(secret) >= MIN_SECRET_LENGTH
                     for text in texts if secret in text})
    assert not leaked, 'secrets printed or logged: %s' % ', '.join(leaked)


def lookup_vars(server, **extra):
    """Variables for LOOKUP_TASKS: the connection as ansible_appstreaming_* variables, ``group_ids`` for the terms
    (and ``lookup_options`` for keyword arguments)."""
    variables = {'ansible_appstreaming_' + k: v for k, v in creds(server).items()}
    variables.update(extra)
    return variables


def role_vars(server, **extra):
    """Variables for ROLE_TASKS: ota_wait_* for the emulator's default account."""
    variables = {'ota_wait_' + k: v for k, v in creds(server).items()}
    variables.update(extra)
    return variables


def client_params(server, **extra):
    """Options as the plugins hand them to the shared client (argument spec defaults applied), for in-process runs."""
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import argument_spec
    from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import validate
    spec = dict(argument_spec(), **connection_argument_spec())
    return validate(spec, dict(creds(server), **extra))


def ids(tasks):
    return [t['task_id'] for t in tasks]


def truth(server, *groups):
    """The emulator's ground truth: task ids of the groups right now, in API order, group by group."""
    return [t['TaskId'] for group in groups for t in server.tasks(group)]


MODULE = 'alibabacloud.appstreaming.ota_task_info'
ROLE_NAMES = {'app_instance_group_ids': 'ota_wait_app_instance_group_ids', 'wait_timeout': 'ota_wait_timeout',
              'poll_interval': 'ota_wait_poll_interval', 'timeout': 'ota_wait_request_timeout'}


def run_target(ansible, server, target, options, env=None):
    """The module, the lookup (keyword arguments) or the role with module-style OPTIONS on top of the emulator's
    endpoint and default key (a None value removes one); returns (proc, the tasks or None on failure, the message)."""
    args = creds(server, app_instance_group_ids=['aig-1'])
    args.update(options)
    args = {k: v for k, v in args.items() if v is not None}
    if target == 'module':
        proc, result = ansible.module(MODULE, args, env=env)
        return proc, result.get('ota_tasks'), result.get('msg', '')
    if target == 'lookup':
        groups = args.pop('app_instance_group_ids', [])
        proc, tasks = ansible.play(LOOKUP_TASKS, {'group_ids': groups, 'lookup_options': args}, env=env)
        return proc, tasks, proc.stdout + proc.stderr
    if 'task_ids' not in args and isinstance(args.get('app_instance_group_ids'), list):
        # The role waits for the newest task of each group; naming every task the groups hold makes it return
        # them all (and read every page), so its result compares with the module's and the lookup's.
        every = []
        for group_id in args['app_instance_group_ids']:
            try:
                every.extend(t['TaskId'] for t in server.tasks(group_id))
            except KeyError:   # a group the test wants unknown
                pass
        if every:
            args['task_ids'] = every
    variables = {ROLE_NAMES.get(k, 'ota_wait_' + k): v for k, v in args.items()}
    variables.setdefault('ota_wait_poll_interval', 2)
    variables.setdefault('ota_wait_timeout', 30)
    proc, result = ansible.play(ROLE_TASKS, variables, env=env)
    result = result or {}
    return proc, result['tasks'] if result.get('success') else None, result.get('msg') or proc.stdout + proc.stderr
