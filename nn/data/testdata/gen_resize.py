#!/usr/bin/python3
"""Generates the resize and decode fixtures of package nn/data.

Run from this directory with Debian's Python and Pillow (9.4 with
libjpeg-turbo 2.1 was used):

    /usr/bin/python3 gen_resize.py [path/to/intel-scenes-train.zip]

With the zip it remakes the inputs too; without it, only the goldens.

Inputs (committed, made once):
  photo/<class>_<id>.jpg   real images copied from the training zip
  decoded/<dir>_<name>.png Pillow's decoding of some of the JPEGs, lossless,
                           to compare decoders and to resize exactly the RGB
                           that Pillow resized
  alpha.png, palette.png, gray.jpg, frame.gif, large.png, small.png
                           synthetic images for the other decoders and modes
  jpeg/*.jpg               JPEGs with other chroma subsamplings (4:4:4,
                           4:2:2), progressive, and odd or tiny sizes

Goldens (regenerated from the inputs):
  golden/<input>.<size>.png  Image.open(input).convert("RGB")
                             .resize((size, size), Image.BILINEAR),
                             the preprocessing of the reference notebook
"""
import os
import sys
import zipfile

from PIL import Image, ImageDraw

PHOTOS = [
    "buildings/0", "buildings/10006",
    "forest/10007", "forest/10010",
    "glacier/10", "glacier/10003",
    "mountain/10000", "mountain/10001",
    "sea/1", "sea/10016",
    "street/10015", "street/10019",
    "glacier/2837",  # 150x76, the shortest image
]
DECODED = ["photo/%s.jpg" % p.replace("/", "_") for p in [
    "buildings/0", "forest/10007", "glacier/10", "mountain/10000", "sea/1",
    "street/10015", "glacier/2837"]] + [
    "jpeg/422.jpg", "jpeg/odd420.jpg", "jpeg/tiny420.jpg", "jpeg/narrow420.jpg"]
SIZES = [32, 13]


def base(p):
    return p.replace("/", "_")


def copy_photos(zpath):
    os.makedirs("photo", exist_ok=True)
    with zipfile.ZipFile(zpath) as z:
        for p in PHOTOS:
            data = z.read("seg_train/seg_train/%s.jpg" % p)
            with open("photo/%s.jpg" % base(p), "wb") as f:
                f.write(data)


def decoded_name(jpg):
    return "decoded/" + base(jpg)[:-len(".jpg")] + ".png"


def decode_jpegs():
    os.makedirs("decoded", exist_ok=True)
    for jpg in DECODED:
        Image.open(jpg).convert("RGB").save(decoded_name(jpg), optimize=True)


def synthetic():
    os.makedirs("jpeg", exist_ok=True)
    src = Image.open("photo/%s.jpg" % base(PHOTOS[0])).convert("RGB")

    # RGBA with a gradient alpha, some pixels fully transparent.
    a = Image.linear_gradient("L").resize(src.size).rotate(90)
    rgba = src.copy()
    rgba.putalpha(a)
    rgba.save("alpha.png")

    # Paletted PNG with a transparent index.
    pal = src.quantize(colors=64)
    pal.save("palette.png", transparency=3)

    # Grayscale JPEG.
    src.convert("L").save("gray.jpg", quality=90)

    # GIF (no transparency: Go's decoder forgets the color of a
    # transparent index, Pillow keeps it).
    Image.open("photo/%s.jpg" % base(PHOTOS[4])).convert("RGB").quantize(
        colors=128).save("frame.gif")

    # A large image with sharp edges and gradients: 1000x700.
    w, h = 1000, 700
    r = Image.linear_gradient("L").resize((w, h))
    g = Image.radial_gradient("L").resize((w, h))
    b = Image.linear_gradient("L").rotate(90).resize((w, h))
    big = Image.merge("RGB", (r, g, b))
    d = ImageDraw.Draw(big)
    for i in range(0, w, 37):
        d.line([(i, 0), (w - i, h)], fill=(255, 255 - i % 256, i % 256), width=3)
    for i in range(12):
        d.ellipse([80 * i, 40 * i, 80 * i + 90, 40 * i + 60],
                  fill=(30 * i % 256, 0, 255 - 20 * i))
    d.rectangle([0, 0, w - 1, h - 1], outline=(0, 255, 0), width=5)
    big.save("large.png", optimize=True)

    # A small non-square image that must be enlarged.
    src.resize((20, 13), Image.NEAREST).save("small.png")

    # JPEGs with the other chroma subsamplings, progressive, odd sizes.
    street = Image.open("photo/%s.jpg" % base(PHOTOS[10])).convert("RGB")
    street.save("jpeg/444.jpg", quality=90, subsampling=0)
    street.save("jpeg/422.jpg", quality=90, subsampling=1)
    street.save("jpeg/progressive.jpg", quality=90, progressive=True)
    street.crop((0, 0, 149, 75)).save("jpeg/odd420.jpg", quality=90,
                                      subsampling=2)
    street.crop((0, 0, 5, 9)).save("jpeg/tiny420.jpg", quality=90,
                                   subsampling=2)
    # Chroma 2 samples wide: libjpeg repeats samples instead.
    street.crop((0, 0, 4, 6)).save("jpeg/narrow420.jpg", quality=90,
                                   subsampling=2)


def inputs():
    names = ["photo/%s.jpg" % base(p) for p in PHOTOS]
    names += [decoded_name(p) for p in DECODED]
    names += ["alpha.png", "palette.png", "gray.jpg", "frame.gif",
              "large.png", "small.png"]
    names += ["jpeg/%s.jpg" % n for n in
              ["444", "422", "progressive", "odd420", "tiny420", "narrow420"]]
    return names


def goldens():
    os.makedirs("golden", exist_ok=True)
    for name in inputs():
        im = Image.open(name).convert("RGB")
        for s in SIZES:
            out = im.resize((s, s), Image.BILINEAR)
            out.save("golden/%s.%d.png" % (name.replace("/", "_"), s))


def main():
    if len(sys.argv) > 1:
        copy_photos(sys.argv[1])
        synthetic()
        decode_jpegs()
    goldens()


if __name__ == "__main__":
    main()
