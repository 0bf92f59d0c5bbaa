"""Images in and out: arrays, PNG folders and MNIST's IDX files; pixels <-> [-1, 1]; labels; grids.

The image models see every image as a float32 array ``(C, H, W)`` with pixels in [-1, 1] (the
range of the generator's tanh). :class:`PixelScale` remembers how the caller's pixels map there
(uint8 0-255, optdigits' 0-16, floats in [0, 1], ...) so that generated images come back in the
caller's dtype and range. Readers return ``(N, C, H, W)`` arrays in the file's own dtype; every
problem with a file raises a :class:`~synthgan.errors.DataError` that names it.

PNG files are read and written with Pillow; IDX files (the format of the MNIST distribution,
gzipped or not) are parsed here, from their documented header.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synthgan.errors import DataError

__all__ = [
    "PixelScale",
    "encode_labels",
    "image_array",
    "image_grid",
    "png_bytes",
    "read_idx",
    "read_images",
    "read_labels",
    "read_png",
    "read_png_folder",
    "to_uint8",
    "write_png",
]

# Channels an image may have: gray, gray + alpha, RGB, RGBA (what PNG stores).
CHANNELS = (1, 2, 3, 4)
MIN_SIDE = 4
MAX_CLASSES = 256
# IDX type codes (LeCun's format description) -> big-endian numpy dtypes.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
PNG_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
LABEL_KEYS, IMAGE_KEYS = ("labels", "label", "y"), ("images", "image", "x", "X")


# ----------------------------------------------------------------------------------------- pixels


@dataclass(frozen=True)
class PixelScale:
    """The caller's pixel range ``[low, high]`` and dtype; maps pixels to [-1, 1] and back.

    Inferred from the training images: uint8 is 0-255, bool 0-1, other integers 0 (or their minimum,
    if negative) to their maximum (optdigits: 0-16), floats 0-1 or -1-1 when they fit there and their
    own minimum and maximum otherwise. Images coming back are clipped to the range, and integers are
    rounded, so a generated image always has pixels a real one could have.
    """

    dtype: str
    low: float
    high: float

    @classmethod
    def infer(cls, images: np.ndarray) -> PixelScale:
        dtype = images.dtype
        if dtype == np.uint8:
            return cls("uint8", 0.0, 255.0)
        if dtype == np.bool_:
            return cls("bool", 0.0, 1.0)
        low, high = float(images.min()), float(images.max())
        if np.issubdtype(dtype, np.integer):
            low = min(0.0, low)
        elif low >= 0 and high <= 1:
            low, high = 0.0, 1.0
        elif low >= -1 and high <= 1:
            low, high = -1.0, 1.0
        return cls(dtype.name, low, high if high > low else low + 1.0)

    def to_unit(self, images: np.ndarray) -> np.ndarray:
        """Pixels as float32 in [-1, 1] (a new array; the caller's is not touched)."""
        scaled = (images.astype(np.float32) - self.low) * (2.0 / (self.high - self.low)) - 1.0
        return np.clip(scaled, -1.0, 1.0, out=scaled)

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        """[-1, 1] floats back to the caller's dtype and range."""
        pixels = (np.clip(unit, -1.0, 1.0) + 1.0) * ((self.high - self.low) / 2.0) + self.low
        dtype = np.dtype(self.dtype)
        if dtype == np.bool_:
            return pixels >= 0.5
        if np.issubdtype(dtype, np.integer):
            return np.clip(np.rint(pixels), self.low, self.high).astype(dtype)
        return pixels.astype(dtype)

    def to_state(self) -> dict[str, Any]:
        return {"dtype": self.dtype, "low": self.low, "high": self.high}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PixelScale:
        return cls(str(state["dtype"]), float(state["low"]), float(state["high"]))


def to_uint8(images: np.ndarray, scale: PixelScale | None = None) -> np.ndarray:
    """Images in any dtype as uint8 0-255 (for PNG files and pictures), by ``scale`` or inferred."""
    if images.dtype == np.uint8:
        return images
    unit = (scale or PixelScale.infer(images)).to_unit(images)
    return np.rint((unit + 1.0) * 127.5).astype(np.uint8)


# ----------------------------------------------------------------------------------------- arrays


def _shape_mismatch(images: Any) -> str:
    shapes = [np.shape(image) for image in images]
    odd = next((i for i, shape in enumerate(shapes) if shape != shapes[0]), None)
    if odd is None:
        return "cannot be stacked into one array"
    return f"have different shapes: image 0 is {shapes[0]}, image {odd} is {shapes[odd]}"


def image_array(images: Any, name: str = "images") -> np.ndarray:
    """Validate images given as ``(N, H, W)`` or ``(N, C, H, W)``; return them as ``(N, C, H, W)``.

    No copy is made when the input already has that shape; nothing is ever written to it.
    """
    try:
        array = np.asarray(images)
    except ValueError:  # a list of arrays of different shapes
        raise DataError(f"{name} {_shape_mismatch(images)}. Resize them to one shape first.") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise DataError(f"{name} must be a numeric array, got dtype {array.dtype}.")
    if array.ndim == 3:
        array = array[:, None]
    if array.ndim != 4:
        raise DataError(
            f"{name} must have shape (N, H, W) or (N, C, H, W), got {array.shape}. "
            "A single image needs a leading axis: images[None]."
        )
    n, channels, height, width = array.shape
    if channels not in CHANNELS:
        hint = (
            " It looks channels-last (N, H, W, C): pass images.transpose(0, 3, 1, 2)."
            if array.shape[-1] in CHANNELS
            else ""
        )
        raise DataError(f"{name} has {channels} channels (shape {array.shape}); expected 1 to 4.{hint}")
    if n == 0:
        raise DataError(f"{name} is empty: there are no images to learn.")
    if min(height, width) < MIN_SIDE:
        raise DataError(f"{name} are {height}x{width} pixels; images need at least {MIN_SIDE} pixels a side.")
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise DataError(f"{name} hold NaN or infinite pixels; replace them before fitting.")
    return array


def encode_labels(labels: Any, n: int) -> tuple[list[Any], np.ndarray]:
    """Class values (sorted, JSON-ready) and each image's class index, from one label per image.

    Labels are class codes: integers (also written as integral floats, as a CSV may hold them),
    strings or booleans.
    """
    array = np.asarray(labels)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise DataError(f"labels must be one value per image (1-D), got shape {array.shape}.")
    if len(array) != n:
        raise DataError(f"There are {n:,} images but {len(array):,} labels; give exactly one label per image.")
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise DataError("labels hold missing (NaN) or infinite values; every image needs a class.")
        if not np.equal(np.mod(array, 1), 0).all():
            raise DataError("labels must be class codes (integers or strings), not continuous values.")
        array = array.astype(np.int64)
    elif array.dtype == object:
        if any(value is None or (isinstance(value, float) and value != value) for value in array):
            raise DataError("labels hold missing values; every image needs a class.")
        array = array.astype(str)
    classes, codes = np.unique(array, return_inverse=True)
    if len(classes) > MAX_CLASSES:
        raise DataError(f"labels have {len(classes):,} classes; conditional image models take at most {MAX_CLASSES}.")
    return [value.item() for value in classes], codes.astype(np.int64)


# ------------------------------------------------------------------------------------------ files


def read_images(path: str | Path, labels: str | Path | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Images ``(N, C, H, W)`` and their labels (or None) from files.

    ``path`` is a ``.npy`` or ``.npz`` file, an IDX file (gzipped or not), or a folder of PNG files
    (read in name order; a folder of class sub-folders, ``digits/7/*.png``, labels each image by its
    sub-folder). ``labels``, when given, is a label file (see :func:`read_labels`); a CSV with a
    ``file`` column then also picks which PNG files of the folder are read, in its order. Without
    it, an ``.npz`` file's ``labels`` (or ``y``) array and class sub-folders give the labels.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"File not found: {path}. Check the path.")
    given = None if labels is None else _label_files(labels)
    if path.is_dir():
        files = None if given is None else given[0]
        images, found = read_png_folder(path, files=files)
    elif path.name.lower().endswith(".npz"):
        images, found = _read_npz(path)
    elif path.name.lower().endswith(".npy"):
        images, found = _load_npy(path), None
    elif _is_idx(path):
        images, found = read_idx(path), None
    else:
        raise DataError(
            f"Unsupported image source {path}: use a .npy or .npz file, an IDX file (as MNIST's "
            "t10k-images-idx3-ubyte.gz) or a folder of PNG files."
        )
    if given is not None:
        found = given[1]
    return image_array(images, name=str(path)), found


def read_labels(path: str | Path) -> np.ndarray:
    """One label per image from a ``.npy``/``.npz`` file, an IDX file, or a CSV/text file.

    A CSV takes its ``label`` column (as ``synthgan sample`` writes it in labels.csv), or its only
    column; a text file holds one label per line.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Labels file not found: {path}. Check the path.")
    name = path.name.lower()
    if name.endswith(".npy"):
        return _load_npy(path)
    if name.endswith(".npz"):
        with _open_npz(path) as archive:
            key = _pick_key(archive, LABEL_KEYS, path, "labels")
            return archive[key]
    if name.endswith((".csv", ".txt", ".tsv")):
        return _label_files(path)[1]
    if _is_idx(path):
        return read_idx(path)
    raise DataError(f"Unsupported labels file {path}: use .npy, .npz, .csv, .txt or an IDX file.")


def read_idx(path: str | Path) -> np.ndarray:
    """An IDX file (MNIST's format: magic ``0 0 type ndim``, big-endian int32 sizes, raw data)."""
    path = Path(path)
    data = _bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number).")
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataError(f"{path} is a truncated IDX file (incomplete header).")
    shape = tuple(int(size) for size in np.frombuffer(data, ">u4", count=ndim, offset=4))
    dtype = np.dtype(IDX_TYPES[data[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise DataError(
            f"{path} is a truncated or corrupted IDX file: its header promises shape {shape} "
            f"({expected:,} bytes) but it holds {len(data):,} bytes."
        )
    array = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_png(path: str | Path) -> np.ndarray:
    """One PNG file as ``(C, H, W)``: gray, gray + alpha, RGB or RGBA, 8 bits per channel."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.mode not in PNG_MODES.values():
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            pixels = np.asarray(image)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(f"{path} is not a readable PNG file: {error}") from None
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def read_png_folder(folder: str | Path, files: list[str] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Every PNG file in ``folder`` (name order), or the ``files`` listed; labels from class sub-folders."""
    folder = Path(folder)
    labels = None
    if files is None:
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".png" and p.is_file())
        if not paths:
            classes = sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.png")))
            paths = [png for sub in classes for png in sorted(sub.glob("*.png"))]
            labels = np.array([png.parent.name for png in paths])
    else:
        paths = [folder / name for name in files]
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise DataError(f"{missing[0]} is listed in the labels file but does not exist.")
    if not paths:
        raise DataError(f"{folder} holds no PNG files (nor class sub-folders of PNG files).")
    images = [read_png(path) for path in paths]
    first = images[0].shape
    for path, image in zip(paths, images, strict=True):
        if image.shape != first:
            raise DataError(
                f"{path} is {_describe(image.shape)} but {paths[0].name} is {_describe(first)}: every image "
                "must have the same size and channels. Move it out, or list the files to read in a labels CSV "
                "with a 'file' column."
            )
    return np.stack(images), labels


def write_png(path: str | Path, image: np.ndarray) -> None:
    """Write one ``(C, H, W)`` uint8 image as a PNG file."""
    Path(path).write_bytes(png_bytes(image))


def png_bytes(image: np.ndarray) -> bytes:
    """The PNG encoding of one ``(C, H, W)`` uint8 image."""
    from PIL import Image

    channels = image.shape[0]
    pixels = image[0] if channels == 1 else image.transpose(1, 2, 0)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), PNG_MODES[channels]).save(buffer, format="PNG")
    return buffer.getvalue()


def image_grid(images: np.ndarray, columns: int, padding: int = 2, scale: int = 1, fill: int = 255) -> np.ndarray:
    """Tile uint8 images ``(N, C, H, W)`` row by row into one ``(C, H', W')`` picture.

    ``scale`` enlarges each image by pixel repetition (8x8 digits are unreadable at their own size);
    ``fill`` is the value of the gaps between tiles.
    """
    if scale > 1:
        images = images.repeat(scale, axis=2).repeat(scale, axis=3)
    n, channels, height, width = images.shape
    rows = max(1, -(-n // columns))
    grid = np.full(
        (channels, rows * (height + padding) + padding, columns * (width + padding) + padding), fill, np.uint8
    )
    for index in range(n):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[:, top : top + height, left : left + width] = images[index]
    return grid


# ---------------------------------------------------------------------------------------- helpers


def _bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"Could not read {path}: {error}") from None


def _is_idx(path: Path) -> bool:
    """IDX by name (``*-idx3-ubyte``, ``*.idx``, gzipped or not) or by its magic number."""
    name = path.name.lower().removesuffix(".gz")
    if "idx" in name or name.endswith("ubyte"):
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path) as handle:
                head = handle.read(4)
    except (OSError, EOFError):
        return False
    return len(head) == 4 and head[0] == 0 and head[1] == 0 and head[2] in IDX_TYPES


def _load_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DataError(f"Could not read {path} as a numpy array: {error}") from None


def _open_npz(path: Path):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DataError(f"Could not read {path} as a numpy .npz archive: {error}") from None


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    with _open_npz(path) as archive:
        keys = list(archive.keys())
        if len(keys) == 1:
            return archive[keys[0]], None
        images = archive[_pick_key(archive, IMAGE_KEYS, path, "images")]
        label_key = next((key for key in LABEL_KEYS if key in keys), None)
        return images, None if label_key is None else archive[label_key]


def _pick_key(archive, keys: tuple[str, ...], path: Path, what: str) -> str:
    names = list(archive.keys())
    if len(names) == 1:
        return names[0]
    for key in keys:
        if key in names:
            return key
    raise DataError(f"{path} holds arrays {names}; name the {what} array {keys[0]!r}.")


def _label_files(path: str | Path) -> tuple[list[str] | None, np.ndarray]:
    """A labels CSV or text file: (the ``file`` column if there is one, the labels)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Labels file not found: {path}. Check the path.")
    if not path.name.lower().endswith((".csv", ".txt", ".tsv")):
        return None, read_labels(path)
    text = path.read_text(encoding="utf-8-sig")
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    if not rows:
        raise DataError(f"{path} is empty: it holds no labels.")
    header = [cell.strip().lower() for cell in rows[0]]
    if "label" in header:
        column, body = header.index("label"), rows[1:]
        files = [row[header.index("file")] for row in body] if "file" in header else None
    elif len(header) == 1:
        column, body, files = 0, rows, None
    else:
        raise DataError(f"{path} has columns {rows[0]}; the labels must be in a column named 'label'.")
    values = [row[column].strip() if column < len(row) else "" for row in body]
    if any(value == "" for value in values):
        raise DataError(f"{path} has rows without a label; every image needs one.")
    return files, _typed(values)


def _typed(values: list[str]) -> np.ndarray:
    """Labels read as text: integers when they all are, else strings."""
    try:
        return np.array([int(value) for value in values], dtype=np.int64)
    except ValueError:
        return np.array(values)


def _describe(shape: tuple[int, ...]) -> str:
    channels, height, width = shape
    return f"{width}x{height} with {channels} channel{'s' if channels > 1 else ''}"
