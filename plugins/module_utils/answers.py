# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declared shape of every API answer the collection reads (docs/api-contract.md sections 2-5).

One voluptuous schema per action is the reference: :func:`schema`. Every answer is checked on
its way in by plain code that accepts exactly what that schema accepts (a property test per
action keeps each pair equal), because nearly every answer is valid and importing voluptuous
costs about 10 ms of a module's start. voluptuous is imported only to word what is wrong with
an answer the plain check rejected (:func:`explain`).
"""

from __future__ import annotations

import importlib.util

HAS_VOLUPTUOUS = importlib.util.find_spec('voluptuous') is not None

LIST_OTA_TASK = 'ListOtaTask'
LIST_APP_INSTANCE_GROUP = 'ListAppInstanceGroup'
GET_OTA_TASK = 'GetOtaTaskByTaskId'
APPROVE_OTA_TASK = 'ApproveOtaTask'

TASK_LIST = 'TaskList'
GROUP_MODELS = 'AppInstanceGroupModels'
# The text fields of a task and the length each must have at least (TaskId and the status name something).
TASK_TEXT = (('TaskId', 1), ('TaskDisplayStatus', 1), ('OtaVersion', 0), ('TaskStartTime', 0))
# The optional text fields of a group, and of its OtaInfo (null counts as absent).
GROUP_TEXT = ('AppInstanceGroupName', 'RegionId', 'ProductType', 'Status', 'OsType', 'GmtCreate', 'AppCenterImageId')
OTA_INFO_TEXT = ('OtaVersion', 'NewOtaVersion', 'TaskId')
RELEASE_NOTE_TEXT = ('OtaVersion', 'ReleaseNote', 'TaskStartTime')
FALLBACK = 'it does not have the documented fields and types'


# --- the plain checks: every answer goes through one of these -----------------------------------

def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _optional_text(body, keys):
    return all(body.get(key) is None or isinstance(body[key], str) for key in keys)


def _list_page(body, items_key, valid_item):
    """(TotalCount, the items list) when the fields every list answer shares and each item (a dict that
    ``valid_item`` accepts) are valid, else None."""
    total = body.get('TotalCount')
    if not _is_int(total) or total < 0:
        return None
    for key in ('PageNumber', 'PageSize'):
        if key in body and not _is_int(body[key]):
            return None
    if 'RequestId' in body and not isinstance(body['RequestId'], str):
        return None
    items = body.get(items_key, [])
    if not isinstance(items, list):
        return None
    for item in items:
        if not isinstance(item, dict) or not valid_item(item):
            return None
    return total, items


def _valid_task(task):
    for key, minimum in TASK_TEXT:  # a loop, not all(): this runs for every task listed
        value = task.get(key)
        if not isinstance(value, str) or len(value) < minimum:
            return False
    return True


def _valid_group(model):
    group_id = model.get('AppInstanceGroupId')
    if not isinstance(group_id, str) or not group_id or not _optional_text(model, GROUP_TEXT):
        return False
    ota = model.get('OtaInfo')
    return ota is None or (isinstance(ota, dict) and _optional_text(ota, OTA_INFO_TEXT))


def tasks_page(body):
    """(TotalCount, TaskList) of a valid ListOtaTask page, else None."""
    return _list_page(body, TASK_LIST, _valid_task)


def groups_page(body):
    """(TotalCount, AppInstanceGroupModels) of a valid ListAppInstanceGroup page, else None."""
    return _list_page(body, GROUP_MODELS, _valid_group)


def release_note(body):
    """The GetOtaTaskByTaskId answer when it is valid, else None."""
    if 'RequestId' in body and not isinstance(body['RequestId'], str):
        return None
    return body if _optional_text(body, RELEASE_NOTE_TEXT) else None


def approval(body):
    """The ApproveOtaTask answer when it is valid, else None (the transport has already refused a Code but success)."""
    return body if _optional_text(body, ('RequestId', 'Code', 'Message')) else None


# The checks of the list answers, by action, for the pager.
CHECKS = {LIST_OTA_TASK: tasks_page, LIST_APP_INSTANCE_GROUP: groups_page}


# --- the reference: voluptuous, imported only to explain a rejected answer -----------------------

def _integer(value):
    """int but not bool: JSON true is no count."""
    from voluptuous import Invalid
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid('expected an integer, got %s' % type(value).__name__)
    return value


def _text(value):
    from voluptuous import Invalid
    if not isinstance(value, str):
        raise Invalid('expected a string, got %s' % type(value).__name__)
    return value


def _text_or_null(value):
    return value if value is None else _text(value)


def _non_empty_text(value):
    from voluptuous import Invalid
    if not isinstance(value, str) or not value:
        raise Invalid('expected a non-empty string')
    return value


def _dictionary(schema, nullable=False):
    """A mapping checked by ``schema`` (or null when ``nullable``), in the collection's words when it is no mapping."""
    def check(value):
        from voluptuous import Invalid
        if value is None and nullable:
            return value
        if not isinstance(value, dict):
            raise Invalid('expected a dictionary, got %s' % type(value).__name__)
        return schema(value)
    return check


def _optional_texts(keys):
    from voluptuous import Optional as Opt
    return {Opt(key): _text_or_null for key in keys}


def _list_schema(items_key, item):
    from voluptuous import ALLOW_EXTRA, All, Optional as Opt, Range, Required, Schema

    def items(value):
        from voluptuous import Invalid
        if not isinstance(value, list):
            raise Invalid('expected a list, got %s' % type(value).__name__)
        return value
    return Schema({
        Required('TotalCount'): All(_integer, Range(min=0, msg='value must be at least 0')),
        Opt(items_key, default=list): All(items, [_dictionary(item)]),
        Opt('PageNumber'): _integer,
        Opt('PageSize'): _integer,
        Opt('RequestId'): _text,
    }, extra=ALLOW_EXTRA)


def schema(action):
    """The voluptuous schema of ``action``'s answer: the reference its plain check follows."""
    from voluptuous import ALLOW_EXTRA, All, Length, Optional as Opt, Required, Schema
    if action == LIST_OTA_TASK:
        task = Schema({Required(key): All(_text, Length(min=minimum)) if minimum else _text for key, minimum in TASK_TEXT},
                      extra=ALLOW_EXTRA)
        return _list_schema(TASK_LIST, task)
    if action == LIST_APP_INSTANCE_GROUP:
        ota_info = Schema(_optional_texts(OTA_INFO_TEXT), extra=ALLOW_EXTRA)
        group = dict(_optional_texts(GROUP_TEXT))
        group[Required('AppInstanceGroupId')] = _non_empty_text
        group[Opt('OtaInfo')] = _dictionary(ota_info, nullable=True)
        return _list_schema(GROUP_MODELS, Schema(group, extra=ALLOW_EXTRA))
    if action == GET_OTA_TASK:
        fields = _optional_texts(RELEASE_NOTE_TEXT)
        fields[Opt('RequestId')] = _text
        return Schema(fields, extra=ALLOW_EXTRA)
    if action == APPROVE_OTA_TASK:
        return Schema(_optional_texts(('RequestId', 'Code', 'Message')), extra=ALLOW_EXTRA)
    raise KeyError(action)


def explain(action, body):
    """Why ``body`` is no valid answer of ``action``, in voluptuous's words: 'TaskList[3].TaskId: required key not provided'."""
    try:
        from voluptuous import MultipleInvalid
    except ImportError:  # the plugins report the missing library; the error still needs words
        return FALLBACK
    try:
        schema(action)(body)
    except MultipleInvalid as exc:
        return _describe(exc)
    return FALLBACK  # not reached while the plain check follows the schema


def _describe(exc):
    """At most three voluptuous errors as 'TaskList[3].TaskId: required key not provided'."""
    parts = []
    for error in exc.errors[:3]:
        path = ''
        for item in error.path:
            path += '[%d]' % item if isinstance(item, int) else ('.' if path else '') + str(item)
        parts.append('%s: %s' % (path or 'body', error.error_message or error.msg))
    more = len(exc.errors) - 3
    return '; '.join(parts) + (' (and %d more)' % more if more > 0 else '')
