"""Draws the category pictures product cards fall back to: web/static/categories/<slug>.svg.

The demo catalogue has no photos and the page may load nothing from the internet, so each
category gets a flat illustration on a tinted background, in its own colour family. The
output is committed; run this again only after changing a drawing:

    .venv/bin/python web/tools/make_product_images.py

Every slug in ``shop_site.product_images.CATEGORY_ART`` must have a drawing here (a test
checks the files exist).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "web" / "static" / "categories"

# (main colour, background tint) per colour family.
PALETTES = {
    "blue": ("#3b7bf0", "#e9f1ff"),
    "indigo": ("#5b5fe0", "#eeeefe"),
    "sky": ("#1596d6", "#e4f5fd"),
    "orange": ("#ea6a1f", "#fff1e6"),
    "rose": ("#e0487f", "#ffeef5"),
    "amber": ("#e89a00", "#fff6df"),
    "pink": ("#f06595", "#fff0f6"),
    "green": ("#12a877", "#e4f8f0"),
    "brown": ("#a9744f", "#f8efe7"),
    "violet": ("#7950f2", "#f1ecff"),
    "cyan": ("#1098ad", "#e3f8fb"),
    "tangerine": ("#f57c1f", "#fff3e4"),
    "slate": ("#4a5563", "#edf0f3"),
    "gold": ("#c2912a", "#fbf4e3"),
}

# Each drawing: palette and SVG body on a 240x240 canvas. C = main colour, L = tint,
# W = white. Shapes are simple and bold so they read at 80px.
DRAWINGS: dict[str, tuple[str, str]] = {
    "phone": ("blue", """
      <rect x="86" y="48" width="68" height="140" rx="14" fill="C"/>
      <rect x="93" y="60" width="54" height="112" rx="6" fill="W" opacity=".92"/>
      <rect x="110" y="53" width="20" height="4" rx="2" fill="W" opacity=".6"/>
      <rect x="102" y="74" width="36" height="6" rx="3" fill="C" opacity=".35"/>
      <rect x="102" y="88" width="24" height="6" rx="3" fill="C" opacity=".25"/>
      <circle cx="120" cy="138" r="16" fill="C" opacity=".18"/>
      <rect x="112" y="178" width="16" height="3" rx="1.5" fill="W" opacity=".7"/>"""),
    "tablet": ("blue", """
      <rect x="56" y="62" width="128" height="116" rx="14" fill="C"/>
      <rect x="66" y="72" width="108" height="96" rx="5" fill="W" opacity=".92"/>
      <rect x="78" y="86" width="54" height="8" rx="4" fill="C" opacity=".35"/>
      <rect x="78" y="102" width="84" height="6" rx="3" fill="C" opacity=".2"/>
      <rect x="78" y="114" width="70" height="6" rx="3" fill="C" opacity=".2"/>
      <rect x="78" y="130" width="36" height="26" rx="5" fill="C" opacity=".25"/>
      <rect x="120" y="130" width="42" height="26" rx="5" fill="C" opacity=".15"/>"""),
    "smartwatch": ("blue", """
      <rect x="98" y="40" width="44" height="40" rx="8" fill="C" opacity=".55"/>
      <rect x="98" y="160" width="44" height="40" rx="8" fill="C" opacity=".55"/>
      <rect x="80" y="72" width="80" height="96" rx="24" fill="C"/>
      <rect x="90" y="82" width="60" height="76" rx="16" fill="#1b2a4a"/>
      <circle cx="120" cy="120" r="24" fill="none" stroke="#ff6b6b" stroke-width="6" stroke-dasharray="110 200" stroke-linecap="round" transform="rotate(-90 120 120)"/>
      <circle cx="120" cy="120" r="15" fill="none" stroke="#51cf66" stroke-width="6" stroke-dasharray="60 200" stroke-linecap="round" transform="rotate(-90 120 120)"/>
      <rect x="160" y="108" width="6" height="18" rx="3" fill="C"/>"""),
    "headphones": ("blue", """
      <path d="M68 140v-18a52 52 0 0 1 104 0v18" fill="none" stroke="C" stroke-width="12" stroke-linecap="round"/>
      <rect x="56" y="128" width="34" height="56" rx="14" fill="C"/>
      <rect x="150" y="128" width="34" height="56" rx="14" fill="C"/>
      <rect x="64" y="140" width="18" height="32" rx="8" fill="W" opacity=".3"/>
      <rect x="158" y="140" width="18" height="32" rx="8" fill="W" opacity=".3"/>"""),
    "camera": ("blue", """
      <path d="M92 76l10-16h36l10 16z" fill="C" opacity=".7"/>
      <rect x="48" y="74" width="144" height="100" rx="16" fill="C"/>
      <circle cx="120" cy="124" r="36" fill="W"/>
      <circle cx="120" cy="124" r="27" fill="#1b2a4a"/>
      <circle cx="120" cy="124" r="15" fill="C" opacity=".8"/>
      <circle cx="111" cy="115" r="6" fill="W" opacity=".7"/>
      <rect x="160" y="86" width="18" height="10" rx="3" fill="W" opacity=".6"/>"""),
    "digital": ("blue", """
      <rect x="50" y="88" width="56" height="96" rx="10" fill="C" opacity=".55"/>
      <rect x="92" y="56" width="66" height="128" rx="12" fill="C"/>
      <rect x="99" y="66" width="52" height="104" rx="5" fill="W" opacity=".92"/>
      <circle cx="170" cy="150" r="26" fill="C" opacity=".8"/>
      <circle cx="170" cy="150" r="16" fill="W" opacity=".9"/>"""),
    "laptop": ("indigo", """
      <rect x="62" y="60" width="116" height="84" rx="8" fill="C"/>
      <rect x="70" y="68" width="100" height="68" rx="3" fill="W" opacity=".92"/>
      <path d="M44 152h152l-10 20H54z" fill="C" opacity=".8"/>
      <rect x="106" y="152" width="28" height="5" rx="2.5" fill="W" opacity=".6"/>
      <rect x="82" y="82" width="44" height="7" rx="3.5" fill="C" opacity=".35"/>
      <rect x="82" y="96" width="72" height="6" rx="3" fill="C" opacity=".2"/>
      <rect x="82" y="108" width="60" height="6" rx="3" fill="C" opacity=".2"/>"""),
    "monitor": ("indigo", """
      <rect x="42" y="54" width="156" height="100" rx="10" fill="C"/>
      <rect x="50" y="62" width="140" height="80" rx="4" fill="W" opacity=".92"/>
      <path d="M108 154h24l6 26h-36z" fill="C" opacity=".75"/>
      <rect x="84" y="178" width="72" height="8" rx="4" fill="C"/>
      <path d="M62 128l30-30 22 20 18-14 38 24z" fill="C" opacity=".3"/>
      <circle cx="164" cy="84" r="9" fill="C" opacity=".35"/>"""),
    "office": ("indigo", """
      <rect x="48" y="150" width="144" height="30" rx="8" fill="C" opacity=".85"/>
      <g fill="W" opacity=".7"><rect x="60" y="158" width="12" height="6" rx="2"/><rect x="78" y="158" width="12" height="6" rx="2"/><rect x="96" y="158" width="12" height="6" rx="2"/><rect x="114" y="158" width="12" height="6" rx="2"/><rect x="132" y="158" width="12" height="6" rx="2"/><rect x="150" y="158" width="12" height="6" rx="2"/><rect x="168" y="158" width="12" height="6" rx="2"/><rect x="78" y="168" width="84" height="6" rx="2"/></g>
      <rect x="62" y="52" width="116" height="82" rx="8" fill="C"/>
      <rect x="70" y="60" width="100" height="66" rx="3" fill="W" opacity=".92"/>
      <rect x="82" y="74" width="40" height="7" rx="3.5" fill="C" opacity=".35"/>
      <rect x="82" y="88" width="70" height="6" rx="3" fill="C" opacity=".2"/>
      <rect x="82" y="100" width="56" height="6" rx="3" fill="C" opacity=".2"/>"""),
    "tv": ("sky", """
      <rect x="36" y="58" width="168" height="104" rx="8" fill="#17324d"/>
      <rect x="42" y="64" width="156" height="92" rx="3" fill="C"/>
      <path d="M42 140l48-40 34 28 26-18 48 36v10H42z" fill="W" opacity=".35"/>
      <circle cx="166" cy="88" r="11" fill="W" opacity=".55"/>
      <rect x="70" y="162" width="8" height="18" rx="2" fill="#17324d"/>
      <rect x="162" y="162" width="8" height="18" rx="2" fill="#17324d"/>"""),
    "fridge": ("sky", """
      <rect x="78" y="40" width="84" height="160" rx="12" fill="C"/>
      <rect x="78" y="100" width="84" height="5" fill="W" opacity=".8"/>
      <rect x="92" y="58" width="6" height="28" rx="3" fill="W" opacity=".85"/>
      <rect x="92" y="118" width="6" height="44" rx="3" fill="W" opacity=".85"/>
      <rect x="86" y="200" width="14" height="6" rx="2" fill="C" opacity=".6"/>
      <rect x="140" y="200" width="14" height="6" rx="2" fill="C" opacity=".6"/>"""),
    "washer": ("sky", """
      <rect x="62" y="46" width="116" height="150" rx="14" fill="C"/>
      <rect x="62" y="78" width="116" height="4" fill="W" opacity=".6"/>
      <circle cx="80" cy="62" r="6" fill="W" opacity=".8"/>
      <rect x="128" y="58" width="36" height="8" rx="4" fill="W" opacity=".6"/>
      <circle cx="120" cy="136" r="40" fill="W" opacity=".95"/>
      <circle cx="120" cy="136" r="30" fill="C" opacity=".35"/>
      <path d="M92 142c10-8 20 8 30 0s20 8 26 2v12a30 30 0 0 1-56 0z" fill="C" opacity=".45"/>"""),
    "aircon": ("sky", """
      <rect x="36" y="70" width="168" height="64" rx="16" fill="W"/>
      <rect x="36" y="70" width="168" height="64" rx="16" fill="none" stroke="C" stroke-width="6"/>
      <rect x="52" y="112" width="136" height="6" rx="3" fill="C" opacity=".5"/>
      <circle cx="180" cy="90" r="4" fill="C"/>
      <g fill="none" stroke="C" stroke-width="6" stroke-linecap="round" opacity=".7">
        <path d="M82 150c-6 10 6 16 0 26"/><path d="M120 150c-6 10 6 16 0 26"/><path d="M158 150c-6 10 6 16 0 26"/></g>"""),
    "appliance": ("sky", """
      <rect x="52" y="50" width="72" height="140" rx="12" fill="C"/>
      <rect x="52" y="100" width="72" height="4" fill="W" opacity=".8"/>
      <rect x="64" y="66" width="6" height="22" rx="3" fill="W" opacity=".85"/>
      <rect x="64" y="116" width="6" height="36" rx="3" fill="W" opacity=".85"/>
      <rect x="132" y="96" width="64" height="94" rx="12" fill="C" opacity=".75"/>
      <circle cx="164" cy="150" r="22" fill="W" opacity=".9"/>
      <circle cx="164" cy="150" r="14" fill="C" opacity=".4"/>"""),
    "fashion": ("orange", """
      <path d="M92 52l-44 22 14 36 18-8v88h80v-88l18 8 14-36-44-22c-4 14-16 22-28 22s-24-8-28-22z" fill="C"/>
      <path d="M92 52c4 14 16 22 28 22s24-8 28-22" fill="none" stroke="W" stroke-width="5" opacity=".6"/>
      <rect x="108" y="112" width="24" height="6" rx="3" fill="W" opacity=".5"/>"""),
    "dress": ("orange", """
      <path d="M100 44h40l-4 30 12 18-8 10 42 86H58l42-86-8-10 12-18z" fill="C"/>
      <path d="M92 102h56" stroke="W" stroke-width="6" opacity=".6"/>
      <path d="M80 160c20 8 60 8 80 0" fill="none" stroke="W" stroke-width="4" opacity=".35"/>"""),
    "shoes": ("orange", """
      <path d="M44 150c0-20 6-52 16-60 10 6 28 12 40 10 12 18 40 30 72 34 16 2 24 10 24 22v10H44z" fill="C"/>
      <rect x="44" y="166" width="152" height="16" rx="6" fill="#33404f"/>
      <g stroke="W" stroke-width="5" stroke-linecap="round" opacity=".75"><path d="M92 112l12-6"/><path d="M100 124l12-6"/><path d="M110 134l12-6"/></g>"""),
    "bag": ("orange", """
      <path d="M96 86V76a24 24 0 0 1 48 0v10" fill="none" stroke="C" stroke-width="9" stroke-linecap="round"/>
      <path d="M58 86h124l10 104H48z" fill="C"/>
      <rect x="108" y="112" width="24" height="16" rx="4" fill="W" opacity=".75"/>
      <path d="M58 86h124l2 14H56z" fill="W" opacity=".2"/>"""),
    "beauty": ("rose", """
      <rect x="62" y="92" width="46" height="96" rx="12" fill="C"/>
      <rect x="72" y="68" width="26" height="26" rx="4" fill="C" opacity=".75"/>
      <rect x="70" y="120" width="30" height="40" rx="6" fill="W" opacity=".55"/>
      <rect x="132" y="118" width="34" height="70" rx="6" fill="C" opacity=".85"/>
      <rect x="136" y="94" width="26" height="26" rx="3" fill="#33404f"/>
      <path d="M138 94l6-30c2-6 10-6 12 0l2 30z" fill="C"/>"""),
    "food": ("amber", """
      <circle cx="120" cy="126" r="62" fill="C"/>
      <circle cx="120" cy="126" r="50" fill="W" opacity=".2"/>
      <g fill="#7a4a12" opacity=".8"><circle cx="98" cy="106" r="7"/><circle cx="140" cy="100" r="6"/><circle cx="112" cy="144" r="7"/><circle cx="148" cy="138" r="6"/><circle cx="124" cy="122" r="5"/></g>"""),
    "fruit": ("amber", """
      <path d="M120 82c-20-16-62-10-62 34 0 36 26 72 46 72 8 0 10-4 16-4s8 4 16 4c20 0 46-36 46-72 0-44-42-50-62-34z" fill="#ef5a3c"/>
      <path d="M120 82c0-14 6-26 16-32" fill="none" stroke="#6b4b1f" stroke-width="6" stroke-linecap="round"/>
      <path d="M124 70c8-16 26-22 40-18-6 14-24 22-40 18z" fill="#4caf50"/>
      <ellipse cx="92" cy="112" rx="8" ry="14" fill="W" opacity=".45"/>"""),
    "milk": ("amber", """
      <path d="M86 72h68v116H86z" fill="W"/>
      <path d="M86 72l14-24h40l14 24z" fill="C" opacity=".7"/>
      <rect x="100" y="40" width="40" height="10" rx="2" fill="C"/>
      <rect x="86" y="110" width="68" height="46" fill="C"/>
      <path d="M86 72h68v116H86z" fill="none" stroke="C" stroke-width="5"/>
      <circle cx="120" cy="133" r="12" fill="W" opacity=".8"/>"""),
    "baby": ("pink", """
      <rect x="96" y="40" width="48" height="20" rx="8" fill="C" opacity=".7"/>
      <path d="M108 40c0-12 24-12 24 0" fill="C"/>
      <rect x="86" y="58" width="68" height="18" rx="6" fill="C"/>
      <rect x="90" y="74" width="60" height="116" rx="22" fill="W"/>
      <rect x="90" y="74" width="60" height="116" rx="22" fill="none" stroke="C" stroke-width="6"/>
      <g stroke="C" stroke-width="4" stroke-linecap="round" opacity=".6"><path d="M104 110h14"/><path d="M104 130h20"/><path d="M104 150h14"/></g>
      <rect x="94" y="150" width="52" height="36" rx="14" fill="C" opacity=".25"/>"""),
    "sports": ("green", """
      <rect x="40" y="104" width="20" height="32" rx="6" fill="C"/>
      <rect x="56" y="90" width="22" height="60" rx="6" fill="C"/>
      <rect x="162" y="90" width="22" height="60" rx="6" fill="C"/>
      <rect x="180" y="104" width="20" height="32" rx="6" fill="C"/>
      <rect x="78" y="114" width="84" height="12" rx="4" fill="#33404f"/>
      <rect x="60" y="96" width="6" height="48" rx="3" fill="W" opacity=".4"/>"""),
    "home": ("brown", """
      <path d="M120 52l70 58v80H50v-80z" fill="C"/>
      <path d="M120 40l86 70-10 10-76-62-76 62-10-10z" fill="#7b4f31"/>
      <rect x="102" y="136" width="36" height="54" rx="4" fill="W" opacity=".9"/>
      <rect x="66" y="120" width="26" height="24" rx="3" fill="W" opacity=".75"/>
      <rect x="148" y="120" width="26" height="24" rx="3" fill="W" opacity=".75"/>"""),
    "books": ("violet", """
      <path d="M120 70c-22-14-48-16-70-10v116c22-6 48-4 70 10z" fill="C"/>
      <path d="M120 70c22-14 48-16 70-10v116c-22-6-48-4-70 10z" fill="C" opacity=".75"/>
      <path d="M120 70v116" stroke="W" stroke-width="4" opacity=".7"/>
      <g stroke="W" stroke-width="4" stroke-linecap="round" opacity=".55"><path d="M66 92c14-3 28-2 40 4"/><path d="M66 112c14-3 28-2 40 4"/><path d="M134 96c12-6 26-7 40-4"/><path d="M134 116c12-6 26-7 40-4"/></g>"""),
    "care": ("cyan", """
      <rect x="70" y="84" width="60" height="110" rx="18" fill="C"/>
      <rect x="88" y="60" width="24" height="26" rx="4" fill="C" opacity=".75"/>
      <path d="M112 66h24v8h-24z" fill="C" opacity=".75"/>
      <rect x="80" y="118" width="40" height="44" rx="8" fill="W" opacity=".6"/>
      <g fill="C" opacity=".45"><circle cx="158" cy="90" r="14"/><circle cx="176" cy="120" r="9"/><circle cx="154" cy="136" r="7"/></g>"""),
    "pets": ("tangerine", """
      <ellipse cx="120" cy="146" rx="38" ry="32" fill="C"/>
      <ellipse cx="76" cy="106" rx="15" ry="19" fill="C"/>
      <ellipse cx="164" cy="106" rx="15" ry="19" fill="C"/>
      <ellipse cx="100" cy="76" rx="14" ry="18" fill="C"/>
      <ellipse cx="140" cy="76" rx="14" ry="18" fill="C"/>"""),
    "auto": ("slate", """
      <path d="M52 140l14-36c4-10 12-16 24-16h60c12 0 20 6 24 16l14 36z" fill="C"/>
      <rect x="40" y="136" width="160" height="34" rx="12" fill="C"/>
      <path d="M76 134l10-28c2-6 6-8 12-8h44c6 0 10 2 12 8l10 28z" fill="W" opacity=".8"/>
      <circle cx="80" cy="172" r="16" fill="#1f2933"/><circle cx="80" cy="172" r="7" fill="W" opacity=".8"/>
      <circle cx="160" cy="172" r="16" fill="#1f2933"/><circle cx="160" cy="172" r="7" fill="W" opacity=".8"/>
      <rect x="48" y="146" width="18" height="8" rx="4" fill="#ffd43b"/><rect x="174" y="146" width="18" height="8" rx="4" fill="#ffd43b"/>"""),
    "watch": ("gold", """
      <rect x="100" y="38" width="40" height="46" rx="8" fill="#5c4326"/>
      <rect x="100" y="156" width="40" height="46" rx="8" fill="#5c4326"/>
      <circle cx="120" cy="120" r="46" fill="C"/>
      <circle cx="120" cy="120" r="36" fill="W"/>
      <g stroke="#33404f" stroke-width="5" stroke-linecap="round"><path d="M120 120V94"/><path d="M120 120l18 10"/></g>
      <circle cx="120" cy="120" r="4" fill="#33404f"/>
      <rect x="164" y="114" width="10" height="12" rx="3" fill="C"/>"""),
    "jewelry": ("gold", """
      <path d="M86 64h68l22 28-56 100-56-100z" fill="C"/>
      <path d="M64 92h112M98 64l-8 28 30 100 30-100-8-28" fill="none" stroke="W" stroke-width="4" opacity=".6"/>
      <path d="M86 64l12 28M154 64l-12 28" stroke="W" stroke-width="4" opacity=".45"/>"""),
}


def svg(slug: str) -> str:
    palette, body = DRAWINGS[slug]
    main, tint = PALETTES[palette]
    body = body.replace('"C"', f'"{main}"').replace('"W"', '"#ffffff"').replace('"L"', f'"{tint}"')
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240">
  <defs>
    <radialGradient id="glow" cx="0.3" cy="0.25" r="0.9">
      <stop offset="0" stop-color="#ffffff"/>
      <stop offset="1" stop-color="{tint}"/>
    </radialGradient>
  </defs>
  <rect width="240" height="240" fill="url(#glow)"/>
  <circle cx="120" cy="122" r="92" fill="{main}" opacity=".07"/>
  <ellipse cx="120" cy="206" rx="74" ry="8" fill="{main}" opacity=".10"/>
  <g>{body}
  </g>
</svg>
"""


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from shop_site.product_images import CATEGORY_ART

    missing = sorted(set(CATEGORY_ART.values()) - set(DRAWINGS))
    if missing:
        print(f"no drawing for: {', '.join(missing)}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    for slug in sorted(DRAWINGS):
        (OUT / f"{slug}.svg").write_text(svg(slug), encoding="utf-8")
    print(f"wrote {len(DRAWINGS)} drawings to {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
