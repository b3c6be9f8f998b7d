"""Chinese text in charts and HTML pages: a small static subset of Noto Sans CJK SC.

The font comes from the PyPI package `manimgx-fonts-cjk` (Noto Sans CJK, SIL Open Font Licence
1.1, installed with aipipe), else from a system font (Debian `fonts-noto-cjk`, for example). The
package ships a 33 MB variable font whose default weight is Thin; instancing all 65k glyphs takes
minutes, so each report cuts a subset holding only the characters it shows (about a second),
fixed at Regular weight (static CFF2 outlines, which FreeType and browsers read). Latin
text stays in the default fonts; the subset is a fallback for the glyphs they lack.

Each subset gets its own family name, so several subsets can live in one matplotlib process.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

FAMILY_PREFIX = "aipipe CJK"
LICENCE = "Noto Sans CJK SC, SIL Open Font License 1.1 (via the manimgx-fonts-cjk package)"
# System fonts that cover Simplified Chinese, tried in order when the package is missing.
SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                   "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")


@dataclass(frozen=True)
class FontSource:
    """A font file (and face index within a collection) that covers Chinese."""

    path: Path
    face_index: int
    name: str
    licence: str


@dataclass(frozen=True)
class CjkFont:
    """A subset font file ready for matplotlib and for an HTML @font-face."""

    path: Path | None  # None: no CJK font was found; Chinese text will show as boxes
    family: str
    source: FontSource | None
    characters: int
    variable: bool = False  # still a variable font (browsers pick the weight; matplotlib cannot)

    @property
    def available(self) -> bool:
        return self.path is not None

    def css(self) -> str:
        """An @font-face rule embedding the subset (the page needs no network or system font)."""
        if self.path is None:
            return ""
        data = base64.b64encode(self.path.read_bytes()).decode("ascii")
        weight = "100 900" if self.variable else "400"
        return (f"@font-face {{ font-family: '{self.family}'; font-weight: {weight}; "
                f"src: url(data:font/otf;base64,{data}) format('opentype'); font-display: block; }}")

    def matplotlib_family(self) -> list[str]:
        """font.family for matplotlib: Latin from DejaVu Sans, the rest from this subset."""
        if self.path is None:
            return ["DejaVu Sans"]
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(self.path))
        return ["DejaVu Sans", self.family]


def needs_cjk_font(char: str) -> bool:
    """True for characters the default Latin fonts lack: CJK ideographs, kana, fullwidth forms."""
    if ord(char) < 0x2E80:
        return False
    return unicodedata.category(char)[0] in "LNPSM"


def find_font_source() -> FontSource | None:
    """The packaged Noto Sans CJK SC, else the first system font covering Simplified Chinese."""
    packaged = _packaged_source()
    if packaged is not None:
        return packaged
    return _system_source()


def _packaged_source() -> FontSource | None:
    try:
        import manimgx_fonts_cjk
    except ImportError:
        return None
    folder = Path(manimgx_fonts_cjk.__file__).parent
    for path in sorted(folder.glob("*.tt[cf]")) + sorted(folder.glob("*.otf")):
        index = _face_index(path, "Noto Sans CJK SC")
        if index is not None:
            return FontSource(path, index, "Noto Sans CJK SC", LICENCE)
    return None


def _face_index(path: Path, family: str) -> int | None:
    from fontTools.ttLib import TTCollection, TTFont

    if path.name.endswith(".ttc"):
        collection = TTCollection(str(path), lazy=True)
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == family:
                return index
        return None
    return 0 if TTFont(str(path), lazy=True)["name"].getDebugName(1) == family else None


def _system_source() -> FontSource | None:
    from matplotlib import font_manager

    by_name = {f.name: f for f in font_manager.fontManager.ttflist}
    for family in SYSTEM_FAMILIES:
        entry = by_name.get(family)
        if entry is not None:
            index = getattr(entry, "index", 0) or 0
            return FontSource(Path(entry.fname), index, family, f"{family} (system font)")
    return None


def subset_font(text: str, cache_dir: Path, source: FontSource | None = None, *, static: bool = True) -> CjkFont:
    """A font holding the CJK characters of `text`, cached by content.

    static=True fixes a variable font at Regular (what matplotlib needs; ~8 ms per glyph);
    static=False keeps it variable, which browsers handle and which is much faster to cut."""
    source = source or find_font_source()
    chars = "".join(sorted({c for c in text if needs_cjk_font(c)}))
    if source is None:
        return CjkFont(None, "sans-serif", None, 0)
    # Always hold something, so the family exists even for an all-Latin page.
    chars = chars or "中"
    key = hashlib.sha256(f"{source.path}#{source.face_index}#{static}#{chars}".encode()).hexdigest()[:12]
    family = f"{FAMILY_PREFIX} {key}"
    out = Path(cache_dir) / f"cjk-{key}.otf"
    if not out.exists():
        _write_subset(source, chars, family, out, static)
    from fontTools.ttLib import TTFont

    variable = "fvar" in TTFont(str(out), lazy=True)
    return CjkFont(out, family, source, len(chars), variable)


def _write_subset(source: FontSource, chars: str, family: str, out: Path, static: bool) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Bounding boxes are recomputed from the outlines kept, not from the whole font's.
    font = TTFont(str(source.path), fontNumber=source.face_index, recalcBBoxes=False)
    options = subset.Options()
    # Horizontal Chinese text needs each character's default glyph only: the layout tables
    # (vertical forms, other regions' variants) are dropped, which halves the time to cut.
    options.layout_features = []
    options.layout_closure = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    if static and "fvar" in font:
        from fontTools.varLib import instancer

        axes = {axis.axisTag: axis for axis in font["fvar"].axes}
        location = {"wght": 400} if "wght" in axes else {}
        location |= {tag: axis.defaultValue for tag, axis in axes.items() if tag not in location}
        font = instancer.instantiateVariableFont(font, location)
    _rename(font, family)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    font.save(str(tmp))
    tmp.replace(out)


def _rename(font, family: str) -> None:
    """Give the subset a family name of its own (matplotlib and browsers key fonts by name)."""
    name = font["name"]
    postscript = family.replace(" ", "-")
    for record in list(name.names):
        if record.nameID in (1, 4, 16, 21):
            name.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (2, 17, 22):
            name.setName("Regular", record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            name.setName(postscript, record.nameID, record.platformID, record.platEncID, record.langID)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        for attr in ("FullName", "FamilyName"):
            if hasattr(top, attr):
                setattr(top, attr, family)
