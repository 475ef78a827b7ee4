//! Lines held back until the end of a run (the findings `diff` and `apply` list after the patch):
//! in memory up to a limit, past it in an unnamed temporary file, so that what a run holds does
//! not grow with the tree.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Spool {
    memory: Vec<u8>,
    file: Option<File>,
    limit: usize,
}

impl Default for Spool {
    fn default() -> Spool {
        Spool::with_limit(4 << 20)
    }
}

impl Spool {
    /// A spool that keeps up to `limit` bytes in memory.
    pub fn with_limit(limit: usize) -> Spool {
        Spool { memory: Vec::new(), file: None, limit }
    }

    /// Hold `line` (a line break is added).
    pub fn push_line(&mut self, line: &str) -> io::Result<()> {
        self.memory.extend_from_slice(line.as_bytes());
        self.memory.push(b'\n');
        if self.memory.len() > self.limit {
            let file = match &mut self.file {
                Some(file) => file,
                None => self.file.insert(unnamed_file()?),
            };
            file.write_all(&self.memory)?;
            self.memory.clear();
        }
        Ok(())
    }

    /// Write every held line to `out`, in the order they came.
    pub fn drain_into(self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(mut file) = self.file {
            file.seek(SeekFrom::Start(0))?;
            let mut chunk = vec![0; 64 << 10];
            loop {
                let n = file.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                out.write_all(&chunk[..n])?;
            }
        }
        out.write_all(&self.memory)
    }
}

/// A new file in the temporary folder, already unlinked where the system allows it: nothing is
/// left behind, however the run ends.
pub(crate) fn unnamed_file() -> io::Result<File> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path: PathBuf = std::env::temp_dir().join(format!(
        "retrace-spool-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = File::options().read(true).write(true).create_new(true).open(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_back_in_order_across_the_memory_limit() {
        let mut spool = Spool::with_limit(64);
        let lines: Vec<String> = (0..100).map(|i| format!("finding {i}")).collect();
        for line in &lines {
            spool.push_line(line).unwrap();
        }
        assert!(spool.file.is_some(), "past the limit, lines go to a file");
        assert!(spool.memory.len() <= 64 + "finding 99\n".len());
        let mut out = Vec::new();
        spool.drain_into(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), lines.iter().map(|l| format!("{l}\n")).collect::<String>());
    }

    #[test]
    fn a_small_spool_stays_in_memory() {
        let mut spool = Spool::default();
        spool.push_line("one").unwrap();
        assert!(spool.file.is_none());
        let mut out = Vec::new();
        spool.drain_into(&mut out).unwrap();
        assert_eq!(out, b"one\n");
    }
}
