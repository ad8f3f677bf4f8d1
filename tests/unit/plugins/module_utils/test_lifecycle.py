# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The assumed OTA lifecycle (docs/api-contract.md section 6): pure rules, no HTTP."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import lifecycle
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.groups import OtaInfo

V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'
UTC = datetime.timezone.utc


def listed(task_id, status, start='2026-11-30T14:00:00+08:00'):
    return {'task_id': task_id, 'task_display_status': status, 'ota_version': V2, 'task_start_time': start,
            'app_instance_group_id': 'aig-1'}


def at(text):
    return lifecycle.parse_time(text)


@pytest.mark.parametrize('ota, tasks, start, action', [
    (OtaInfo(V2, '', 'ota-old'), [], None, lifecycle.UP_TO_DATE),
    (OtaInfo(V1, '', ''), [], None, lifecycle.SKIPPED),                       # no update, runs another version
    (OtaInfo(V1, '0.0.3-R', 'ota-p'), [], None, lifecycle.SKIPPED),           # offers another version
    (OtaInfo(V1, V2, 'ota-p'), [], None, lifecycle.APPROVED),                 # pending: not listed
    (OtaInfo(V1, V2, 'ota-p'), [listed('ota-x', 'FAILED')], None, lifecycle.APPROVED),   # failed before: a fresh pending id
    (OtaInfo(V1, V2, 'ota-s'), [listed('ota-s', 'STANDBY')], None, lifecycle.ALREADY_APPROVED),
    (OtaInfo(V1, V2, 'ota-s'), [listed('ota-s', 'STANDBY')], at('2026-11-30T06:00Z'), lifecycle.ALREADY_APPROVED),  # same instant
    (OtaInfo(V1, V2, 'ota-s'), [listed('ota-s', 'STANDBY')], at('2026-11-30T06:00:45Z'), lifecycle.ALREADY_APPROVED),  # same minute
    (OtaInfo(V1, V2, 'ota-s'), [listed('ota-s', 'STANDBY')], at('2026-11-30T07:00Z'), lifecycle.RESCHEDULED),
    (OtaInfo(V1, V2, 'ota-r'), [listed('ota-r', 'RUNNING')], at('2026-11-30T07:00Z'), lifecycle.ALREADY_APPROVED),
])
def test_decide_follows_section_4(ota, tasks, start, action):
    decision = lifecycle.decide(ota, tasks, V2, start)
    assert decision.action == action
    assert decision.writes == (action in (lifecycle.APPROVED, lifecycle.RESCHEDULED))


def test_skipped_and_up_to_date_say_why():
    assert lifecycle.decide(OtaInfo(V1, '0.0.3-R', 'ota-p'), [], V2).reason == 'offers version 0.0.3-R, not %s' % V2
    assert lifecycle.decide(OtaInfo(V1, '', ''), [], V2).reason == 'no update available (runs %s, not %s)' % (V1, V2)
    assert lifecycle.decide(OtaInfo(V2, '', ''), [], V2).reason == 'runs %s' % V2


def test_approved_means_the_current_task_is_listed_standby_or_running():
    ota = OtaInfo(V1, V2, 'ota-s')
    assert lifecycle.is_approved(ota, [listed('ota-s', 'RUNNING')])
    assert lifecycle.in_flight_task(ota, [listed('ota-s', 'STANDBY')])['task_id'] == 'ota-s'
    assert not lifecycle.is_approved(ota, [listed('ota-s', 'FINISHED')])
    assert not lifecycle.is_approved(ota, [listed('ota-other', 'RUNNING')])   # another task is not the group's current one
    assert not lifecycle.is_approved(OtaInfo(V1, V2, ''), [listed('ota-s', 'RUNNING')])
    assert lifecycle.is_up_to_date(OtaInfo(V2, '', 'whatever'), V2) and not lifecycle.is_up_to_date(ota, V2)
    assert not lifecycle.is_up_to_date(OtaInfo(V1, '', 'whatever'), V2)   # offered nothing, but runs another version


def test_an_approval_took_effect_exactly_when_the_task_id_changed():
    assert lifecycle.took_effect('ota-p', OtaInfo(V1, V2, 'ota-new'))
    assert lifecycle.took_effect('ota-p', OtaInfo(V2, '', ''))   # it even ran and finished
    assert not lifecycle.took_effect('ota-p', OtaInfo(V1, V2, 'ota-p'))


@pytest.mark.parametrize('text, utc', [
    ('2026-11-30T06:00Z', '2026-11-30T06:00Z'),
    ('2026-11-30T14:00:59+08:00', '2026-11-30T06:00Z'),
    ('2026-11-30 05:30:00.250-0030', '2026-11-30T06:00Z'),
    ('2026-11-30T06:00:00z', '2026-11-30T06:00Z'),
    ('2026-12-01T01:30+05:30', '2026-11-30T20:00Z'),
])
def test_times_are_sent_as_utc_minutes(text, utc):
    assert lifecycle.api_time(lifecycle.parse_time(text)) == utc


@pytest.mark.parametrize('text, problem', [
    ('2026-11-30T06:00', 'has no time zone'),
    ('tomorrow', 'is not an ISO 8601 date and time'),
    ('2026-11-30', 'is not an ISO 8601 date and time'),
    ('2026-13-30T06:00Z', 'is not a valid date and time'),
    ('2026-11-30T06:00+25:00', 'has an invalid UTC offset'),
])
def test_bad_times_say_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        lifecycle.parse_time(text)


def test_times_are_compared_as_instants_not_strings():
    assert lifecycle.same_minute('2026-11-30T14:00:00+08:00', '2026-11-30T06:00Z')
    assert lifecycle.same_minute(at('2026-11-30T06:00:30Z'), '2026-11-30T06:00Z')
    assert not lifecycle.same_minute('2026-11-30T14:01:00+08:00', '2026-11-30T06:00Z')
    assert not lifecycle.same_minute('garbage', '2026-11-30T06:00Z')
