#!/usr/bin/env python3
"""fnreg's benchmark harness: generates deterministic workloads as real git repositories, times every
SPEC §7 operation and more on a release build (median and spread of several runs, peak RSS of each),
measures the same work done without fnreg (git alone; git + a Python merge script), and writes
BENCHMARKS.md.

  scripts/bench.py                 # reference workload (5,000 functions, 500 revisions), 5 runs
  scripts/bench.py --scaling       # plus 1,000 / 20,000 functions and 100 / 2,000 revisions
  scripts/bench.py --runs 3 --functions 1000 --revisions 100 --out /tmp/b.md   # quick
"""
import argparse, json, os, platform, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=5)
p.add_argument("--functions", type=int, default=5000)
p.add_argument("--revisions", type=int, default=500)
p.add_argument("--scaling", action="store_true")
p.add_argument("--work", default="/tmp/fnreg-bench")
p.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
args = p.parse_args()

def sh(cmd, cwd=None, **kw):
    return subprocess.run(cmd, cwd=cwd, shell=isinstance(cmd, str), check=True, **kw)

print("building a release binary with --static-swift-stdlib ...", file=sys.stderr)
sh(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "fnreg"], cwd=ROOT, stdout=subprocess.DEVNULL)
FNREG = os.path.join(ROOT, ".build", "release", "fnreg")
os.makedirs(args.work, exist_ok=True)

def workload(functions, revisions):
    path = os.path.join(args.work, f"wl-{functions}-{revisions}")
    if not os.path.isdir(os.path.join(path, ".git")):
        shutil.rmtree(path, ignore_errors=True)
        sh([sys.executable, os.path.join(ROOT, "scripts", "generate-workload.py"), path, "--functions", str(functions), "--revisions", str(revisions)],
           stdout=subprocess.DEVNULL)
    return path

def measure(argv, cwd, setup=None, runs=None, shell=False):
    """Runs `argv` `runs` times; returns (wall seconds list, peak RSS MB list)."""
    walls, rss = [], []
    for _ in range(runs or args.runs):
        if setup:
            setup()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        rss.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{argv} failed: {proc.stderr.read().decode()[:500]}")
    return walls, rss

def fmt(walls):
    return f"{statistics.median(walls) * 1000:.0f} ms" if statistics.median(walls) < 10 else f"{statistics.median(walls):.1f} s"

def spread(walls):
    return f"{min(walls) * 1000:.0f}–{max(walls) * 1000:.0f} ms" if max(walls) < 10 else f"{min(walls):.1f}–{max(walls):.1f} s"

def prepare(functions, revisions):
    repo = workload(functions, revisions)
    db_full, db_base = os.path.join(args.work, f"full-{functions}-{revisions}.db"), os.path.join(args.work, f"base-{functions}-{revisions}.db")
    for db, extra in [(db_full, []), (db_base, ["--branch", "HEAD~1"])]:
        if not os.path.exists(db):
            sh([FNREG, "import", "--history", "--db", db] + extra, cwd=repo, stdout=subprocess.DEVNULL)
    return repo, db_full, db_base

def copy_base(db_base, target):
    def setup():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
        shutil.copy(db_base, target)
    return setup

def run_suite(functions, revisions, full=True):
    repo, db_full, db_base = prepare(functions, revisions)
    commits = subprocess.run(["git", "rev-list", "--first-parent", "--reverse", "main"], cwd=repo, capture_output=True, text=True).stdout.split()
    past = revisions // 2
    rows = {}
    def add(name, walls_rss, target=None):
        rows[name] = (walls_rss[0], walls_rss[1], target)
    backfill_db = os.path.join(args.work, "backfill.db")
    add("backfill all revisions (`import --history`)", measure([FNREG, "import", "--history", "--db", backfill_db], repo,
        setup=copy_base_empty(backfill_db), runs=max(1, min(3, args.runs)) if full else 1), "< 30 s")
    one = os.path.join(args.work, "one.db")
    add("import one commit (`import --commit HEAD` onto the rest)", measure([FNREG, "import", "--commit", "HEAD", "--db", one], repo, setup=copy_base(db_base, one)), "< 1 s")
    add("import an unchanged work tree", measure([FNREG, "import", "--db", db_full], repo), "< 0.5 s")
    add(f"export json, prod at rev:{past}", measure([FNREG, "export", "json", "--env", "prod", "--at", str(past), "--db", db_full], repo), "< 150 ms")
    add("diff staging prod (--format json)", measure([FNREG, "diff", "staging", "prod", "--format", "json", "--db", db_full], repo), "< 300 ms")
    add(f"diff prod@{revisions // 5} prod@{past} (two times)", measure([FNREG, "diff", f"prod@{revisions // 5}", f"prod@{past}", "--format", "json", "--db", db_full], repo), None)
    add("show fn_00042 --env prod --origin", measure([FNREG, "show", "fn_00042", "--env", "prod", "--origin", "--db", db_full], repo), "< 100 ms")
    add("log fn_00042", measure([FNREG, "log", "fn_00042", "--db", db_full], repo), "< 100 ms")
    if full:
        add("log fn_00042 --env prod", measure([FNREG, "log", "fn_00042", "--env", "prod", "--db", db_full], repo), None)
        out = os.path.join(args.work, "tf")
        add("export terraform --env prod", measure([FNREG, "export", "terraform", "--env", "prod", "--out", out, "--db", db_full], repo), None)
        add("validate (work tree, no database)", measure([FNREG, "validate", ".", "--today", "2026-11-26"], repo), "< 2 s")
        add("query (one SELECT over prod)", measure([FNREG, "query", "SELECT count(*) FROM functions WHERE config->>'runtime' = 'java21'", "--env", "prod", "--db", db_full], repo), None)
        floor = ("git log --first-parent --raw --no-abbrev --format= main | awk '{print $4}' | grep -v '^0*$' | git cat-file --batch > /dev/null")
        add("git alone: log --raw + cat-file of every changed blob", measure(floor, repo, shell=True), None)
        add(f"git + Python merge script, prod at rev:{past} (baseline)", measure([sys.executable, os.path.join(ROOT, "scripts", "baseline_export.py"), repo, commits[past - 1], "prod"], repo), None)
    db_bytes = os.path.getsize(db_full)
    raw = subprocess.run("git log --first-parent --raw --no-abbrev --format= main | awk '$6 ~ /\\.json$/ {print $4}' | sort -u | grep -v '^0*$' "
                         "| git cat-file --batch-check='%(objectsize)' | awk '{s+=$1} END {print s}'", cwd=repo, shell=True, capture_output=True, text=True).stdout.strip()
    return rows, db_bytes, int(raw or 0)

def copy_base_empty(target):
    def setup():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
    return setup

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
machine = f"{os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}"
swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]

print(f"reference workload {args.functions} x {args.revisions} ...", file=sys.stderr)
rows, db_bytes, raw_bytes = run_suite(args.functions, args.revisions)
lines = ["# fnreg benchmarks", "",
         f"Generated by `scripts/bench.py` on {time.strftime('%Y-%m-%d', time.gmtime())}: {machine}; {swift}; release build with "
         f"`--static-swift-stdlib`. Each figure is the median of {args.runs} runs (backfill: of up to 3) with the spread (min–max) and the "
         "peak resident memory of the process. fnreg is single-threaded: the figures are one core's work.", "",
         f"## Reference workload: {args.functions:,} functions, 3 environments (~10% overridden each), {args.revisions} revisions of 1–20 documents", "",
         "| operation | median | spread | peak RSS | SPEC §7 target |", "|---|---|---|---|---|"]
for name, (walls, rss, target) in rows.items():
    ok = ""
    if target:
        limit = float(target.split()[1]) * (0.001 if "ms" in target else 1)
        ok = " ✓" if statistics.median(walls) < limit else " ✗"
    lines.append(f"| {name} | {fmt(walls)} | {spread(walls)} | {max(rss):.0f} MB | {(target or '') + ok} |")
floor = statistics.median(rows["git alone: log --raw + cat-file of every changed blob"][0])
backfill = statistics.median(rows["backfill all revisions (`import --history`)"][0])
past = args.revisions // 2
baseline = statistics.median(rows[f"git + Python merge script, prod at rev:{past} (baseline)"][0])
export = statistics.median(rows[f"export json, prod at rev:{past}"][0])
lines += ["", "### Against the same work without fnreg", "",
          f"* Backfill takes **{backfill / floor:.1f}×** the git-only floor (reading every changed blob of the history: {fmt([floor])}); the aim is ≤ 4×.",
          f"* `export json` of a past revision is **{baseline / export:.1f}×** faster than reading that commit's files from git and merging them with a short Python script ({fmt([baseline])}); the target is ≥ 20×.",
          f"* Database: {db_bytes / 1e6:.1f} MB for {raw_bytes / 1e6:.1f} MB of distinct JSON documents as written in the files: **{db_bytes / raw_bytes:.2f}×** (target < 2×)."]

if args.scaling:
    grid = [(1000, args.revisions), (20000, args.revisions), (args.functions, 100), (args.functions, 2000)]
    lines += ["", "## Scaling", "", "Cost must follow what changed and how many functions exist, never the number of revisions.", "",
              "| functions × revisions | backfill | per revision | import one commit | export json (past) | diff envs | show --origin | log F | DB / documents |",
              "|---|---|---|---|---|---|---|---|---|"]
    results = {(args.functions, args.revisions): (rows, db_bytes, raw_bytes)}
    for f, r in grid:
        print(f"scaling workload {f} x {r} ...", file=sys.stderr)
        results[(f, r)] = run_suite(f, r, full=False)
    for (f, r) in sorted(results):
        rw, dbb, raw = results[(f, r)]
        past = r // 2
        get = lambda key: fmt(rw[key][0])
        b = statistics.median(rw["backfill all revisions (`import --history`)"][0])
        lines.append(f"| {f:,} × {r:,} | {fmt([b])} | {b / r * 1000:.0f} ms | {get('import one commit (`import --commit HEAD` onto the rest)')} | "
                     f"{get(f'export json, prod at rev:{past}')} | {get('diff staging prod (--format json)')} | {get('show fn_00042 --env prod --origin')} | "
                     f"{get('log fn_00042')} | {dbb / raw:.2f}× |")
with open(args.out, "w") as out:
    out.write("\n".join(lines) + "\n")
print("\n".join(lines))
