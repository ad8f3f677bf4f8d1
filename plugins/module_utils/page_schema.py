# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The voluptuous schema of a ListOtaTask answer, and the words for an answer that breaks it.

pager.check_page validates every page with plain code that accepts exactly what this
schema accepts (a property test keeps the two equal); this module, and voluptuous with
it, is imported only to explain a rejected answer.
"""

from __future__ import annotations


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


def page_schema():
    """The voluptuous schema of a ListOtaTask answer: the reference pager.check_page follows."""
    from voluptuous import ALLOW_EXTRA, All, Length, Optional as Opt, Range, Required, Schema
    task = Schema({
        Required('TaskId'): All(_text, Length(min=1)),
        Required('TaskDisplayStatus'): All(_text, Length(min=1)),
        Required('OtaVersion'): _text,
        Required('TaskStartTime'): _text,
    }, extra=ALLOW_EXTRA)
    return Schema({
        Required('TotalCount'): All(_integer, Range(min=0)),
        Opt('TaskList', default=list): [task],
        Opt('PageNumber'): _integer,
        Opt('PageSize'): _integer,
        Opt('RequestId'): _text,
    }, extra=ALLOW_EXTRA)


def explain(body):
    """Why ``body`` is no valid answer, as voluptuous words it: 'TaskList[3].TaskId: required key not provided'."""
    try:
        from voluptuous import MultipleInvalid
    except ImportError:  # the plugins report the missing library; the error still needs words
        return 'it does not have the documented fields and types'
    try:
        page_schema()(body)
    except MultipleInvalid as exc:
        return _describe(exc)
    return 'it does not have the documented fields and types'  # not reached: check_page follows the schema


def _describe(exc):
    """voluptuous errors as 'TaskList[3].TaskId: required key not provided'."""
    parts = []
    for error in exc.errors[:3]:
        path = ''
        for item in error.path:
            path += '[%d]' % item if isinstance(item, int) else ('.' if path else '') + str(item)
        parts.append('%s: %s' % (path or 'body', error.error_message or error.msg))
    more = len(exc.errors) - 3
    return '; '.join(parts) + (' (and %d more)' % more if more > 0 else '')
