"""WeCom's callback protocol (企业微信 "接收消息" with 加解密方案), without Rasa or a web framework.

A callback carries ``msg_signature``, ``timestamp`` and ``nonce`` in its query string; the signature is
SHA-1 over the sorted Token, timestamp, nonce and ciphertext. The ciphertext is AES-256-CBC with the
EncodingAESKey and holds the message XML and the corp id. wechatpy does the crypto and the parsing;
this module adds what a server must check around it (missing parameters, stale timestamps, XML that is
not WeCom's) and says which HTTP status each failure deserves.
"""

from __future__ import annotations

import binascii
import re
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Callable, List, Mapping
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.channels.inbound import EVENT, FILE, TEXT, CallbackRejected, Incoming

MAX_CLOCK_SKEW = 300  # seconds between a callback's timestamp and our clock
# Characters XML 1.0 forbids; a user's message may contain them, and then WeCom's XML would not parse.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class CallbackCrypto:
    """Checks and opens WeCom callbacks: query parameters, timestamp, signature, AES, XML."""

    token: str
    aes_key: str
    corp_id: str
    max_clock_skew: float = MAX_CLOCK_SKEW
    clock: Callable[[], float] = time.time
    _crypto: WeChatCrypto = field(init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            self._crypto = WeChatCrypto(self.token, self.aes_key, self.corp_id)
        except (AssertionError, binascii.Error, ValueError) as error:
            raise ValueError(
                "the WeCom EncodingAESKey must be the 43 characters the admin console shows"
            ) from error

    def _signed_query(self, args: Mapping[str, str], *extra: str) -> List[str]:
        names = ("msg_signature", "timestamp", "nonce", *extra)
        missing = [name for name in names if not args.get(name)]
        if missing:
            raise CallbackRejected(400, f"missing query parameter(s): {', '.join(missing)}")
        values = [args[name] for name in names]
        timestamp = values[1]
        if not timestamp.isdigit() or len(timestamp) > 12:
            raise CallbackRejected(400, "timestamp is not a number of seconds")
        if abs(self.clock() - int(timestamp)) > self.max_clock_skew:
            raise CallbackRejected(403, "stale timestamp")
        return values

    def _decrypt(self, encrypted: str, signature: str, timestamp: str, nonce: str) -> str:
        try:
            return self._crypto.decrypt_message({"Encrypt": encrypted}, signature, timestamp, nonce)
        except InvalidSignatureException as error:
            raise CallbackRejected(403, "bad signature") from error
        except InvalidCorpIdException as error:
            raise CallbackRejected(403, "encrypted for another corp id") from error
        except (ValueError, TypeError, IndexError, binascii.Error, struct.error) as error:
            raise CallbackRejected(400, "cannot decrypt") from error

    def verify_url(self, args: Mapping[str, str]) -> str:
        """The plain text of ``echostr``, which WeCom expects back when the URL is saved."""
        signature, timestamp, nonce, echostr = self._signed_query(args, "echostr")
        return self._decrypt(echostr, signature, timestamp, nonce)

    def open(self, args: Mapping[str, str], body: bytes) -> Any:
        """The decrypted message or event, parsed by wechatpy (``.type``, ``.source``, ``.id``…)."""
        signature, timestamp, nonce = self._signed_query(args)
        try:
            envelope = xmltodict.parse(body.decode("utf-8")).get("xml")
        except (ExpatError, UnicodeDecodeError, ValueError) as error:
            raise CallbackRejected(400, "body is not XML") from error
        encrypted = envelope.get("Encrypt") if isinstance(envelope, dict) else None
        if not isinstance(encrypted, str) or not encrypted:
            raise CallbackRejected(400, "no <Encrypt> in the body")
        plain = _XML_ILLEGAL.sub("", self._decrypt(encrypted, signature, timestamp, nonce))
        try:
            message = parse_message(plain)
        except (ExpatError, KeyError, TypeError, AttributeError, ValueError) as error:
            raise CallbackRejected(400, "decrypted message is not a WeCom message") from error
        if message is None or not getattr(message, "source", None):
            raise CallbackRejected(400, "decrypted message has no sender")
        return message


def dedupe_key(message: Any) -> str:
    """MsgId for messages; events have none, so sender, time and event name stand in."""
    if getattr(message, "id", None):
        return f"msg:{message.id}"
    return f"event:{message.source}:{message.time}:{getattr(message, 'event', message.type)}"


def incoming(message: Any, agent_id: int) -> Incoming:
    """What the channel core needs of an opened callback; the sender id is the WeCom user id."""
    # wechatpy knows no file message (MsgType file, MediaId): it is an UnknownMessage with its fields.
    raw = getattr(message, "_data", None) or {}
    msg_type = str(raw.get("MsgType") or message.type).lower()
    kind = {"text": TEXT, "event": EVENT, "file": FILE}.get(msg_type, msg_type)
    return Incoming(
        key=dedupe_key(message),
        sender=str(message.source),
        kind=kind,
        text=str(getattr(message, "content", "") or "") if kind == TEXT else "",
        message_id=str(message.id),
        media_id=str(raw.get("MediaId") or "") if kind == FILE else "",
        file_name=str(raw.get("FileName") or raw.get("Title") or "") if kind == FILE else "",
        metadata={"wecom_agent_id": agent_id},
    )
