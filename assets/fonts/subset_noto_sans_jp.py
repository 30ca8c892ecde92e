"""Rebuild the shipped Noto Sans JP subsets (see assets/ASSETS.md).

Why a subset: the full Noto Sans JP is 5.5 MB a weight; the film needs what a translator
can plausibly type: Latin-1, general punctuation, CJK symbols and punctuation, hiragana,
katakana, full-width forms, Greek, currency, letterlike symbols, number
forms, arrows and every character of JIS X 0208 (levels 1 and 2 kanji, with
its Greek, Cyrillic and symbols).  Run from the repository root with the npm package
unpacked:  npm pack @expo-google-fonts/noto-sans-jp@0.4.3 && tar xzf expo-google-fonts-*.tgz
           python3 assets/fonts/subset_noto_sans_jp.py package
"""
import subprocess
import sys
from pathlib import Path

RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x370, 0x3FF), (0x2000, 0x206F), (0x20A0, 0x20CF),
          (0x2100, 0x218F), (0x2190, 0x21FF), (0x2212, 0x2212), (0x3000, 0x30FF), (0xFF00, 0xFFEF)]
WEIGHTS = {"Regular": "400Regular", "Bold": "700Bold", "Light": "300Light"}


def jis_x_0208() -> set[int]:
    """Every character of JIS X 0208 (rows 0x21-0x74), via Python's ISO-2022-JP codec."""
    out = set()
    for row in range(0x21, 0x75):
        for cell in range(0x21, 0x7F):
            try:
                s = (b"\x1b$B" + bytes([row, cell]) + b"\x1b(B").decode("iso2022_jp")
            except UnicodeDecodeError:
                continue
            out.update(map(ord, s))
    return out


def main(package: str) -> None:
    cps = jis_x_0208()
    for a, b in RANGES:
        cps.update(range(a, b + 1))
    unicodes = ",".join(f"U+{c:04X}" for c in sorted(cps))
    here = Path(__file__).resolve().parent
    for name, folder in WEIGHTS.items():
        src = Path(package) / folder / f"NotoSansJP_{folder}.ttf"
        subprocess.run(["pyftsubset", str(src), f"--unicodes={unicodes}", "--no-hinting",
                        f"--output-file={here / f'NotoSansJP-{name}.ttf'}"], check=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package")
