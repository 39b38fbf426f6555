"""The enrolment QR code, drawn by segno as SVG: paths with presentation attributes only (no
style attribute, no script), served from this site as an image."""

import io

import segno


def qr_code_svg(data, *, title):
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=5, border=2, dark="#000", light="#fff", xmldecl=False, title=title
    )
    return out.getvalue()
