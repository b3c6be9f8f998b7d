"""cninfo (巨潮资讯), the CSRC's disclosure site: the periodic reports of the A-share basket.

The basket (members, their cninfo orgId, the definition it follows) is config/ashare_basket.toml.
Live: one POST to https://www.cninfo.com.cn/new/hisAnnouncement/query per member, asking for its
annual and first-quarter reports published in the configured window; each listing is
snapshotted like any source and parsed into staging.cninfo_announcements (title, period, time,
PDF). The figures themselves are read from those reports into the registry
(config/figures/ashare_*.toml); the listing says which report each period rests
on and when it was filed. Offline, nothing is fetched and the listing stays as last loaded.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from aipipe.core.jsondoc import json_object
from aipipe.core.snapshots import Snapshot
from aipipe.settings import CONFIG_DIR, Settings
from aipipe.sources.base import SourceSpec

BASKET_PATH = CONFIG_DIR / "ashare_basket.toml"
PARSER_VERSION = "cninfo-announcements-1"
TABLE = "cninfo_announcements"
LICENCE = ("cninfo (巨潮资讯网, www.cninfo.com.cn), the CSRC-designated disclosure site; listed companies' "
           "announcements are public disclosures")
STATIC_URL = "https://static.cninfo.com.cn/"
DETAIL_URL = "https://www.cninfo.com.cn/new/disclosure/detail"
COLUMNS = ["announcement_id", "code", "company_name", "org_id", "title", "report_kind", "report_period",
           "published_at", "pdf_url", "detail_url"]
# Periodic report kinds by title, most specific first (半年度报告 also contains 年度报告); summaries
# (摘要), English versions, corrections and cancelled notices are not the report itself.
_KINDS = (("半年度报告", "h1", "H1"), ("第三季度报告", "q3", "Q3"), ("三季度报告", "q3", "Q3"),
          ("第一季度报告", "q1", "Q1"), ("一季度报告", "q1", "Q1"), ("年度报告", "annual", ""))
_NOT_THE_REPORT = ("摘要", "英文", "取消", "提示性公告", "更正", "补充")
_BEIJING = timezone(timedelta(hours=8))  # cninfo's times are Beijing time, sent as epoch milliseconds


class CninfoError(ValueError):
    """A stored listing is not cninfo's announcement JSON; the message says what is wrong."""


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    plate: str  # sz | sh
    org_id: str


@dataclass(frozen=True)
class Basket:
    definition: str
    cited_note: str
    members: tuple[Member, ...]
    categories: str
    window: str


def load_basket(path: Path = BASKET_PATH) -> Basket:
    config = tomllib.loads(Path(path).read_text())
    members = []
    for entry in config.get("member", []):
        member = Member(str(entry["code"]), entry["name"], entry["plate"], str(entry["org_id"]))
        if not re.fullmatch(r"\d{6}", member.code) or member.plate not in ("sz", "sh"):
            raise ValueError(f"{path}: member {entry!r}: code must be 6 digits and plate 'sz' or 'sh'")
        members.append(member)
    listing = config.get("listing", {})
    return Basket(config.get("definition", ""), config.get("cited_note", ""), tuple(members),
                  listing.get("categories", "category_ndbg_szsh;category_yjdbg_szsh"),
                  listing.get("window", "2025-01-01~2025-06-30"))


def basket_rows(basket: Basket | None = None) -> list[dict]:
    """Rows of staging.ashare_basket."""
    basket = basket or load_basket()
    return [{"code": m.code, "name": m.name, "plate": m.plate, "org_id": m.org_id, "position": i}
            for i, m in enumerate(basket.members)]


def cninfo_sources(settings: Settings, basket: Basket | None = None) -> list[SourceSpec]:
    basket = basket or load_basket()
    return [listing_source(settings, m, basket) for m in basket.members]


def listing_source(settings: Settings, member: Member, basket: Basket) -> SourceSpec:
    form = (("pageNum", "1"), ("pageSize", "30"), ("column", "szse" if member.plate == "sz" else "sse"),
            ("tabName", "fulltext"), ("plate", member.plate), ("stock", f"{member.code},{member.org_id}"),
            ("searchkey", ""), ("secid", ""), ("category", basket.categories), ("trade", ""),
            ("seDate", basket.window), ("sortName", ""), ("sortType", ""), ("isHLtitle", "true"))
    return SourceSpec(name=f"cninfo:{member.code}", family="cninfo", table=TABLE,
                      url=f"{settings.cninfo_base_url}/new/hisAnnouncement/query", suffix=".json",
                      licence=LICENCE, parse=parse_snapshot, parser_version=PARSER_VERSION,
                      description=f"cninfo periodic reports of {member.name} ({member.code})",
                      optional=True, form=form)


def parse_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    return parse_listing(snapshot.read_bytes(), where=f"{snapshot.source}: snapshot {snapshot.path}")


def parse_listing(content: bytes, where: str = "cninfo listing") -> pd.DataFrame:
    """Rows of staging.cninfo_announcements: the periodic reports in a listing (other notices skipped)."""
    document = json_object(content, where, CninfoError)
    if "announcements" not in document:
        raise CninfoError(f"{where} has no 'announcements': not a hisAnnouncement/query response")
    rows = []
    for item in document.get("announcements") or []:
        title = re.sub(r"<[^>]+>", "", str(item.get("announcementTitle") or ""))  # isHLtitle marks up hits
        kind, suffix = next(((k, p) for word, k, p in _KINDS if word in title), (None, ""))
        if kind is None or any(word in title for word in _NOT_THE_REPORT):
            continue
        year = re.search(r"(20\d{2})\s*年", title)
        published = datetime.fromtimestamp(int(item["announcementTime"]) / 1000, _BEIJING).replace(tzinfo=None)
        rows.append({
            "announcement_id": str(item["announcementId"]), "code": str(item.get("secCode")),
            "company_name": item.get("secName"), "org_id": item.get("orgId"), "title": title,
            "report_kind": kind,
            "report_period": year.group(1) + suffix if year else None,
            "published_at": published, "pdf_url": STATIC_URL + str(item.get("adjunctUrl") or ""),
            "detail_url": (f"{DETAIL_URL}?stockCode={item.get('secCode')}&announcementId={item['announcementId']}"
                           f"&orgId={item.get('orgId')}&announcementTime={published:%Y-%m-%d}"),
        })
    return pd.DataFrame(rows, columns=COLUMNS)
