#!/usr/bin/env python3
"""Writes the binary fixtures of the test corpus (Arrow, Parquet, XLSX) with pyarrow and openpyxl.

The CSV fixtures are written by hand; this script only makes the files a text editor cannot. Run it from this
folder: `python3 make_corpus.py` (needs `pip install pyarrow openpyxl`). The outputs are committed, so tests never
need Python.
"""
import random

import openpyxl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

# One magnitude table: sex x region with margins, shadow columns n, value, top1..top3.
ROWS = [
    # sex, region, mean, n, value, top1, top2, top3
    ("F", "BXL", 3100.5, 12, 37206.0, 9000.0, 4100.0, 3900.0),
    ("F", "VL", 2950.25, 40, 118010.0, 5200.0, 5100.0, 4900.0),
    ("F", "WA", 2800.0, 3, 8400.0, 3000.0, 2900.0, 2500.0),
    ("F", "Total", 2997.478, 55, 163616.0, 9000.0, 5200.0, 5100.0),
    ("M", "BXL", 5500.0, 11, 60500.0, 52000.0, 1000.0, 900.0),
    ("M", "VL", 3300.0, 45, 148500.0, 6100.0, 6000.0, 5800.0),
    ("M", "WA", 3150.0, 20, 63000.0, 4000.0, 3900.0, 3800.0),
    ("M", "Total", 3586.842, 76, 272000.0, 52000.0, 6100.0, 6000.0),
    ("Total", "BXL", 4156.217, 23, 97706.0, 52000.0, 9000.0, 4100.0),
    ("Total", "VL", 3135.647, 85, 266510.0, 6100.0, 6000.0, 5800.0),
    ("Total", "WA", 3060.87, 23, 71400.0, 4000.0, 3900.0, 3800.0),
    ("Total", "Total", 3325.313, 131, 435616.0, 52000.0, 9000.0, 6100.0),
]
COLS = ["sex", "region", "mean", "n", "value", "top1", "top2", "top3"]


def table() -> pa.Table:
    cols = list(zip(*ROWS))
    return pa.table({name: list(c) for name, c in zip(COLS, cols)}).cast(
        pa.schema([("sex", pa.string()), ("region", pa.string()), ("mean", pa.float64()), ("n", pa.int64())]
                  + [(c, pa.float64()) for c in COLS[4:]])
    )


def main() -> None:
    t = table()
    feather.write_feather(t, "good/table.arrow")  # pyarrow's default: LZ4-compressed Arrow IPC file
    with ipc.new_stream("good/table.arrows", t.schema) as w:
        w.write_table(t)
    pq.write_table(t, "good/table.parquet")  # snappy
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "table"
    ws.append(COLS)
    for r in ROWS:
        ws.append(list(r))
    wb.save("good/table.xlsx")

    with open("good/table.arrow", "rb") as f:
        data = f.read()
    with open("bad/truncated.arrow", "wb") as f:
        f.write(data[: len(data) // 2])
    with open("good/table.parquet", "rb") as f:
        data = f.read()
    with open("bad/truncated.parquet", "wb") as f:
        f.write(data[: len(data) - 40])
    rng = random.Random(1)
    with open("bad/binary.csv", "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(2048)))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["sex", "n", "value"])
    ws.append(["F", "twelve", 100])
    wb.save("bad/text_in_n.xlsx")


if __name__ == "__main__":
    main()
