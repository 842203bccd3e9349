"""Region profiles: who the material is for decides its script conversion, quotation marks,
the hotlines it prints and the app it recommends.

The starter library is written for the Chinese mainland. A region profile does not rewrite
content (laws and contacts there stay Mainland ones, and `check` says so); it switches what
the templates print around the content to the region's official anti-fraud contacts.

Contacts were checked against official sources (2026-12):
- Hong Kong: 999; Hong Kong Police Anti-Deception Coordination Centre "防騙易 18222"
  (news.gov.hk 2017-07-20; police.gov.hk) and its Scameter app "防騙視伏App".
- Macau: 999; Judiciary Police anti-fraud enquiry line 8800 7777 and report line 993, and
  its "反詐程式" (gov.mo, 司法警察局警情通告 2023-12-21 and 2026-01-14).
- Taiwan: 110; 內政部警政署 165 反詐騙諮詢專線 and the 165全民防騙網 (165.npa.gov.tw).
Texts are written in Simplified Chinese like all content; the build converts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RegionId = Literal["mainland", "hk", "mo", "tw"]


@dataclass(frozen=True)
class Region:
    id: str
    name: str                              # Chinese name for messages
    locale: str                            # default output script
    opencc: str                            # default OpenCC configuration
    corner_quotes: bool                    # 「」『』 instead of “”‘’
    hotlines: tuple[tuple[str, str], ...]  # (number, label); empty: the project's own default
    app_line: str | None                   # None: derived from [project] app
    emergency_numbers: frozenset[str] = frozenset()   # for emergencies only, not for suspicions
    site: str | None = None                # the official anti-fraud site a QR code should open


REGIONS: dict[str, Region] = {
    "mainland": Region("mainland", "中国内地", "zh-Hans", "s2t", False, (), None),
    "hk": Region("hk", "香港", "zh-Hant", "s2hk", True,
                 (("999", "紧急求助"), ("18222", "防骗易24小时咨询热线")),
                 "用“防骗视伏App”查一查可疑电话和网址", frozenset({"999"}),
                 "https://www.adcc.gov.hk/"),
    "mo": Region("mo", "澳门", "zh-Hant", "s2hk", True,
                 (("999", "紧急求助热线"), ("8800 7777", "司警局防诈骗查询热线"), ("993", "司警局报案热线")),
                 "用司警局“反诈程式”查核可疑信息的风险指数", frozenset({"999"}),
                 "https://www.pj.gov.mo/"),
    "tw": Region("tw", "台湾", "zh-Hant", "s2twp", True,
                 (("110", "报案专线"), ("165", "反诈骗咨询专线")),
                 "上“165全民防骗网”查证诈骗手法", site="https://165.npa.gov.tw/"),
}

# Numbers that belong to the mainland's anti-fraud system; in another region's material
# they are a sign that content was not adapted.
MAINLAND_CONTACT_NUMBERS = frozenset({"96110", "12381"})
MAINLAND_CONTACT_NAMES = ("国家反诈中心",)


def default_app_line(app: str) -> str:
    return f"下载“{app}”App，开启来电预警"
