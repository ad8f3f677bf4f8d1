# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pager.check_page (plain code, every page) accepts exactly what page_schema (voluptuous) accepts."""

from __future__ import annotations

import copy

from hypothesis import given, settings, strategies as st
from voluptuous import MultipleInvalid

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import page_schema, pager

TASK_KEYS = ('TaskId', 'TaskDisplayStatus', 'OtaVersion', 'TaskStartTime')
ODD = st.sampled_from([None, True, False, 0, 1, -1, 2.5, '', 'x', '7', [], {}, ['x'], {'a': 1}]).map(copy.deepcopy)


def task(i=0):
    return {'TaskId': 'ota-%d' % i, 'TaskDisplayStatus': 'FINISHED', 'OtaVersion': '0.0.1', 'TaskStartTime': '2022-08-04T14:36:00+08:00'}


def page(**changes):
    body = {'RequestId': 'r-1', 'TotalCount': 2, 'PageNumber': 1, 'PageSize': 100, 'TaskList': [task(0), task(1)]}
    body.update(changes)
    return body


def schema_accepts(body):
    try:
        page_schema.page_schema()(body)
    except MultipleInvalid:
        return False
    return True


def test_a_valid_page_gives_its_total_and_tasks():
    body = page(Extra='kept')
    assert pager.check_page(body) == (2, body['TaskList'])
    assert pager.check_page({'TotalCount': 0}) == (0, [])   # TaskList may be left out


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_check_page_agrees_with_the_voluptuous_schema(data):
    body = page()
    for key in ('RequestId', 'TotalCount', 'PageNumber', 'PageSize', 'TaskList'):
        action = data.draw(st.sampled_from(['keep', 'keep', 'drop', 'odd']))
        if action == 'drop':
            del body[key]
        elif action == 'odd':
            body[key] = data.draw(ODD)
    if isinstance(body.get('TaskList'), list):
        for item in [t for t in body['TaskList'] if isinstance(t, dict)]:
            for key in TASK_KEYS:
                action = data.draw(st.sampled_from(['keep', 'keep', 'keep', 'drop', 'odd']))
                if action == 'drop':
                    del item[key]
                elif action == 'odd':
                    item[key] = data.draw(ODD)
        if data.draw(st.booleans()):
            body['TaskList'].append(data.draw(ODD))
    assert (pager.check_page(body) is not None) == schema_accepts(body), body


def test_an_invalid_page_is_explained_as_before():
    body = page()
    del body['TaskList'][1]['TaskId']
    body['TotalCount'] = '2'
    text = page_schema.explain(body)
    assert 'TaskList[1].TaskId: required key not provided' in text
    assert 'TotalCount: expected an integer, got str' in text
