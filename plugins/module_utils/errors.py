# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the shared client.

The module and the lookup turn these into ``fail_json`` / ``AnsibleLookupError``: the
message of every exception is written for the playbook author and never holds a secret.
"""

from __future__ import annotations

import re

# What an API error code means for the playbook author (appended to the error message).
HINTS = {
    'SignatureDoesNotMatch': 'Check access_key_secret: the signature made with it does not match',
    'IncompleteSignature': 'The request signature was rejected as incomplete',
    'InvalidAccessKeyId.NotFound': 'Check access_key_id: the API does not know this access key',
    'InvalidAccessKeyId.Inactive': 'The access key is disabled',
    'InvalidTimeStamp.Expired': "Check this machine's clock: it must be within 15 minutes of the real time",
    'InvalidTimeStamp.Format': "Check this machine's clock",
    'MissingSecurityToken': 'This access key is an STS key: give its security_token too',
    'InvalidSecurityToken.Expired': 'The STS security token has expired: get a new one, or use role_arn so the collection assumes the role itself',
    'InvalidSecurityToken.Malformed': 'The STS security token is not valid for this access key',
    'InvalidSecurityToken.Mismatch': 'The STS security token is not valid for this access key',
    'Forbidden.RAM': 'The RAM identity needs the permission appstreaming:ListAppInstanceGroup',
    'NoPermission': 'The RAM identity is not allowed to do this',
}
# The same codes when the key is the temporary one assumed for role_arn: it is renewed 15
# minutes before it expires, so an expired or unknown token means a clock or STS problem.
ASSUMED_ROLE_HINTS = {
    'InvalidSecurityToken.Expired': "The temporary key assumed for role_arn was rejected as expired before it was due to be "
                                    "renewed: check this machine's clock",
    'InvalidSecurityToken.Malformed': 'The temporary key assumed for role_arn was rejected: check sts_endpoint',
    'InvalidSecurityToken.Mismatch': 'The temporary key assumed for role_arn was rejected: check sts_endpoint',
}
_CODE_IN_BODY = r'"Code"\s*:\s*"([A-Za-z0-9_.]+)"'  # compiled on first use (STS errors only)


def hint(code, assumed_role=False):
    """The hint for an API error code, or None."""
    return (assumed_role and ASSUMED_ROLE_HINTS.get(code)) or HINTS.get(code)


def hint_in_text(text):
    """The hint for the first error ``"Code"`` in a JSON error body quoted inside ``text`` (STS errors), or None."""
    match = re.search(_CODE_IN_BODY, text or '')
    return hint(match.group(1)) if match else None


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


class OutcomeUnknown(TransportError):
    """A write whose answer was lost (timeout, dropped connection, garbled body): it may or may not have been applied.

    It is never resent blindly; the caller re-reads the state first.
    """


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
