# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A clock more than 15 minutes off: the API's InvalidTimeStamp.Expired, and a message that says to check the clock.

The emulator's server clock is skewed instead of this machine's: the API compares the two,
so for the request it is the same.
"""

from __future__ import annotations

import pytest

from conftest import ROLE_ARN, ids, run_target, task, truth

CLOCK_HINT = "Check this machine's clock: it must be within 15 minutes of the real time"


@pytest.mark.parametrize('target', ['module', 'lookup', 'role'])
@pytest.mark.parametrize('offset', [16 * 60, -16 * 60])
def test_a_skewed_clock_says_to_check_the_clock(emulator, ansible, target, offset):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}}, clock_offset=offset)
    proc, tasks, message = run_target(ansible, server, target, {})
    assert proc.returncode != 0 and tasks is None
    assert 'ListOtaTask failed: InvalidTimeStamp.Expired' in message and CLOCK_HINT in message
    assert 'Traceback' not in proc.stdout + proc.stderr
    assert server.stats()['calls'] == {'ListOtaTask': 1}      # not retried: waiting does not fix a clock


def test_a_skewed_clock_with_role_arn_says_so_for_the_sts_call(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}}, clock_offset=20 * 60)
    proc, tasks, message = run_target(ansible, server, 'module', {'role_arn': ROLE_ARN, 'sts_endpoint': server.sts_endpoint})
    assert proc.returncode != 0 and tasks is None
    assert message.startswith('could not get credentials from role %s' % ROLE_ARN)
    assert '"Code":"InvalidTimeStamp.Expired"' in message and CLOCK_HINT in message
    assert server.stats()['calls'] == {'AssumeRole': 1}


def test_fourteen_minutes_off_is_still_fine(emulator, ansible):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}}, clock_offset=14 * 60)
    proc, tasks, _message = run_target(ansible, server, 'module', {})
    assert proc.returncode == 0 and ids(tasks) == truth(server, 'aig-1')
