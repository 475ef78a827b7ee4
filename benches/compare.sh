#!/usr/bin/env bash
# retrace vs its peers, side by side on one generated corpus (issue 7).
#
#   benches/compare.sh [--files N] [--seed S] [--runs R] [--scaling] [--skip-peers] [--retrace BIN]
#
#   --files N      corpus size (default 50000 files)
#   --seed S       corpus seed (default 1)
#   --runs R       timed runs of the check commands; the median is reported (default 5, after 1 warm-up)
#   --slow-runs R  timed runs of the diff commands (default 3; the corpus is already in the page cache)
#   --scaling      instead of the peer comparison: retrace check and diff at 10k, 50k and 100k files
#                  (--slow-runs runs each; time and peak RSS per size: time should grow linearly,
#                  memory stay flat)
#   --sizes LIST   sizes for --scaling (default 10000,50000,100000)
#   --skip-peers   time retrace alone (no installs besides hyperfine and time)
#   --retrace BIN  use this retrace binary instead of building with `cargo build --release`
#
# Installs what it needs, idempotently: Debian ripgrep, hyperfine and time (apt-get), PyPI
# ast-grep-cli (a venv in target/bench-env/venv), crates ruplacer and fastmod (cargo install
# --locked into target/bench-env/cargo). Corpora are cached in target/bench-env/corpus-N-sS and
# regenerated when benches/corpus.py changes. Writes hyperfine JSON, /usr/bin/time -v logs and
# target/bench-env/report.md (also printed).
#
# retrace rows run twice: planning every file (--no-cache) and "plans kept", reusing the plans of one
# untimed earlier run on the same tree (--cache-dir target/bench-env/plan-cache, as a CI cache).
#
# Every tool writes its output through a pipe (hyperfine --output=pipe): ripgrep, for one, treats a
# /dev/null stdout as --quiet. All tools use their default thread count (every core).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV="$ROOT/target/bench-env"
FILES=50000
SEED=1
RUNS=5
SLOW_RUNS=3
SCALING=0
SIZES=10000,50000,100000
PEERS=1
RETRACE=""

while [[ $# -gt 0 ]]; do
    case "$1" in
        --files) FILES=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --slow-runs) SLOW_RUNS=$2; shift 2 ;;
        --scaling) SCALING=1; shift ;;
        --sizes) SIZES=$2; shift 2 ;;
        --skip-peers) PEERS=0; shift ;;
        --retrace) RETRACE=$(realpath "$2"); shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

mkdir -p "$ENV"
log() { printf '\n== %s\n' "$*" >&2; }
START=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Peers

APT_UPDATED=0
apt_install() {
    # apt_install PKG...: install what is missing; `apt-get update` once, only if needed.
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "apt-get install ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
        if [[ $APT_UPDATED -eq 0 ]]; then
            apt-get update -q >&2
            APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
    fi
}

install_peers() {
    local debs=(hyperfine time)
    [[ $PEERS -eq 1 ]] && debs+=(ripgrep)
    apt_install "${debs[@]}"
    [[ $PEERS -eq 1 ]] || return 0
    if [[ ! -x "$ENV/venv/bin/ast-grep" ]]; then
        log "pip install ast-grep-cli (venv in $ENV/venv)"
        python3 -m venv "$ENV/venv"
        "$ENV/venv/bin/pip" install -q ast-grep-cli >&2
    fi
    if [[ ! -x "$ENV/cargo/bin/ruplacer" || ! -x "$ENV/cargo/bin/fastmod" ]]; then
        log "cargo install --locked ruplacer fastmod"
        cargo install --locked ruplacer fastmod --root "$ENV/cargo" >&2
    fi
}

build_retrace() {
    if [[ -n "$RETRACE" ]]; then
        return 0
    fi
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release >&2)
    local target
    target=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    RETRACE="$target/release/retrace"
}

# corpus N [clean] -> prints the corpus folder, generating it if missing or stale. A clean corpus
# has the same layout and sizes with no file mentioning the term: the tree CI checks after the rename.
corpus() {
    local n=$1 dir="$ENV/corpus-$1-s$SEED${2:+-$2}" stamp want share=0.24
    [[ "${2:-}" == clean ]] && share=0
    stamp="$dir.stamp"
    want=$(sha256sum "$ROOT/benches/corpus.py" | cut -d' ' -f1)
    if [[ ! -d "$dir" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        log "generating corpus: $n files, seed $SEED, term share $share -> $dir"
        rm -f "$stamp"
        python3 "$ROOT/benches/corpus.py" "$dir" --files "$n" --seed "$SEED" --term-share "$share" \
            --verify 200 >&2
        echo "$want" > "$stamp"
    fi
    echo "$dir"
}

# ---------------------------------------------------------------------------------------------
# Measurements

# peak_rss NAME CMD...: one run under /usr/bin/time -v, stdout through a pipe; log in $OUT/NAME.time
peak_rss() {
    local name=$1; shift
    /usr/bin/time -v -o "$OUT/$name.time" "$@" 2>&1 | cat > /dev/null || true
}

system_note() {
    echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM; $(uname -sr)"
    echo "- load before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- retrace: $("$RETRACE" --version 2>/dev/null || echo '?') ($RETRACE)"
    if [[ $PEERS -eq 1 ]]; then
        echo "- peers: $(rg --version | head -1); $("$ENV/cargo/bin/ruplacer" --version 2>/dev/null | head -1);" \
            "fastmod $("$ENV/cargo/bin/fastmod" --version 2>/dev/null | awk '{print $2}');" \
            "ast-grep $("$ENV/venv/bin/ast-grep" --version | awk '{print $2}'); $(hyperfine --version)"
    fi
}

compare() {
    local dir clean applied work
    dir=$(corpus "$FILES")
    clean=$(corpus "$FILES" clean)
    # The tree CI checks while reviews remain: the corpus after `retrace apply`, made afresh (it
    # depends on the retrace being measured).
    applied="$ENV/applied-$FILES"
    log "applying retrace to a copy of the corpus -> $applied"
    rm -rf "$applied" && cp -a "$dir" "$applied" && { "$RETRACE" apply --no-cache "$applied" > /dev/null 2>&1 || true; }
    # Rows marked "plans kept" reuse the plans of an earlier run (a CI cache of --cache-dir
    # between pushes): made once here, untimed, for each tree they run on.
    local kept="$ENV/plan-cache"
    rm -rf "$kept"
    log "keeping plans of a first run -> $kept"
    for primed in "check '$dir'" "check '$applied'" "diff '$dir'"; do
        eval "'$RETRACE' $primed --cache-dir '$kept'" > /dev/null 2>&1 || true
    done
    work="$ENV/fastmod-work"
    OUT="$ENV/results-$FILES"
    mkdir -p "$OUT"
    local sg=("$ENV/venv/bin/ast-grep" scan -c "$ROOT/benches/ast-grep/sgconfig.yml" --color never "$dir")
    local rup=("$ENV/cargo/bin/ruplacer" --preserve-case --color never session trace "$dir")
    # fastmod has no dry run: it rewrites a throwaway copy, made afresh before every run.
    local fm=("$ENV/cargo/bin/fastmod" --accept-all --fixed-strings session trace "$work")
    local prep="rm -rf '$work' && cp -a '$dir' '$work'"

    # hyperfine's JSON names each command by its -n name: keep the exact commands for the report.
    {
        printf 'retrace check\t%s\n' "retrace check --no-cache CORPUS"
        printf 'retrace check kept\t%s\n' "retrace check --cache-dir KEPT CORPUS"
        printf 'retrace check kept touched\t%s\n' "touch every file; retrace check --cache-dir KEPT CORPUS"
        printf 'rg\t%s\n' "rg -i -c session CORPUS"
        printf 'retrace check clean\t%s\n' "retrace check --no-cache CLEAN"
        printf 'rg clean\t%s\n' "rg -i -c session CLEAN"
        printf 'retrace check applied\t%s\n' "retrace check --no-cache APPLIED"
        printf 'retrace check applied kept\t%s\n' "retrace check --cache-dir KEPT APPLIED"
        printf 'rg applied\t%s\n' "rg -i -c session APPLIED"
        printf 'retrace diff\t%s\n' "retrace diff --no-cache CORPUS"
        printf 'retrace diff kept\t%s\n' "retrace diff --cache-dir KEPT CORPUS"
        printf 'ruplacer\t%s\n' "ruplacer ${rup[*]:1:${#rup[@]}-2} CORPUS"
        printf 'fastmod\t%s\n' "fastmod ${fm[*]:1:${#fm[@]}-2} COPY"
        printf 'ast-grep\t%s\n' "ast-grep ${sg[*]:1:${#sg[@]}-2} CORPUS"
    } | sed "s|$ROOT/||g" > "$OUT/commands.tsv"

    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    log "check: retrace vs ripgrep ($RUNS runs)"
    hyperfine --runs "$RUNS" --warmup 1 --ignore-failure --output=pipe --style basic \
        --export-json "$OUT/check.json" \
        -n "retrace check" "'$RETRACE' check --no-cache '$dir'" \
        -n "retrace check kept" "'$RETRACE' check --cache-dir '$kept' '$dir'" \
        -n "rg -i -c" "rg -i -c session '$dir'" >&2
    # As after a fresh clone with a restored cache (CI): every file's stamp is new, so each is
    # read and hashed and its kept report found by the hash.
    log "check, plans kept, every file touched before each run ($RUNS runs)"
    hyperfine --runs "$RUNS" --warmup 1 --ignore-failure --output=pipe --style basic \
        --prepare "find '$dir' -path '$dir/.git' -prune -o -type f -exec touch -c {} +" \
        --export-json "$OUT/check-touched.json" \
        -n "retrace check kept" "'$RETRACE' check --cache-dir '$kept' '$dir'" >&2
    log "check on the clean tree (the term gone, as in CI after the rename) ($RUNS runs)"
    hyperfine --runs "$RUNS" --warmup 1 --ignore-failure --output=pipe --style basic \
        --export-json "$OUT/check-clean.json" \
        -n "retrace check" "'$RETRACE' check --no-cache '$clean'" \
        -n "rg -i -c" "rg -i -c session '$clean'" >&2
    log "check on the tree after apply (foreign uses and reviews remain) ($RUNS runs)"
    hyperfine --runs "$RUNS" --warmup 1 --ignore-failure --output=pipe --style basic \
        --export-json "$OUT/check-applied.json" \
        -n "retrace check" "'$RETRACE' check --no-cache '$applied'" \
        -n "retrace check kept" "'$RETRACE' check --cache-dir '$kept' '$applied'" \
        -n "rg -i -c" "rg -i -c session '$applied'" >&2

    log "diff: retrace vs ruplacer, fastmod, ast-grep ($SLOW_RUNS runs)"
    hyperfine --runs "$SLOW_RUNS" --ignore-failure --output=pipe --style basic \
        --export-json "$OUT/diff.json" \
        -n "retrace diff" "'$RETRACE' diff --no-cache '$dir'" \
        -n "retrace diff kept" "'$RETRACE' diff --cache-dir '$kept' '$dir'" \
        -n "ruplacer" "${rup[*]@Q}" \
        -n "ast-grep scan" "${sg[*]@Q}" >&2
    hyperfine --runs "$SLOW_RUNS" --ignore-failure --output=pipe --style basic \
        --prepare "$prep" --export-json "$OUT/fastmod.json" \
        -n "fastmod" "${fm[*]@Q}" >&2

    log "peak RSS (/usr/bin/time -v)"
    peak_rss retrace-check "$RETRACE" check --no-cache "$dir"
    peak_rss retrace-check-kept "$RETRACE" check --cache-dir "$kept" "$dir"
    peak_rss rg rg -i -c session "$dir"
    peak_rss retrace-check-clean "$RETRACE" check --no-cache "$clean"
    peak_rss rg-clean rg -i -c session "$clean"
    peak_rss retrace-check-applied "$RETRACE" check --no-cache "$applied"
    peak_rss retrace-check-applied-kept "$RETRACE" check --cache-dir "$kept" "$applied"
    peak_rss rg-applied rg -i -c session "$applied"
    peak_rss retrace-diff "$RETRACE" diff --no-cache "$dir"
    peak_rss retrace-diff-kept "$RETRACE" diff --cache-dir "$kept" "$dir"
    peak_rss ruplacer "${rup[@]}"
    peak_rss ast-grep "${sg[@]}"
    bash -c "$prep"
    peak_rss fastmod "${fm[@]}"
    rm -rf "$work"

    local elapsed=$(( $(date +%s) - START ))
    {
        echo "# retrace benchmark: $FILES files (seed $SEED), median of $RUNS runs (check) and $SLOW_RUNS runs (diff)"
        echo
        python3 - "$OUT" "$dir" "$RETRACE" "$ENV" "$ROOT" "$clean" <<'PY'
import json, os, re, sys
out, corpus, retrace, env, root, clean = sys.argv[1:]

def rss(name):
    try:
        text = open(os.path.join(out, name + ".time")).read()
    except OSError:
        return None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return int(m.group(1)) / 1024 if m else None

def results(name):
    with open(os.path.join(out, name + ".json")) as f:
        return {r["command"]: r for r in json.load(f)["results"]}

commands = dict(line.rstrip("\n").split("\t", 1) for line in open(os.path.join(out, "commands.tsv")))

check, diff, fm = results("check"), results("diff"), results("fastmod")
clean_check = results("check-clean")
touched_check = results("check-touched")
applied_check = results("check-applied")
rows = [
    ("check", "retrace", check["retrace check"], "retrace-check", check["retrace check"], "retrace check"),
    ("check, plans kept", "retrace", check["retrace check kept"], "retrace-check-kept", check["retrace check"],
     "retrace check kept"),
    ("check, plans kept, files touched (fresh clone)", "retrace", touched_check["retrace check kept"], None,
     check["retrace check"], "retrace check kept touched"),
    ("check", "ripgrep", check["rg -i -c"], "rg", check["retrace check"], "rg"),
    ("check, clean tree", "retrace", clean_check["retrace check"], "retrace-check-clean",
     clean_check["retrace check"], "retrace check clean"),
    ("check, clean tree", "ripgrep", clean_check["rg -i -c"], "rg-clean", clean_check["retrace check"], "rg clean"),
    ("check, tree after apply", "retrace", applied_check["retrace check"], "retrace-check-applied",
     applied_check["retrace check"], "retrace check applied"),
    ("check, tree after apply, plans kept", "retrace", applied_check["retrace check kept"],
     "retrace-check-applied-kept", applied_check["retrace check"], "retrace check applied kept"),
    ("check, tree after apply", "ripgrep", applied_check["rg -i -c"], "rg-applied", applied_check["retrace check"],
     "rg applied"),
    ("diff", "retrace", diff["retrace diff"], "retrace-diff", diff["retrace diff"], "retrace diff"),
    ("diff, plans kept", "retrace", diff["retrace diff kept"], "retrace-diff-kept", diff["retrace diff"],
     "retrace diff kept"),
    ("diff", "ruplacer", diff["ruplacer"], "ruplacer", diff["retrace diff"], "ruplacer"),
    ("diff", "fastmod", fm["fastmod"], "fastmod", diff["retrace diff"], "fastmod"),
    ("diff", "ast-grep", diff["ast-grep scan"], "ast-grep", diff["retrace diff"], "ast-grep"),
]
print("| task | tool | command | median wall | min-max | ratio to retrace | CPU (user+sys) | peak RSS |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
for task, tool, r, rname, base, cname in rows:
    m = rss(rname) if rname else None
    ratio = r["median"] / base["median"]
    print(f"| {task} | {tool} | `{commands[cname]}` | {r['median']:.2f} s | "
          f"{r['min']:.2f}-{r['max']:.2f} s | {ratio:.2f}x | {r['user'] + r['system']:.2f} s | "
          + (f"{m:.0f} MB |" if m is not None else "? |"))
print()
def verdict(ok):
    return "PASS" if ok else "FAIL"
c = check["retrace check"]["median"] / check["rg -i -c"]["median"]
cc = clean_check["retrace check"]["median"] / clean_check["rg -i -c"]["median"]
d1 = diff["retrace diff"]["median"] / diff["ruplacer"]["median"]
d2 = diff["retrace diff"]["median"] / diff["ast-grep scan"]["median"]
peak = max(rss(n) or 0 for n in ("retrace-check", "retrace-diff", "retrace-check-clean", "retrace-check-applied",
                                  "retrace-check-kept", "retrace-check-applied-kept", "retrace-diff-kept"))
ck = check["retrace check kept"]["median"] / check["rg -i -c"]["median"]
ckt = touched_check["retrace check kept"]["median"] / check["rg -i -c"]["median"]
cak = applied_check["retrace check kept"]["median"] / applied_check["rg -i -c"]["median"]
d1k = diff["retrace diff kept"]["median"] / diff["ruplacer"]["median"]
d2k = diff["retrace diff kept"]["median"] / diff["ast-grep scan"]["median"]
print("| target (issue 7) | measured | result |")
print("| --- | ---: | --- |")
print(f"| `check` <= 1.5x ripgrep | {c:.2f}x | {verdict(c <= 1.5)} |")
print(f"| `check` <= 1.5x ripgrep, plans kept | {ck:.2f}x | {verdict(ck <= 1.5)} |")
print(f"| `check` <= 1.5x ripgrep, plans kept, files touched (fresh clone) | {ckt:.2f}x | {verdict(ckt <= 1.5)} |")
print(f"| `check` <= 1.5x ripgrep, clean tree | {cc:.2f}x | {verdict(cc <= 1.5)} |")
ca = applied_check["retrace check"]["median"] / applied_check["rg -i -c"]["median"]
print(f"| `check` <= 1.5x ripgrep, tree after apply | {ca:.2f}x | {verdict(ca <= 1.5)} |")
print(f"| `check` <= 1.5x ripgrep, tree after apply, plans kept | {cak:.2f}x | {verdict(cak <= 1.5)} |")
print(f"| `diff` <= 0.3x ruplacer | {d1:.2f}x | {verdict(d1 <= 0.3)} |")
print(f"| `diff` <= 0.15x ast-grep | {d2:.2f}x | {verdict(d2 <= 0.15)} |")
print(f"| `diff` <= 0.3x ruplacer, plans kept | {d1k:.2f}x | {verdict(d1k <= 0.3)} |")
print(f"| `diff` <= 0.15x ast-grep, plans kept | {d2k:.2f}x | {verdict(d2k <= 0.15)} |")
print(f"| peak RSS <= 200 MB | {peak:.0f} MB | {verdict(peak <= 200)} |")
print()
print("Ratios are the tool's median wall time over retrace's (`ratio` of a peer > 1 means retrace is faster);")
print("the targets are retrace's time over the peer's. fastmod has no dry run: it rewrites a fresh copy of")
print("the corpus (`--accept-all --fixed-strings`, case-sensitive, one pass; the copy is made by")
print("hyperfine `--prepare` and not timed). ast-grep runs the 12 identifier rules in benches/ast-grep/.")
print("CORPUS: about a quarter of the files mention the term (the tree before the rename); CLEAN: the same")
print("layout and sizes with no file mentioning it (the tree CI checks on every push after the rename);")
print("APPLIED: CORPUS after `retrace apply` (what CI checks while foreign uses and reviews remain).")
print("Rows without \"plans kept\" plan every file (`--no-cache`); \"plans kept\" rows reuse the plans of one")
print("earlier, untimed run on the same tree (KEPT, as a CI cache of `--cache-dir` between pushes); an unchanged")
print("file is then known by its stamp and not read. \"files touched\" gives every file a new stamp before each")
print("run (untimed), as a fresh clone does: each file is read and hashed, and its kept report found by the hash.")
PY
        echo
        echo "Corpus: $(du -sh --exclude=.git "$dir" | cut -f1), $(find "$dir" -path "$dir/.git" -prune -o -type f -print | wc -l) files (incl. ignored build outputs)."
        system_note
        echo "- total script time: ${elapsed} s"
    } | tee "$ENV/report.md"
}

scaling() {
    # Every run under /usr/bin/time: the median wall time and the largest peak RSS per size.
    OUT="$ENV/results-scaling"
    mkdir -p "$OUT"
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    local sizes=() dirs=()
    IFS=, read -r -a sizes <<< "$SIZES"
    for n in "${sizes[@]}"; do dirs+=("$(corpus "$n")"); done
    for i in "${!sizes[@]}"; do
        local n=${sizes[$i]} dir=${dirs[$i]}
        log "scaling: $n files ($SLOW_RUNS runs each of check and diff)"
        # Into the page cache (with --skip-peers there may be no ripgrep).
        find "$dir" -type f -print0 | xargs -0 -r cat > /dev/null
        for cmd in check diff; do
            : > "$OUT/$cmd-$n.runs"
            for _ in $(seq "$SLOW_RUNS"); do
                /usr/bin/time -f "%e %M %U %S" -a -o "$OUT/$cmd-$n.runs" "$RETRACE" "$cmd" --no-cache "$dir" 2>&1 | cat > /dev/null || true
            done
        done
    done
    local elapsed=$(( $(date +%s) - START ))
    {
        echo "# retrace scaling (seed $SEED), median wall of $SLOW_RUNS runs, largest peak RSS"
        echo
        python3 - "$OUT" "$ENV" "$SEED" "${sizes[@]}" <<'PY'
import os, statistics, subprocess, sys
out, env, seed, *sizes = sys.argv[1:]
def runs(name):
    rows = [line.split() for line in open(os.path.join(out, name + ".runs")) if line.strip()]
    rows = [r for r in rows if len(r) == 4 and r[0][0].isdigit()]
    wall = statistics.median(float(r[0]) for r in rows)
    cpu = statistics.median(float(r[2]) + float(r[3]) for r in rows)
    return wall, max(int(r[1]) for r in rows) / 1024, cpu
def mb(n):
    d = os.path.join(env, f"corpus-{n}-s{seed}")
    return int(subprocess.run(["du", "-sm", "--exclude=.git", d], capture_output=True, text=True).stdout.split()[0])
print("| files | corpus | check wall | check CPU | CPU per 10k files | check peak RSS "
      "| diff wall | diff CPU | CPU per 10k files | diff peak RSS |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
rows = []
for n in sizes:
    (c, crss, ccpu), (d, drss, dcpu) = runs(f"check-{n}"), runs(f"diff-{n}")
    rows.append((int(n), c, d, crss, drss, ccpu, dcpu))
    k = 1e4 / int(n)
    print(f"| {int(n):,} | {mb(n)} MB | {c:.2f} s | {ccpu:.2f} s | {ccpu * k:.2f} s | {crss:.0f} MB "
          f"| {d:.2f} s | {dcpu:.2f} s | {dcpu * k:.2f} s | {drss:.0f} MB |")
lo, hi = rows[0], rows[-1]
print()
print(f"From {lo[0]:,} to {hi[0]:,} files ({hi[0] / lo[0]:.0f}x): check wall x{hi[1] / lo[1]:.1f} "
      f"(CPU x{hi[5] / lo[5]:.1f}), diff wall x{hi[2] / lo[2]:.1f} (CPU x{hi[6] / lo[6]:.1f}); peak RSS check x{hi[3] / lo[3]:.2f} ({lo[3]:.0f} -> {hi[3]:.0f} MB), "
      f"diff x{hi[4] / lo[4]:.2f} ({lo[4]:.0f} -> {hi[4]:.0f} MB).")
print("Linear time: the time ratio is near the size ratio (CPU per 10k files constant). Flat memory: the RSS")
print("ratio stays near 1. CPU is user + system time of the process (less sensitive to other load than wall).")
PY
        echo
        system_note
        echo "- total script time: ${elapsed} s"
    } | tee "$ENV/report-scaling.md"
}

install_peers
build_retrace
if [[ $SCALING -eq 1 ]]; then
    scaling
elif [[ $PEERS -eq 1 ]]; then
    compare
else
    echo "compare.sh: --skip-peers needs --scaling" >&2
    exit 2
fi
