"""Request and response schemas, one module per audience. Responses are built from domain objects and
list their fields explicitly, so internal columns (hashes, external refs, tenant ids) never leak."""

from service.schemas.common import Limit, Offset, Page
from service.schemas.reference import (
    ChainOut,
    IndustryOut,
    OccupationOut,
    SegmentOut,
    TalentChainLinkOut,
    ZoneOut,
)

__all__ = [
    "ChainOut",
    "IndustryOut",
    "Limit",
    "Offset",
    "OccupationOut",
    "Page",
    "SegmentOut",
    "TalentChainLinkOut",
    "ZoneOut",
]
