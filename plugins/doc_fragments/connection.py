# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth and connection options shared by every plugin of the collection.

Each option is declared once, in plugins/module_utils/options.py (CONNECTION_OPTIONS: its argument
spec, environment variables and variables). Its words are written here only: the first line of a
description is the option's summary (the roles and the event source show it), the rest is what
every plugin shows. The PLUGINS block is written by `make options` from the declaration.
tests/unit/tools/test_connection_options.py names any option this fragment lacks or documents
with another type, default or alias than the declaration. (ansible-test reads this file as text,
so both blocks must stay plain strings.)
"""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
options:
  access_key_id:
    description:
      - The AccessKey ID to sign requests with.
      - When no credential option (O(access_key_id), O(access_key_secret), O(security_token), O(profile)) is given, the
        environment is read, first match wins; E(ALIBABA_CLOUD_ACCESS_KEY_ID) / E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) /
        E(ALIBABA_CLOUD_SECURITY_TOKEN), then E(ALICLOUD_ACCESS_KEY) / E(ALICLOUD_SECRET_KEY) /
        E(ALICLOUD_SECURITY_TOKEN), then E(ALIBABA_CLOUD_PROFILE), then the alibabacloud-credentials default chain
        (C(~/.aliyun/config.json), C(~/.alibabacloud/credentials.ini), the ECS instance RAM role unless
        E(ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)).
      - Must be given together with O(access_key_secret); mutually exclusive with O(profile).
    type: str
    aliases: [alicloud_access_key]
  access_key_secret:
    description:
      - The AccessKey secret.
      - It goes with O(access_key_id). Never logged or returned.
    type: str
    aliases: [alicloud_secret_key]
  security_token:
    description:
      - The STS token of a temporary key.
      - The STS security token, for temporary (C(STS.)) access keys. Never logged or returned.
    type: str
    aliases: [alicloud_security_token]
  profile:
    description:
      - A named credentials profile.
      - Looked up first in the aliyun CLI configuration C(~/.aliyun/config.json), then in
        C(~/.alibabacloud/credentials.ini) (or E(ALIBABA_CLOUD_CREDENTIALS_FILE)).
      - Mutually exclusive with O(access_key_id) and O(access_key_secret).
      - Read from E(ALIBABA_CLOUD_PROFILE) when no credential option is given.
      - Needs the Python library C(alibabacloud-credentials).
    type: str
  role_arn:
    description:
      - A RAM role to assume.
      - Assumed through STS C(AssumeRole) with the credential found as described above. The temporary key is obtained
        once per run and reused for every request.
      - Format C(acs:ram::<account id>:role/<role name>). Needs the Python library C(alibabacloud-credentials).
    type: str
  role_session_name:
    description:
      - The session name used with the RAM role.
      - Used with O(role_arn); 2 to 64 letters, digits or C(. @ _ -).
    type: str
    default: ansible-appstreaming
  sts_endpoint:
    description:
      - The STS endpoint used to assume the RAM role.
      - Used with O(role_arn), as C(host[:port]) (HTTPS) or a URL. Plain C(http://) is accepted only for a loopback
        host, such as the bundled emulator.
      - Defaults to C(sts.aliyuncs.com). The STS call does not use O(validate_certs) or O(ca_bundle).
    type: str
  region_id:
    description:
      - The region of the delivery groups.
      - The region of the App Streaming endpoint, for example C(cn-shanghai) or C(ap-southeast-1).
      - When not given, read from E(ALIBABA_CLOUD_REGION_ID), then E(ALICLOUD_REGION); else the C(region_id) of the
        credential profile in use (O(profile), E(ALIBABA_CLOUD_PROFILE), or the current profile of
        C(~/.aliyun/config.json) when the default chain reads it), as the aliyun CLI does; else C(cn-shanghai).
    type: str
    aliases: [alicloud_region]
  endpoint:
    description:
      - Overrides the App Streaming endpoint (for example the bundled emulator).
      - Replaces C(appstream-center.<region_id>.aliyuncs.com), as C(host[:port]) (HTTPS) or as a URL, for example a VPC
        endpoint.
      - Plain C(http://) is accepted only for a loopback host (C(127.0.0.0/8), C(::1), C(localhost)), such as the
        bundled emulator.
    type: str
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate.
      - Only set this to V(false) for a test endpoint.
    type: bool
    default: true
  ca_bundle:
    description:
      - A file of PEM CA certificates to verify the endpoint with.
      - Used instead of the system store to verify the endpoint's certificate.
    type: path
  timeout:
    description:
      - Seconds per HTTP request.
      - Connect and read timeout of each HTTP request, in seconds (the connect timeout is at most 10 seconds).
    type: float
    default: 10
  retries:
    description:
      - How often a failed request is tried again.
      - How many times one failed request is retried (0 to 50) on C(ServiceUnavailable), C(InternalError), any HTTP 5xx,
        connection errors, read timeouts and truncated answers.
      - Retries wait with exponential backoff and full jitter (at most 20 seconds, or what the API asks with
        C(x-acs-retry-after)); a request never spends more than 300 seconds retrying. Authentication and validation
        errors are never retried; a host name that does not exist (a mistyped O(region_id) or O(endpoint)) is retried
        once.
      - Throttling (C(Throttling*)) does not count against O(retries). The account's API rate limit is shared by every
        job that uses it, so throttling is normal at fleet scale; it slows a job down and is bounded only by time (a
        listing's 600 seconds, O(alibabacloud.appstreaming.ota_task_wait#module:wait_timeout) for a wait, or 300 seconds
        for a single request). From the first throttling answer on, requests wait for the client's own adaptive send
        rate instead of being sent and refused, as in botocore's C(adaptive) retry mode; the rate is cut when the API
        throttles, grows back while it accepts, and nothing is sent before C(x-acs-retry-after).
    type: int
    default: 6
  max_concurrency:
    description:
      - At most this many requests at once.
      - At most this many requests are in flight at once (1 to 64). Pages after the first and delivery groups are
        fetched concurrently. The first round trip sends at most 8 and each accepted answer opens one more slot; when
        the API throttles, the concurrency is halved and grows back on success.
      - Lowering it does not help against throttling, which is a limit on requests per second, not on requests at once.
    type: int
    default: 16
  max_requests_per_second:
    description:
      - At most this many requests per second, for an account whose API rate limit you know and share.
      - Never more than this many requests per second (greater than 0), for example half the limit for each of two jobs
        that run at once.
      - Without it, the rate is not limited until the API throttles, and then adapts by itself.
    type: float
requirements:
  - python >= 3.9
  - requests
  - voluptuous
  - alibabacloud-credentials (only for O(profile), O(role_arn) and the default credential chain)
'''

    # Controller-side plugins (the lookup) also read the ansible_appstreaming_* variables and the environment variables
    # below: plugin_utils/options.py and the argument spec read them (not Ansible's configuration), in the one precedence
    # all controller-side plugins share.
    PLUGINS = r'''
options:
  # BEGIN connection options: generated by `make options` from plugins/module_utils/options.py; edit them there
  access_key_id:
    env:
      - name: ALIBABA_CLOUD_ACCESS_KEY_ID
      - name: ALICLOUD_ACCESS_KEY
    vars:
      - name: ansible_appstreaming_access_key_id
  access_key_secret:
    env:
      - name: ALIBABA_CLOUD_ACCESS_KEY_SECRET
      - name: ALICLOUD_SECRET_KEY
    vars:
      - name: ansible_appstreaming_access_key_secret
  security_token:
    env:
      - name: ALIBABA_CLOUD_SECURITY_TOKEN
      - name: ALICLOUD_SECURITY_TOKEN
    vars:
      - name: ansible_appstreaming_security_token
  profile:
    env:
      - name: ALIBABA_CLOUD_PROFILE
    vars:
      - name: ansible_appstreaming_profile
  role_arn:
    vars:
      - name: ansible_appstreaming_role_arn
  role_session_name:
    vars:
      - name: ansible_appstreaming_role_session_name
  sts_endpoint:
    vars:
      - name: ansible_appstreaming_sts_endpoint
  region_id:
    env:
      - name: ALIBABA_CLOUD_REGION_ID
      - name: ALICLOUD_REGION
    vars:
      - name: ansible_appstreaming_region_id
  endpoint:
    vars:
      - name: ansible_appstreaming_endpoint
  validate_certs:
    vars:
      - name: ansible_appstreaming_validate_certs
  ca_bundle:
    vars:
      - name: ansible_appstreaming_ca_bundle
  timeout:
    vars:
      - name: ansible_appstreaming_timeout
  retries:
    vars:
      - name: ansible_appstreaming_retries
  max_concurrency:
    vars:
      - name: ansible_appstreaming_max_concurrency
  max_requests_per_second:
    vars:
      - name: ansible_appstreaming_max_requests_per_second
  # END connection options
'''
