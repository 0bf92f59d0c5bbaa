"""Image I/O: arrays, .npy/.npz, IDX (plain and gzipped), PNG folders, labels files, pixel scales, errors."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from synthgan.data.image import (
    PixelScale,
    encode_labels,
    image_array,
    image_grid,
    read_idx,
    read_images,
    read_labels,
    read_png,
    write_png,
)
from synthgan.errors import DataError


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, 9, 7), dtype=np.uint8), rng.integers(0, 10, size=12)


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def test_npy_round_trip_keeps_pixels_and_adds_the_channel_axis(digits, tmp_path):
    images, _ = digits
    np.save(tmp_path / "x.npy", images)
    read, labels = read_images(tmp_path / "x.npy")
    assert read.shape == (12, 1, 9, 7) and read.dtype == np.uint8 and labels is None
    assert np.array_equal(read[:, 0], images)
    colour = np.random.default_rng(1).random((3, 3, 8, 8)).astype(np.float32)
    np.save(tmp_path / "c.npy", colour)
    assert np.array_equal(read_images(tmp_path / "c.npy")[0], colour)


def test_npz_with_images_and_labels(digits, tmp_path):
    images, labels = digits
    np.savez(tmp_path / "d.npz", images=images, labels=labels)
    read, found = read_images(tmp_path / "d.npz")
    assert np.array_equal(read[:, 0], images) and np.array_equal(found, labels)
    np.savez(tmp_path / "one.npz", images)
    assert read_images(tmp_path / "one.npz")[1] is None
    np.savez(tmp_path / "odd.npz", a=images, b=labels)
    with pytest.raises(DataError, match="name the images array 'images'"):
        read_images(tmp_path / "odd.npz")
    assert np.array_equal(read_labels(tmp_path / "d.npz"), labels)


@pytest.mark.parametrize("compressed", [False, True])
def test_idx_files_plain_and_gzipped(digits, tmp_path, compressed):
    images, labels = digits
    blob, label_blob = idx_bytes(images), idx_bytes(labels.astype(np.uint8))
    suffix = ".gz" if compressed else ""
    write = gzip.compress if compressed else (lambda data: data)
    (tmp_path / f"train-images-idx3-ubyte{suffix}").write_bytes(write(blob))
    (tmp_path / f"train-labels-idx1-ubyte{suffix}").write_bytes(write(label_blob))
    images_file = tmp_path / f"train-images-idx3-ubyte{suffix}"
    read, found = read_images(images_file, tmp_path / f"train-labels-idx1-ubyte{suffix}")
    assert np.array_equal(read[:, 0], images) and np.array_equal(found, labels)
    floats = np.arange(6, dtype=">f4").reshape(2, 3)
    (tmp_path / "plain.bin").write_bytes(idx_bytes(floats))  # found by its magic number, not its name
    assert np.array_equal(read_idx(tmp_path / "plain.bin"), floats)


def test_broken_idx_files_say_what_is_wrong(digits, tmp_path):
    blob = idx_bytes(digits[0])
    (tmp_path / "cut-idx3-ubyte").write_bytes(blob[:-5])
    with pytest.raises(DataError, match=r"truncated or corrupted IDX.*promises shape \(12, 9, 7\)"):
        read_images(tmp_path / "cut-idx3-ubyte")
    (tmp_path / "bad-idx3-ubyte").write_bytes(b"\x01\x02" + blob[2:])
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(tmp_path / "bad-idx3-ubyte")
    (tmp_path / "broken-idx3-ubyte.gz").write_bytes(gzip.compress(blob)[:30])
    with pytest.raises(DataError, match="Could not read"):
        read_idx(tmp_path / "broken-idx3-ubyte.gz")


def test_png_folder_round_trip_gray_and_colour(digits, tmp_path):
    images, _ = digits
    folder = tmp_path / "gray"
    folder.mkdir()
    for index, image in enumerate(images):
        write_png(folder / f"{index:03d}.png", image[None])
    read, labels = read_images(folder)
    assert np.array_equal(read[:, 0], images) and labels is None
    rgb = np.random.default_rng(2).integers(0, 256, size=(3, 5, 6), dtype=np.uint8)
    write_png(tmp_path / "rgb.png", rgb)
    assert np.array_equal(read_png(tmp_path / "rgb.png"), rgb)


def test_class_sub_folders_label_the_images(digits, tmp_path):
    images, _ = digits
    for index, image in enumerate(images[:6]):
        (tmp_path / "set" / f"c{index % 2}").mkdir(parents=True, exist_ok=True)
        write_png(tmp_path / "set" / f"c{index % 2}" / f"{index}.png", image[None])
    read, labels = read_images(tmp_path / "set")
    assert read.shape == (6, 1, 9, 7) and list(labels) == ["c0"] * 3 + ["c1"] * 3


def test_labels_csv_picks_the_files_of_a_folder(digits, tmp_path):
    images, _ = digits
    for index, image in enumerate(images[:4]):
        write_png(tmp_path / f"{index}.png", image[None])
    write_png(tmp_path / "grid.png", np.zeros((1, 30, 30), np.uint8))  # a different size: not an image of the set
    (tmp_path / "labels.csv").write_text("file,label\n3.png,7\n0.png,1\n")
    read, labels = read_images(tmp_path, tmp_path / "labels.csv")
    assert np.array_equal(read[:, 0], images[[3, 0]]) and list(labels) == [7, 1]
    with pytest.raises(DataError, match=r"grid\.png is 30x30.*same size"):
        read_images(tmp_path)


def test_label_files(tmp_path):
    (tmp_path / "l.txt").write_text("3\n1\n4\n")
    assert read_labels(tmp_path / "l.txt").tolist() == [3, 1, 4]
    (tmp_path / "l.csv").write_text("label\ncat\ndog\n")
    assert read_labels(tmp_path / "l.csv").tolist() == ["cat", "dog"]
    (tmp_path / "gap.csv").write_text("file,label\na.png,1\nb.png,\n")
    with pytest.raises(DataError, match="rows without a label"):
        read_labels(tmp_path / "gap.csv")
    with pytest.raises(DataError, match="Labels file not found"):
        read_labels(tmp_path / "missing.npy")


def test_bad_sources_give_clear_errors(tmp_path):
    with pytest.raises(DataError, match="File not found"):
        read_images(tmp_path / "nothing.npy")
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="Unsupported image source"):
        read_images(tmp_path / "table.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no PNG files"):
        read_images(tmp_path / "empty")
    (tmp_path / "fake.png").write_text("not a png")
    with pytest.raises(DataError, match="not a readable PNG"):
        read_png(tmp_path / "fake.png")
    (tmp_path / "junk.npy").write_bytes(b"junk")
    with pytest.raises(DataError, match=r"Could not read .* numpy array"):
        read_images(tmp_path / "junk.npy")


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros((5, 8)), r"shape \(N, H, W\) or \(N, C, H, W\)"),
        (np.zeros((5, 8, 8, 3)), "channels-last"),
        (np.zeros((5, 2, 2)), "at least 4 pixels"),
        (np.zeros((0, 8, 8)), "empty"),
        (np.full((2, 8, 8), np.nan), "NaN"),
        (np.array([["a"] * 8] * 8)[None], "numeric"),
    ],
)
def test_image_array_rejects_bad_arrays(array, message):
    with pytest.raises(DataError, match=message):
        image_array(array)


def test_image_array_does_not_copy_or_touch_the_input():
    images = np.ones((3, 1, 8, 8), np.uint8)
    assert image_array(images) is images or np.shares_memory(image_array(images), images)


@pytest.mark.parametrize(
    "images, expected",
    [
        (np.array([0, 255], np.uint8), ("uint8", 0, 255)),
        (np.array([0, 16]), ("int64", 0, 16)),
        (np.array([0.1, 0.9]), ("float64", 0, 1)),
        (np.array([-0.5, 0.9], np.float32), ("float32", -1, 1)),
        (np.array([3.0, 40.0]), ("float64", 3, 40)),
        (np.array([True, False]), ("bool", 0, 1)),
    ],
)
def test_pixel_scale_is_inferred_and_round_trips(images, expected):
    scale = PixelScale.infer(images)
    assert (scale.dtype, scale.low, scale.high) == expected
    unit = scale.to_unit(images)
    assert unit.dtype == np.float32 and unit.min() >= -1 and unit.max() <= 1
    back = scale.from_unit(unit)
    assert back.dtype == images.dtype and np.allclose(back, images, atol=1e-5)
    assert PixelScale.from_state(scale.to_state()) == scale


def test_pixels_come_back_clipped_and_rounded():
    scale = PixelScale("int64", 0, 16)
    assert scale.from_unit(np.array([-3.0, 0.01, 5.0])).tolist() == [0, 8, 16]


def test_labels_are_class_codes():
    classes, codes = encode_labels([3.0, 1.0, 3.0], 3)
    assert classes == [1, 3] and codes.tolist() == [1, 0, 1]
    assert encode_labels(np.array(["b", "a"], dtype=object), 2)[0] == ["a", "b"]
    with pytest.raises(DataError, match="class codes"):
        encode_labels([0.5, 1.0], 2)
    with pytest.raises(DataError, match="3 images but 2 labels"):
        encode_labels([1, 2], 3)
    with pytest.raises(DataError, match="missing"):
        encode_labels([1.0, np.nan], 2)


def test_grid_tiles_images_row_by_row():
    images = np.stack([np.full((1, 2, 2), value, np.uint8) for value in (10, 20, 30)])
    grid = image_grid(images, columns=2, padding=1, scale=2)
    assert grid.shape == (1, 1 + 2 * 5, 1 + 2 * 5)
    assert grid[0, 1, 1] == 10 and grid[0, 1, 6] == 20 and grid[0, 6, 1] == 30 and grid[0, 6, 6] == 255
