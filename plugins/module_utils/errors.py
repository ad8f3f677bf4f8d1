# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the shared client.

The module and the lookup turn these into ``fail_json`` / ``AnsibleLookupError``: the
message of every exception is written for the playbook author and never holds a secret.
"""

from __future__ import annotations


class AppStreamingError(Exception):
    """Base class: ``str(e)`` is the user-facing message; ``details()`` extra result keys.

    ``transient`` is set on errors that retries could not get past but a later poll may.
    """

    transient = False

    def details(self):
        return {}


class OptionError(AppStreamingError):
    """An option value is invalid or options conflict; the message names the option."""


class CredentialError(AppStreamingError):
    """No usable credential could be found or obtained; the message says what was tried."""


class TransportError(AppStreamingError):
    """The endpoint could not be reached or answered garbage, after all retries."""


class ApiError(AppStreamingError):
    """An error answer of the API: Code, Message, RequestId, HTTP status and Recommend."""

    def __init__(self, action, code, message, request_id=None, status=None, recommend=None, hint=None, retry_after_ms=None):
        self.action = action
        self.code = code
        self.api_message = message
        self.request_id = request_id
        self.status = status
        self.recommend = recommend
        self.hint = hint
        self.retry_after_ms = retry_after_ms
        super().__init__(self._text())

    def _text(self):
        text = '%s failed: %s: %s' % (self.action, self.code, self.api_message)
        if self.status is not None:
            text += ' (HTTP %s' % self.status
            text += ', RequestId %s)' % self.request_id if self.request_id else ')'
        if self.hint:
            text += '. ' + self.hint
        return text

    def details(self):
        return {'error': {
            'code': self.code, 'message': self.api_message, 'request_id': self.request_id,
            'http_status': self.status, 'recommend': self.recommend,
        }}


class ResponseError(AppStreamingError):
    """A response that is not what the API documents (malformed, missing or mistyped fields)."""

    def __init__(self, action, problem, request_id=None):
        self.action = action
        self.request_id = request_id
        text = '%s returned an invalid response: %s' % (action, problem)
        if request_id:
            text += ' (RequestId %s)' % request_id
        super().__init__(text)
