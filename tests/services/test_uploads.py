"""Image uploads: only PNG, JPEG and WebP, checked from their bytes, re-encoded to pixels only."""

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from app import uploads
from app.errors import Invalid
from app.extensions import db

PAYLOAD = b"<script>alert('polyglot')</script>"


# ---- Helpers shared with the other prototype tests ----


def image_bytes(fmt: str = "PNG", size=(64, 48), mode: str = "RGB", color="teal", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def png_bytes(size=(64, 48), **save) -> bytes:
    return image_bytes("PNG", size, **save)


def jpeg_bytes(size=(64, 48), **save) -> bytes:
    return image_bytes("JPEG", size, **save)


def webp_bytes(size=(64, 48), **save) -> bytes:
    return image_bytes("WEBP", size, **save)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_header_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid-looking PNG of a few dozen bytes that declares an enormous size."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def solid_bomb_png() -> bytes:
    """48 megapixels of one colour: large in pixels, tiny on disk."""
    return image_bytes("PNG", (8000, 6000), mode="L", color=0)


def exif_jpeg(size=(40, 20), orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "Secret Software 1.0"  # Software
    exif[0x0112] = orientation
    return jpeg_bytes(size, exif=exif.tobytes(), comment=b"Taken at 51.5N 0.1W " + PAYLOAD)


def refused(data: bytes) -> str:
    with pytest.raises(uploads.ImageRefused) as error:
        uploads.clean_image(data)
    return error.value.message


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# ---- What is accepted ----


@pytest.mark.parametrize(
    ("data", "fmt", "content_type"),
    [
        (png_bytes(), "PNG", "image/png"),
        (jpeg_bytes(), "JPEG", "image/jpeg"),
        (webp_bytes(), "WEBP", "image/webp"),
    ],
)
def test_png_jpeg_and_webp_are_kept_in_their_format_and_size(data, fmt, content_type):
    clean = uploads.clean_image(data)
    assert (clean.format, clean.content_type) == (fmt, content_type)
    assert (clean.width, clean.height) == (64, 48)
    assert decoded(clean.data).format == fmt
    assert decoded(clean.thumbnail).format == fmt


def test_transparency_and_grey_survive_the_re_encoding():
    clean = uploads.clean_image(image_bytes("PNG", mode="RGBA", color=(10, 20, 30, 0)))
    assert decoded(clean.data).getpixel((0, 0)) == (10, 20, 30, 0)
    assert decoded(uploads.clean_image(image_bytes("PNG", mode="L", color=90)).data).mode == "L"
    assert (
        decoded(uploads.clean_image(image_bytes("WEBP", mode="RGBA", color=(0, 0, 0, 0))).data).mode == "RGBA"
    )


def test_a_palette_png_is_stored_as_plain_pixels():
    clean = uploads.clean_image(image_bytes("PNG", mode="P", color=3))
    assert decoded(clean.data).mode == "RGB"


def test_thumbnails_fit_480_by_320_and_are_never_enlarged():
    wide = uploads.clean_image(png_bytes((1600, 400)))
    assert decoded(wide.thumbnail).size == (480, 120)
    tall = uploads.clean_image(jpeg_bytes((500, 1000)))
    assert decoded(tall.thumbnail).size == (160, 320)
    small = uploads.clean_image(png_bytes((100, 50)))
    assert decoded(small.thumbnail).size == (100, 50)


# ---- What is refused, and why ----


@pytest.mark.parametrize(
    "data",
    [
        b"Just some notes, renamed to screenshot.png\n",
        b"<!doctype html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"",
        image_bytes("GIF", mode="P", color=1),
        image_bytes("BMP"),
        image_bytes("TIFF"),
        png_bytes()[:60],  # truncated
    ],
    ids=["text", "html", "svg", "empty", "gif", "bmp", "tiff", "truncated"],
)
def test_anything_but_a_whole_png_jpeg_or_webp_is_refused(data):
    assert refused(data) == "That file is not a PNG, JPEG or WebP image."


def test_a_png_with_a_broken_checksum_is_refused():
    data = bytearray(png_bytes())
    data[30] ^= 0xFF  # inside the IHDR chunk, whose CRC no longer matches
    assert refused(bytes(data)) == "That file is not a PNG, JPEG or WebP image."


def test_files_over_5_mb_are_refused_before_anything_decodes_them(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("an oversized upload reached the decoder")

    monkeypatch.setattr(uploads.Image, "open", no_decoding)
    assert refused(b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024)) == "Images can be at most 5 MB."


def test_exactly_5_mb_is_not_refused_for_its_length():
    padded = png_bytes() + b"\0" * (uploads.MAX_BYTES - len(png_bytes()))
    assert len(padded) == uploads.MAX_BYTES
    assert uploads.clean_image(padded).format == "PNG"


@pytest.mark.parametrize(
    "data",
    [huge_header_png(), huge_header_png(9_000, 5_000), solid_bomb_png()],
    ids=["declares-10-gigapixels", "declares-45-megapixels", "solid-48-megapixels"],
)
def test_decompression_bombs_are_refused(data):
    assert len(data) < 200_000
    assert refused(data) == "That image is too large in pixels to be safe to open."


def test_the_pixel_limit_is_set_for_pillow_too():
    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_PIXELS == 40_000_000


# ---- Only pixels are kept ----


@pytest.mark.parametrize(
    "data",
    [
        png_bytes() + b"PK\x03\x04" + PAYLOAD,  # PNG + ZIP/HTML appended
        jpeg_bytes() + PAYLOAD,
        webp_bytes() + PAYLOAD,
    ],
    ids=["png+zip", "jpeg+html", "webp+html"],
)
def test_polyglots_keep_only_their_pixels(data):
    clean = uploads.clean_image(data)
    for stored in (clean.data, clean.thumbnail):
        assert PAYLOAD not in stored
        assert b"PK\x03\x04" not in stored
        assert b"script" not in stored


def test_a_gif_html_polyglot_is_refused():
    polyglot = b"GIF89a/*" + b"\x00" * 16 + b"*/=1;" + PAYLOAD
    assert refused(polyglot) == "That file is not a PNG, JPEG or WebP image."


def test_png_text_chunks_and_icc_profiles_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    data = png_bytes(pnginfo=info, icc_profile=b"fake-icc-profile-bytes" * 10)
    assert PAYLOAD in data
    clean = uploads.clean_image(data)
    assert PAYLOAD not in clean.data
    assert b"xmpmeta" not in clean.data
    assert b"fake-icc" not in clean.data
    image = decoded(clean.data)
    assert "icc_profile" not in image.info
    assert not image.text


def test_exif_and_jpeg_comments_are_stripped():
    data = exif_jpeg()
    assert b"SpyCam" in data
    assert PAYLOAD in data
    clean = uploads.clean_image(data)
    for stored in (clean.data, clean.thumbnail):
        assert b"SpyCam" not in stored
        assert b"Exif" not in stored
        assert PAYLOAD not in stored
        image = decoded(stored)
        assert not image.getexif()
        assert "comment" not in image.info


def test_exif_rotation_is_applied_before_exif_is_dropped():
    clean = uploads.clean_image(exif_jpeg(size=(40, 20), orientation=6))
    assert (clean.width, clean.height) == (20, 40)


def test_webp_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."
    data = webp_bytes(exif=exif.tobytes(), xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    assert b"SpyCam" in data
    clean = uploads.clean_image(data)
    assert b"SpyCam" not in clean.data
    assert b"xmpmeta" not in clean.data


# ---- Several uploads, and storing them ----


def test_more_than_8_images_are_refused_before_any_is_decoded():
    many = [uploads.Upload(f"shot{n}.png", b"not even an image") for n in range(9)]
    with pytest.raises(Invalid) as error:
        uploads.check_uploads(many)
    assert error.value.fields == {"images": ["A prototype can have at most 8 images."]}


def test_the_limit_counts_images_already_there():
    with pytest.raises(Invalid) as error:
        uploads.check_uploads([uploads.Upload("a.png", png_bytes())] * 3, already=6)
    assert error.value.fields["images"][0].startswith("A prototype can have at most 8 images.")
    assert "you can add 2 more" in error.value.fields["images"][0]


def test_each_refused_file_is_named():
    with pytest.raises(Invalid) as error:
        uploads.check_uploads(
            [
                uploads.Upload("ok.png", png_bytes()),
                uploads.Upload("notes.png", b"plain text"),
                uploads.Upload("bomb.png", solid_bomb_png()),
            ]
        )
    assert error.value.fields["images"] == [
        "notes.png: That file is not a PNG, JPEG or WebP image.",
        "bomb.png: That image is too large in pixels to be safe to open.",
    ]


@pytest.fixture
def folder(app, tmp_path):
    path = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(path)
    return path


def test_stored_files_get_random_names_and_stay_after_a_commit(folder):
    clean = uploads.clean_image(png_bytes())
    first, second = uploads.store_images(db.session(), [clean, clean])
    db.session.commit()
    names = {first.filename, first.thumbnail, second.filename, second.thumbnail}
    assert len(names) == 4
    assert all(uploads.is_upload_name(name) and name.endswith(".png") for name in names)
    assert {path.name for path in folder.iterdir()} == names
    assert (folder / first.filename).read_bytes() == clean.data


def test_files_written_in_a_transaction_that_rolls_back_are_deleted(folder):
    uploads.store_images(db.session(), [uploads.clean_image(jpeg_bytes())])
    assert len(list(folder.iterdir())) == 2
    db.session.rollback()
    assert list(folder.iterdir()) == []


def test_files_are_deleted_only_once_their_removal_is_committed(folder):
    stored = uploads.store_images(db.session(), [uploads.clean_image(webp_bytes())])
    db.session.commit()
    uploads.delete_after_commit(db.session(), [stored[0].filename, stored[0].thumbnail])
    db.session.rollback()
    assert len(list(folder.iterdir())) == 2
    uploads.delete_after_commit(db.session(), [stored[0].filename, stored[0].thumbnail])
    db.session.commit()
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    ["../secret_key", "x.png", "a" * 32 + ".svg", "a" * 32 + ".png/..", ".png", "a" * 32 + ".PNG"],
)
def test_only_names_we_give_out_are_upload_names(name):
    assert not uploads.is_upload_name(name)
