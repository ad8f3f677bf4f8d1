# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paging through ListOtaTask and validating its answers, against the emulator.

Hand-made bodies come from a tiny stub that stands in for the transport only (the pager's
input); the pager itself and everything below it is the real code.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import ApiError, ResponseError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.groups import GroupQuery
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.groups import APP_INSTANCE_GROUPS
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.pager import OTA_TASKS, OtaTaskPager, Pager
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import to_task

from ...helpers import api_log, generated, task, transport

GROUP = 'aig-1'


def pager(server, **options):
    return OtaTaskPager(transport(server, **options))


def ids(tasks):
    return [item.get('task_id', item.get('TaskId')) for item in tasks]


def truth(server, group):
    """The emulator's ground truth in the form the pager returns (tasks.to_task)."""
    return [to_task(raw, group) for raw in server.tasks(group)]


class BodyFeed:
    """Stands in for the Transport: answers every call with the next body given (the last one repeats)."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.params = []
        self.queries = []
        self.settings = SimpleNamespace(region_id='cn-shanghai')
        self.limiter = SimpleNamespace(maximum=1)

    def call(self, action, params, deadline=None, query=None):
        assert action in ('ListOtaTask', 'ListAppInstanceGroup') and deadline is None
        self.params.append(params)
        self.queries.append(query)
        body = self.bodies.pop(0) if len(self.bodies) > 1 else self.bodies[0]
        if isinstance(body, Exception):   # a call the transport's retries could not get past
            raise body
        return body


def api_task(task_id='ota-1', **changes):
    data = {'TaskId': task_id, 'TaskDisplayStatus': 'RUNNING', 'OtaVersion': 'v1', 'TaskStartTime': '2022-08-04T14:36:00+08:00'}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def test_a_badly_shaped_answer_is_a_response_error_naming_the_action_and_request_id(emulator):
    server = emulator({GROUP: generated(3)}, faults={'schedule': {'1': 'badshape'}})
    with pytest.raises(ResponseError) as err:
        pager(server).list_all([GROUP], 'Fota')
    text = str(err.value)
    assert text.startswith('ListOtaTask returned an invalid response: for group aig-1 page 1: ')
    assert 'TotalCount: expected an integer, got str' in text
    assert 'TaskList[0].TaskId: required key not provided' in text
    assert err.value.request_id and text.endswith('(RequestId %s)' % err.value.request_id)
    assert len(api_log(server)) == 1   # a wrong answer is not retried


@pytest.mark.parametrize('body, problem', [
    ({'RequestId': 'REQ-1'}, 'TotalCount: required key not provided'),
    ({'RequestId': 'REQ-1', 'TotalCount': True, 'TaskList': []}, 'TotalCount: expected an integer, got bool'),
    ({'RequestId': 'REQ-1', 'TotalCount': -1, 'TaskList': []}, 'TotalCount: value must be at least 0'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1.5, 'TaskList': []}, 'TotalCount: expected an integer, got float'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': None}, 'TaskList: expected a list'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': {'TaskId': 'ota-1'}}, 'TaskList: expected a list'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': ['ota-1']}, 'TaskList[0]: expected a dictionary'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': [api_task(TaskId='')]}, 'TaskList[0].TaskId: length of value must be at least 1'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': [api_task(TaskId=17)]}, 'TaskList[0].TaskId: expected a string, got int'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': [api_task(TaskDisplayStatus=None)]},
     'TaskList[0].TaskDisplayStatus: expected a string, got NoneType'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': [api_task(OtaVersion=...)]}, 'TaskList[0].OtaVersion: required key not provided'),
    ({'RequestId': 'REQ-1', 'TotalCount': 1, 'TaskList': [api_task(TaskStartTime=20220804)]},
     'TaskList[0].TaskStartTime: expected a string, got int'),
    ({'RequestId': 'REQ-1', 'TotalCount': 10 ** 9, 'TaskList': []}, 'group aig-1 reports TotalCount 1000000000, more than 10000 pages'),
])
def test_malformed_or_mistyped_bodies_are_response_errors(body, problem):
    with pytest.raises(ResponseError) as err:
        OtaTaskPager(BodyFeed(body)).list_all([GROUP], 'Fota')
    text = str(err.value)
    assert text.startswith('ListOtaTask returned an invalid response: ')
    assert problem in text
    assert text.endswith('(RequestId REQ-1)') and err.value.request_id == 'REQ-1'


def test_a_request_id_that_is_not_a_string_is_not_echoed():
    with pytest.raises(ResponseError) as err:
        OtaTaskPager(BodyFeed({'RequestId': ['x'], 'TotalCount': 0})).list_all([GROUP], 'Fota')
    assert err.value.request_id is None and 'RequestId: expected a string, got list' in str(err.value)


def test_a_body_without_task_list_is_an_empty_page_and_unknown_fields_are_ignored():
    feed = BodyFeed({'RequestId': 'REQ-1', 'TotalCount': 0, 'Extra': {'New': 1}})
    listing, = OtaTaskPager(feed).list_all([GROUP], 'Fota')
    assert (listing.total_count, listing.items, listing.consistent) == (0, [], True)


def test_extra_task_fields_pass_validation():
    feed = BodyFeed({'TotalCount': 1, 'TaskList': [api_task(ReleaseNote='notes')]})
    listing, = OtaTaskPager(feed).list_all([GROUP], 'Fota')
    assert listing.items[0]['task_id'] == 'ota-1' and 'ReleaseNote' not in listing.items[0]   # extra fields pass, are not returned


@pytest.mark.parametrize('count', [0, 1, 99, 100, 101, 250])
def test_every_task_once_in_api_order_with_the_fewest_calls(emulator, count):
    server = emulator({GROUP: generated(count)})
    listing, = pager(server).list_all([GROUP], 'Fota')
    assert listing.items == truth(server, GROUP)
    assert listing.total_count == count and listing.consistent
    log = api_log(server)
    pages = max(1, math.ceil(count / 100))
    assert sorted(entry['page_number'] for entry in log) == list(range(1, pages + 1))
    assert {entry['page_size'] for entry in log} == {100}


def test_a_smaller_page_size_takes_more_calls(emulator):
    server = emulator({GROUP: generated(23)})
    listing, = pager(server).list_all([GROUP], 'Fota', page_size=5)
    assert listing.items == truth(server, GROUP)
    assert sorted((e['page_number'], e['page_size']) for e in api_log(server)) == [(n, 5) for n in range(1, 6)]


def test_groups_come_back_in_the_order_given(emulator):
    groups = {'aig-b': generated(120), 'aig-a': {'tasks': [task('ota-a1', 'RUNNING'), task('ota-a2')]}, 'aig-empty': generated(0)}
    server = emulator(groups)
    listings = pager(server).list_all(['aig-empty', 'aig-b', 'aig-a'], 'Fota')
    assert [lst.key for lst in listings] == ['aig-empty', 'aig-b', 'aig-a']
    for lst in listings:
        assert lst.items == truth(server, lst.key) and lst.total_count == len(lst.items)
    assert server.stats()['list_calls_by_group'] == {'aig-empty': 1, 'aig-b': 2, 'aig-a': 1}


def test_pages_are_fetched_concurrently_within_max_concurrency(emulator):
    server = emulator({GROUP: generated(250)}, latency_ms=40)
    listing, = pager(server, max_concurrency=3).list_all([GROUP], 'Fota', page_size=25)
    assert listing.items == truth(server, GROUP)
    assert 2 <= server.stats()['max_in_flight'] <= 3


def test_a_failed_page_is_retried_alone(emulator):
    server = emulator({GROUP: generated(250)}, faults={'schedule': {'3': 'http500'}})
    listing, = pager(server).list_all([GROUP], 'Fota')
    assert listing.items == truth(server, GROUP)
    assert sorted(e['page_number'] for e in api_log(server) if e['fault'] is None) == [1, 2, 3]
    assert len(api_log(server)) == 4


def test_a_task_inserted_at_the_head_mid_scan_is_neither_lost_nor_repeated(emulator):
    server = emulator({GROUP: generated(250)}, faults={'schedule': {'2': 'insert_head'}})
    before = ids(server.tasks(GROUP))
    paged = pager(server)
    listing, = paged.list_all([GROUP], 'Fota')
    after = server.tasks(GROUP)
    assert len(after) == 251 and ids(after)[1:] == before
    assert listing.items == [to_task(raw, GROUP) for raw in after]   # the final ground truth, in API order
    assert len(set(ids(listing.items))) == len(listing.items) == listing.total_count == 251
    assert listing.consistent and paged.warnings == []
    assert len(api_log(server)) == 6   # the first read was inconsistent, so the group was read again


def test_a_task_inserted_before_the_first_page_needs_no_second_read(emulator):
    server = emulator({GROUP: generated(250)}, faults={'schedule': {'1': 'insert_head'}})
    listing, = pager(server).list_all([GROUP], 'Fota')
    assert listing.items == truth(server, GROUP) and len(listing.items) == 251
    assert len(api_log(server)) == 3


def test_a_group_that_never_settles_gives_a_warning(emulator):
    server = emulator({GROUP: generated(250), 'aig-calm': generated(5)}, faults={'every': {'insert_head': 1}})
    paged = pager(server, max_concurrency=1)
    listings = paged.list_all([GROUP, 'aig-calm'], 'Fota')
    assert paged.warnings == [
        'ListOtaTask: the task list of aig-1 kept changing while it was read (3 attempts); the result may miss or repeat '
        'tasks that changed meanwhile']
    assert not listings[0].consistent
    assert listings[1].consistent and listings[1].items == truth(server, 'aig-calm')
    assert len(set(ids(listings[0].items))) == len(listings[0].items)   # never a task twice
    assert server.stats()['list_calls_by_group'][GROUP] == 9   # three rounds of three pages


def test_page_number_mode_returns_that_page_as_the_api_does(emulator):
    server = emulator({GROUP: generated(35), 'aig-2': generated(12)})
    listings = pager(server).list_pages([GROUP, 'aig-2'], 'Fota', 2, 10)
    assert [(lst.key, lst.total_count) for lst in listings] == [(GROUP, 35), ('aig-2', 12)]
    assert listings[0].items == truth(server, GROUP)[10:20]
    assert listings[1].items == truth(server, 'aig-2')[10:12]
    assert sorted((e['group'], e['page_number'], e['page_size']) for e in api_log(server)) == [('aig-1', 2, 10), ('aig-2', 2, 10)]


def test_page_number_mode_past_the_end_is_empty_with_the_real_total(emulator):
    server = emulator({GROUP: generated(35)})
    listing, = pager(server).list_pages([GROUP], 'Fota', 9, 10)
    assert (listing.total_count, listing.items) == (35, [])


def test_an_unknown_group_says_which_group_and_region(emulator):
    server = emulator({GROUP: generated(3)})
    with pytest.raises(ApiError) as err:
        pager(server).list_all([GROUP, 'aig-nope'], 'Fota')
    assert err.value.code == 'InvalidAppInstanceGroup.NotFound' and err.value.request_id
    assert "Delivery group 'aig-nope' does not exist in region cn-shanghai or is not visible to this account" in str(err.value)


def group_page(total, *group_ids):
    return {'TotalCount': total, 'AppInstanceGroupModels': [{'AppInstanceGroupId': g} for g in group_ids]}


def test_the_same_pager_lists_groups_and_reads_again_until_the_pages_agree():
    """A group created between page 1 and page 2 shifts the pages: the listing is read again, exactly."""
    feed = BodyFeed(group_page(3, 'aig-c', 'aig-b'), group_page(4, 'aig-b', 'aig-a'),              # round 1: TotalCount moved
                    group_page(4, 'aig-d', 'aig-c'), group_page(4, 'aig-b', 'aig-a'))               # round 2: one snapshot
    paged = Pager(feed)
    listing, = paged.all(APP_INSTANCE_GROUPS, [GroupQuery('cn-shanghai', name='office')], page_size=2)
    assert [g['app_instance_group_id'] for g in listing.items] == ['aig-d', 'aig-c', 'aig-b', 'aig-a'] and listing.consistent
    assert [q['PageNumber'] for q in feed.queries] == [1, 2, 1, 2]
    assert feed.queries[0] == {'BizRegionId': 'cn-shanghai', 'ProductType': 'CloudApp', 'PageNumber': 1, 'PageSize': 2,
                               'AppInstanceGroupId': None, 'AppInstanceGroupName': 'office'}
    assert paged.warnings == []


def test_a_group_listing_that_never_settles_gives_a_warning():
    feed = BodyFeed(group_page(3, 'aig-c', 'aig-b'), group_page(3, 'aig-b'))   # page 2 repeats aig-b, forever
    paged = Pager(feed)
    listing, = paged.all(APP_INSTANCE_GROUPS, [GroupQuery('cn-shanghai')], page_size=2)
    assert not listing.consistent and len(feed.queries) == 6
    assert paged.warnings == ['ListAppInstanceGroup: the delivery groups of region cn-shanghai kept changing while it was read '
                              '(3 attempts); the result may miss or repeat groups that changed meanwhile']


def test_an_invalid_group_page_names_the_listing_and_the_field():
    with pytest.raises(ResponseError) as err:
        Pager(BodyFeed({'TotalCount': 1, 'AppInstanceGroupModels': [{'AppInstanceGroupId': 7}]})).all(
            APP_INSTANCE_GROUPS, [GroupQuery('cn-shanghai', 'aig-1')])
    assert str(err.value) == ('ListAppInstanceGroup returned an invalid response: for the delivery groups of region cn-shanghai, '
                              'group aig-1 page 1: AppInstanceGroupModels[0].AppInstanceGroupId: expected a non-empty string')


def test_with_an_errors_dict_a_group_that_fails_does_not_stop_the_others(emulator):
    """The event source lists each group on its own: a deleted group is left out with its error, the others are listed
    in full; without the dict the first error is raised."""
    server = emulator({'aig-ok': generated(150), 'aig-gone': generated(3), 'aig-small': generated(2)},
                      faults={'not_found': {'aig-gone': {'from': 1}}})
    errors = {}
    listings = pager(server).list_all(['aig-ok', 'aig-gone', 'aig-small'], 'Fota', errors=errors)
    assert [(lst.key, ids(lst.items)) for lst in listings] == [(g, ids(truth(server, g))) for g in ('aig-ok', 'aig-small')]
    assert list(errors) == ['aig-gone'] and errors['aig-gone'].code == 'InvalidAppInstanceGroup.NotFound'
    with pytest.raises(ApiError, match="Delivery group 'aig-gone' does not exist"):
        pager(server).list_all(['aig-ok', 'aig-gone'], 'Fota')


def test_with_an_errors_dict_a_group_whose_later_page_fails_is_left_out_whole():
    """Page 2 of aig-a fails: aig-a gives its error, not a partial listing; aig-b is listed."""
    failure = ApiError('ListOtaTask', 'InternalError', 'The request processing has failed due to some unknown error.')
    feed = BodyFeed({'RequestId': 'REQ-1', 'TotalCount': 150, 'TaskList': [api_task('ota-a%d' % n) for n in range(100)]},
                    {'RequestId': 'REQ-2', 'TotalCount': 1, 'TaskList': [api_task('ota-b')]}, failure)
    errors = {}
    listings = Pager(feed).all(OTA_TASKS, [('aig-a', 'Fota'), ('aig-b', 'Fota')], errors=errors)
    assert [(lst.key, ids(lst.items)) for lst in listings] == [(('aig-b', 'Fota'), ['ota-b'])]
    assert errors == {('aig-a', 'Fota'): failure}
    assert [(p['AppInstanceGroupId'], p['PageNumber']) for p in feed.params] == [('aig-a', 1), ('aig-b', 1), ('aig-a', 2)]
