# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ansible-rulebook (.venv-rulebook, Java 17+) runs the collection's rulebook
alibabacloud.appstreaming.ota_gate, with its ota_task_events source, against the emulator over HTTP.

Run by tests/tools/eda.sh (`make eda`), which builds the venv and fails with an install hint without Java.
The emulator runs in this process; its task timelines run on a request clock (one second per
ListOtaTask request answered), so each status lasts a known number of polls whatever the machine's load.
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

AK = 'LTAI-eda-0001-ak'
SECRET = 'eda-secret-3b8e1f0c6a9d2754'   # long and unusual, so a leak is easy to grep for
NEW = '2022-08-05T10:00:00+08:00'
POLLS = 30
INTERVAL = 0.5

SUCCESS_PLAYBOOK = """---
- name: Roll out the apps of a delivery group whose OTA update has finished
  hosts: all
  gather_facts: false
  tasks:
    - name: Record the run
      ansible.builtin.lineinfile:
        path: "%s"
        line: "{{ ansible_eda.event.app_instance_group_id }} {{ ansible_eda.event.newest_status }} {{ ansible_eda.event.succeeded }}"
        create: true
        mode: "0600"
"""


class RequestClock:
    """Seconds = ListOtaTask requests answered (``counter='ok_calls'``: pages answered, refused requests left out)."""

    def __init__(self, counter='calls'):
        self.server = None
        self.counter = counter

    def __call__(self):
        if self.server is None:
            return 0.0
        return float(self.server._stats[self.counter].get('ListOtaTask', 0))  # pylint: disable=protected-access


def one_task(task_id, final, at):
    return {'tasks': [{'TaskId': task_id, 'OtaVersion': 'v2', 'TaskStartTime': NEW, 'timeline': [[0, 'RUNNING'], [at, final]]},
                      {'TaskId': task_id + '-old', 'OtaVersion': 'v1', 'TaskStartTime': '2022-08-04T14:36:00+08:00',
                       'TaskDisplayStatus': 'FINISHED'}]}


def scenario(**groups):
    """The emulator data of these groups, with the test's key."""
    return {'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}], 'groups': groups}


def started(groups, clock, **kwargs):
    """An emulator of these groups (and the test's key) whose task timelines run on ``clock``, started."""
    data = scenario(**groups)
    server = Emulator(data=data, **kwargs)
    server._now = clock  # pylint: disable=protected-access
    server.load(data)
    clock.server = server
    return server.start()


@pytest.fixture
def emulator():
    """The emulator with aig-ok (its task RUNNING -> FINISHED) and aig-bad (RUNNING -> FAILED), both after 4 polls."""
    server = started({'aig-ok': one_task('ota-ok', 'FINISHED', 8), 'aig-bad': one_task('ota-bad', 'FAILED', 8)}, RequestClock())
    yield server
    server.stop()


def rulebook(tmp_path, server, **variables):
    """Run ansible-rulebook -r alibabacloud.appstreaming.ota_gate at -vv with --print-events; returns (proc, output)."""
    home = tmp_path / 'home'
    home.mkdir()
    (tmp_path / 'inventory.yml').write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
    (tmp_path / 'rollout.yml').write_text(SUCCESS_PLAYBOOK % (tmp_path / 'rollouts.txt'))
    settings = {'ota_gate_app_instance_group_ids': ['aig-ok', 'aig-bad'], 'ota_gate_endpoint': server.endpoint,
                'ota_gate_interval': INTERVAL, 'ota_gate_max_polls': POLLS, 'ota_gate_success_playbook': str(tmp_path / 'rollout.yml')}
    settings.update(variables)
    (tmp_path / 'vars.yml').write_text(''.join('%s: %r\n' % item for item in settings.items()).replace("'", '"'))
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'ANSIBLE_')) and 'proxy' not in name.lower()}
    env.update({
        'HOME': str(home),
        'ALIBABA_CLOUD_ECS_METADATA_DISABLED': 'true',
        'ALIBABA_CLOUD_ACCESS_KEY_ID': AK,        # credentials from the environment, never in the rulebook
        'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET,
        'ANSIBLE_COLLECTIONS_PATH': os.environ['ANSIBLE_COLLECTIONS_PATH'],
        'ANSIBLE_LOCAL_TEMP': str(home / '.ansible-tmp'),
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
    })
    argv = ['ansible-rulebook', '-r', 'alibabacloud.appstreaming.ota_gate', '-i', str(tmp_path / 'inventory.yml'),
            '--vars', str(tmp_path / 'vars.yml'), '--print-events', '-vv']
    proc = subprocess.run(argv, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert SECRET not in output, 'the secret was printed'
    return proc, output


def test_the_rollout_playbook_runs_once_when_the_update_finished(tmp_path, emulator):
    proc, output = rulebook(tmp_path, emulator)
    assert proc.returncode == 0, output[-6000:]
    # The success rule ran the playbook exactly once, for the group whose update finished.
    assert (tmp_path / 'rollouts.txt').read_text().splitlines() == ['aig-ok FINISHED True'], output[-6000:]
    # The events, as ansible-rulebook printed them: the FINISHED change and the settled group.
    assert "'previous_status': 'RUNNING'" in output and "'status': 'FINISHED'" in output, output[-6000:]
    assert "'type': 'ota_group'" in output
    # The failure rule ran the collection's default report playbook for the failed task.
    assert 'OTA task ota-bad (v2) of delivery group aig-bad is FAILED (was RUNNING)' in output, output[-6000:]
    assert 'stopping after %d polls' % POLLS in output
    # One request per group and poll (one page each), nothing more.
    assert emulator.stats()['list_calls_by_group'] == {'aig-ok': POLLS, 'aig-bad': POLLS}


def test_a_configuration_error_ends_the_rulebook_at_start_with_one_message(tmp_path, emulator):
    proc, output = rulebook(tmp_path, emulator, ota_gate_app_instance_group_ids=['aig-ok', 'aig-nope'])
    assert proc.returncode != 0, output[-6000:]
    assert ("ConfigurationError: Source plugin failed with error message: 'alibabacloud.appstreaming.ota_task_events: "
            "ListOtaTask failed: InvalidAppInstanceGroup.NotFound") in output, output[-6000:]
    assert "Delivery group 'aig-nope' does not exist" in output
    assert not (tmp_path / 'rollouts.txt').exists()
    assert emulator.stats()['calls']['ListOtaTask'] <= 2


# -- issue 20: long-lived fleets ----------------------------------------------------------------------------------------

def posted(output, kind):
    """How many events of this type the source gave (ansible-rulebook logs each one it posts to the ruleset, at -vv)."""
    return output.count("Posting data to ruleset Gate app rollouts on App Streaming OTA updates => {'type': '%s'" % kind)


def rollouts(tmp_path):
    path = tmp_path / 'rollouts.txt'
    return path.read_text().splitlines() if path.exists() else []


def test_a_watched_group_deleted_mid_run_gives_one_error_event_and_the_others_go_on(tmp_path, emulator):
    """aig-gone answers InvalidAppInstanceGroup.NotFound from its 3rd ListOtaTask request on: one ota_group_error event,
    which runs the failure playbook; aig-ok's update still runs the rollout playbook."""
    groups = {'aig-ok': one_task('ota-ok', 'FINISHED', 12), 'aig-gone': one_task('ota-gone', 'FINISHED', 900)}
    emulator.load(scenario(**groups))
    emulator.set_faults({'not_found': {'aig-gone': {'from': 3}}})
    proc, output = rulebook(tmp_path, emulator, ota_gate_app_instance_group_ids=['aig-ok', 'aig-gone'], ota_gate_max_polls=12)
    assert proc.returncode == 0, output[-6000:]
    assert rollouts(tmp_path) == ['aig-ok FINISHED True'], output[-6000:]
    assert posted(output, 'ota_group_error') == 1, output[-6000:]
    assert 'Delivery group aig-gone can no longer be listed (InvalidAppInstanceGroup.NotFound)' in output, output[-6000:]
    calls = emulator.stats()['list_calls_by_group']
    assert calls['aig-ok'] == 12 and 3 <= calls['aig-gone'] < 12   # polled at the backoff rate, not every interval


def test_a_task_first_listed_already_finished_runs_the_rollout_playbook_once(tmp_path, emulator):
    """An update that ran between two polls: its task appears already FINISHED (after the baseline)."""
    quick = {'tasks': [{'TaskId': 'ota-quick', 'OtaVersion': 'v2', 'TaskStartTime': NEW, 'TaskDisplayStatus': 'FINISHED',
                        'appear_after': 4},
                       {'TaskId': 'ota-quick-old', 'OtaVersion': 'v1', 'TaskStartTime': '2022-08-04T14:36:00+08:00',
                        'TaskDisplayStatus': 'FINISHED'}]}
    emulator.load(scenario(**{'aig-ok': one_task('ota-ok', 'FINISHED', 900), 'aig-quick': quick}))
    proc, output = rulebook(tmp_path, emulator, ota_gate_app_instance_group_ids=['aig-ok', 'aig-quick'], ota_gate_max_polls=10)
    assert proc.returncode == 0, output[-6000:]
    assert rollouts(tmp_path) == ['aig-quick FINISHED True'], output[-6000:]
    assert posted(output, 'ota_group') == 1 and posted(output, 'ota_task') == 1, output[-6000:]


def test_a_restart_with_a_state_file_gives_the_update_that_finished_while_stopped_once(tmp_path, emulator):
    state = tmp_path / 'ota_gate_state.json'
    running = {'tasks': [{'TaskId': 'ota-ok', 'OtaVersion': 'v2', 'TaskStartTime': NEW, 'TaskDisplayStatus': 'RUNNING'}]}
    emulator.load(scenario(**{'aig-ok': running}))
    options = dict(ota_gate_app_instance_group_ids=['aig-ok'], ota_gate_max_polls=2, ota_gate_state_file=str(state))
    runs, outputs = [], []
    for name in ('first', 'second', 'third'):
        if name == 'second':   # ansible-rulebook is stopped; meanwhile the update finishes
            running['tasks'][0]['TaskDisplayStatus'] = 'FINISHED'
            emulator.load(scenario(**{'aig-ok': running}))
        (tmp_path / name).mkdir()
        proc, output = rulebook(tmp_path / name, emulator, **options)
        assert proc.returncode == 0, output[-6000:]
        runs.append((rollouts(tmp_path / name), posted(output, 'ota_task'), posted(output, 'ota_group')))
        outputs.append(output)
    assert runs == [([], 0, 0), (['aig-ok FINISHED True'], 1, 1), ([], 0, 0)], runs
    assert "'previous_status': 'RUNNING'" in outputs[1] and "'task_display_status': 'FINISHED'" in outputs[1], outputs[1][-6000:]
    assert json.loads(state.read_text())['groups'] == {'aig-ok': {'tasks': {'ota-ok': 'FINISHED'}, 'tracked': []}}


def test_task_events_name_the_status_task_display_status_like_every_module(tmp_path, emulator):
    """The same field has the same name in every plugin and event: task_display_status; status is a deprecated alias
    (kept for 0.1.0). The rulebook's failure rule conditions on task_display_status."""
    proc, output = rulebook(tmp_path, emulator, ota_gate_max_polls=8)
    assert proc.returncode == 0, output[-6000:]
    failed = "'task_id': 'ota-bad', 'ota_version': 'v2', 'task_display_status': 'FAILED', 'status': 'FAILED', 'previous_status': 'RUNNING'"
    assert failed in output, output[-6000:]
    assert 'Run the failure playbook when an OTA task fails' in output and 'aig-bad is FAILED (was RUNNING)' in output
