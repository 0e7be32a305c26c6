"""Small event files written by the tests (GDELT 1.0/2.0, ICEWS, POLECAT)."""

from __future__ import annotations

import zipfile
from pathlib import Path


def gdelt_row(
    event_id: int, day: str, a1: str, a2: str, code: str, version: int = 2, goldstein: str = "-4.0"
) -> str:
    f = [""] * (61 if version == 2 else 58)
    f[0] = str(event_id)
    f[1] = day
    f[2], f[3], f[4] = day[:6], day[:4], "2025.3"
    f[5], f[6], f[7] = f"{a1}GOV", a1, a1
    f[12] = "GOV"
    f[15], f[16], f[17] = a2, a2, a2
    f[25] = "1"
    f[26], f[27], f[28] = code, code[:3], code[:2]
    f[29] = "4"
    f[30] = goldstein
    f[31], f[32], f[33], f[34] = "3", "1", "3", "-5.2"
    f[-1] = f"https://example.org/{event_id}"
    if version == 2:
        f[59] = day + "000000"
    else:
        f[56] = day
    return "\t".join(f)


def write_gdelt(path: Path, rows: list[str], zipped: bool = False) -> Path:
    text = "\n".join(rows) + "\n"
    if zipped:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(path.name.removesuffix(".zip"), text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


ICEWS_HEADER = (
    "Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\t"
    "CAMEO Code\tIntensity\tTarget Name\tTarget Sectors\tTarget Country\tStory ID\t"
    "Sentence Number\tPublisher\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude"
)


def icews_row(eid: str, day: str, src: str, code: str, tgt: str) -> str:
    return "\t".join(
        [
            eid,
            day,
            f"Government ({src})",
            "Government,Executive",
            src,
            "Reduce relations",
            code,
            "-4",
            f"Military ({tgt})",
            "Military",
            tgt,
            "4711",
            "1",
            "Publisher",
            "City",
            "NA",
            "Prov",
            src,
            "0",
            "0",
        ]
    )


POLECAT_HEADER = "\t".join(
    [
        "Event ID",
        "Event Date",
        "Event Type",
        "Event Mode",
        "Intensity",
        "Quad Code",
        "Contexts",
        "Actor Name",
        "Actor Country",
        "Actor COW",
        "Primary Actor Sector",
        "Actor Sectors",
        "Actor Title",
        "Actor Name Raw",
        "Wikipedia Actor ID",
        "Recipient Name",
        "Recipient Country",
        "Recipient COW",
        "Primary Recipient Sector",
        "Recipient Sectors",
        "Recipient Title",
        "Recipient Name Raw",
        "Wikipedia Recipient ID",
        "Placename",
        "City",
        "District",
        "Province",
        "Country",
        "Latitude",
        "Longitude",
        "GeoNames ID",
        "Raw Placename",
        "Feature Type",
        "Source",
        "Publication Date",
        "Story People",
        "Story Organizations",
        "Story Locations",
        "Language",
        "Version",
    ]
)


def polecat_row(eid: str, day: str, etype: str, mode: str, src: str, tgt: str) -> str:
    f = [""] * 40
    f[0], f[1], f[2], f[3] = eid, day, etype, mode
    f[8], f[10], f[16], f[18] = src, "Government", tgt, "Military"
    return "\t".join(f)
