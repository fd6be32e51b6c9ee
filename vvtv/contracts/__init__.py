"""Wire contracts: msgspec Structs that are the one source of every API body and WS event.

This package imports nothing of vvtv (ARC-1); JSON Schema, OpenAPI and TypeScript are generated
from it by `vvtv contracts generate`.
"""

from vvtv.contracts.base import CONTRACTS_VERSION
from vvtv.contracts.base import Contract
from vvtv.contracts.events import CLIENT_MESSAGE_TYPES
from vvtv.contracts.events import SERVER_EVENT_TYPES
from vvtv.contracts.events import ClientMessage
from vvtv.contracts.events import ServerEvent

__all__ = [
    "CLIENT_MESSAGE_TYPES",
    "CONTRACTS_VERSION",
    "SERVER_EVENT_TYPES",
    "ClientMessage",
    "Contract",
    "ServerEvent",
]
