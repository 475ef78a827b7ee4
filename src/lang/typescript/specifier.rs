//! Module specifiers: which name a package and which a file of the project, the file each
//! resolves to, and the new spelling of each path segment when that file moves.

use std::ffi::OsString;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use super::collect::Occurrence;
use super::decide::Decision;
use crate::lang::Context;
use crate::plan::{KeepReason, Role};
use crate::rules::NameVerdict;

/// What a specifier names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Module {
    /// Neither relative, nor a tsconfig `paths` alias, nor listed as first-party: someone else's.
    Package,
    /// A project file that is not code (a stylesheet, an image, JSON): retrace never rewrites it.
    Asset,
    /// Project code, with the file it resolves to when found.
    FirstParty(Option<PathBuf>),
}

/// Extensions TypeScript resolves, in its order of preference.
const CODE_EXTENSIONS: &[&str] = &["ts", "tsx", "d.ts", "js", "jsx", "mts", "cts", "mjs", "cjs"];

/// A first-party specifier taken apart: its path is relative to `dir` from byte `start` on.
struct Located {
    dir: PathBuf,
    start: usize,
    file: Option<PathBuf>,
}

pub(super) fn classify(spec: &str, cx: &Context<'_>) -> Module {
    match locate(spec, cx) {
        Some(located) if is_asset(spec, located.file.as_deref()) => Module::Asset,
        Some(located) => Module::FirstParty(located.file),
        None if looks_first_party(spec) || cx.rules.first_party.iter().any(|p| spec.starts_with(p.as_str())) => {
            Module::FirstParty(None)
        }
        None => Module::Package,
    }
}

/// One occurrence per term in a specifier: its path segments follow the moves of the files they
/// name; a package's name is kept.
pub(super) fn occurrences(spec: &str, at: usize, cx: &Context<'_>, out: &mut Vec<Occurrence>) {
    let renamer = &cx.rules.renamer;
    if !renamer.may_contain(spec.as_bytes()) {
        return;
    }
    let Some(located) = locate(spec, cx) else {
        let package = classify(spec, cx) == Module::Package;
        let why = if looks_first_party(spec) {
            "a path alias no walked tsconfig.json maps: the file it names is not known"
        } else {
            "a first-party package: rename it where it is published"
        };
        for (range, to) in renamer.find_in_text(spec) {
            let decision = match package {
                true => Decision::Keep(KeepReason::Foreign { module: spec.to_owned() }),
                false => Decision::Review { to, why: why.into() },
            };
            out.push(Occurrence::fixed(shift(range, at), Role::Import, decision));
        }
        return;
    };
    for (range, to) in renamer.find_in_text(&spec[..located.start]) {
        let why = "a tsconfig `paths` alias: rename it in tsconfig.json first";
        out.push(Occurrence::fixed(shift(range, at), Role::Import, Decision::Review { to, why: why.into() }));
    }
    let asset = is_asset(spec, located.file.as_deref());
    let moved = located.file.as_ref().and_then(|old| Some((old, cx.project.moves.get(old)?)));
    let mut folder = located.dir;
    for (range, segment) in segments(spec, located.start) {
        let parent = folder.clone();
        folder = step(&folder, segment);
        if matches!(segment, "" | "." | "..") || !renamer.may_contain(segment.as_bytes()) {
            continue;
        }
        let renamed = moved.and_then(|(old, new)| renamed_segment(segment, &parent, old, new));
        let decision = match renamed {
            Some(to) if to != segment => Some(Decision::Rename(to)),
            _ => unmoved_segment(segment, asset, cx),
        };
        if let Some(decision) = decision {
            out.push(Occurrence::fixed(shift(range, at), Role::Import, decision));
        }
    }
}

fn shift(range: Range<usize>, by: usize) -> Range<usize> {
    range.start + by..range.end + by
}

/// The verdict on a segment whose file does not move: kept for the rule's reason, a conflict when
/// its move was refused, otherwise for review.
fn unmoved_segment(segment: &str, asset: bool, cx: &Context<'_>) -> Option<Decision> {
    let stem = segment.split('.').next().unwrap_or(segment);
    match cx.rules.name_verdict(stem) {
        NameVerdict::Unrelated => None,
        NameVerdict::Keep(reason) => Some(Decision::Keep(reason)),
        NameVerdict::Rename(to) if cx.project.is_blocked(stem) => {
            let to = cx.rules.renamer.rename(segment).unwrap_or(to);
            Some(Decision::Conflict { to, why: cx.project.refused(stem, "the move of the file it names"), other: None })
        }
        NameVerdict::Rename(to) => {
            let to = cx.rules.renamer.rename(segment).unwrap_or(to);
            let why = if asset {
                "names a file retrace does not rewrite"
            } else {
                "names a file or folder that does not move"
            };
            Some(Decision::Review { to, why: why.into() })
        }
    }
}

/// Split off the folder a first-party specifier's path is relative to; `None` for packages.
fn locate(spec: &str, cx: &Context<'_>) -> Option<Located> {
    if is_relative(spec) {
        let dir = cx.path.parent().unwrap_or(Path::new("")).to_path_buf();
        let file = resolve(&join(&dir, spec), cx);
        return Some(Located { dir, start: 0, file });
    }
    // Several repositories may each map the same prefix: the alias nearest the file under which
    // the specifier resolves wins, else the nearest one. They are tried nearest first, so the
    // file's own repository most often answers and the others are not looked at: what an
    // import costs, and what its plan depends on, does not grow with the repositories of the tree.
    let aliases = &cx.project.ts_aliases;
    let mut matching: Vec<usize> = (0..aliases.len()).filter(|&i| spec.starts_with(aliases[i].prefix.as_str())).collect();
    // Each nearness taken once (a sort asks for a key many times); of equally near aliases, the
    // first the project lists.
    matching.sort_by_cached_key(|&i| {
        let alias = &aliases[i];
        (std::cmp::Reverse(shared_depth(&alias.target, cx.path)), std::cmp::Reverse(alias.prefix.len()), i)
    });
    let nearest = *matching.first()?;
    let resolved = matching.iter().find_map(|&i| {
        let alias = &aliases[i];
        let resolve = || resolve(&join(&alias.target, &spec[alias.prefix.len()..]), cx);
        Some((i, cx.project.typescript_modules.aliased(i, spec, resolve)?))
    });
    let (alias, file) = match resolved {
        Some((i, file)) => (i, Some(file)),
        None => (nearest, None),
    };
    let alias = &aliases[alias];
    Some(Located { dir: alias.target.clone(), start: alias.prefix.len(), file })
}

/// Prefixes no package can have: the usual path aliases (when no tsconfig was walked, as in a
/// run over single files) and package.json subpath imports (`#internal`).
fn looks_first_party(spec: &str) -> bool {
    spec.starts_with("@/") || spec.starts_with("~/") || spec.starts_with('#')
}

fn is_relative(spec: &str) -> bool {
    spec == "." || spec == ".." || spec.starts_with("./") || spec.starts_with("../")
}

/// How many leading components two paths share. This runs for every alias of the tree, and
/// `Path::components` is slow: the components are taken from the bytes as it would take them.
fn shared_depth(a: &Path, b: &Path) -> usize {
    components(a).zip(components(b)).take_while(|(x, y)| x == y).count()
}

/// A Unix path's components as `Path::components` yields them: a leading `/` or `.` of its
/// own, then the parts between slashes, except empty ones and `.`.
fn components(path: &Path) -> impl Iterator<Item = &[u8]> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let first = match bytes {
        [b'/', ..] => Some(&bytes[..1]),
        [b'.'] | [b'.', b'/', ..] => Some(&bytes[..1]),
        _ => None,
    };
    let parts = bytes.split(|&c| c == b'/').filter(|part| !part.is_empty() && *part != b".");
    first.into_iter().chain(parts)
}

/// A specifier names an asset when it resolves to, or spells, a file that is not code.
fn is_asset(spec: &str, file: Option<&Path>) -> bool {
    let is_code = |name: &str| CODE_EXTENSIONS.iter().any(|e| name.ends_with(&format!(".{e}")));
    match file {
        Some(file) => !is_code(&file.to_string_lossy()),
        None => {
            let last = spec.rsplit('/').next().unwrap_or(spec);
            last.contains('.') && !matches!(last, "." | "..") && !is_code(last)
        }
    }
}

/// The file a path resolves to as TypeScript would find it: as written, with an extension, with
/// a JavaScript extension swapped for its TypeScript source, or as a folder's index.
fn resolve(target: &Path, cx: &Context<'_>) -> Option<PathBuf> {
    let exists = |p: &Path| cx.project.typescript_modules.is_file(p, &cx.project.moves);
    let with_extension = |base: &Path, ext: &str| {
        let mut name = OsString::from(base.as_os_str());
        name.push(".");
        name.push(ext);
        PathBuf::from(name)
    };
    let sources: &[&str] = match target.extension().and_then(|e| e.to_str()) {
        Some("js") => &["ts", "tsx", "d.ts"],
        Some("jsx") => &["tsx"],
        Some("mjs") => &["mts"],
        Some("cjs") => &["cts"],
        _ => &[],
    };
    let stem = target.with_extension("");
    std::iter::once(target.to_path_buf())
        .chain(CODE_EXTENSIONS.iter().map(|e| with_extension(target, e)))
        .chain(sources.iter().map(|e| with_extension(&stem, e)))
        .chain(CODE_EXTENSIONS.iter().map(|e| target.join(format!("index.{e}"))))
        .find(|p| exists(p))
}

/// The `/`-separated segments of `spec` from byte `start`, with their ranges.
fn segments(spec: &str, start: usize) -> impl Iterator<Item = (Range<usize>, &str)> {
    let rest = &spec[start..];
    rest.split('/').scan(start, |at, segment| {
        let range = *at..*at + segment.len();
        *at = range.end + 1;
        Some((range, segment))
    })
}

/// `dir` joined with a relative path, `.` and `..` resolved without touching the file system.
fn join(dir: &Path, relative: &str) -> PathBuf {
    relative.split('/').fold(dir.to_path_buf(), |path, segment| step(&path, segment))
}

fn step(path: &Path, segment: &str) -> PathBuf {
    match segment {
        "" | "." => path.to_path_buf(),
        ".." if matches!(path.components().next_back(), Some(Component::Normal(_))) => {
            path.parent().unwrap_or(Path::new("")).to_path_buf()
        }
        _ => path.join(segment),
    }
}

/// The new spelling of `segment` (found in `parent`) when the file `old` moves to `new`: the
/// folder or file name at the same depth, keeping how the segment spells the extension.
fn renamed_segment(segment: &str, parent: &Path, old: &Path, new: &Path) -> Option<String> {
    if !old.starts_with(parent) {
        return None;
    }
    let depth = parent.components().count();
    let old_name = old.components().nth(depth)?.as_os_str().to_str()?;
    let new_name = new.components().nth(depth)?.as_os_str().to_str()?;
    if segment == old_name {
        return Some(new_name.to_owned());
    }
    // `SessionDrawer` for SessionDrawer.tsx, `sessions.js` for sessions.ts: the shared stem ends
    // at a dot (or the end) in both; moves keep extensions, so the rest of the name is unchanged.
    let at_boundary = |s: &str, k: usize| k == s.len() || s.as_bytes()[k] == b'.';
    let stem = (1..=segment.len())
        .rev()
        .find(|&k| at_boundary(segment, k) && old_name.starts_with(&segment[..k]) && at_boundary(old_name, k))?;
    let suffix = &old_name[stem..];
    let new_stem = new_name.strip_suffix(suffix)?;
    Some(format!("{new_stem}{}", &segment[stem..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_segments_keep_the_spelling_of_extensions() {
        let old = Path::new("src/components/sessions/SessionDrawer.tsx");
        let new = Path::new("src/components/traces/TraceDrawer.tsx");
        let parent = Path::new("src/components");
        assert_eq!(renamed_segment("sessions", parent, old, new).as_deref(), Some("traces"));
        let parent = Path::new("src/components/sessions");
        assert_eq!(renamed_segment("SessionDrawer", parent, old, new).as_deref(), Some("TraceDrawer"));
        assert_eq!(renamed_segment("SessionDrawer.tsx", parent, old, new).as_deref(), Some("TraceDrawer.tsx"));
        assert_eq!(renamed_segment("SessionDrawer.js", parent, old, new).as_deref(), Some("TraceDrawer.js"));
        assert_eq!(renamed_segment("Other", parent, old, new), None);
        let (old, new) = (Path::new("types/session.d.ts"), Path::new("types/trace.d.ts"));
        assert_eq!(renamed_segment("session", Path::new("types"), old, new).as_deref(), Some("trace"));
    }

    #[test]
    fn joins_without_the_file_system() {
        assert_eq!(join(Path::new("src/a"), "../b/./c"), PathBuf::from("src/b/c"));
        assert_eq!(join(Path::new(""), "../x"), PathBuf::from("../x"));
        assert_eq!(join(Path::new("a"), "../../x"), PathBuf::from("../x"));
    }

    #[test]
    fn shared_depth_counts_components_as_paths_do() {
        let pairs = [
            ("apps/web/src", "apps/web/src/lib/x.ts"),
            ("apps/web", "apps/web2/src/x.ts"),
            ("/r/apps/web/src", "/r/apps/web/x.ts"),
            ("./apps/web", "./apps/web//src/./x.ts"),
            ("apps/web/", "apps/web"),
            ("", "apps"),
            (".", "./x"),
        ];
        for (a, b) in pairs {
            let (a, b) = (Path::new(a), Path::new(b));
            let expected = a.components().zip(b.components()).take_while(|(x, y)| x == y).count();
            assert_eq!(shared_depth(a, b), expected, "{a:?} {b:?}");
        }
    }

    #[test]
    fn assets_by_extension() {
        assert!(is_asset("./session.module.css", None));
        assert!(!is_asset("./session", None));
        assert!(!is_asset("../sessions", None));
        assert!(is_asset("./x", Some(Path::new("a/x.json"))));
        assert!(!is_asset("./x", Some(Path::new("a/x.d.ts"))));
    }
}
