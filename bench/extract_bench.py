"""Extraction benchmark: our extract() against the bare library on the same files, per format.

    python bench/extract_bench.py            # the default sizes (about two minutes on 2 cores)
    python bench/extract_bench.py --quick    # smaller files, for a smoke run
    python bench/extract_bench.py --samples DIR [--json out.json]   # real-world files, per format
    python bench/extract_bench.py --write-samples DIR   # the generated files below, one per format, into DIR
    python bench/extract_bench.py --samples DIR --repo ../main   # the same files through another checkout's code

With --samples it extracts every file under DIR (each format in a fresh
process, so its peak memory is its own) and prints per format (by file
extension): how many files give text, the outcomes, the median and worst
time per file and the peak RSS of the process.

It generates every file with the real libraries (seeded, nothing downloaded),
times `extract()` and the underlying library called directly (reading the
same text: pages, paragraphs and tables, cells, slides), prints a table with
the overhead ratio, then the per-file cost of `extract_isolated` and the
peak memory of a large PDF and XLSX extracted in a fresh process.
"""

from __future__ import annotations

import argparse
import collections
import csv
import email
import email.policy
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pptx
from fpdf import FPDF
from pptx.util import Inches
from pypdf import PdfReader
from striprtf.striprtf import rtf_to_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dlp.extract import ExtractConfig, IsolatedExtractor, extract  # noqa: E402

RANDOM = random.Random(20261122)
WORDS = "account balance customer invoice payroll record salary ticket transfer update report quarterly".split()


def sentence(n: int = 12) -> str:
    return (
        " ".join(RANDOM.choice(WORDS) for _ in range(n))
        + f" SSN {RANDOM.randint(100, 899)}-45-{RANDOM.randint(1000, 9999)}."
    )


# ---- file generators --------------------------------------------------------------------------------


def make_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, "\n".join(sentence() for _ in range(12)))
    return bytes(pdf.output())


def make_docx(paragraphs: int) -> bytes:
    document = docx.Document()
    for _ in range(paragraphs):
        document.add_paragraph(sentence())
    table = document.add_table(rows=50, cols=4)
    for row in table.rows:
        for cell in row.cells:
            cell.text = RANDOM.choice(WORDS)
    document.sections[0].header.paragraphs[0].text = "CONFIDENTIAL"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(rows: int) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Payroll")
    sheet.append(["id", "name", "ssn", "salary"])
    for n in range(rows):
        sheet.append(
            [
                n,
                RANDOM.choice(WORDS).title(),
                f"{RANDOM.randint(100, 899)}-45-{n % 10000:04d}",
                RANDOM.randint(30, 200) * 1000,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_pptx(slides: int) -> bytes:
    presentation = pptx.Presentation()
    for _ in range(slides):
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        slide.shapes.title.text = sentence(4)
        box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(2))
        box.text_frame.text = "\n".join(sentence() for _ in range(4))
        slide.notes_slide.notes_text_frame.text = sentence()
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def make_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "ssn", "note"])
    for n in range(rows):
        writer.writerow([n, RANDOM.choice(WORDS), f"123-45-{n % 10000:04d}", sentence(5)])
    return out.getvalue().encode()


def make_text(lines: int) -> bytes:
    return "\n".join(sentence() for _ in range(lines)).encode()


def make_html(paragraphs: int) -> bytes:
    body = "".join(f"<p>{sentence()}</p>" for _ in range(paragraphs))
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>".encode()


def make_rtf(paragraphs: int) -> bytes:
    body = "".join(rf"\pard {sentence()}\par " for _ in range(paragraphs))
    return ("{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0 " + body + "}").encode()


def make_eml(attachment: bytes) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "payroll"
    message.set_content("\n".join(sentence() for _ in range(200)))
    message.add_attachment(attachment, maintype="text", subtype="csv", filename="payroll.csv")
    return message.as_bytes()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def make_xls(rows: int) -> bytes:
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Payroll")
    for c, title in enumerate(["id", "name", "ssn", "salary"]):
        sheet.write(0, c, title)
    for n in range(min(rows, 65_000)):
        for c, value in enumerate(
            [n, RANDOM.choice(WORDS).title(), f"{RANDOM.randint(100, 899)}-45-{n % 10000:04d}", RANDOM.randint(30, 200) * 1000]
        ):
            sheet.write(n + 1, c, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_odt(paragraphs: int) -> bytes:
    from odfdo import Document, Paragraph

    document = Document("text")
    for _ in range(paragraphs):
        document.body.append(Paragraph(sentence()))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_ods(rows: int) -> bytes:
    from odfdo import Document, Table

    document = Document("spreadsheet")
    document.body.clear()
    table = Table("Payroll")
    table.set_values([["id", "name", "ssn"]] + [[n, RANDOM.choice(WORDS), f"123-45-{n % 10000:04d}"] for n in range(rows)])
    document.body.append(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_7z(members: dict[str, bytes]) -> bytes:
    import py7zr

    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return out.getvalue()


def make_targz(members: dict[str, bytes]) -> bytes:
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def make_png(lines: int) -> bytes:
    """A screenshot of text: what OCR is for."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=28)
    image = Image.new("L", (1600, 50 * lines + 40), 255)
    draw = ImageDraw.Draw(image)
    for n in range(lines):
        draw.text((30, 20 + 50 * n), sentence(8), fill=0, font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def legacy_sample(name: str) -> Callable[[int], bytes]:
    """.doc and .ppt have no Python writer: the committed samples stand for them (fixtures/README.md)."""
    return lambda _: (FIXTURES / name).read_bytes()


# ---- the bare libraries, reading the same text ------------------------------------------------------


def bare_pdf(data: bytes) -> int:
    return sum(len(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages)


def bare_docx(data: bytes) -> int:
    document = docx.Document(io.BytesIO(data))
    chars = sum(len(p.text) for p in document.paragraphs)
    chars += sum(len(cell.text) for table in document.tables for row in table.rows for cell in row.cells)
    return chars + sum(len(p.text) for s in document.sections for p in s.header.paragraphs + s.footer.paragraphs)


def bare_xlsx(data: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    chars = sum(
        len(str(v))
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    workbook.close()
    return chars


def bare_pptx(data: bytes) -> int:
    chars = 0
    for slide in pptx.Presentation(io.BytesIO(data)).slides:
        chars += sum(len(shape.text_frame.text) for shape in slide.shapes if shape.has_text_frame)
        if slide.has_notes_slide:
            chars += len(slide.notes_slide.notes_text_frame.text)
    return chars


def bare_csv(data: bytes) -> int:
    return sum(len(cell) for row in csv.reader(io.StringIO(data.decode())) for cell in row)


def bare_text(data: bytes) -> int:
    return len(data.decode("utf-8"))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chars = 0

    def handle_data(self, data: str) -> None:
        self.chars += len(data)


def bare_html(data: bytes) -> int:
    parser = _Collector()
    parser.feed(data.decode())
    return parser.chars


def bare_rtf(data: bytes) -> int:
    return len(rtf_to_text(data.decode("latin-1")))


def bare_eml(data: bytes) -> int:
    message = email.message_from_bytes(data, policy=email.policy.default)
    chars = 0
    for part in message.walk():
        if part.get_content_maintype() == "text":
            content = part.get_content()
            chars += bare_csv(content.encode()) if part.get_filename() else len(content)
    return chars


def bare_zip(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(len(archive.read(name).decode()) for name in archive.namelist())


def bare_calamine(data: bytes) -> int:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return sum(len(str(v)) for name in workbook.sheet_names for row in workbook.get_sheet_by_name(name).iter_rows() for v in row if v != "")


def bare_odt(data: bytes) -> int:
    from odfdo import Document

    return sum(len(paragraph.text_recursive) for paragraph in Document(io.BytesIO(data)).body.paragraphs)


def bare_7z(data: bytes) -> int:
    import py7zr
    from py7zr.io import BytesIOFactory

    factory = BytesIOFactory(1 << 30)
    with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
        archive.extractall(factory=factory)
    return sum(len(product.read().decode()) for product in factory.products.values() if not product.seek(0))


def bare_targz(data: bytes) -> int:
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return sum(len(archive.extractfile(info).read().decode()) for info in archive if info.isfile())  # type: ignore[union-attr]


def bare_png(data: bytes) -> int:
    done = subprocess.run(["tesseract", "stdin", "stdout"], input=data, capture_output=True, check=True)
    return len(done.stdout.decode())


# (format, file name, maker, size at scale 1, bare reader or None when no library reads the format)
GENERATED: tuple[tuple[str, str, Callable[[int], bytes], int, Callable[[bytes], int] | None], ...] = (
    ("pdf", "report.pdf", make_pdf, 200, bare_pdf),
    ("docx", "memo.docx", make_docx, 3000, bare_docx),
    ("xlsx", "payroll.xlsx", make_xlsx, 20_000, bare_xlsx),
    ("pptx", "deck.pptx", make_pptx, 100, bare_pptx),
    ("csv", "people.csv", make_csv, 20_000, bare_csv),
    ("txt", "notes.txt", make_text, 100_000, bare_text),
    ("html", "page.html", make_html, 20_000, bare_html),
    ("rtf", "letter.rtf", make_rtf, 5000, bare_rtf),
    ("eml", "mail.eml", lambda rows: make_eml(make_csv(rows)), 20_000, bare_eml),
    ("zip", "texts.zip", lambda lines: make_zip({f"f{i}.txt": make_text(lines) for i in range(20)}), 2000, bare_zip),
    ("xls", "payroll.xls", make_xls, 20_000, bare_calamine),
    ("ods", "payroll.ods", make_ods, 5000, bare_calamine),
    ("odt", "memo.odt", make_odt, 3000, bare_odt),
    ("7z", "texts.7z", lambda lines: make_7z({f"f{i}.txt": make_text(lines) for i in range(20)}), 2000, bare_7z),
    ("tar.gz", "texts.tar.gz", lambda lines: make_targz({f"f{i}.txt": make_text(lines) for i in range(20)}), 2000, bare_targz),
    ("png", "screenshot.png", make_png, 20, bare_png),
    ("doc", "memo.doc", legacy_sample("memo.doc"), 1, None),
    ("ppt", "deck.ppt", legacy_sample("deck.ppt"), 1, None),
)


# ---- timing -----------------------------------------------------------------------------------------


def best_of(repeats: int, function: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def peak_memory_mb(kind: str, data: bytes) -> tuple[float, float, str]:
    """Extract `data` in a fresh interpreter: (peak RSS MB once the file is loaded, peak RSS MB after
    extracting, outcome). VmHWM, not ru_maxrss, which Linux carries over from the forking parent."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "hwm = lambda: int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024;"
        "from dlp.extract import iter_parts, ExtractConfig; import dlp.extract.formats.pdf, dlp.extract.formats.xlsx;"
        "data = sys.stdin.buffer.read();"
        "base = hwm();"
        f"run = iter_parts(data, 'big.{kind}', ExtractConfig(timeout_seconds=600));"
        "n = sum(1 for _ in run);"
        "print(base, hwm(), run.outcome.value, n)"
    )
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", code, root], input=data, capture_output=True, check=True)
    out = done.stdout.decode().split()
    return float(out[0]), float(out[1]), f"{out[2]}, {int(out[3]):,} parts"


# ---- real-world samples ----------------------------------------------------------------------------

_SAMPLE_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent that forked this process.
def hwm():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
from dlp.extract import extract, ExtractConfig
config = ExtractConfig()
for line in sys.stdin:
    path = json.loads(line)
    data = open(path, "rb").read()
    started = time.perf_counter()
    result = extract(data, path.rsplit("/", 1)[-1], config)
    seconds = time.perf_counter() - started
    row = {"path": path, "outcome": result.outcome.value, "type": result.file_type, "chars": result.chars,
           "truncated": result.truncated, "seconds": seconds, "reason": result.reason[:160],
           "peak_mb": hwm()}
    print(json.dumps(row), flush=True)
"""


def sample_format(path: str) -> str:
    name = os.path.basename(path).lower()
    for double in (".tar.gz", ".tar.bz2", ".tar.xz"):
        if name.endswith(double):
            return double[1:]
    return name.rsplit(".", 1)[-1] if "." in name else "(none)"


def run_samples(directory: str, timeout: float = 900, repo: str | None = None) -> dict[str, list[dict]]:
    """Extract every file under `directory`, one child process per format; rows grouped by format.

    `repo` runs another checkout's extractor on the same files (a before/after comparison)."""
    by_format: dict[str, list[str]] = collections.defaultdict(list)
    for root, _, names in os.walk(directory):
        for name in sorted(names):
            path = os.path.join(root, name)
            by_format[sample_format(path)].append(path)
    repo = str(Path(repo).resolve()) if repo else str(Path(__file__).resolve().parents[1])
    rows: dict[str, list[dict]] = {}
    for kind in sorted(by_format):
        paths = by_format[kind]
        stdin = "".join(json.dumps(p) + "\n" for p in paths)
        done = subprocess.run(
            [sys.executable, "-c", _SAMPLE_CHILD, repo], input=stdin.encode(), capture_output=True, timeout=timeout
        )
        rows[kind] = [json.loads(line) for line in done.stdout.decode().splitlines() if line.startswith("{")]
        if len(rows[kind]) < len(paths):  # the child died: name the file it died on
            rows[kind].append({"path": paths[len(rows[kind])], "outcome": "crashed", "chars": 0, "seconds": 0,
                               "peak_mb": 0, "reason": done.stderr.decode()[-160:]})  # fmt: skip
    return rows


def print_samples(rows: dict[str, list[dict]]) -> None:
    print(f"{'format':<8} {'files':>5} {'text':>5} {'share':>6} {'median s':>9} {'max s':>7} {'peak MB':>8}  outcomes")
    total = with_text = 0
    for kind, found in rows.items():
        texts = sum(1 for r in found if r["chars"] > 0)
        total += len(found)
        with_text += texts
        times = [r["seconds"] for r in found] or [0.0]
        outcomes = collections.Counter(r["outcome"] for r in found)
        print(
            f"{kind:<8} {len(found):>5} {texts:>5} {texts / max(len(found), 1):>6.0%} {statistics.median(times):>9.4f} "
            f"{max(times):>7.3f} {max(r['peak_mb'] for r in found):>8.0f}  "
            + ", ".join(f"{n} {o}" for o, n in outcomes.most_common())
        )
    print(f"all      {total:>5} {with_text:>5} {with_text / max(total, 1):>6.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller files and fewer repeats")
    parser.add_argument("--samples", metavar="DIR", help="extract the real-world files under DIR, per format")
    parser.add_argument("--json", metavar="FILE", help="with --samples: also write every file's row to FILE")
    parser.add_argument("--repo", metavar="DIR", help="with --samples: extract with the code of this checkout")
    parser.add_argument("--write-samples", metavar="DIR", help="write the generated files, one per format, to DIR")
    args = parser.parse_args()
    if args.write_samples:
        out = Path(args.write_samples)
        out.mkdir(parents=True, exist_ok=True)
        for kind, name, make, size, _ in GENERATED:
            for copy in range(3):  # three seeds' worth per format: a share per format needs more than one file
                stem, extension = name.split(".", 1)
                (out / f"{stem}-{copy}.{extension}").write_bytes(make(max(1, size // 20)))
        print(f"wrote {len(GENERATED) * 3} files to {out}")
        return
    if args.samples:
        rows = run_samples(args.samples, repo=args.repo)
        print_samples(rows)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))
        return
    scale = 0.1 if args.quick else 1.0
    repeats = 2 if args.quick else 3

    def n(count: int) -> int:
        return max(1, int(count * scale))

    files = [(kind, name, make(n(size)), bare) for kind, name, make, size, bare in GENERATED]
    config = ExtractConfig(timeout_seconds=600)
    print(f"{'format':<6} {'size':>9} {'parts':>8} {'chars':>11} {'library s':>10} {'extract s':>10} {'overhead':>9}")
    ratios = []
    for kind, name, data, bare in files:
        result = extract(data, name, config)
        assert result.outcome.value == "scanned", (kind, result.reason)
        if bare is None:  # no library reads it: our reader is the only one
            ours = best_of(repeats, lambda data=data, name=name: extract(data, name, config))
            print(f"{kind:<6} {len(data) / 1e6:>7.2f}MB {len(result.parts):>8,} {result.chars:>11,} {'-':>10} {ours:>10.3f}")
            continue
        library = best_of(repeats, lambda bare=bare, data=data: bare(data))
        ours = best_of(repeats, lambda data=data, name=name: extract(data, name, config))
        ratios.append(ours / library)
        print(
            f"{kind:<6} {len(data) / 1e6:>7.2f}MB {len(result.parts):>8,} {result.chars:>11,} "
            f"{library:>10.3f} {ours:>10.3f} {ours / library:>8.2f}x"
        )
    print(f"geometric mean overhead: {statistics.geometric_mean(ratios):.2f}x (extract() time / bare library time)")

    small = make_text(20)
    with IsolatedExtractor() as isolated:
        isolated.extract(small, "warm.txt", config)
        in_process = best_of(50, lambda: extract(small, "n.txt", config))
        child = best_of(50, lambda: isolated.extract(small, "n.txt", config))
    print(f"extract_isolated on a small file: {child * 1000:.2f} ms vs {in_process * 1000:.2f} ms in process "
          f"(+{(child - in_process) * 1000:.2f} ms per file for the child process)")  # fmt: skip

    for kind, data, label in (
        ("pdf", make_pdf(n(2000)), f"{n(2000):,}-page"),
        ("xlsx", make_xlsx(n(100_000)), f"{n(100_000):,}-row"),
        ("xls", make_xls(n(65_000)), f"{min(n(65_000), 65_000):,}-row"),
        ("ods", make_ods(n(5_000)), f"{n(5_000):,}-row"),  # odfdo writes in quadratic time: no bigger
    ):
        base, peak, outcome = peak_memory_mb(kind, data)
        print(f"memory, {label} {kind} of {len(data) / 1e6:.1f} MB: {base:.0f} MB RSS with the file loaded, "
              f"{peak:.0f} MB peak while extracting ({outcome})")  # fmt: skip


if __name__ == "__main__":
    main()
