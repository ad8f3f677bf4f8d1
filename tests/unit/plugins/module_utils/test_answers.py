# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""answers.py: each action's plain check (every answer) accepts exactly what its voluptuous schema accepts."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings, strategies as st
from voluptuous import MultipleInvalid

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import answers, groups

from ...helpers import group as model

ODD = st.sampled_from([None, True, False, 0, 1, -1, 2.5, '', 'x', '7', [], {}, ['x'], {'a': 1}]).map(copy.deepcopy)
HEADER = ('RequestId', 'TotalCount', 'PageNumber', 'PageSize')


def task(i=0):
    return {'TaskId': 'ota-%d' % i, 'TaskDisplayStatus': 'FINISHED', 'OtaVersion': '0.0.1', 'TaskStartTime': '2022-08-04T14:36:00+08:00'}


def page(**changes):
    body = {'RequestId': 'r-1', 'TotalCount': 2, 'PageNumber': 1, 'PageSize': 100, 'TaskList': [task(0), task(1)]}
    body.update(changes)
    return body


def group_page(**changes):
    body = {'RequestId': 'R', 'TotalCount': 2, 'PageNumber': 1, 'PageSize': 100, 'AppInstanceGroupModels': [model('aig-1'), model('aig-2')]}
    body.update(changes)
    return body


def schema_accepts(action, body):
    try:
        answers.schema(action)(copy.deepcopy(body))
    except MultipleInvalid:
        return False
    return True


def spoil(data, body, keys, weights=('keep', 'keep', 'drop', 'odd')):
    """Drop some of ``keys`` from ``body`` and give others odd values, as hypothesis draws."""
    for key in keys:
        action = data.draw(st.sampled_from(weights))
        if action == 'drop':
            body.pop(key, None)
        elif action == 'odd':
            body[key] = data.draw(ODD)


def test_a_valid_page_gives_its_total_and_items():
    body = page(Extra='kept')
    assert answers.tasks_page(body) == (2, body['TaskList'])
    assert answers.tasks_page({'TotalCount': 0}) == (0, [])   # TaskList may be left out
    body = group_page()
    assert answers.groups_page(body) == (2, body['AppInstanceGroupModels'])
    assert answers.groups_page({'TotalCount': 0}) == (0, [])
    assert answers.groups_page(group_page(AppInstanceGroupModels=[model(OtaInfo=None, Status=None)])) is not None


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_the_task_page_check_agrees_with_the_schema(data):
    body = page()
    spoil(data, body, HEADER + ('TaskList',))
    if isinstance(body.get('TaskList'), list):
        for item in [t for t in body['TaskList'] if isinstance(t, dict)]:
            spoil(data, item, [key for key, _minimum in answers.TASK_TEXT], ('keep', 'keep', 'keep', 'drop', 'odd'))
        if data.draw(st.booleans()):
            body['TaskList'].append(data.draw(ODD))
    assert (answers.tasks_page(body) is not None) == schema_accepts(answers.LIST_OTA_TASK, body), body


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_the_group_page_check_agrees_with_the_schema(data):
    body = group_page()
    spoil(data, body, HEADER + ('AppInstanceGroupModels',))
    if isinstance(body.get('AppInstanceGroupModels'), list):
        for item in [g for g in body['AppInstanceGroupModels'] if isinstance(g, dict)]:
            spoil(data, item, ('AppInstanceGroupId', 'OtaInfo') + answers.GROUP_TEXT, ('keep',) * 6 + ('drop', 'odd'))
            if isinstance(item.get('OtaInfo'), dict):
                spoil(data, item['OtaInfo'], answers.OTA_INFO_TEXT, ('keep', 'keep', 'drop', 'odd'))
        if data.draw(st.booleans()):
            body['AppInstanceGroupModels'].append(data.draw(ODD))
    assert (answers.groups_page(body) is not None) == schema_accepts(answers.LIST_APP_INSTANCE_GROUP, body), body


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_the_release_note_and_approval_checks_agree_with_their_schemas(data):
    note = {'RequestId': 'R', 'OtaVersion': 'v2', 'ReleaseNote': '修复剪贴板', 'TaskStartTime': '2026-11-30T06:00Z'}
    spoil(data, note, tuple(note))
    assert (answers.release_note(note) is not None) == schema_accepts(answers.GET_OTA_TASK, note), note
    approval = {'RequestId': 'R', 'Code': 'success', 'Message': ''}
    spoil(data, approval, tuple(approval))
    assert (answers.approval(approval) is not None) == schema_accepts(answers.APPROVE_OTA_TASK, approval), approval


def test_an_invalid_task_page_is_explained():
    body = page()
    del body['TaskList'][1]['TaskId']
    body['TotalCount'] = '2'
    text = answers.explain(answers.LIST_OTA_TASK, body)
    assert 'TaskList[1].TaskId: required key not provided' in text
    assert 'TotalCount: expected an integer, got str' in text


@pytest.mark.parametrize('body, problem', [
    ({}, 'TotalCount: required key not provided'),
    ({'TotalCount': '1'}, 'TotalCount: expected an integer'),
    ({'TotalCount': True}, 'TotalCount: expected an integer'),
    ({'TotalCount': -1}, 'TotalCount: value must be at least 0'),
    ({'TotalCount': 1, 'PageSize': '100'}, 'PageSize: expected an integer'),
    ({'TotalCount': 1, 'AppInstanceGroupModels': {}}, 'AppInstanceGroupModels: expected a list'),
    ({'TotalCount': 1, 'AppInstanceGroupModels': ['aig-1']}, 'AppInstanceGroupModels[0]: expected a dictionary'),
    ({'TotalCount': 1, 'AppInstanceGroupModels': [model(AppInstanceGroupId='')]},
     'AppInstanceGroupModels[0].AppInstanceGroupId: expected a non-empty string'),
    ({'TotalCount': 1, 'AppInstanceGroupModels': [model(Status=3)]}, 'AppInstanceGroupModels[0].Status: expected a string'),
    ({'TotalCount': 1, 'AppInstanceGroupModels': [model(OtaInfo='v2')]}, 'AppInstanceGroupModels[0].OtaInfo: expected a dictionary'),
    ({'TotalCount': 1, 'AppInstanceGroupModels': [model(OtaInfo={'NewOtaVersion': 2})]},
     'AppInstanceGroupModels[0].OtaInfo.NewOtaVersion: expected a string'),
])
def test_an_invalid_group_page_is_explained(body, problem):
    assert answers.groups_page(body) is None
    assert answers.explain(answers.LIST_APP_INSTANCE_GROUP, body).startswith(problem)


def test_the_group_shape_names_the_fields_the_group_model_converts():
    assert {api_key for api_key, _name in groups.FIELDS} == {'AppInstanceGroupId'} | set(answers.GROUP_TEXT)
    assert tuple(api_key for api_key, _name in groups.OTA_FIELDS) == answers.OTA_INFO_TEXT
