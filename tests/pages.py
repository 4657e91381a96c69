"""Scanned-page look-alikes with Chinese text, drawn with the CJK font the portal installs:
for the OCR, quality and fraud tests and the OCR benchmark."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def work_years_lines(name: str, id_number: str, employer: str, since: str = "2012年7月") -> list[str]:
    return [
        "工作年限证明",
        f"兹证明 {name} 同志，身份证号 {id_number}，",
        f"自 {since} 起在 {employer} 从事",
        "工程技术工作，累计工作年限 12 年。",
        "特此证明。",
        f"单位名称：{employer}（盖章）",
        "2025年3月10日",
    ]


def chsi_record_lines(name: str, id_number: str, school: str, graduated: str, code: str, valid_until: str):
    return [
        "教育部学历证书电子注册备案表",
        f"姓名：{name}  性别：男",
        f"证件号码：{id_number}",
        f"毕业院校：{school}",
        "层次：本科  专业：社会工作",
        f"毕业日期：{graduated}",
        f"在线验证码：{code}",
        f"本报告在线验证有效期至：{valid_until}",
    ]


def page(lines: list[str], *, dpi: int = 150, stamp: bool = False, blur: float = 0.0) -> Image.Image:
    """An A4 page at ``dpi`` with a title and lines of text (and a red seal over the text)."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    scale = dpi / 200
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text(
        (int(width * 0.28), int(120 * scale)),
        lines[0],
        fill="black",
        font=ImageFont.truetype(FONT, int(60 * scale)),
    )
    font = ImageFont.truetype(FONT, int(36 * scale))
    y = int(300 * scale)
    for line in lines[1:]:
        draw.text((int(150 * scale), y), line, fill="black", font=font)
        y += int(80 * scale)
    if stamp:
        cx, cy, r = int(width * 0.65), int(y - 160 * scale), int(150 * scale)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(220, 30, 30), width=int(8 * scale))
        draw.text(
            (cx - int(110 * scale), cy - int(20 * scale)),
            "人力资源部",
            fill=(220, 30, 30),
            font=ImageFont.truetype(FONT, int(40 * scale)),
        )
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur * dpi / 200))
    return image


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
